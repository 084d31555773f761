//! SQL of attachment metadata.

use rusqlite::{params, Connection};

use super::Stored;

pub fn insert(c: &Connection, s: &Stored, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO attachments (sha256, purpose, media_type, size_bytes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        s.sha256,
        s.purpose.as_str(),
        s.media_type,
        s.size as i64,
        now
    ])?;
    Ok(())
}

/// Every recorded file name.
pub fn all(c: &Connection) -> rusqlite::Result<Vec<String>> {
    c.prepare("SELECT sha256 FROM attachments")?
        .query_map([], |r| r.get(0))?
        .collect()
}
