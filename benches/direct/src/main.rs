//! Baselines for the Liyan load run (see ../README.md):
//!
//! * `queries`: writes the query sets both this program and wrk use, so the HTTP figures and the
//!   direct figures measure the same lookups.
//! * `sql`: runs the SQL that `src/domain/customers/store.rs` (`page` and `get`, row scope "all
//!   stores", first page of 20) sends, straight through rusqlite on the same database file,
//!   single-threaded and with several threads, and prints p50/p99 and queries/s.
//! * `commit`: the cost of one durable SQLite commit (WAL, synchronous=FULL) on the same disk, the
//!   floor for any request that writes, such as get-by-id with its "view" audit row.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The customer columns `store.rs` selects (its `COLS`), on alias `c`.
const COLS: &str = "c.id, c.member_no, c.name, c.gender, c.birthday_date, c.mobile, c.wechat_id, c.id_number_enc, \
    c.id_number_masked, c.allergies_enc, c.medical_history_enc, c.store_id, c.consultant_id, c.source, c.skin_type, \
    c.concerns, c.notes, c.consent_privacy_at, c.consent_privacy_version, c.consent_health_at, c.consent_health_version, \
    c.consent_marketing_at, c.consent_marketing_version, c.consent_photos_at, c.consent_photos_version, c.created_at, c.updated_at";

/// Quick-search page size the load run asks for (`limit=20`); the store fetches one more.
const LIMIT: i64 = 20;

// Single-character surnames and given-name characters of the demo generator (src/demo.rs), with
// the pinyin initial a name starting with them is indexed under.
const SURNAMES: &[(char, char)] = &[
    ('王', 'w'), ('李', 'l'), ('张', 'z'), ('刘', 'l'), ('陈', 'c'), ('杨', 'y'), ('黄', 'h'), ('赵', 'z'), ('吴', 'w'), ('周', 'z'),
    ('徐', 'x'), ('孙', 's'), ('马', 'm'), ('朱', 'z'), ('胡', 'h'), ('郭', 'g'), ('何', 'h'), ('林', 'l'), ('罗', 'l'), ('高', 'g'),
    ('曾', 'z'), ('单', 's'), ('郑', 'z'), ('梁', 'l'), ('谢', 'x'), ('宋', 's'), ('唐', 't'), ('许', 'x'), ('韩', 'h'), ('冯', 'f'),
    ('邓', 'd'), ('曹', 'c'),
];
const GIVEN: &[(char, char)] = &[
    ('丽', 'l'), ('娜', 'n'), ('静', 'j'), ('敏', 'm'), ('婷', 't'), ('雪', 'x'), ('琳', 'l'), ('欣', 'x'), ('怡', 'y'), ('颖', 'y'),
    ('佳', 'j'), ('雅', 'y'), ('晶', 'j'), ('倩', 'q'), ('洁', 'j'), ('萍', 'p'), ('燕', 'y'), ('芳', 'f'), ('慧', 'h'), ('璐', 'l'),
    ('梦', 'm'), ('思', 's'), ('雨', 'y'), ('晓', 'x'), ('嘉', 'j'), ('诗', 's'), ('瑶', 'y'), ('悦', 'y'), ('可', 'k'), ('蕾', 'l'),
    ('伟', 'w'), ('强', 'q'), ('磊', 'l'), ('杰', 'j'), ('涛', 't'), ('明', 'm'), ('超', 'c'), ('浩', 'h'), ('宇', 'y'), ('轩', 'x'),
];

/// splitmix64: a small deterministic generator, so every run uses the same query sets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Tail,
    Name,
    Pinyin,
    Id,
}

const KINDS: &[(Kind, &str)] = &[(Kind::Tail, "tail"), (Kind::Name, "name"), (Kind::Pinyin, "pinyin"), (Kind::Id, "id")];

fn usage() -> ! {
    eprintln!(
        "usage:\n  liyan-bench-direct queries --customers N --out DIR [--count 1000]\n  \
         liyan-bench-direct sql --db FILE --queries DIR [--seconds 5] [--threads 1]\n  \
         liyan-bench-direct commit --dir DIR [--seconds 5]"
    );
    std::process::exit(2)
}

struct Args(Vec<String>);

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().position(|a| a == name).and_then(|i| self.0.get(i + 1)).map(String::as_str)
    }
    fn req(&self, name: &str) -> &str {
        self.get(name).unwrap_or_else(|| {
            eprintln!("missing {name}");
            usage()
        })
    }
    fn num(&self, name: &str, default: u64) -> u64 {
        self.get(name).map(|v| v.parse().unwrap_or_else(|_| usage())).unwrap_or(default)
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first().cloned() else { usage() };
    let args = Args(argv);
    let result = match cmd.as_str() {
        "queries" => write_queries(args.num("--customers", 0), Path::new(args.req("--out")), args.num("--count", 1000)),
        "sql" => run_sql(Path::new(args.req("--db")), Path::new(args.req("--queries")), args.num("--seconds", 5), args.num("--threads", 1)),
        "commit" => run_commit(Path::new(args.req("--dir")), args.num("--seconds", 5)),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("liyan-bench-direct: {e}");
        std::process::exit(1);
    }
}

