//! The command line against a live data directory.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

#[tokio::test]
async fn user_add_list_disable_and_reset_password() {
    let s = Server::with_customers(2).await;
    let before = s.max_audit_id();
    let out = user_add(&s, "xiaoli", "front_desk", Some("east"), "Temp#2026cli\n").await;
    assert!(out.ok(), "{out:?}");
    assert!(out.stdout.contains("xiaoli"), "{out:?}");
    let rows = s.audit_since(before);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_str()), ("create", "user"));
    assert!(rows[0].3.starts_with("cli"), "{rows:?}");
    // The password came from stdin; it is not stored in clear.
    assert_eq!(
        s.count("SELECT count(*) FROM users WHERE password_hash LIKE '%Temp#2026cli%'"),
        0
    );
    assert_eq!(
        s.count("SELECT store_id FROM users WHERE username = 'xiaoli'"),
        2
    );

    let r = s.login_resp("xiaoli", "Temp#2026cli").await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["must_change_password"], true);
    assert_eq!(r.json["user"]["role"], "front_desk");

    let out = s.cli(&["user", "list"], None).await;
    assert!(out.ok(), "{out:?}");
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("xiaoli"))
        .unwrap_or_else(|| panic!("xiaoli not listed: {}", out.stdout));
    assert!(
        line.contains("front_desk") && line.contains("active"),
        "{line}"
    );
    assert!(
        out.stdout.lines().any(|l| l.contains("admin")),
        "{}",
        out.stdout
    );

    // Refusals: weak password, unknown role or store, duplicate, no --password-stdin.
    let weak = user_add(&s, "weakling", "nurse", None, "password\n").await;
    assert!(!weak.ok() && weak.stderr.contains("password"), "{weak:?}");
    let role = user_add(&s, "wizard", "wizard", None, "Good#Pass2026\n").await;
    assert!(!role.ok() && role.stderr.contains("wizard"), "{role:?}");
    let store = user_add(&s, "nostore", "nurse", Some("west"), "Good#Pass2026\n").await;
    assert!(!store.ok() && store.stderr.contains("west"), "{store:?}");
    let dup = user_add(&s, "xiaoli", "nurse", None, "Good#Pass2026\n").await;
    assert!(!dup.ok(), "{dup:?}");
    // For people: both languages, no machine code.
    assert!(
        dup.stderr.contains("xiaoli")
            && dup.stderr.contains("用户名")
            && !dup.stderr.contains("(duplicate-username)"),
        "{dup:?}"
    );
    // A second line would become part of a password no browser can type; empty input is named.
    let two = user_add(&s, "twolines", "nurse", None, "Good#Pass2026\nmore\n").await;
    assert!(!two.ok() && two.stderr.contains("一行"), "{two:?}");
    let empty = user_add(&s, "empty", "nurse", None, "").await;
    assert!(
        !empty.ok() && empty.stderr.contains("no password"),
        "{empty:?}"
    );
    assert_eq!(
        s.count("SELECT count(*) FROM users WHERE username IN ('twolines', 'empty')"),
        0
    );
    let argv = s
        .cli(
            &["user", "add", "--username", "argv", "--role", "nurse"],
            None,
        )
        .await;
    assert!(!argv.ok(), "{argv:?}");
    assert_eq!(s.count("SELECT count(*) FROM users WHERE username IN ('weakling', 'wizard', 'nostore', 'argv')"), 0);

    let out = s.cli(&["user", "disable", "xiaoli"], None).await;
    assert!(out.ok(), "{out:?}");
    s.login_resp("xiaoli", "Temp#2026cli")
        .await
        .assert_problem(401);
    let out = s.cli(&["user", "list"], None).await;
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("xiaoli") && l.contains("disabled") && l.contains(" east ")),
        "the store is listed by its code: {}",
        out.stdout
    );
    // Disabling again changes nothing and writes nothing.
    let audits = s.audit_rows();
    let out = s.cli(&["user", "disable", "xiaoli"], None).await;
    assert!(out.ok(), "{out:?}");
    assert!(out.stdout.contains("already disabled"), "{out:?}");
    assert_eq!(s.audit_rows(), audits);
    let out = s.cli(&["user", "disable", "nobody-here"], None).await;
    assert!(!out.ok(), "{out:?}");
    // Enabled again, the account logs in with its password.
    let out = s.cli(&["user", "enable", "xiaoli"], None).await;
    assert!(out.ok(), "{out:?}");
    assert_eq!(s.login_resp("xiaoli", "Temp#2026cli").await.code(), 200);
    // Disabling the only active admin is allowed (the CLI enables one again) but not unnoticed.
    assert_eq!(
        s.count("SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL"),
        1
    );
    let out = s.cli(&["user", "disable", "admin"], None).await;
    assert!(
        out.ok() && out.stderr.contains("the only active admin"),
        "{out:?}"
    );
    assert!(s.cli(&["user", "enable", "admin"], None).await.ok());
    let out = s.cli(&["user", "disable", "xiaoli"], None).await;
    assert!(out.ok(), "{out:?}");

    let token = s.login("frontdesk").await;
    let out = s
        .cli(
            &["user", "reset-password", "frontdesk", "--password-stdin"],
            Some("Reset#2026ab\n"),
        )
        .await;
    assert!(out.ok(), "{out:?}");
    assert_eq!(
        s.get(&token, "/api/v1/me").await.code(),
        401,
        "reset must end the user's sessions"
    );
    s.login_resp("frontdesk", PASSWORD)
        .await
        .assert_problem(401);
    let r = s.login_resp("frontdesk", "Reset#2026ab").await;
    assert_eq!(r.code(), 200);
    assert_eq!(r.json["must_change_password"], true);
}

