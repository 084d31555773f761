//! Seed data and baselines for the Liyan load run (see ../README.md):
//!
//! * `seed`: adds N demo customers to a data directory made by `liyan demo --customers 0`, with
//!   the demo generator (`liyan::demo::customer`) and the store's bulk insert
//!   (`liyan::domain::customers::service::seed`), keeping 身份证 numbers unique at any size.
//! * `queries`: writes the query sets both this program and wrk use, so the HTTP figures and the
//!   direct figures measure the same lookups.
//! * `sql`: runs the SQL that `src/domain/customers/store.rs` (`page` and `get`, row scope "all
//!   stores", first page of 20) sends, straight through rusqlite on the same database file,
//!   single-threaded and with several threads, and prints p50/p99, queries/s and how often SQLite
//!   re-prepared the statement.
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
    c.consent_marketing_at, c.consent_marketing_version, c.consent_photos_at, c.consent_photos_version, c.created_at, c.updated_at, \
    c.stage, c.referrer_id, c.last_visit_at, c.last_purchase_at, c.restricted_at";

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
    /// The reads of the 360° page (`GET /customers/{id}/overview`).
    Overview,
}

const KINDS: &[(Kind, &str)] =
    &[(Kind::Tail, "tail"), (Kind::Name, "name"), (Kind::Pinyin, "pinyin"), (Kind::Id, "id"), (Kind::Overview, "overview")];

fn usage() -> ! {
    eprintln!(
        "usage:\n  liyan-bench-direct seed --data-dir DIR --customers N\n  liyan-bench-direct queries --customers N --out DIR [--count 1000]\n  \
         liyan-bench-direct sql --db FILE --queries DIR [--seconds 5] [--threads 1]\n  \
         liyan-bench-direct commit --dir DIR [--seconds 5]\n  \
         liyan-bench-direct import-csv --out FILE [--rows 100000]"
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
        "seed" => seed(Path::new(args.req("--data-dir")), args.num("--customers", 0)),
        "queries" => write_queries(args.num("--customers", 0), Path::new(args.req("--out")), args.num("--count", 1000)),
        "sql" => run_sql(Path::new(args.req("--db")), Path::new(args.req("--queries")), args.num("--seconds", 5), args.num("--threads", 1)),
        "commit" => run_commit(Path::new(args.req("--dir")), args.num("--seconds", 5)),
        "import-csv" => import_csv(Path::new(args.req("--out")), args.num("--rows", 100_000)),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("liyan-bench-direct: {e}");
        std::process::exit(1);
    }
}

/// Replaces a 身份证 number already used by another generated customer with the next free one of
/// the same area, birthday and sex (sequence and sex digits stepped, check digit recomputed).
fn unique_id_number(id: String, seen: &mut std::collections::HashSet<String>) -> String {
    if seen.insert(id.clone()) {
        return id;
    }
    let mut s = id;
    loop {
        let b = s.as_bytes();
        let mut seq: u32 = s[14..16].parse().unwrap_or(0);
        let mut sex = (b[16] - b'0') as u32 + 2;
        if sex > 9 {
            sex -= 10;
            seq = (seq + 1) % 100;
        }
        let mut next = format!("{}{seq:02}{sex}", &s[..14]);
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = next.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
        next.push(b"10X98765432"[(sum % 11) as usize] as char);
        s = next;
        if seen.insert(s.clone()) {
            return s;
        }
    }
}

