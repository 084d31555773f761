//! The test fixture: a demo clinic in a temporary data directory, served by the real `liyan`
//! binary over HTTPS on a free port, plus helpers for HTTP, the CLI and the SQLite file.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_liyan");
pub const PASSWORD: &str = "Liyan@2026";

/// Every customer field the API knows, in catalogue order.
pub const CUSTOMER_FIELDS: &[&str] = &[
    "id",
    "member_no",
    "name",
    "gender",
    "birthday",
    "mobile",
    "wechat_id",
    "id_number",
    "store_id",
    "consultant_id",
    "source",
    "skin_type",
    "allergies",
    "concerns",
    "medical_history",
    "notes",
    "consents",
    "stage",
    "referrer_id",
    "tags",
    "last_visit_at",
    "last_purchase_at",
    "restricted_at",
    "created_at",
    "updated_at",
    // The demo clinic's custom fields (`liyan::demo::define_fields`).
    "cf_occupation",
    "cf_pregnant_or_nursing",
];

/// Demo staff: (username, role, store id).
pub const STAFF: &[(&str, &str, i64)] = &[
    ("admin", "admin", 1),
    ("manager", "manager", 1),
    ("consultant", "consultant", 1),
    ("doctor", "doctor", 1),
    ("nurse", "nurse", 1),
    ("frontdesk", "front_desk", 1),
    ("finance", "finance", 1),
    ("channel", "channel_manager", 1),
    ("marketing", "marketing", 1),
    ("auditor", "auditor", 1),
    ("partner", "partner", 1),
    ("frontdesk2", "front_desk", 2),
];

/// Environment variables that would change how the binary behaves; removed for every child.
const ENV_OVERRIDES: &[&str] = &[
    "LIYAN_DATA_DIR",
    "LIYAN_LISTEN",
    "LIYAN_LOG",
    "LIYAN_TIMEZONE",
    "LIYAN_TLS_NAMES",
    "LIYAN_BENCH",
];

/// A command for the binary, isolated from the caller's environment and working directory
/// (a `liyan.toml` in the crate root must not leak in).
pub fn command(cwd: &Path) -> Command {
    let mut c = Command::new(BIN);
    for k in ENV_OVERRIDES {
        c.env_remove(k);
    }
    c.env("LIYAN_LOG", "warn").current_dir(cwd);
    c
}

#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
    /// Both streams, for messages that may go to either.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs the binary to completion off the async workers; `stdin` is written then closed.