#[tokio::test]
async fn migrate_status_tls_export_and_healthcheck() {
    let s = Server::with_customers(2).await;
    let out = s.cli(&["migrate", "status"], None).await;
    assert!(out.ok(), "{out:?}");
    let applied: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("applied"))
        .collect();
    assert!(
        applied
            .iter()
            .any(|l| l.contains("V1") && l.contains("foundation")),
        "{}",
        out.stdout
    );
    assert!(
        applied
            .iter()
            .any(|l| l.contains("V2") && l.contains("default_access")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("pending"), "{}", out.stdout);

    let ca_file = s.tmp.path().join("liyan-ca.crt");
    let out = s
        .cli(
            &["tls", "export-ca", "--out", ca_file.to_str().unwrap()],
            None,
        )
        .await;
    assert!(out.ok(), "{out:?}");
    let pem = std::fs::read_to_string(&ca_file).unwrap();
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE-----")
            && pem.trim_end().ends_with("-----END CERTIFICATE-----"),
        "{pem}"
    );
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1);
    assert!(!pem.contains("PRIVATE KEY"));
    assert_eq!(
        pem,
        std::fs::read_to_string(s.data.join("tls/ca.crt")).unwrap()
    );
    let params = rcgen::CertificateParams::from_ca_cert_pem(&pem).expect("a parsable certificate");
    assert!(
        matches!(params.is_ca, rcgen::IsCa::Ca(_)),
        "exported certificate is not a CA"
    );

    // A client that trusts only that CA accepts the server under its LAN names.
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", s.port).parse().unwrap();
    let strict = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .resolve("localhost", addr)
        .build()
        .unwrap();
    for url in [
        format!("https://localhost:{}/api/v1/health", s.port),
        format!("https://127.0.0.1:{}/api/v1/health", s.port),
    ] {
        let r = strict
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url} with the exported CA: {e:?}"));
        assert_eq!(r.status(), 200, "{url}");
    }
    // And refuses it without the CA: the certificate really is checked.
    let default = reqwest::Client::builder().build().unwrap();
    assert!(
        default.get(s.url("/api/v1/health")).send().await.is_err(),
        "a client without the CA trusted the server"
    );

    // Exporting again over the earlier export is fine; over anything else, or into the data
    // directory (the CA key lives there), it is refused and nothing changes.
    let again = s
        .cli(
            &["tls", "export-ca", "--out", ca_file.to_str().unwrap()],
            None,
        )
        .await;
    assert!(again.ok(), "{again:?}");
    let key = s.data.join("tls/ca.key");
    let key_before = std::fs::read(&key).unwrap();
    let notes = s.tmp.path().join("notes.txt");
    std::fs::write(&notes, "IT notes").unwrap();
    for (target, why) in [
        (&key, "不会写入数据目录"),
        (&s.data.join("tls/other.crt"), "不会写入数据目录"),
        (&notes, "already exists"),
    ] {
        let out = s
            .cli(
                &["tls", "export-ca", "--out", target.to_str().unwrap()],
                None,
            )
            .await;
        assert!(!out.ok() && out.stderr.contains(why), "{target:?}: {out:?}");
    }
    // `--out -`: the certificate on standard output, no file named `-`.
    let out = s.cli(&["tls", "export-ca", "--out", "-"], None).await;
    assert!(out.ok(), "{out:?}");
    assert_eq!(out.stdout, std::fs::read_to_string(&ca_file).unwrap());
    assert!(!s.tmp.path().join("-").exists());
    assert_eq!(std::fs::read(&key).unwrap(), key_before);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "IT notes");
    assert!(!s.data.join("tls/other.crt").exists());

    let out = s
        .bin(
            &["healthcheck", "--addr", &format!("127.0.0.1:{}", s.port)],
            None,
        )
        .await;
    assert!(out.ok(), "{out:?}");
    let out = s
        .bin(
            &[
                "healthcheck",
                "--addr",
                &format!("127.0.0.1:{}", free_port()),
            ],
            None,
        )
        .await;
    assert!(
        !out.ok(),
        "healthcheck passed against a closed port: {out:?}"
    );
}

