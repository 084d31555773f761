use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

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
    /// Threads that run `reading` jobs, one per read connection; started by the first job.
    read_jobs: OnceLock<Sender<Job>>,
}

type Job = Box<dyn FnOnce() + Send>;

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
                read_jobs: OnceLock::new(),
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
        let conn = self.checkout();
        // BEGIN and COMMIT through the statement cache: rusqlite's `transaction()` parses both
        // anew each time, a measurable share of a one-row read.
        run_cached(&conn, "BEGIN")?;
        let out = f(&conn)?;
        run_cached(&conn, "COMMIT")?;
        Ok(out)
    }

    /// Takes a read connection from the pool, waiting for one to be free.
    fn checkout(&self) -> Checkout<'_> {
        let mut pool = lock(&self.inner.readers);
        loop {
            if let Some(conn) = pool.pop() {
                return Checkout {
                    inner: &self.inner,
                    conn: Some(conn),
                };
            }
            pool = self
                .inner
                .reader_free
                .wait(pool)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Runs read-only work on the database's own reader threads; `f` takes its connection with
    /// `read_sync`. A request's reads are short and many: a few threads that take job after job
    /// switch far less than a thread per request, and they never queue behind long work
    /// (imports, exports) on actix's blocking pool. `f` must not hold one read connection while
    /// asking for another.
    pub async fn reading<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, BlockingError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        // A send fails only when every reader thread has died; the caller then gets the error.
        let _ = self.read_jobs().send(job);
        result.await.map_err(|_| BlockingError)
    }

    fn read_jobs(&self) -> &Sender<Job> {
        self.inner.read_jobs.get_or_init(|| {
            let (tx, rx) = channel::<Job>();
            let rx = Arc::new(Mutex::new(rx));
            let threads = lock(&self.inner.readers).len().max(1);
            for i in 0..threads {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("db-read-{i}"))
                    .spawn(move || run_jobs(&rx))
                    .expect("spawn database reader thread");
            }
            tx
        })
    }

    /// The writer connection itself, for backup and maintenance that are not a transaction.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut lock(&self.inner.writer))
    }
}

/// A read connection out of the pool; it goes back when dropped, also on an error or a panic,
/// with any transaction still open rolled back.
struct Checkout<'a> {
    inner: &'a Inner,
    conn: Option<Connection>,
}

impl std::ops::Deref for Checkout<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            lock(&self.inner.readers).push(conn);
            self.inner.reader_free.notify_one();
        }
    }
}

fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn run_jobs(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = match lock(jobs).recv() {
            Ok(job) => job,
            Err(_) => return, // the database handle is gone
        };
        // A panicking job drops its reply channel (its caller gets an error); the thread goes on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// The blocking pool or the reader threads were shut down, or the task panicked.
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
