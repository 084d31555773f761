//! Embedded refinery migrations. An existing database is backed up before it is migrated, and a
//! database newer than this binary is refused with both versions named.

use rusqlite::Connection;
use std::path::{Path, PathBuf};

refinery::embed_migrations!("migrations");

#[derive(Debug, Clone)]
pub struct Status {
    pub applied: Vec<(i64, String)>,
    pub pending: Vec<(i64, String)>,
    /// The newest version this binary knows.
    pub binary_version: i64,
}

fn embedded() -> Vec<(i64, String)> {
    let mut v: Vec<_> = migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| (m.version() as i64, m.name().to_string()))
        .collect();
    v.sort();
    v
}

fn applied(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut stmt =
        conn.prepare("SELECT version, name FROM refinery_schema_history ORDER BY version")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

impl Status {
    /// A database written by a newer liyan is never opened by an older one.
    pub fn refuse_newer(&self) -> Result<(), String> {
        match self.applied.last() {
            Some(newest) if newest.0 > self.binary_version => Err(format!(
                "the database is at schema version {} but this liyan only knows up to version {}; \
                 run the newer liyan or restore a backup / 数据库版本 {} 高于本程序支持的版本 {}",
                newest.0, self.binary_version, newest.0, self.binary_version
            )),
            _ => Ok(()),
        }
    }
}

/// The newest schema version this binary knows.
pub fn binary_version() -> i64 {
    embedded().last().map(|m| m.0).unwrap_or(0)
}

pub fn status(conn: &Connection) -> rusqlite::Result<Status> {
    let applied = applied(conn)?;
    let all = embedded();
    let binary_version = all.last().map(|m| m.0).unwrap_or(0);
    let pending = all
        .into_iter()
        .filter(|m| !applied.iter().any(|a| a.0 == m.0))
        .collect();
    Ok(Status {
        applied,
        pending,
        binary_version,
    })
}

/// Brings the database at `path` to this binary's schema. Returns the pre-migration backup, if
/// one was taken.
pub fn migrate(conn: &mut Connection, data_dir: &Path) -> Result<Option<PathBuf>, String> {
    let st = status(conn).map_err(|e| format!("cannot read the schema version: {e}"))?;
    st.refuse_newer()?;
    if st.pending.is_empty() {
        return Ok(None);
    }
    let backup = if st.applied.is_empty() {
        None
    } else {
        let from = st.applied.last().map(|a| a.0).unwrap_or(0);
        let dir = data_dir.join("backups");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let dest = dir.join(format!("pre-migrate-v{from}-{}.db", crate::clock::now_ms()));
        super::backup::snapshot(conn, &dest)
            .map_err(|e| format!("backup before migrating failed, nothing was changed: {e}"))?;
        Some(dest)
    };
    migrations::runner()
        .set_grouped(false)
        .run(conn)
        .map_err(|e| format!("migration failed and was rolled back: {e}"))?;
    Ok(backup)
}
