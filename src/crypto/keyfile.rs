//! Secret key files in `<data_dir>/keys/`, created on first start with mode 0600. They are not
//! part of backups: IT keeps a copy elsewhere (see README).

use rand::RngCore;
use std::io::Write;
use std::path::Path;

pub const KEY_LEN: usize = 64;

/// Reads `<dir>/<name>`, creating it with fresh random bytes when it does not exist.
pub fn load_or_create_key(dir: &Path, name: &str) -> Result<[u8; KEY_LEN], String> {
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => bytes.try_into().map_err(|_| {
            format!(
                "key file {} is damaged (expected {KEY_LEN} bytes)",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
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
        Err(e) => Err(format!("cannot read key file {}: {e}", path.display())),
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
}
