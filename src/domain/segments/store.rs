//! SQL of saved segments.

use rusqlite::{params, Connection, OptionalExtension};

pub struct Segment {
    pub id: i64,
    pub name: String,
    pub filter: String,
    pub shared: bool,
    pub owner_id: i64,
}

fn read(r: &rusqlite::Row) -> rusqlite::Result<Segment> {
    Ok(Segment {
        id: r.get(0)?,
        name: r.get(1)?,
        filter: r.get(2)?,
        shared: r.get(3)?,
        owner_id: r.get(4)?,
    })
}

/// The caller's own segments and every shared one.
pub fn visible(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<Segment>> {
    c.prepare_cached(
        "SELECT id, name, filter, shared, owner_id FROM segments
         WHERE deleted_at IS NULL AND (owner_id = ?1 OR shared = 1) ORDER BY id",
    )?
    .query_map([user_id], read)?
    .collect()
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Segment>> {
    c.prepare_cached(
        "SELECT id, name, filter, shared, owner_id FROM segments WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .query_row([id], read)
    .optional()
}

pub fn insert(c: &Connection, s: &Segment, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO segments (name, filter, shared, owner_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![s.name, s.filter, s.shared, s.owner_id, now],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Connection, s: &Segment, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE segments SET name = ?2, filter = ?3, shared = ?4, updated_at = ?5 WHERE id = ?1",
        params![s.id, s.name, s.filter, s.shared, now],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE segments SET deleted_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}
