//! One Liyan process per data directory: an exclusive lock on `liyan.lock`, held for the
//! process's life and released by the OS even after kill -9.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

pub struct DataDirLock {
    file: File,
    dir: std::path::PathBuf,
    /// Whether the previous holder let go normally (see `CLEAN_MARK`).
    previous_clean: bool,
    /// Set once the database was opened and found sound; only then does a normal end leave the mark.
    sound: bool,
}

/// Written when a lock holder ends normally and removed when the next one starts: its absence
/// at start means the last process died (kill -9, power cut) and the database deserves a check.
const CLEAN_MARK: &str = "clean-shutdown";

impl Drop for DataDirLock {
    fn drop(&mut self) {
        if self.sound {
            let _ = std::fs::write(self.dir.join(CLEAN_MARK), "");
        }
        let _ = self.file.unlock();
    }
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
                let mark = data_dir.join(CLEAN_MARK);
                let previous_clean = mark.exists();
                if previous_clean {
                    std::fs::remove_file(&mark)
                        .map_err(|e| format!("cannot remove {}: {e}", mark.display()))?;
                }
                Ok(DataDirLock {
                    file,
                    dir: data_dir.to_path_buf(),
                    previous_clean,
                    sound: false,
                })
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

    /// False when the previous process using this directory did not end normally.
    pub fn previous_shutdown_was_clean(&self) -> bool {
        self.previous_clean
    }

    /// The database passed the start-up checks.
    pub fn mark_sound(&mut self) {
        self.sound = true;
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
