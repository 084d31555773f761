//! SQL for imports and remembered layouts.

use rusqlite::{params, Connection, OptionalExtension};

use crate::access::{Record, RowScope};

pub struct NewImport<'a> {
    pub filename: &'a str,
    pub format: &'a str,
    pub encoding: Option<&'a str>,
    pub header_hash: &'a str,
    pub row_count: usize,
    pub rows_enc: Vec<u8>,
    pub store_id: i64,
    pub created_by: i64,
    pub created_at: i64,
}

pub fn insert(conn: &Connection, i: &NewImport) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO imports (filename, format, encoding, header_hash, row_count, rows_enc, status, store_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'uploaded', ?7, ?8, ?9)",
        params![i.filename, i.format, i.encoding, i.header_hash, i.row_count as i64, i.rows_enc, i.store_id, i.created_by, i.created_at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// SQL condition for the imports a row scope sees: its store's, or a consultant's own.
fn scope_sql(scope: &RowScope) -> (&'static str, Option<i64>) {
    match scope {
        RowScope::All => ("1", None),
        RowScope::Store(id) => ("store_id = ?", Some(*id)),
        RowScope::Consultant(id) => ("created_by = ?", Some(*id)),
        RowScope::Nothing => ("0", None),
    }
}

/// The sealed rows of an import not yet committed: (filename, rows_enc).
pub fn pending(
    conn: &Connection,
    id: i64,
    scope: &RowScope,
) -> rusqlite::Result<Option<(String, Option<Vec<u8>>)>> {
    let (cond, p) = scope_sql(scope);
    let sql = format!("SELECT filename, rows_enc FROM imports WHERE id = ? AND {cond}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let read = |r: &rusqlite::Row| Ok((r.get(0)?, r.get(1)?));
    match p {
        Some(p) => stmt.query_row(params![id, p], read),
        None => stmt.query_row(params![id], read),
    }
    .optional()
}

pub fn mark_committed(
    conn: &Connection,
    id: i64,
    mapping: &str,
    result: &str,
    at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE imports SET status = 'committed', rows_enc = NULL, mapping = ?2, result = ?3, committed_at = ?4 WHERE id = ?1",
        params![id, mapping, result, at],
    )?;
    Ok(())
}

pub fn layout(conn: &Connection, header_hash: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT mapping FROM import_layouts WHERE header_hash = ?1")?
        .query_row([header_hash], |r| r.get(0))
        .optional()
}

pub fn remember_layout(
    conn: &Connection,
    header_hash: &str,
    mapping: &str,
    by: i64,
    at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO import_layouts (header_hash, mapping, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (header_hash) DO UPDATE SET mapping = excluded.mapping, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![header_hash, mapping, by, at],
    )?;
    Ok(())
}

const COLS: &str = "id, filename, format, encoding, status, row_count, mapping, result, store_id, created_by, created_at, committed_at";

fn record(r: &rusqlite::Row) -> rusqlite::Result<Record> {
    let json = |i| -> rusqlite::Result<serde_json::Value> {
        Ok(r.get::<_, Option<String>>(i)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    };
    let mut rec = Record::new();
    rec.set("id", r.get::<_, i64>(0)?)
        .set("filename", r.get::<_, String>(1)?)
        .set("format", r.get::<_, String>(2)?)
        .set("encoding", r.get::<_, Option<String>>(3)?)
        .set("status", r.get::<_, String>(4)?)
        .set("row_count", r.get::<_, i64>(5)?)
        .set("mapping", json(6)?)
        .set("result", json(7)?)
        .set("store_id", r.get::<_, i64>(8)?)
        .set("created_by", r.get::<_, i64>(9)?)
        .set("created_at", r.get::<_, i64>(10)?)
        .set("committed_at", r.get::<_, Option<i64>>(11)?);
    Ok(rec)
}

pub fn get(conn: &Connection, id: i64, scope: &RowScope) -> rusqlite::Result<Option<Record>> {
    let (cond, p) = scope_sql(scope);
    let sql = format!("SELECT {COLS} FROM imports WHERE id = ? AND {cond}");
    let mut stmt = conn.prepare_cached(&sql)?;
    match p {
        Some(p) => stmt.query_row(params![id, p], record),
        None => stmt.query_row(params![id], record),
    }
    .optional()
}

/// Newest first, at most 200.
pub fn list(conn: &Connection, scope: &RowScope) -> rusqlite::Result<Vec<Record>> {
    let (cond, p) = scope_sql(scope);
    let sql = format!("SELECT {COLS} FROM imports WHERE {cond} ORDER BY id DESC LIMIT 200");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = match p {
        Some(p) => stmt.query_map(params![p], record)?.collect(),
        None => stmt.query_map([], record)?.collect(),
    };
    rows
}
