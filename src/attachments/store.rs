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

/// Drops the metadata row of a file nothing refers to any more.
pub fn delete_unreferenced(c: &Connection, sha256: &str) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached(
        "DELETE FROM attachments WHERE sha256 = ?1
           AND NOT EXISTS (SELECT 1 FROM photos WHERE ?1 IN (original_sha256, display_sha256, thumb_sha256))
           AND NOT EXISTS (SELECT 1 FROM signed_consents WHERE signature_sha256 = ?1)",
    )?
    .execute([sha256])?
        == 1)
}
