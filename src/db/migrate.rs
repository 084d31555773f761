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

/// Whether the database has this table (a new file has no migration history yet).
fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
}

fn applied(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    if !table_exists(conn, "refinery_schema_history")? {
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

/// V1 went out in a second wording (the quick-search key descending) before that change moved to
/// V6, which rebuilds the table either way. A database made with that wording is recorded as
/// having the V1 that ships now, so the check that applied migrations were not altered keeps
/// guarding everything else.
const V1_SECOND_WORDING: &str = "12596766203141940710";

fn accept_reworded_v1(conn: &Connection) -> Result<(), String> {
    let runner = migrations::runner();
    let Some(v1) = runner.get_migrations().iter().find(|m| m.version() == 1) else {
        return Ok(());
    };
    conn.execute(
        "UPDATE refinery_schema_history SET checksum = ?1 WHERE version = 1 AND checksum = ?2",
        [v1.checksum().to_string(), V1_SECOND_WORDING.to_string()],
    )
    .map_err(|e| format!("cannot read the schema history: {e}"))?;
    Ok(())
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
    if !st.applied.is_empty() {
        accept_reworded_v1(conn)?;
    }
    if let Err(e) = migrations::runner().set_grouped(false).run(conn) {
        // Rolled back, so the copy holds nothing the database does not: dropping it keeps a
        // service that retries its start from filling the disk with copies.
        if let Some(b) = &backup {
            let _ = std::fs::remove_file(b);
        }
        return Err(format!(
            "migration failed and was rolled back, the database is unchanged: {e} \
             / 数据库升级失败，已回滚，数据未改变"
        ));
    }
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_made_with_the_second_wording_of_v1_counts_as_having_v1() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new("/nonexistent")).unwrap();
        let checksum = |c: &Connection| -> String {
            c.query_row(
                "SELECT checksum FROM refinery_schema_history WHERE version = 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        let shipped = checksum(&conn);
        conn.execute(
            "UPDATE refinery_schema_history SET checksum = ?1 WHERE version = 1",
            [V1_SECOND_WORDING],
        )
        .unwrap();
        accept_reworded_v1(&conn).unwrap();
        assert_eq!(checksum(&conn), shipped);
        // Any other alteration is still left for refinery to refuse.
        conn.execute(
            "UPDATE refinery_schema_history SET checksum = '1' WHERE version = 1",
            [],
        )
        .unwrap();
        accept_reworded_v1(&conn).unwrap();
        assert_eq!(checksum(&conn), "1");
    }

    #[test]
    fn a_failed_migration_changes_nothing_and_leaves_no_copy_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("liyan.db")).unwrap();
        migrate(&mut conn, dir.path()).unwrap();
        // The newest migration's record lost, its tables still there: running it again fails.
        let newest = binary_version();
        conn.execute(
            "DELETE FROM refinery_schema_history WHERE version = ?1",
            [newest],
        )
        .unwrap();
        for _ in 0..3 {
            let err = migrate(&mut conn, dir.path()).unwrap_err();
            assert!(
                err.contains("rolled back") && err.contains("已回滚"),
                "{err}"
            );
        }
        let copies = std::fs::read_dir(dir.path().join("backups"))
            .unwrap()
            .count();
        assert_eq!(copies, 0, "a retried start must not pile up copies");
        assert_eq!(status(&conn).unwrap().pending.len(), 1);
    }

    #[test]
    fn v9_keeps_the_audit_chain_and_its_guards_without_the_unique_hash_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations::runner()
            .set_target(refinery::Target::Version(8))
            .run(&mut conn)
            .unwrap();
        let actor = crate::audit::Actor::system("test");
        let event = |id| crate::audit::Event {
            actor: &actor,
            action: "view",
            entity: "customer",
            entity_id: Some(id),
            store_id: Some(1),
            changes: None,
        };
        crate::audit::append_all(&conn, &[event(1), event(2), event(3)]).unwrap();
        let before = crate::audit::verify(&conn).unwrap().head;

        migrate(&mut conn, Path::new("/nonexistent")).unwrap();

        assert_eq!(crate::audit::verify(&conn).unwrap().head, before);
        let unique_indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_index_list('audit_log') WHERE \"unique\"",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unique_indexes, 0);
        assert!(conn
            .execute("UPDATE audit_log SET actor = 'x'", [])
            .is_err());
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
        crate::audit::append_all(&conn, &[event(4)]).unwrap();
        crate::audit::verify(&conn).unwrap();
    }
}
