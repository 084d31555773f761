//! SQL of photos.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::model::Photo;

const COLS: &str =
    "id, customer_id, store_id, consultation_id, area, kind, taken_date, media_type, width, \
    height, original_sha256, display_sha256, thumb_sha256, note, created_by, created_at";

fn read(r: &Row) -> rusqlite::Result<Photo> {
    Ok(Photo {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        store_id: r.get(2)?,
        consultation_id: r.get(3)?,
        area: r.get(4)?,
        kind: r.get(5)?,
        taken_date: r.get(6)?,
        media_type: r.get(7)?,
        width: r.get(8)?,
        height: r.get(9)?,
        original_sha256: r.get(10)?,
        display_sha256: r.get(11)?,
        thumb_sha256: r.get(12)?,
        note: r.get(13)?,
        created_by: r.get(14)?,
        created_at: r.get(15)?,
    })
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Photo>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM photos WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], read)
    .optional()
}

/// A customer's photos, newest taken first.
pub fn of_customer(c: &Connection, customer_id: i64, limit: usize) -> rusqlite::Result<Vec<Photo>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM photos WHERE customer_id = ?1 AND deleted_at IS NULL
         ORDER BY taken_date DESC, id DESC LIMIT {limit}"
    ))?
    .query_map([customer_id], read)?
    .collect()
}

pub fn insert(c: &Connection, p: &Photo) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO photos (customer_id, store_id, consultation_id, area, kind, taken_date, media_type, width,
            height, original_sha256, display_sha256, thumb_sha256, note, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        p.customer_id, p.store_id, p.consultation_id, p.area, p.kind, p.taken_date, p.media_type, p.width,
        p.height, p.original_sha256, p.display_sha256, p.thumb_sha256, p.note, p.created_by, p.created_at
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn soft_delete(c: &Connection, id: i64, by: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE photos SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1",
        params![id, now, by],
    )?;
    Ok(())
}

/// Every photo id the customer has had, deleted ones too.
pub fn ids_of_customer(c: &Connection, customer_id: i64) -> rusqlite::Result<Vec<i64>> {
    c.prepare_cached("SELECT id FROM photos WHERE customer_id = ?1")?
        .query_map([customer_id], |r| r.get(0))?
        .collect()
}

pub fn reassign(c: &Connection, from: i64, to: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE photos SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, to],
    )
}

/// An erasure: every photo of the customer, deleted ones too, goes; returns the files they used.
pub fn erase_customer(c: &Connection, customer_id: i64) -> rusqlite::Result<Vec<String>> {
    let files: Vec<String> = c
        .prepare(
            "SELECT original_sha256 FROM photos WHERE customer_id = ?1
             UNION SELECT display_sha256 FROM photos WHERE customer_id = ?1 AND display_sha256 IS NOT NULL
             UNION SELECT thumb_sha256 FROM photos WHERE customer_id = ?1 AND thumb_sha256 IS NOT NULL",
        )?
        .query_map([customer_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    c.execute("DELETE FROM photos WHERE customer_id = ?1", [customer_id])?;
    Ok(files)
}
