use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::config::DatabaseConfig;

/// Shared handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    reader_free: Condvar,
}

/// The write transaction handed to a closure: `BEGIN IMMEDIATE`, committed when the closure
/// returns Ok, rolled back otherwise.
pub type Writer<'a> = Transaction<'a>;
pub type Reader = Connection;

impl Db {
    /// Opens an existing, already migrated database.
    pub fn open(path: &Path, cfg: &DatabaseConfig) -> rusqlite::Result<Db> {
        let writer = open_conn(path, cfg, false)?;
        let readers = (0..cfg.read_connections)
            .map(|_| open_conn(path, cfg, true))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                reader_free: Condvar::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in one write transaction on the calling thread.
    pub fn write_sync<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Writer) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = lock(&self.inner.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a pooled read connection on the calling thread, in one read transaction:
    /// its queries see one snapshot, and take the WAL read lock once rather than per query.
    pub fn read_sync<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Reader) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = {
            let mut pool = lock(&self.inner.readers);
            loop {
                if let Some(c) = pool.pop() {
                    break c;
                }
                pool = self
                    .inner
                    .reader_free
                    .wait(pool)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        let out = match conn.transaction() {
            // Dropping the transaction ends it; a read-only one has nothing to roll back.
            Ok(tx) => f(&tx),
            Err(e) => Err(e.into()),
        };
        lock(&self.inner.readers).push(conn);
        self.inner.reader_free.notify_one();
        out
    }

    /// `write_sync` on actix's blocking pool.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&Writer) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + From<BlockingError> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_sync(f))
            .await
            .map_err(|_| E::from(BlockingError))?
    }

    /// `read_sync` on actix's blocking pool.
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&Reader) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + From<BlockingError> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.read_sync(f))
            .await
            .map_err(|_| E::from(BlockingError))?
    }

    /// The writer connection itself, for backup and maintenance that are not a transaction.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut lock(&self.inner.writer))
    }
}

/// The blocking pool was shut down or the task panicked.
#[derive(Debug)]
pub struct BlockingError;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock rolled back its transaction; the connection is still sound.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_conn(path: &Path, cfg: &DatabaseConfig, read_only: bool) -> rusqlite::Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    super::configure(&conn, cfg.busy_timeout_ms, cfg.cache_size_kib)?;
    Ok(conn)
}
