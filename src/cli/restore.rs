//! `liyan restore BACKUP_DIR`: verify, then replace the data directory's database (server
//! stopped), keeping a copy of what was replaced.

use std::path::{Path, PathBuf};

use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DataDirLock;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A `liyan-backup-<time>` directory written by `liyan backup`.
    pub backup: PathBuf,
}

fn move_aside(data_dir: &Path) -> Result<Option<PathBuf>, String> {
    let db = data_dir.join("liyan.db");
    if !db.exists() {
        return Ok(None);
    }
    let aside = data_dir.join("backups").join(format!(
        "replaced-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    ));
    std::fs::create_dir_all(&aside)
        .map_err(|e| format!("cannot create {}: {e}", aside.display()))?;
    // Checkpoint first so the kept copy is complete on its own.
    if let Ok(c) = rusqlite::Connection::open(&db) {
        let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
    for name in ["liyan.db", "liyan.db-wal", "liyan.db-shm"] {
        let p = data_dir.join(name);
        if p.exists() {
            std::fs::rename(&p, aside.join(name))
                .map_err(|e| format!("cannot move {}: {e}", p.display()))?;
        }
    }
    let att = data_dir.join("attachments");
    if att.exists() {
        std::fs::rename(&att, aside.join("attachments"))
            .map_err(|e| format!("cannot move attachments: {e}"))?;
    }
    Ok(Some(aside))
}

pub fn run(config: Config, args: Args) -> Result<(), String> {
    let manifest = crate::db::backup::verify(&args.backup)
        .map_err(|e| format!("backup does not verify, nothing was changed: {e}"))?;
    let known = crate::db::migrate::binary_version();
    if manifest.schema_version > known {
        return Err(format!(
            "the backup is at schema version {} but this liyan only knows up to {known}; restore it with a newer liyan \
             (nothing was changed) / 备份的数据库版本高于本程序，请用新版本恢复",
            manifest.schema_version
        ));
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|e| e.to_string())?;
    let lock = DataDirLock::acquire(&config.data_dir)
        .map_err(|e| format!("refusing to restore while a server runs: {e}"))?;
    let aside = move_aside(&config.data_dir)?;
    let tmp = config.data_dir.join("liyan.db.restoring");
    std::fs::copy(args.backup.join("liyan.db"), &tmp)
        .map_err(|e| format!("cannot copy the database: {e}"))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, config.db_path()).map_err(|e| e.to_string())?;
    for rel in manifest
        .files
        .keys()
        .filter(|r| r.starts_with("attachments/"))
    {
        let to = config.data_dir.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(args.backup.join(rel), &to).map_err(|e| format!("cannot copy {rel}: {e}"))?;
    }
    drop(lock);
    let (app, _lock) = crate::app::open(&config, true)?;
    let changes = serde_json::json!({"from": args.backup, "backup_created_at": manifest.created_at, "replaced_kept_in": aside});
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
        "restored {} ({} customers, audit chain {} rows verified){}",
        args.backup.display(),
        manifest.counts.get("customers").unwrap_or(&0),
        manifest.audit_head.rows,
        aside
            .map(|a| format!("; the previous database was kept in {}", a.display()))
            .unwrap_or_default()
    );
    Ok(())
}
