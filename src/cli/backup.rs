//! `liyan backup --dest DIR [--keep N]`: a verified copy while the server keeps running.

use std::path::PathBuf;

use crate::audit::{self, Actor, Event};
use crate::config::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory that receives `liyan-backup-<time>/` folders.
    #[arg(long)]
    pub dest: PathBuf,
    /// How many backups to keep in DEST (older ones are removed after a successful backup).
    #[arg(long, default_value_t = 14)]
    pub keep: usize,
}

pub fn run(config: Config, args: Args) -> Result<(), String> {
    if args.keep == 0 {
        return Err("--keep must be at least 1 / --keep 至少为 1".into());
    }
    let (app, _) = crate::app::open(&config, false)?;
    let start = std::time::Instant::now();
    let actor = Actor::system("backup");
    let result = app.db.with_writer(|conn| {
        crate::db::backup::create(
            conn,
            &config.data_dir,
            &args.dest,
            config.utc_offset_minutes().unwrap_or(480),
        )
    });
    let outcome = match &result {
        Ok((path, m)) => {
            serde_json::json!({"ok": true, "path": path.display().to_string(), "customers": m.counts.get("customers"), "audit_rows": m.audit_head.rows})
        }
        Err(e) => serde_json::json!({"ok": false, "error": e}),
    };
    app.db
        .write_sync(|tx| {
            audit::append(
                tx,
                &Event {
                    actor: &actor,
                    action: "backup",
                    entity: "system",
                    entity_id: None,
                    store_id: None,
                    changes: Some(outcome),
                },
            )
        })
        .map_err(|e| {
            format!("cannot record the backup in the audit log: {e} / 无法在审计日志中记录本次备份")
        })?;
    let (path, manifest) = result.map_err(|e| {
        format!("backup FAILED, nothing was written: {e} / 备份失败，未写入任何内容")
    })?;
    let removed = crate::db::backup::rotate(&args.dest, &path, args.keep)?;
    let size: u64 = manifest
        .files
        .keys()
        .filter_map(|f| std::fs::metadata(path.join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "backup ok: {} ({} files, {:.1} MB, {} customers, audit head {}…{}, {:.1}s, {} old removed)",
        path.display(),
        manifest.files.len(),
        size as f64 / 1e6,
        manifest.counts.get("customers").unwrap_or(&0),
        &manifest.audit_head.last_hash[..12],
        manifest.acknowledged_note(),
        start.elapsed().as_secs_f64(),
        removed.len()
    );
    Ok(())
}
