//! Secret key files in `<data_dir>/keys/`, created on first start with mode 0600. They are not
//! part of backups: IT keeps a copy elsewhere (see README).

use rand::RngCore;
use std::io::Write;
use std::path::Path;

pub const KEY_LEN: usize = 64;

/// Reads `<dir>/<name>`, creating it with fresh random bytes when it does not exist.
pub fn load_or_create_key(dir: &Path, name: &str) -> Result<[u8; KEY_LEN], String> {
    match read_key(dir, name)? {
        Some(key) => Ok(key),
        None => create_key(dir, name),
    }
}

/// Reads `<dir>/<name>`; None when there is no such file. A key readable by others is made
/// private again (a copy put back with `cp` takes the umask's 0644), with a warning.
pub fn read_key(dir: &Path, name: &str) -> Result<Option<[u8; KEY_LEN]>, String> {
    let path = dir.join(name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read key file {}: {e} / 无法读取密钥文件",
                path.display()
            ))
        }
    };
    make_private(&path);
    bytes.try_into().map(Some).map_err(|_| {
        format!(
            "key file {} is damaged (expected {KEY_LEN} bytes) / 密钥文件已损坏（应为 {KEY_LEN} 字节）",
            path.display()
        )
    })
}

/// Writes a new random key to `<dir>/<name>` (mode 0600); never over an existing file.
pub fn create_key(dir: &Path, name: &str) -> Result<[u8; KEY_LEN], String> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    set_mode(dir, 0o700);
    let mut key = [0u8; KEY_LEN];
    rand::thread_rng().fill_bytes(&mut key);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(&key)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            set_mode(path, 0o600);
            tracing::warn!(
                file = %path.display(),
                was = format!("{mode:o}"),
                "a key file was readable by other users; its mode is now 0600"
            );
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn created_once_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let a = super::load_or_create_key(dir.path(), "field.key").unwrap();
        let b = super::load_or_create_key(dir.path(), "field.key").unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("field.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_readable_by_others_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = super::create_key(dir.path(), "field.key").unwrap();
        let path = dir.path().join("field.key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(super::read_key(dir.path(), "field.key").unwrap(), Some(a));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(super::read_key(dir.path(), "missing.key").unwrap(), None);
    }
}