/// A customer file as a clinic would export it from its old system: the demo generator's
/// customers (`liyan::demo::customer`) with Chinese column titles and values, UTF-8 csv.
fn import_csv(out: &Path, rows: u64) -> Result<(), String> {
    use rand::SeedableRng;
    use std::io::Write;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2027);
    let mut seen = std::collections::HashSet::new();
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let mut line = |cells: &[&str]| writeln!(w, "{}", cells.join(",")).map_err(|e| e.to_string());
    line(&["姓名", "手机号", "身份证号", "性别", "生日", "微信", "门店", "来源", "肤质", "过敏史", "病史", "关注问题", "健康同意"])?;
    let zh = |v: &str| match v {
        "female" => "女", "male" => "男", "walk_in" => "到店", "referral" => "转介绍", "channel" => "渠道",
        "online" => "网络", "phone" => "电话", "wechat" => "微信", "other" => "其他", "dry" => "干性",
        "oily" => "油性", "combination" => "混合", "normal" => "中性", "sensitive" => "敏感",
        v => v,
    }
    .to_string();
    for i in 0..rows {
        // Mobiles from 2e7 on: never those of the demo clinic's own customers.
        let mut c = liyan::demo::customer(&mut rng, 20_000_000 + i, &[1], &[]);
        c.id_number = c.id_number.map(|id| unique_id_number(id, &mut seen));
        let health = if c.consents[1].at.is_some() { "是" } else { "否" };
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        line(&[
            &c.name, &c.mobile, &o(&c.id_number), &zh(&c.gender), &o(&c.birthday), &o(&c.wechat_id), "main",
            &zh(&o(&c.source)), &zh(&o(&c.skin_type)), &o(&c.allergies), &o(&c.medical_history), &o(&c.concerns), health,
        ])?;
    }
    Ok(())
}

