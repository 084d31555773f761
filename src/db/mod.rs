//! The store: one writer connection behind a mutex, a small pool of readers, all on blocking
//! threads (never on an actix worker).

pub mod backup;
mod lock;
pub mod migrate;
mod pool;

pub use lock::DataDirLock;
pub use pool::{BlockingError, Db, Reader, Writer};

use rusqlite::Connection;

/// Pragmas every connection gets, in this order (DESIGN.md, Storage).
pub fn configure(
    conn: &Connection,
    busy_timeout_ms: u32,
    cache_size_kib: u32,
) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_millis(busy_timeout_ms as u64))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: an acknowledged payment must survive a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -(cache_size_kib as i64))?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}
