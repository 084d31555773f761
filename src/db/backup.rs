//! Consistent copies of a live database.

use rusqlite::Connection;
use std::path::Path;

/// Copies the database behind `conn` to `dest` with SQLite's online backup (other connections
/// keep writing meanwhile), fsyncs it and runs `integrity_check` on the copy.
pub fn snapshot(conn: &Connection, dest: &Path) -> Result<(), String> {
    {
        let mut out =
            Connection::open(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
        let backup = rusqlite::backup::Backup::new(conn, &mut out).map_err(|e| e.to_string())?;
        // All pages in one step, inside one read transaction: under WAL the server keeps writing
        // meanwhile, and a copy taken in small steps would restart at every write from it.
        loop {
            use rusqlite::backup::StepResult;
            match backup
                .step(-1)
                .map_err(|e| format!("online backup failed: {e}"))?
            {
                StepResult::Done => break,
                // Busy or locked by another connection for a moment: try again.
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        drop(backup);
        out.pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| e.to_string())?;
        let check: String = out
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if check != "ok" {
            // The copy is page for page the live file: the damage is in the database itself.
            // SQLite lists every damaged page; the first line says enough.
            let first = check.lines().next().unwrap_or_default();
            let more = check.lines().count().saturating_sub(1);
            return Err(format!(
                "the database itself is damaged (integrity_check of its copy: {first}{}): restore the \
                 latest good backup with `liyan restore` / 数据库本身已损坏（副本完整性检查未通过）：请用 \
                 liyan restore 恢复最近一次正常的备份",
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ));
        }
    }
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("fsync {}: {e}", dest.display()))
}

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub const MANIFEST: &str = "manifest.json";
pub const PREFIX: &str = "liyan-backup-";

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub created_at: i64,
    pub liyan_version: String,
    pub schema_version: i64,
    /// Relative path → SHA-256 of every file in the backup but the manifest.
    pub files: std::collections::BTreeMap<String, String>,
    pub counts: std::collections::BTreeMap<String, i64>,
    pub audit_head: crate::audit::ChainHead,
    /// Breaks in the chain that were acknowledged (`liyan audit acknowledge-break`) before this
    /// backup: the incident travels with every copy of the log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_acknowledged_breaks: Vec<crate::audit::AcknowledgedBreak>,
}