/// Only `serve`, `demo` and `restore` start a clinic: any other command pointed at a directory
/// without one says so, in both languages, and creates nothing there.
#[tokio::test]
async fn commands_on_a_directory_without_a_clinic_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("nothing-here");
    let dir = empty.to_str().unwrap();
    let dest = tmp.path().join("backups");
    let ca = tmp.path().join("ca.crt");
    for args in [
        vec!["user", "list"],
        vec!["audit", "verify"],
        vec!["migrate", "status"],
        vec!["backup", "--dest", dest.to_str().unwrap()],
        vec!["tls", "export-ca", "--out", ca.to_str().unwrap()],
    ] {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(["--data-dir".to_string(), dir.to_string()]);
        let out = run_bin(tmp.path().to_path_buf(), a, None).await;
        assert!(!out.ok(), "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("--data-dir") && out.stderr.contains("请检查"),
            "{args:?}: {out:?}"
        );
        assert!(!empty.exists(), "{args:?} created {dir}");
    }
    assert!(!dest.exists() && !ca.exists());

    // With a certificate of the clinic's own there is no local CA to hand out.
    let s = Server::with_customers(0).await;
    let own = s.tmp.path().join("own.toml");
    std::fs::write(
        &own,
        "[tls]\ncert_file = \"/etc/ssl/clinic.crt\"\nkey_file = \"/etc/ssl/clinic.key\"\n",
    )
    .unwrap();
    let out = s
        .cli(
            &[
                "--config",
                own.to_str().unwrap(),
                "tls",
                "export-ca",
                "--out",
                ca.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert!(!out.ok() && out.stderr.contains("tls.cert_file"), "{out:?}");
    assert!(!ca.exists());
}

#[tokio::test]
async fn a_listing_into_a_closed_pipe_ends_quietly() {
    let s = Server::with_customers(0).await;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // `liyan user list | head -0`: nobody reads
    let out = std::process::Command::new(BIN)
        .args(["user", "list", "--data-dir"])
        .arg(&s.data)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?} {err}",
        out.status
    );
}

#[tokio::test]
async fn a_listen_address_that_cannot_be_used_is_named_with_its_cause() {
    let mut s = Server::with_customers(0).await;
    let taken = format!("127.0.0.1:{}", s.port);
    s.kill();
    // Something else now holds the port.
    let _holder = std::net::TcpListener::bind(&taken).unwrap();
    for (listen, cause) in [
        (taken.as_str(), "端口已被占用"),
        ("192.0.2.1:9443", "本机没有这个地址"),
    ] {
        let out = s.cli(&["serve", "--listen", listen], None).await;
        assert!(!out.ok(), "{listen}: {out:?}");
        assert!(
            out.stderr.contains(&format!("cannot listen on {listen}"))
                && out.stderr.contains(cause),
            "{listen}: {out:?}"
        );
    }
}

