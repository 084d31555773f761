//! One Liyan process per data directory: an exclusive lock on `liyan.lock`, held for the
//! process's life and released by the OS even after kill -9.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, String> {
        let path = data_dir.join("liyan.lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .read(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {
                let _ = file.set_len(0);
                let _ = writeln!(file, "{}", std::process::id());
                Ok(DataDirLock { _file: file })
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                Err(format!(
                    "another liyan process (pid {}) is using the data directory {}; stop it first \
                     / 另一个 liyan 进程正在使用数据目录，请先停止它",
                    holder.trim(),
                    data_dir.display()
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
    }

    /// True when some process holds the lock (used by restore, which must not run under a server).
    pub fn is_held(data_dir: &Path) -> bool {
        match OpenOptions::new()
            .read(true)
            .write(true)
            .open(data_dir.join("liyan.lock"))
        {
            Ok(f) => matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            Err(_) => false,
        }
    }
}
