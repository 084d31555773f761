//! kill -9 in the middle of a stream of writes: every acknowledged write survives.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn every_acknowledged_write_survives_kill_9() {
    let mut s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();

    // Two writers, so that requests are in flight when the process dies.
    let mut writers = Vec::new();
    for w in 0..2u32 {
        let (acked, http, base, token) =
            (acked.clone(), client(false), s.base.clone(), admin.clone());
        writers.push(tokio::spawn(async move {
            let mut errors = 0;
            for i in 0..100_000u32 {
                let m = mobile(w * 100_000 + i + 1);
                let body = json!({"name": format!("持久{w}-{i}"), "mobile": m, "notes": "ack"});
                match http
                    .post(format!("{base}/api/v1/customers"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = r.json().await.unwrap();
                        acked.lock().unwrap().push((v["id"].as_i64().unwrap(), m));
                    }
                    Ok(r) => panic!(
                        "unexpected {}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    ),
                    Err(_) => {
                        errors += 1;
                        if errors >= 3 {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 40 {
        assert!(Instant::now() < deadline, "writes too slow");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = s.pid().unwrap();
    s.kill();
    let at_kill = acked.lock().unwrap().len();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= at_kill);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the server survived the kill"
    );

    // Restart on the same data directory: the lock left by the dead process is free.
    s.spawn().await;
    let admin = s.login("admin").await;
    for (id, m) in &acked {
        let r = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(
            r.code(),
            200,
            "acknowledged customer {id} lost after kill -9"
        );
        assert_eq!(r.json["mobile"], m.as_str());
    }
    let ids: Vec<String> = acked.iter().map(|(id, _)| id.to_string()).collect();
    let present = s.count(&format!(
        "SELECT count(*) FROM customers WHERE id IN ({}) AND deleted_at IS NULL",
        ids.join(",")
    ));
    assert_eq!(present, acked.len() as i64);
    // Every stored customer has its audit row, and the chain is whole.
    let missing = s.count("SELECT count(*) FROM customers c WHERE c.notes = 'ack' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'customer' AND a.action = 'create' AND a.entity_id = c.id)");
    assert_eq!(missing, 0, "customers without their audit row");
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "{out:?}");
    let mode: String = s
        .db()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn after_a_crash_a_damaged_database_is_refused_and_a_clean_stop_skips_the_check() {
    let mut s = Server::with_customers(30).await;
    // A normal stop leaves the mark that lets the next start skip the full check.
    assert!(s.stop().success(), "graceful stop failed: {}", s.log());
    assert!(s.data.join("clean-shutdown").exists());
    s.spawn().await;
    assert!(
        !s.data.join("clean-shutdown").exists(),
        "the mark is consumed at start"
    );
    assert!(!s.log().contains("did not stop normally"), "{}", s.log());

    // A crash leaves no mark; damage one page of the customers table meanwhile.
    s.kill();
    assert!(!s.data.join("clean-shutdown").exists());
    let (root, page_size): (i64, i64) = {
        let c = rusqlite::Connection::open(s.db_path()).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let root = c
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'customers'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (
            root,
            c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
        )
    };
    // Opening it above was a normal process end without the lock: no mark was written.
    assert!(!s.data.join("clean-shutdown").exists());
    let mut bytes = std::fs::read(s.db_path()).unwrap();
    let start = ((root - 1) * page_size) as usize;
    bytes[start..start + 8].copy_from_slice(&[0xAB; 8]);
    std::fs::write(s.db_path(), bytes).unwrap();

    // An address this machine does not have: if the check wrongly passed, serve still exits.
    let out = s.cli(&["serve", "--listen", "192.0.2.1:9"], None).await;
    assert!(!out.ok(), "a damaged database was served: {}", out.all());
    assert!(
        out.all().contains("quick_check") || out.all().contains("unreadable"),
        "{}",
        out.all()
    );
    assert!(
        out.all().contains("restore"),
        "the message says what to do: {}",
        out.all()
    );
    // A refused start leaves no mark, so the next start checks again.
    assert!(!s.data.join("clean-shutdown").exists());
    assert!(!s
        .cli(&["serve", "--listen", "192.0.2.1:9"], None)
        .await
        .ok());
}