/// One file per kind, one raw query per line (what a front desk would type; wrk URL-encodes it).
fn write_queries(customers: u64, out: &Path, count: u64) -> Result<(), String> {
    if customers == 0 {
        return Err("--customers must be at least 1".into());
    }
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let mut rng = Rng(2026);
    for (kind, file) in KINDS {
        let lines: Vec<String> = (0..count)
            .map(|_| match kind {
                Kind::Tail => format!("{:04}", rng.below(10_000)),
                Kind::Name => format!("{}{}", rng.pick(SURNAMES).0, rng.pick(GIVEN).0),
                Kind::Pinyin => format!("{}{}{}", rng.pick(SURNAMES).1, rng.pick(GIVEN).1, rng.pick(GIVEN).1),
                Kind::Id => (1 + rng.below(customers)).to_string(),
            })
            .collect();
        std::fs::write(out.join(format!("{file}.txt")), lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn read_queries(dir: &Path, file: &str) -> Result<Vec<String>, String> {
    let path = dir.join(format!("{file}.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// The pragmas `src/db/mod.rs` `configure` sets, on a read-only connection like the server's readers.
fn open_reader(db: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_millis(5000))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -65536i64)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

fn search_sql(range: bool) -> String {
    let cond = if range { "s.term >= ?1 AND s.term < ?2" } else { "s.term = ?1" };
    format!(
        "SELECT s.term, {COLS} FROM customer_search s JOIN customers c ON c.id = s.customer_id
         WHERE {cond} AND c.deleted_at IS NULL AND 1
         ORDER BY s.term, s.customer_id DESC LIMIT ?3"
    )
}

/// Runs one query and reads every column of every row, as the store does; returns the row count.
fn run_one(conn: &Connection, kind: Kind, q: &str) -> rusqlite::Result<usize> {
    let read = |r: &rusqlite::Row| -> rusqlite::Result<()> {
        for i in 0..r.as_ref().column_count() {
            let _: Value = r.get(i)?;
        }
        Ok(())
    };
    let mut n = 0;
    match kind {
        Kind::Id => {
            let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM customers c WHERE c.id = ?1 AND c.deleted_at IS NULL AND 1"))?;
            let id: i64 = q.parse().unwrap_or(1);
            let mut rows = stmt.query(params![id])?;
            while let Some(r) = rows.next()? {
                read(r)?;
                n += 1;
            }
        }
        Kind::Pinyin => {
            let term = format!("y:{q}");
            let end = format!("{term}{}", char::MAX);
            let mut stmt = conn.prepare_cached(&search_sql(true))?;
            let mut rows = stmt.query(params![term, end, LIMIT + 1])?;
            while let Some(r) = rows.next()? {
                read(r)?;
                n += 1;
            }
        }
        Kind::Tail | Kind::Name => {
            let term = if kind == Kind::Tail { format!("t:{q}") } else { format!("n:{q}") };
            let mut stmt = conn.prepare_cached(&search_sql(false))?;
            // ?2 is unused by the exact form; bind it anyway so one statement shape serves both.
            let mut rows = stmt.query(params![term, rusqlite::types::Null, LIMIT + 1])?;
            while let Some(r) = rows.next()? {
                read(r)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1e6
}

fn run_sql(db: &Path, queries: &Path, seconds: u64, threads: u64) -> Result<(), String> {
    if !db.exists() {
        return Err(format!("{} does not exist", db.display()));
    }
    for (kind, file) in KINDS {
        let qs = std::sync::Arc::new(read_queries(queries, file)?);
        // Warm-up: once through the set on one connection.
        let warm = open_reader(db).map_err(|e| e.to_string())?;
        for q in qs.iter() {
            run_one(&warm, *kind, q).map_err(|e| format!("{file} {q}: {e}"))?;
        }
        drop(warm);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let qs = qs.clone();
                let db: PathBuf = db.to_path_buf();
                let kind = *kind;
                std::thread::spawn(move || -> rusqlite::Result<(Vec<u64>, usize)> {
                    let conn = open_reader(&db)?;
                    let mut lat = Vec::with_capacity(1 << 16);
                    let mut rows = 0;
                    let mut i = (t as usize * 7919) % qs.len();
                    while Instant::now() < deadline {
                        let t0 = Instant::now();
                        rows += run_one(&conn, kind, &qs[i])?;
                        lat.push(t0.elapsed().as_nanos() as u64);
                        i = (i + 1) % qs.len();
                    }
                    Ok((lat, rows))
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut rows = 0;
        for h in handles {
            let (lat, r) = h.join().map_err(|_| "worker panicked".to_string())?.map_err(|e| e.to_string())?;
            all.extend(lat);
            rows += r;
        }
        let elapsed = start.elapsed().as_secs_f64();
        all.sort_unstable();
        println!(
            "direct {file} threads={threads} queries={} qps={:.0} p50_ms={:.3} p99_ms={:.3} rows_avg={:.1}",
            all.len(),
            all.len() as f64 / elapsed,
            percentile(&all, 0.50),
            percentile(&all, 0.99),
            rows as f64 / all.len().max(1) as f64
        );
    }
    Ok(())
}

/// One-row write transactions on a scratch database in `dir`, with the server's pragmas.
fn run_commit(dir: &Path, seconds: u64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join("commit-probe.db");
    let cleanup = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    };
    cleanup();
    let result = (|| -> rusqlite::Result<(Vec<u64>, f64)> {
        let mut conn = Connection::open(&path)?;
        configure(&conn)?;
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)")?;
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let mut lat = Vec::new();
        while Instant::now() < deadline {
            let t0 = Instant::now();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute("INSERT INTO t (at, body) VALUES (?1, ?2)", params![t0.elapsed().as_nanos() as i64, "x".repeat(200)])?;
            tx.commit()?;
            lat.push(t0.elapsed().as_nanos() as u64);
        }
        Ok((lat, start.elapsed().as_secs_f64()))
    })();
    cleanup();
    let (mut lat, elapsed) = result.map_err(|e| e.to_string())?;
    lat.sort_unstable();
    println!(
        "direct commit threads=1 commits={} per_s={:.0} p50_ms={:.3} p99_ms={:.3}",
        lat.len(),
        lat.len() as f64 / elapsed,
        percentile(&lat, 0.50),
        percentile(&lat, 0.99)
    );
    Ok(())
}
