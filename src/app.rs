//! Opening a data directory: lock, integrity check, migrations, keys, access matrix.

use std::path::Path;

use crate::access::AccessControl;
use crate::auth::{Throttle, TokenKeys};
use crate::config::Config;
use crate::crypto::{load_or_create_key, FieldCipher};
use crate::db::{self, DataDirLock, Db};

/// Everything a request or a CLI command needs, shared by reference.
pub struct App {
    pub config: Config,
    pub db: Db,
    pub access: AccessControl,
    pub cipher: FieldCipher,
    pub tokens: TokenKeys,
    pub throttle: Throttle,
    pub views: crate::audit::ViewLog,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

/// The refusal of a command pointed at a directory without a clinic's database.
pub fn no_database(config: &Config) -> String {
    format!(
        "no Liyan database at {}: check --config or --data-dir (LIYAN_DATA_DIR); `liyan serve` creates a new one / \
         该位置没有丽颜数据库，请检查 --config 或 --data-dir（LIYAN_DATA_DIR）；新建请运行 liyan serve",
        config.db_path().display()
    )
}

/// Whether the data directory holds a database. A directory this user may not read is an error
/// that says so: "no database" would send IT to create a new clinic.
pub fn has_database(config: &Config) -> Result<bool, String> {
    match std::fs::metadata(config.db_path()) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(not_permitted(&config.data_dir))
        }
        Err(_) => Ok(false),
    }
}

/// The refusal of a command run by a user who may not read the data directory.
pub fn not_permitted(dir: &Path) -> String {
    format!(
        "cannot read {}: permission denied; run the command as the user that owns the data directory \
         (for the packaged service: sudo -u liyan liyan ...) / 无权读取 {}：请以数据目录的所有者身份运行\
         （安装包的服务：sudo -u liyan liyan ...）",
        dir.display(),
        dir.display()
    )
}

/// Opens (creating when new) the data directory. With `exclusive`, takes the process lock first
/// and refuses a database that fails `quick_check`.
pub fn open(config: &Config, exclusive: bool) -> Result<(App, Option<DataDirLock>), String> {
    let dir = &config.data_dir;
    // Only `serve`, `demo` and `restore` (the exclusive ones) may start a new clinic: any other
    // command pointed at the wrong directory must say so, not report on an empty database.
    if !exclusive && !has_database(config)? {
        return Err(no_database(config));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "the data directory {} is a file, not a directory / 数据目录 {} 是一个文件，不是目录",
            dir.display(),
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create data directory {}: {e} / 无法创建数据目录",
            dir.display()
        )
    })?;
    private_dir(dir);
    let mut lock = if exclusive {
        Some(DataDirLock::acquire(dir)?)
    } else {
        None
    };

    let path = config.db_path();
    let existed = path.exists();
    let keys = dir.join("keys");
    let field_key = {
        // SQLite reads the file's header only here: a damaged one shows as "malformed" or
        // "not a database", which IT should read as "restore a backup".
        let unusable = |e: rusqlite::Error| {
            format!(
                "cannot open the database {}: {e}; if it is damaged, restore a backup with `liyan restore` \
                 / 无法打开数据库：如已损坏，请用 liyan restore 从备份恢复",
                path.display()
            )
        };
        let mut conn = rusqlite::Connection::open(&path).map_err(unusable)?;
        db::configure(
            &conn,
            config.database.busy_timeout_ms,
            config.database.cache_size_kib,
        )
        .map_err(unusable)?;
        // A full check reads the whole file (seconds for a large clinic), so it runs when the
        // last process did not stop normally; backups check every copy they make.
        if existed
            && lock
                .as_ref()
                .is_some_and(|l| !l.previous_shutdown_was_clean())
        {
            tracing::info!("the previous run did not stop normally: checking the database");
            // A small cache: the check reads every page once, and a large cache would stay in
            // the heap for the life of the process.
            conn.pragma_update(None, "cache_size", -2048)
                .map_err(|e| e.to_string())?;
            let check: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(unusable)?;
            if check != "ok" {
                return Err(format!(
                    "database {} failed PRAGMA quick_check ({check}); restore a backup with `liyan restore` / 数据库校验失败，请从备份恢复",
                    path.display()
                ));
            }
        }
        let status = db::migrate::status(&conn)
            .map_err(|e| format!("cannot read the schema version: {e}"))?;
        status.refuse_newer()?;
        if !status.pending.is_empty() {
            // Migrate only while holding the lock, so a CLI command never changes the schema
            // under a running (older) server.
            let _migration_lock = match &lock {
                Some(_) => None,
                None => Some(DataDirLock::acquire(dir).map_err(|_| {
                    "the database needs a schema upgrade but a running liyan holds the data directory; \
                     restart the server with this version first / 数据库需要升级，请先用新版本重启服务"
                        .to_string()
                })?),
            };
            if let Some(backup) = db::migrate::migrate(&mut conn, dir)? {
                tracing::info!(backup = %backup.display(), "database migrated; the previous version was backed up");
            }
        }
        if lock.is_some() {
            let changed = crate::domain::customers::store::refresh_pinyin_terms(&mut conn)
                .map_err(|e| format!("cannot update the quick-search terms: {e}"))?;
            if changed > 0 {
                tracing::info!(
                    customers = changed,
                    "quick-search pinyin terms updated to the current rules"
                );
            }
        }
        crate::crypto::field_key_for(&keys, &conn)?
    };
    let db = Db::open(&path, &config.database)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let matrix = db
        .read_sync(crate::access::load_matrix)
        .map_err(|e| format!("cannot load permissions: {e}"))?;

    // A new token key only ends the sessions signed with the old one.
    let token_key = load_or_create_key(&keys, "token.key")?;
    let app = App {
        config: config.clone(),
        db: db.clone(),
        access: AccessControl::new(matrix),
        cipher: FieldCipher::new(&field_key),
        tokens: TokenKeys::new(&token_key, config.auth.access_token_minutes as i64 * 60),
        throttle: Throttle::new(config.auth.ip_failures_per_minute),
        views: crate::audit::ViewLog::start(db.clone()),
    };
    if let Some(l) = lock.as_mut() {
        l.mark_sound();
    }
    Ok((app, lock))
}

fn private_dir(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
}
