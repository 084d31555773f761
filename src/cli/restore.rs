//! `liyan restore BACKUP_DIR`: verify, then replace the data directory's database (server
//! stopped), keeping a copy of what was replaced.
//!
//! Nothing in the data directory changes until the backup is verified and fully copied in beside
//! it; then the current files move aside and the copies take their place, each by a rename. If a
//! rename fails, what was moved aside comes back.

use std::path::{Path, PathBuf};

use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::crypto::{check_key, read_key, KeyProblem};
use crate::db::DataDirLock;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A `liyan-backup-<time>` directory written by `liyan backup`.
    pub backup: PathBuf,
}

/// What a restore replaces, in the order it moves them.
const REPLACED: &[&str] = &["liyan.db", "liyan.db-wal", "liyan.db-shm", "attachments"];

/// Copies the backup's database and attachments into `stage`, synced to disk.
fn stage(backup: &Path, files: &[&String], stage: &Path) -> Result<(), String> {
    std::fs::create_dir_all(stage)
        .map_err(|e| format!("cannot create {}: {e}", stage.display()))?;
    for rel in std::iter::once(&"liyan.db".to_string()).chain(files.iter().copied()) {
        let to = stage.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(backup.join(rel), &to).map_err(|e| format!("cannot copy {rel}: {e}"))?;
        std::fs::File::open(&to)
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("cannot sync {rel}: {e}"))?;
    }
    Ok(())
}

/// The backup's encrypted fields must open with this data directory's field key: a restore into
/// a directory without the clinic's key (or with another clinic's) would make every identity
/// and health field unreadable.
fn check_field_key(data_dir: &Path, db: &Path) -> Result<(), String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
    let keys = data_dir.join("keys");
    let path = keys.join("field.key");
    let key = read_key(&keys, "field.key")?;
    match check_key(&conn, key.as_ref()).map_err(|e| e.to_string())? {
        Ok(()) => Ok(()),
        Err(KeyProblem::Missing) => Err(format!(
            "there is no field key at {}, and this backup's identity and health fields are encrypted: copy the \
             clinic's keys folder into the data directory first (nothing was changed) / {} 处没有字段密钥，\
             而该备份中的身份与健康信息已加密：请先把诊所的 keys 文件夹复制到数据目录（未做任何更改）",
            path.display(),
            path.display()
        )),
        Err(KeyProblem::Wrong) => Err(format!(
            "the field key {} does not open this backup's encrypted fields: copy the clinic's keys folder \
             into the data directory first (nothing was changed) / 数据目录中的字段密钥与该备份不符，\
             请先把诊所的 keys 文件夹复制到数据目录（未做任何更改）",
            path.display()
        )),
    }
}

/// A new folder under `backups/` for what the restore replaces; never one that exists.
fn aside_dir(data_dir: &Path) -> Result<PathBuf, String> {
    let base = data_dir.join("backups");
    std::fs::create_dir_all(&base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    for n in 1..1000 {
        let name = if n == 1 {
            format!("replaced-{stamp}")
        } else {
            format!("replaced-{stamp}-{n}")
        };
        let p = base.join(name);
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", p.display())),
        }
    }
    Err("too many restores in one second".into())
}

/// Moves the current files aside and the staged ones in. On a failure, undoes every rename it
/// made, so the data directory is as it was.
fn swap(data_dir: &Path, staged: &Path) -> Result<Option<PathBuf>, String> {
    let db = data_dir.join("liyan.db");
    let aside = if db.exists() {
        // Checkpoint first so the kept copy is complete on its own.
        if let Ok(c) = rusqlite::Connection::open(&db) {
            let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Some(aside_dir(data_dir)?)
    } else {
        None
    };
    let mut done: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut step = |from: PathBuf, to: PathBuf| -> Result<(), String> {
        std::fs::rename(&from, &to).map_err(|e| format!("cannot move {}: {e}", from.display()))?;
        done.push((from, to));
        Ok(())
    };
    let result = (|| -> Result<(), String> {
        if let Some(aside) = &aside {
            for name in REPLACED {
                let p = data_dir.join(name);
                if p.exists() {
                    step(p, aside.join(name))?;
                }
            }
        }
        for name in ["liyan.db", "attachments"] {
            let p = staged.join(name);
            if p.exists() {
                step(p, data_dir.join(name))?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (from, to) in done.into_iter().rev() {
            let _ = std::fs::rename(&to, &from);
        }
        return Err(format!(
            "{e}; the data directory was put back as it was / 恢复失败，数据目录已还原"
        ));
    }
    Ok(aside)
}

pub fn run(config: Config, args: Args) -> Result<(), String> {
    let manifest = crate::db::backup::verify(&args.backup).map_err(|e| {
        format!("backup does not verify, nothing was changed: {e} / 备份校验未通过，未做任何更改")
    })?;
    let known = crate::db::migrate::binary_version();
    if manifest.schema_version > known {
        return Err(format!(
            "the backup is at schema version {} but this liyan only knows up to {known}; restore it with a newer liyan \
             (nothing was changed) / 备份的数据库版本高于本程序，请用新版本恢复",
            manifest.schema_version
        ));
    }
    check_field_key(&config.data_dir, &args.backup.join("liyan.db"))?;
    std::fs::create_dir_all(&config.data_dir).map_err(|e| e.to_string())?;
    let mut lock = DataDirLock::acquire(&config.data_dir).map_err(|e| {
        format!("refusing to restore while a server runs: {e} / 服务器正在运行，拒绝恢复")
    })?;
    let staged = config.data_dir.join(".restoring");
    let _ = std::fs::remove_dir_all(&staged);
    let attachments: Vec<&String> = manifest
        .files
        .keys()
        .filter(|r| r.starts_with("attachments/"))
        .collect();
    let swapped = stage(&args.backup, &attachments, &staged)
        .map_err(|e| format!("{e} (nothing was changed) / 复制失败，未做任何更改"))
        .and_then(|()| swap(&config.data_dir, &staged));
    let _ = std::fs::remove_dir_all(&staged);
    let aside = swapped?;
    // The files in place are the backup's, checked against its manifest (and the copy was
    // integrity-checked when made): the next open is not after a crash.
    lock.mark_sound();
    drop(lock);
    let (app, _lock) = crate::app::open(&config, true)?;
    // Paths as text: a folder name that is not UTF-8 (a GBK-named share) must not stop the record.
    let changes = serde_json::json!({"from": args.backup.display().to_string(), "backup_created_at": manifest.created_at,
        "replaced_kept_in": aside.as_ref().map(|a| a.display().to_string())});
    app.db
        .write_sync(|tx| {
            audit::append(
                tx,
                &Event {
                    actor: &Actor::system("restore"),
                    action: "restore",
                    entity: "system",
                    entity_id: None,
                    store_id: None,
                    changes: Some(changes),
                },
            )
        })
        .map_err(|e| e.to_string())?;
    println!(
        "restored {} ({} customers, audit chain {} rows verified{}){}",
        args.backup.display(),
        manifest.counts.get("customers").unwrap_or(&0),
        manifest.audit_head.rows,
        manifest.acknowledged_note(),
        aside
            .map(|a| format!("; the previous database was kept in {}", a.display()))
            .unwrap_or_default()
    );
    Ok(())
}