impl Manifest {
    /// ", with N acknowledged audit chain breaks" for the summary lines, or nothing.
    pub fn acknowledged_note(&self) -> String {
        match self.audit_acknowledged_breaks.len() {
            0 => String::new(),
            n => format!(
                ", with {n} acknowledged break(s) in the audit chain (rows {}; see `audit verify`)",
                self.audit_acknowledged_breaks
                    .iter()
                    .map(|b| b.row_id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

pub fn sha256_file(path: &Path) -> Result<String, String> {
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(hex::encode(h.finalize()))
}

/// Tables whose row counts the manifest records (and restore checks).
const COUNTED: &[&str] = &[
    "customers",
    "users",
    "stores",
    "audit_log",
    "customer_search",
];

pub fn counts(conn: &Connection) -> Result<std::collections::BTreeMap<String, i64>, String> {
    COUNTED
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .map(|n| (t.to_string(), n))
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn copy_tree(
    from: &Path,
    to: &Path,
    rel: &Path,
    files: &mut std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    std::fs::create_dir_all(to.join(rel)).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from.join(rel))
        .map_err(|e| format!("cannot list {}: {e}", from.join(rel).display()))?
    {
        let entry = entry.map_err(|e| e.to_string())?;
        let r = rel.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_tree(from, to, &r, files)?;
        } else {
            std::fs::copy(from.join(&r), to.join(&r))
                .map_err(|e| format!("cannot copy {}: {e}", r.display()))?;
            std::fs::File::open(to.join(&r))
                .and_then(|f| f.sync_all())
                .map_err(|e| e.to_string())?;
            files.insert(r.to_string_lossy().into_owned(), sha256_file(&to.join(&r))?);
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes the temporary directories of backups that were killed or lost power midway.
fn remove_unfinished(dest: &Path) {
    let Ok(entries) = std::fs::read_dir(dest) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with(&format!(".tmp-{PREFIX}"))
        {
            match std::fs::remove_dir_all(e.path()) {
                Ok(()) => tracing::info!(dir = %e.path().display(), "removed an unfinished backup"),
                Err(err) => {
                    tracing::warn!(dir = %e.path().display(), error = %err, "cannot remove an unfinished backup")
                }
            }
        }
    }
}

/// Writes a complete, verified backup directory under `dest` and returns its final path.
/// Nothing is left under the final name unless every step succeeded.
pub fn create(
    conn: &Connection,
    data_dir: &Path,
    dest: &Path,
    utc_offset_minutes: i32,
) -> Result<(PathBuf, Manifest), String> {
    if dest.exists() && !dest.is_dir() {
        return Err(format!(
            "{} is a file, not a directory: --dest names the folder the backups go in / {} 是文件而不是文件夹：--dest 应为存放备份的文件夹",
            dest.display(),
            dest.display()
        ));
    }
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    // One backup at a time per destination (the nightly timer and a manual run wait for each
    // other); whoever holds the lock may clear what a killed run left half-written.
    // The lock is on the folder itself, so it leaves no file behind.
    let lock =
        std::fs::File::open(dest).map_err(|e| format!("cannot open {}: {e}", dest.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", dest.display()))?;
    remove_unfinished(dest);
    // Named in the clinic's local time, so the 02:30 backup carries today's date.
    let local =
        chrono::Utc::now().naive_utc() + chrono::Duration::minutes(utc_offset_minutes as i64);
    let stamp = local.format("%Y%m%d-%H%M%S%.3f").to_string();
    let name = format!("{PREFIX}{stamp}");
    let tmp = dest.join(format!(".tmp-{name}"));
    let result = (|| {
        std::fs::create_dir_all(&tmp)
            .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        // Customer data: only the account that made the backup may open it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("cannot restrict {}: {e}", tmp.display()))?;
        }
        let db_copy = tmp.join("liyan.db");
        snapshot(conn, &db_copy)?;
        let mut files = std::collections::BTreeMap::new();
        files.insert("liyan.db".to_string(), sha256_file(&db_copy)?);
        let attachments = data_dir.join("attachments");
        if attachments.is_dir() {
            copy_tree(data_dir, &tmp, Path::new("attachments"), &mut files)?;
        }
        let copy =
            Connection::open_with_flags(&db_copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| e.to_string())?;
        let chain = crate::audit::verify(&copy)
            .map_err(|e| format!("the copy's audit chain does not verify: {e}"))?;
        let manifest = Manifest {
            created_at: crate::clock::now_ms(),
            liyan_version: env!("CARGO_PKG_VERSION").into(),
            schema_version: copy
                .query_row(
                    "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string())?,
            files,
            counts: counts(&copy)?,
            audit_head: chain.head,
            audit_acknowledged_breaks: chain.acknowledged,
        };
        drop(copy);
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
        std::fs::write(tmp.join(MANIFEST), json).map_err(|e| e.to_string())?;
        std::fs::File::open(tmp.join(MANIFEST))
            .and_then(|f| f.sync_all())
            .map_err(|e| e.to_string())?;
        sync_dir(&tmp);
        let fin = dest.join(&name);
        std::fs::rename(&tmp, &fin).map_err(|e| format!("cannot rename into place: {e}"))?;
        sync_dir(dest);
        Ok((fin, manifest))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Whether a folder name is one `create` makes: `liyan-backup-YYYYMMDD-HHMMSS.mmm`. Only such
/// folders are ever rotated: a copy IT renamed (`liyan-backup-before-upgrade`) is left alone.
fn made_by_backup(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix(PREFIX) else {
        return false;
    };
    let b = stamp.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            8 => *c == b'-',
            15 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// Keeps `keep` backups in `dest`: the one just made, and the newest others; returns the removed
/// ones. Only folders named as `create` names them, with a manifest, are counted or removed.
pub fn rotate(dest: &Path, just_made: &Path, keep: usize) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dest)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(made_by_backup)
                && p.join(MANIFEST).is_file()
                && p.file_name() != just_made.file_name()
        })
        .collect();
    // Newest first by the time in the name.
    found.sort_by(|a, b| b.cmp(a));
    let removed: Vec<PathBuf> = found.into_iter().skip(keep.saturating_sub(1)).collect();
    for p in &removed {
        std::fs::remove_dir_all(p)
            .map_err(|e| format!("cannot remove old backup {}: {e}", p.display()))?;
    }
    Ok(removed)
}

/// Checks a backup directory against its manifest: every file's hash, the database's
/// integrity, row counts and audit chain head.
pub fn verify(backup: &Path) -> Result<Manifest, String> {
    let text = std::fs::read(backup.join(MANIFEST))
        .map_err(|e| format!("{} has no readable {MANIFEST}: {e}", backup.display()))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| format!("{MANIFEST} is damaged: {e}"))?;
    for (rel, want) in &manifest.files {
        if rel.contains("..") {
            return Err(format!("{MANIFEST} names a path outside the backup: {rel}"));
        }
        let got = sha256_file(&backup.join(rel))?;
        if &got != want {
            return Err(format!(
                "{rel} does not match its SHA-256 in the manifest (damaged or altered)"
            ));
        }
    }
    let conn = Connection::open_with_flags(
        backup.join("liyan.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .map_err(|e| e.to_string())?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("integrity_check of the backup failed: {check}"));
    }
    if counts(&conn)? != manifest.counts {
        return Err("row counts do not match the manifest".into());
    }
    let chain = crate::audit::verify(&conn).map_err(|e| e.to_string())?;
    if chain.head != manifest.audit_head {
        return Err("the audit chain head does not match the manifest".into());
    }
    if chain.acknowledged != manifest.audit_acknowledged_breaks {
        return Err("the acknowledged breaks in the audit chain do not match the manifest".into());
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_clears_what_a_killed_one_left_and_keeps_everything_else() {
        let data = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(data.path().join("liyan.db")).unwrap();
        crate::db::migrate::migrate(&mut conn, data.path()).unwrap();
        let dest = tempfile::tempdir().unwrap();
        let stale = dest
            .path()
            .join(format!(".tmp-{PREFIX}20260101-023000.000"));
        std::fs::create_dir_all(&stale).unwrap();
        std::fs::write(stale.join("liyan.db"), "half a copy").unwrap();
        let kept = dest.path().join("notes-from-it");
        std::fs::create_dir_all(&kept).unwrap();
        let (made, _) = create(&conn, data.path(), dest.path(), 480).unwrap();
        assert!(!stale.exists(), "the unfinished copy is gone");
        assert!(kept.exists() && made.exists());
    }

    #[test]
    fn rotation_keeps_the_new_backup_and_leaves_other_folders_alone() {
        let dest = tempfile::tempdir().unwrap();
        let make = |name: &str| {
            let p = dest.path().join(name);
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join(MANIFEST), "{}").unwrap();
            p
        };
        for name in [
            "liyan-backup-20260101-000000.000",
            "liyan-backup-20260102-000000.000",
            // Left by a clock that ran ahead: newer by name than the backup made now.
            "liyan-backup-29991231-235959.999",
            // A copy IT set aside.
            "liyan-backup-before-upgrade",
        ] {
            make(name);
        }
        let just_made = make("liyan-backup-20260103-000000.000");
        let removed = rotate(dest.path(), &just_made, 2).unwrap();
        let names = |ps: Vec<PathBuf>| -> Vec<String> {
            let mut v: Vec<String> = ps
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(removed),
            [
                "liyan-backup-20260101-000000.000",
                "liyan-backup-20260102-000000.000"
            ]
        );
        let left = std::fs::read_dir(dest.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(
            names(left),
            [
                "liyan-backup-20260103-000000.000",
                "liyan-backup-29991231-235959.999",
                "liyan-backup-before-upgrade"
            ]
        );
        // With --keep 1 only the new one stays of the backups rotation counts.
        let removed = rotate(dest.path(), &just_made, 1).unwrap();
        assert_eq!(names(removed), ["liyan-backup-29991231-235959.999"]);
        assert!(just_made.join(MANIFEST).is_file());
    }
}