/// Seeds `customers` more customers into a demo data directory, in batches of 5000 (one
/// transaction and one audit row each, as `liyan demo` does).
fn seed(data_dir: &Path, customers: u64) -> Result<(), String> {
    use rand::SeedableRng;
    let mut config = liyan::config::Config::default();
    config.data_dir = data_dir.to_path_buf();
    let (app, _lock) = liyan::app::open(&config, true)?;
    let ids = |sql: &'static str| app.db.read_sync(|c| c.prepare(sql)?.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<i64>>>());
    let stores = ids("SELECT id FROM stores ORDER BY id").map_err(|e| e.to_string())?;
    let consultants = ids("SELECT id FROM users WHERE role = 'consultant' ORDER BY id").map_err(|e| e.to_string())?;
    let already = ids("SELECT count(*) FROM customers").map_err(|e| e.to_string())?[0];
    if already > 0 {
        return Err(format!("{} already holds {already} customers; seed an empty demo directory", data_dir.display()));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut story_rng = rand::rngs::StdRng::seed_from_u64(2027);
    let actor = liyan::audit::Actor::system("seed");
    let mut seen = std::collections::HashSet::new();
    let start = Instant::now();
    let mut i = 0;
    while i < customers {
        let size = (customers - i).min(5000);
        let mut batch: Vec<_> = (i..i + size)
            .map(|k| {
                let mut c = liyan::demo::customer(&mut rng, k, &stores, &consultants);
                c.id_number = c.id_number.take().map(|id| unique_id_number(id, &mut seen));
                c
            })
            .collect();
        liyan::domain::customers::service::seed(&app, &actor, &mut batch, |tx, c| {
            liyan::demo::story(tx, &actor, &mut story_rng, c, &consultants)
        })
        .map_err(|e| e.to_string())?;
        i += size;
        if i % 100_000 == 0 || i == customers {
            let secs = start.elapsed().as_secs_f64();
            eprintln!("seeded {i} customers in {secs:.0} s ({:.0}/s)", i as f64 / secs);
        }
    }
    Ok(())
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
                Kind::Id | Kind::Overview => (1 + rng.below(customers)).to_string(),
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

/// The statement `store.rs` prepares for each kind: `page` with a quick-search lookup (exact term
/// or term prefix), no cursor, row scope "all stores"; `get` for an id. Keep in step with it.
fn sql_for(kind: Kind) -> String {
    let limit = LIMIT + 1;
    match kind {
        Kind::Id | Kind::Overview => format!("SELECT {COLS} FROM customers c WHERE c.id = ? AND c.deleted_at IS NULL AND 1"),
        Kind::Tail | Kind::Name => format!(
            "SELECT s.term, {COLS} FROM customer_search s CROSS JOIN customers c ON c.id = s.customer_id
                 WHERE s.term = ?  AND c.deleted_at IS NULL AND 1
                 ORDER BY s.term, s.customer_id DESC LIMIT {limit}"
        ),
        // A customer matching a prefix through several terms is listed once, at its first term.
        Kind::Pinyin => format!(
            "SELECT s.term, {COLS} FROM customer_search s CROSS JOIN customers c ON c.id = s.customer_id
                 WHERE s.term >= ? AND s.term < ? AND NOT EXISTS (SELECT 1 FROM customer_search s2 WHERE s2.customer_id = s.customer_id \
                 AND s2.term >= ? AND s2.term < s.term)  AND c.deleted_at IS NULL AND 1
                 ORDER BY s.term, s.customer_id DESC LIMIT {limit}"
        ),
    }
}

/// Runs one query and reads every column of every row, as the store does; returns the row count.
fn run_one(conn: &Connection, kind: Kind, q: &str) -> rusqlite::Result<usize> {
    use rusqlite::ToSql;
    if kind == Kind::Overview {
        return overview(conn, q.parse().unwrap_or(1));
    }
    let mut stmt = conn.prepare_cached(&sql_for(kind))?;
    let (a, b);
    let mut p: Vec<&dyn ToSql> = Vec::new();
    let id: i64;
    match kind {
        Kind::Id | Kind::Overview => {
            id = q.parse().unwrap_or(1);
            p.push(&id);
        }
        Kind::Tail | Kind::Name => {
            a = format!("{}:{q}", if kind == Kind::Tail { "t" } else { "n" });
            p.push(&a);
        }
        Kind::Pinyin => {
            a = format!("y:{q}");
            b = format!("{a}{}", char::MAX);
            p.extend([&a as &dyn ToSql, &b, &a]);
        }
    }
    let mut rows = stmt.query(&p[..])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        for i in 0..r.as_ref().column_count() {
            let _: Value = r.get(i)?;
        }
        n += 1;
    }
    Ok(n)
}

/// The 360° page's reads through the server's own store functions, in one read transaction as
/// the server runs them: the customer, tags, stage history, consultations, referrals and the
/// newest timeline page. Returns the rows read.
fn overview(conn: &Connection, id: i64) -> rusqlite::Result<usize> {
    use liyan::domain::{consultations, customers, tags, timeline};
    let all = liyan::access::RowScope::All;
    conn.execute_batch("BEGIN")?;
    let n = customers::store::get(conn, id, &all)?.into_iter().count()
        + tags::store::of_customers(conn, &[id])?.concat().len()
        + customers::store::stage_history(conn, id)?.len()
        + consultations::store::of_customer(conn, id, 100)?.len()
        + customers::store::referred_by(conn, id, &all, 50)?.len()
        + customers::store::referral_count(conn, id)? as usize
        + timeline::store::page(conn, id, None, 31)?.len();
    conn.execute_batch("COMMIT")?;
    Ok(n)
}

/// How often SQLite re-prepared the kind's cached statement on this connection.
fn reprepares(conn: &Connection, kind: Kind) -> rusqlite::Result<i64> {
    Ok(conn.prepare_cached(&sql_for(kind))?.get_status(rusqlite::StatementStatus::RePrepare) as i64)
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
        let label = file.to_string();
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
                std::thread::spawn(move || -> rusqlite::Result<(Vec<u64>, usize, i64)> {
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
                    Ok((lat, rows, reprepares(&conn, kind)?))
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut rows = 0;
        let mut reprep = 0;
        for h in handles {
            let (lat, r, rp) = h.join().map_err(|_| "worker panicked".to_string())?.map_err(|e| e.to_string())?;
            all.extend(lat);
            rows += r;
            reprep += rp;
        }
        let elapsed = start.elapsed().as_secs_f64();
        all.sort_unstable();
        println!(
            "direct {label} threads={threads} queries={} qps={:.0} p50_ms={:.3} p99_ms={:.3} rows_avg={:.1} reprepared={:.0}%",
            all.len(),
            all.len() as f64 / elapsed,
            percentile(&all, 0.50),
            percentile(&all, 0.99),
            rows as f64 / all.len().max(1) as f64,
            100.0 * reprep as f64 / all.len().max(1) as f64
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