pub async fn run_bin(cwd: PathBuf, args: Vec<String>, stdin: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut c = command(&cwd);
        c.args(&args).stdout(Stdio::piped()).stderr(Stdio::piped());
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = c.spawn().expect("spawn liyan");
        if let Some(input) = stdin {
            use std::io::Write;
            let mut s = child.stdin.take().expect("stdin");
            s.write_all(input.as_bytes()).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait for liyan");
        Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("join")
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().unwrap().port()
}

/// An HTTP client like a browser on the LAN: trusts the local CA blindly, keeps cookies.
pub fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .cookie_store(cookies)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// A reply: status, headers and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    /// The last segment of a problem's `type`.
    pub fn problem(&self) -> String {
        self.json["type"]
            .as_str()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    }
    pub fn error_field(&self) -> String {
        self.json["errors"][0]["field"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
    pub fn code(&self) -> u16 {
        self.status.as_u16()
    }
    /// Asserts an `application/problem+json` reply with this status.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(
            self.code(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert!(
            self.header("content-type")
                .starts_with("application/problem+json"),
            "not a problem+json reply: {} {}",
            self.header("content-type"),
            self.text
        );
        assert_eq!(
            self.json["status"].as_u64(),
            Some(status as u64),
            "problem status field: {}",
            self.text
        );
        assert!(
            self.json["title"].as_str().is_some_and(|t| !t.is_empty()),
            "problem without title: {}",
            self.text
        );
    }
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        json,
        text,
    }
}

/// Options for starting a server.
#[derive(Default, Clone)]
pub struct Opts {
    pub customers: u64,
    /// TOML written to a file and passed as `--config`.
    pub config: Option<String>,
}

pub struct Server {
    pub tmp: tempfile::TempDir,
    pub data: PathBuf,
    pub port: u16,
    pub base: String,
    pub http: reqwest::Client,
    child: Option<Child>,
    config: Option<PathBuf>,
    starts: u32,
}

impl Server {
    /// A demo clinic with 20 customers, served.
    pub async fn start() -> Server {
        Server::start_with(Opts {
            customers: 20,
            ..Default::default()
        })
        .await
    }

    /// A demo clinic with `customers` customers and the default config, served.
    pub async fn with_customers(customers: u64) -> Server {
        Server::start_with(Opts {
            customers,
            ..Default::default()
        })
        .await
    }

    pub async fn start_with(opts: Opts) -> Server {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        let config = opts.config.as_ref().map(|text| {
            let p = tmp.path().join("liyan-test.toml");
            std::fs::write(&p, text).unwrap();
            p
        });
        let args = vec![
            "demo".to_string(),
            "--no-serve".into(),
            "--customers".into(),
            opts.customers.to_string(),
            "--data-dir".into(),
            data.display().to_string(),
        ];
        let out = run_bin(tmp.path().to_path_buf(), args, None).await;
        assert!(out.ok(), "liyan demo failed: {out:?}");
        let mut s = Server {
            tmp,
            data,
            port: 0,
            base: String::new(),
            http: client(true),
            child: None,
            config,
            starts: 0,
        };
        s.spawn().await;
        s
    }

    fn log_path(&self, n: u32) -> PathBuf {
        self.tmp.path().join(format!("serve-{n}.log"))
    }

    /// Starts `liyan serve` on the data dir (a new port each time) and waits for health.
    pub async fn spawn(&mut self) {
        assert!(self.child.is_none(), "server already running");
        // A free port can be taken by a parallel test before the server binds it: try again.
        for _ in 0..5 {
            self.port = free_port();
            self.base = format!("https://127.0.0.1:{}", self.port);
            self.starts += 1;
            let log = std::fs::File::create(self.log_path(self.starts)).unwrap();
            let mut c = command(self.tmp.path());
            if let Some(cfg) = &self.config {
                c.arg("--config").arg(cfg);
            }
            c.arg("serve")
                .arg("--data-dir")
                .arg(&self.data)
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", self.port));
            c.stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log);
            self.child = Some(c.spawn().expect("spawn liyan serve"));
            if self.wait_healthy().await {
                return;
            }
            self.kill();
        }
        panic!("could not find a free port for liyan serve: {}", self.log());
    }

    /// Waits until this child printed that it serves and answers health. False when the port
    /// was taken; any other failure panics.
    async fn wait_healthy(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        let probe = client(false);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let log = self.log();
                if log.contains("cannot listen") {
                    return false;
                }
                panic!("liyan serve exited early ({status}): {log}");
            }
            // The banner is printed once the port is bound, so a health reply is from this child.
            if self.log().contains("Liyan is serving at") {
                let url = format!("{}/api/v1/health", self.base);
                if let Ok(r) = probe.get(&url).timeout(Duration::from_secs(2)).send().await {
                    if r.status() == StatusCode::OK {
                        return true;
                    }
                }
            }
            if Instant::now() > deadline {
                panic!("liyan serve not healthy within 20 s: {}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the current (or last) server printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path(self.starts)).unwrap_or_default()
    }

    /// SIGKILL (what `Child::kill` sends on Unix) and reap.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, the way systemd stops the service, and wait for the process to end.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().expect("server running");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        c.wait().unwrap()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.join("liyan.db")
    }

    /// A read-only connection to the live database file.
    pub fn db(&self) -> rusqlite::Connection {
        open_ro(&self.db_path())
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub fn audit_rows(&self) -> i64 {
        self.count("SELECT count(*) FROM audit_log")
    }

    pub fn customer_rows(&self) -> i64 {
        self.count("SELECT count(*) FROM customers")
    }

    /// The newest audit row: (action, entity, entity_id, actor, changes).
    pub fn last_audit(&self) -> (String, String, Option<i64>, String, Option<String>) {
        self.db()
            .query_row("SELECT action, entity, entity_id, actor, changes FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
    }

    /// Audit rows after `after_id`, oldest first: (action, entity, entity_id, actor).
    pub fn audit_since(&self, after_id: i64) -> Vec<(String, String, Option<i64>, String)> {
        let db = self.db();
        let mut st = db
            .prepare(
                "SELECT action, entity, entity_id, actor FROM audit_log WHERE id > ?1 ORDER BY id",
            )
            .unwrap();
        st.query_map([after_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    pub fn max_audit_id(&self) -> i64 {
        self.count("SELECT coalesce(max(id), 0) FROM audit_log")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        into_resp(rb.send().await.unwrap_or_else(|e| panic!("{path}: {e}"))).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Resp {
        self.send(Method::GET, Some(token), path, None).await
    }
    /// GET one customer and wait until the view is in the audit log (views are appended by a
    /// background writer, so a count taken right after the reply could still miss it).
    pub async fn view(&self, token: &str, actor: &str, id: i64) -> Resp {
        let q = format!(
            "SELECT count(*) FROM audit_log WHERE action = 'view' AND entity = 'customer' \
             AND entity_id = {id} AND actor = '{actor}'"
        );
        let before = self.count(&q);
        let r = self.get(token, &format!("/api/v1/customers/{id}")).await;
        if r.code() == 200 {
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.count(&q) == before {
                assert!(
                    Instant::now() < deadline,
                    "view of customer {id} by {actor} never reached the audit log"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        r
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Resp {
        self.send(Method::POST, Some(token), path, Some(body)).await
    }
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, Some(token), path, Some(body))
            .await
    }
    pub async fn put(&self, token: &str, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, Some(token), path, Some(body)).await
    }
    pub async fn delete(&self, token: &str, path: &str) -> Resp {
        self.send(Method::DELETE, Some(token), path, None).await
    }

    /// A raw body with a content type of our choosing.
    pub async fn post_raw(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut rb = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body);
        for (k, v) in extra {
            rb = rb.header(*k, *v);
        }
        into_resp(rb.send().await.unwrap_or_else(|e| panic!("{path}: {e}"))).await
    }

    pub async fn login_resp(&self, username: &str, password: &str) -> Resp {
        self.send(
            Method::POST,
            None,
            "/api/v1/auth/login",
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Signs in with the demo password; returns the access token.
    pub async fn login(&self, username: &str) -> String {
        self.login_with(username, PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> String {
        let r = self.login_resp(username, password).await;
        assert_eq!(r.code(), 200, "login {username}: {}", r.text);
        r.json["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// The id of a user, from the database.
    pub fn user_id(&self, username: &str) -> i64 {
        self.db()
            .query_row(
                "SELECT id FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Runs `liyan <args> --data-dir <data>`.
    pub async fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.push("--data-dir".into());
        a.push(self.data.display().to_string());
        run_bin(self.tmp.path().to_path_buf(), a, stdin.map(str::to_string)).await
    }

    /// Runs the binary with exactly these arguments.
    pub async fn bin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run_bin(
            self.tmp.path().to_path_buf(),
            args.iter().map(|s| s.to_string()).collect(),
            stdin.map(str::to_string),
        )
        .await
    }

    /// Creates a customer as `token`; asserts 201 and returns the body.
    /// `create_customer`, returning just the new id.
    pub async fn customer_id(&self, token: &str, body: Value) -> i64 {
        self.create_customer(token, body).await["id"]
            .as_i64()
            .expect("created customer has an id")
    }

    /// Lets `role` do `action` on `entity` (as the admin behind `admin`).
    pub async fn allow(&self, admin: &str, role: &str, entity: &str, action: &str) {
        let body = json!({"role": role, "entity": entity, "action": action, "allowed": true});
        let r = self.put(admin, "/api/v1/access/action", body).await;
        assert_eq!(r.code(), 204, "{}", r.text);
    }

    /// `POST /customers/{keep}/merge` folding `from` into `keep`.
    pub async fn merge(&self, token: &str, keep: i64, from: i64) -> Resp {
        self.post(
            token,
            &format!("/api/v1/customers/{keep}/merge"),
            serde_json::json!({ "from": from }),
        )
        .await
    }

    pub async fn create_customer(&self, token: &str, body: Value) -> Value {
        let r = self.post(token, "/api/v1/customers", body.clone()).await;
        assert_eq!(r.code(), 201, "create {body}: {}", r.text);
        r.json
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn open_ro(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

/// A mobile no demo customer has: demo mobiles come from a fixed prefix list, these use 166.
pub fn mobile(n: u32) -> String {
    format!("166{:08}", n)
}

/// A full customer body as admin may send it (all fields, health consent given).
pub fn full_customer(name: &str, mobile: &str) -> Value {
    json!({
        "name": name,
        "mobile": mobile,
        "gender": "female",
        "wechat_id": "wx_full_profile",
        "id_number": "11010519491231002X",
        "store_id": 1,
        "source": "referral",
        "skin_type": "sensitive",
        "allergies": "青霉素过敏XYZ",
        "concerns": "祛斑美白",
        "medical_history": "甲状腺结节随访中QRS",
        "notes": "VIP 客户，偏好下午",
        "consents": {"privacy": true, "health_data": true, "marketing": true, "photos": false}
    })
}

/// True when `needle` occurs in `hay`.
pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// A valid 身份证 number (GB 11643 check digit) born on `birthday` (YYYYMMDD); `seq` makes it
/// unique, its parity gives the gender (odd male).
pub fn id_number(birthday: &str, seq: u32) -> String {
    let mut s = format!("110105{birthday}{:03}", seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = s.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    s.push(b"10X98765432"[(sum % 11) as usize] as char);
    s
}

/// Every item of a (searched) list, following `next_cursor`.
pub async fn walk(s: &Server, token: &str, q: &str, limit: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let mut path = format!("/api/v1/customers?limit={limit}");
        if !q.is_empty() {
            path.push_str(&format!("&q={q}"));
        }
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let r = s.get(token, &path).await;
        assert_eq!(r.code(), 200, "{path}: {}", r.text);
        let items = r.json["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        out.extend(items.iter().cloned());
        match r.json["next_cursor"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("paging never ended");
}

/// The newest migration's version: what a fresh database is migrated to.
pub fn schema_version() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix('V')?.split("__").next()?.parse().ok()
        })
        .max()
        .unwrap()
}
