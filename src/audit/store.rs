use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Event, GENESIS_HASH};
use crate::clock::now_ms;

/// The values a row's hash covers, in a fixed order, as one JSON array.
#[allow(clippy::too_many_arguments)]
pub(super) fn row_hash(
    prev_hash: &str,
    at: i64,
    actor_id: Option<i64>,
    actor: &str,
    role: Option<&str>,
    ip: Option<&str>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    store_id: Option<i64>,
    changes: Option<&str>,
) -> String {
    // A tuple serialises as the JSON array `[prev_hash, at, ...]` without building a `Value`.
    let canonical = serde_json::to_vec(&(
        prev_hash, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes,
    ))
    .expect("a tuple of strings and numbers serialises");
    hex::encode(Sha256::digest(&canonical))
}

/// Appends one row to the chain inside the caller's transaction.
pub fn append(tx: &rusqlite::Connection, ev: &Event) -> rusqlite::Result<i64> {
    let prev = chain_head_hash(tx)?;
    Ok(insert(tx, &prev, ev)?.0)
}

/// Appends rows in order inside the caller's transaction, reading the chain's head once (the
/// batched view rows).
pub fn append_all<'a>(
    tx: &rusqlite::Connection,
    events: impl IntoIterator<Item = &'a Event<'a>>,
) -> rusqlite::Result<()> {
    let mut prev = chain_head_hash(tx)?;
    for ev in events {
        prev = insert(tx, &prev, ev)?.1;
    }
    Ok(())
}

fn chain_head_hash(tx: &rusqlite::Connection) -> rusqlite::Result<String> {
    Ok(tx
        .prepare_cached("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string()))
}

/// Inserts the row that follows `prev`; returns its id and hash.
fn insert(tx: &rusqlite::Connection, prev: &str, ev: &Event) -> rusqlite::Result<(i64, String)> {
    let at = now_ms();
    let changes = ev.changes.as_ref().map(|c| c.to_string());
    let a = ev.actor;
    let hash = row_hash(
        prev,
        at,
        a.id,
        &a.name,
        a.role.as_deref(),
        a.ip.as_deref(),
        ev.action,
        ev.entity,
        ev.entity_id,
        ev.store_id,
        changes.as_deref(),
    );
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![at, a.id, a.name, a.role, a.ip, ev.action, ev.entity, ev.entity_id, ev.store_id, changes, prev, hash])?;
    Ok((tx.last_insert_rowid(), hash))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChainHead {
    pub rows: i64,
    pub last_id: i64,
    pub last_hash: String,
}

pub fn head(conn: &rusqlite::Connection) -> rusqlite::Result<ChainHead> {
    let rows: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
    let last = conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (last_id, last_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    Ok(ChainHead {
        rows,
        last_id,
        last_hash,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub role: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub store_id: Option<i64>,
    pub changes: Option<Value>,
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset cursor: rows with an id below this one.
    pub before: Option<i64>,
    pub limit: i64,
}

fn list_sql(f: &AuditFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    // Only the filters given go into the SQL, so the planner can pick the index that starts with
    // them (audit_entity, audit_actor, audit_action) and walk it newest first.
    let mut cond = Vec::new();
    let mut p = Vec::new();
    let mut add = |sql: &'static str, v: Option<V>| {
        if let Some(v) = v {
            cond.push(sql);
            p.push(v);
        }
    };
    add("entity = ?", f.entity.clone().map(V::Text));
    add("entity_id = ?", f.entity_id.map(V::Integer));
    add("actor = ?", f.actor.clone().map(V::Text));
    add("action = ?", f.action.clone().map(V::Text));
    add("at >= ?", f.from.map(V::Integer));
    add("at < ?", f.to.map(V::Integer));
    add("id < ?", f.before.map(V::Integer));
    let filter = if cond.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", cond.join(" AND "))
    };
    let sql = format!(
        "SELECT {LIST_COLS} FROM audit_log {filter} ORDER BY id DESC LIMIT {}",
        // In the text, not bound: a bound LIMIT makes SQLite re-prepare the statement each run.
        f.limit.clamp(1, 1000)
    );
    (sql, p)
}

/// Newest first.
pub fn list(conn: &rusqlite::Connection, f: &AuditFilter) -> rusqlite::Result<Vec<AuditRow>> {
    let (sql, p) = list_sql(f);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(p), read_row)?;
    rows.collect()
}

/// Rows about one record and about records that belong to it (a customer and its photos),
/// newest first, at most `limit`.
pub fn about(
    conn: &rusqlite::Connection,
    (entity, id): (&str, i64),
    (part, part_ids): (&str, &[i64]),
    limit: i64,
) -> rusqlite::Result<Vec<AuditRow>> {
    use rusqlite::types::Value as V;
    let mut sql = format!("SELECT {LIST_COLS} FROM audit_log WHERE (entity = ? AND entity_id = ?)");
    let mut p = vec![V::Text(entity.into()), V::Integer(id)];
    if !part_ids.is_empty() {
        let marks = vec!["?"; part_ids.len()].join(", ");
        sql += &format!(" OR (entity = ? AND entity_id IN ({marks}))");
        p.push(V::Text(part.into()));
        p.extend(part_ids.iter().map(|i| V::Integer(*i)));
    }
    sql += &format!(" ORDER BY id DESC LIMIT {}", limit.clamp(1, 1000));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(p), read_row)?;
    rows.collect()
}

const LIST_COLS: &str = "id, at, actor, role, ip, action, entity, entity_id, store_id, changes";

fn read_row(r: &rusqlite::Row) -> rusqlite::Result<AuditRow> {
    let changes: Option<String> = r.get(9)?;
    Ok(AuditRow {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        role: r.get(3)?,
        ip: r.get(4)?,
        action: r.get(5)?,
        entity: r.get(6)?,
        entity_id: r.get(7)?,
        store_id: r.get(8)?,
        changes: changes.and_then(|c| serde_json::from_str(&c).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash covers exactly this text; changing it would break every existing chain.
    #[test]
    fn a_rows_hash_covers_its_values_as_one_compact_json_array() {
        let canonical =
            r#"["ab",1700000000000,7,"张三","admin",null,"view","customer",42,null,"{\"a\":1}"]"#;
        assert_eq!(
            row_hash(
                "ab",
                1_700_000_000_000,
                Some(7),
                "张三",
                Some("admin"),
                None,
                "view",
                "customer",
                Some(42),
                None,
                Some(r#"{"a":1}"#),
            ),
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
    }

    /// The customer page's history and the log's filters walk an index, never the whole log.
    #[test]
    fn filtered_lists_use_an_index() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate::migrate(&mut conn, std::path::Path::new("/nonexistent")).unwrap();
        let cases = [
            AuditFilter {
                entity: Some("customer".into()),
                entity_id: Some(7),
                limit: 50,
                ..Default::default()
            },
            AuditFilter {
                actor: Some("admin".into()),
                before: Some(900),
                limit: 50,
                ..Default::default()
            },
            AuditFilter {
                action: Some("login_failed".into()),
                limit: 50,
                ..Default::default()
            },
        ];
        for f in cases {
            let (sql, p) = list_sql(&f);
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(p), |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let text = plan.join(" | ");
            assert!(text.contains("USING INDEX audit_"), "{f:?}: {text}");
            assert!(!text.contains("TEMP B-TREE"), "{f:?}: {text}");
        }
    }
}