#[tokio::test]
async fn demo_fills_only_an_empty_directory_or_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = |dir: std::path::PathBuf| {
        let cwd = tmp.path().to_path_buf();
        async move {
            let args = ["demo", "--no-serve", "--customers", "1", "--data-dir"]
                .iter()
                .map(|s| s.to_string())
                .chain([dir.display().to_string()])
                .collect();
            run_bin(cwd, args, None).await
        }
    };
    // A new server's directory with the clinic's restored keys but no database yet.
    let restored = tmp.path().join("restored");
    std::fs::create_dir_all(restored.join("keys")).unwrap();
    std::fs::write(restored.join("keys/field.key"), "the clinic's key").unwrap();
    std::fs::write(restored.join("notes.txt"), "keep").unwrap();
    for _ in 0..2 {
        let out = demo(restored.clone()).await;
        assert!(!out.ok(), "{out:?}");
        assert!(
            out.stderr.contains("not empty") && out.stderr.contains("非空"),
            "{out:?}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(restored.join("keys/field.key")).unwrap(),
        "the clinic's key"
    );
    assert!(restored.join("notes.txt").exists());
    assert!(!restored.join("LIYAN-DEMO").exists() && !restored.join("liyan.db").exists());

    // An empty directory becomes a demo clinic, and a demo replaces its own.
    let own = tmp.path().join("demo");
    std::fs::create_dir(&own).unwrap();
    for _ in 0..2 {
        let out = demo(own.clone()).await;
        assert!(out.ok(), "{out:?}");
        assert!(own.join("LIYAN-DEMO").exists() && own.join("liyan.db").exists());
    }
}

#[tokio::test]
async fn one_server_per_data_directory_and_no_plain_http() {
    let s = Server::with_customers(2).await;

    // A second server on the same data directory exits at once with a clear message.
    let port = free_port();
    let mut c = command(s.tmp.path());
    c.args([
        "serve",
        "--data-dir",
        s.data.to_str().unwrap(),
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a second server kept running on a locked data directory");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success());
    assert!(err.contains("another liyan process"), "{err}");
    // `liyan demo` must not wipe a clinic a server is using either.
    let out = s
        .cli(&["demo", "--no-serve", "--customers", "1"], None)
        .await;
    assert!(!out.ok(), "{out:?}");
    assert!(s.db_path().exists());
    let admin = s.login("admin").await;
    assert_eq!(s.get(&admin, "/api/v1/me").await.code(), 200);

    // Plain HTTP on the HTTPS port gets no HTTP data back.
    for request in [
        "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    ] {
        let port = s.port;
        let got = tokio::task::spawn_blocking(move || {
            let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            sock.write_all(request.as_bytes()).unwrap();
            let mut buf = Vec::new();
            let _ = sock.read_to_end(&mut buf);
            buf
        })
        .await
        .unwrap();
        assert!(
            !got.starts_with(b"HTTP/"),
            "plain HTTP answered: {:?}",
            String::from_utf8_lossy(&got)
        );
        assert!(
            !contains_bytes(&got, b"\"status\"")
                && !contains_bytes(&got, b"<html")
                && !contains_bytes(&got, b"<!doctype"),
            "data over plain HTTP: {got:?}"
        );
    }

    // A config error names the key.
    let bad = s.tmp.path().join("bad.toml");
    std::fs::write(&bad, "[auth]\naccess_token_minutes = 60\n").unwrap();
    let out = s
        .cli(
            &["--config", bad.to_str().unwrap(), "migrate", "status"],
            None,
        )
        .await;
    assert!(!out.ok(), "{out:?}");
    assert!(out.stderr.contains("auth.access_token_minutes"), "{out:?}");
}

#[tokio::test]
async fn a_database_from_a_newer_liyan_is_refused_by_every_command() {
    let mut s = Server::with_customers(2).await;
    s.kill();
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
    for args in [
        &["user", "list"][..],
        &["audit", "verify"][..],
        &["migrate", "status"][..],
        &["serve", "--listen", "192.0.2.1:9"][..],
    ] {
        let out = s.cli(args, None).await;
        assert!(!out.ok(), "{args:?} accepted a newer database: {out:?}");
        assert!(
            out.all().contains("schema version 99")
                && out
                    .all()
                    .contains(&format!("up to version {}", schema_version())),
            "{args:?}: {}",
            out.all()
        );
    }
}

/// `liyan user add` with the password on standard input.
async fn user_add(
    s: &Server,
    username: &str,
    role: &str,
    store: Option<&str>,
    stdin: &str,
) -> Output {
    let mut args = vec!["user", "add", "--username", username, "--role", role];
    if let Some(code) = store {
        args.extend(["--store", code]);
    }
    args.push("--password-stdin");
    s.cli(&args, Some(stdin)).await
}
