//! `liyan backup` while writes continue, rotation, and `liyan restore` into a new directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

fn backups_in(dest: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dest)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn table_count(db: &rusqlite::Connection, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Checks a backup directory against its manifest by hand: file hashes, row counts, chain head.
fn check_against_manifest(dir: &Path) -> Value {
    let m = manifest(dir);
    for (rel, sha) in m["files"].as_object().unwrap() {
        let got = hex::encode(Sha256::digest(std::fs::read(dir.join(rel)).unwrap()));
        assert_eq!(&got, sha.as_str().unwrap(), "{rel} in {}", dir.display());
    }
    assert!(m["files"].get("liyan.db").is_some(), "{m}");
    let db = open_ro(&dir.join("liyan.db"));
    let counts = m["counts"].as_object().unwrap();
    for t in [
        "customers",
        "users",
        "stores",
        "audit_log",
        "customer_search",
    ] {
        assert_eq!(
            counts[t].as_i64(),
            Some(table_count(&db, t)),
            "{t} in {}",
            dir.display()
        );
    }
    let head = &m["audit_head"];
    assert_eq!(head["rows"].as_i64(), Some(table_count(&db, "audit_log")));
    let (last_id, last_hash): (i64, String) = db
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(head["last_id"].as_i64(), Some(last_id));
    assert_eq!(head["last_hash"].as_str(), Some(last_hash.as_str()));
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    m
}

#[tokio::test]
async fn backup_during_writes_then_restore_into_a_new_directory() {
    let mut s = Server::start().await;
    let admin = s.login("admin").await;

    // A stream of customer creations through the API while the backups run.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (stop, written, http, base, token) = (
            stop.clone(),
            written.clone(),
            client(false),
            s.base.clone(),
            admin.clone(),
        );
        tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = json!({"name": format!("并发{i}"), "mobile": mobile(50_000 + i), "consents": {"health_data": true}, "allergies": format!("过敏{i}")});
                let r = http
                    .post(format!("{base}/api/v1/customers"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let dest = s.tmp.path().join("backups");
    let dest_s = dest.to_str().unwrap().to_string();
    let mut seen_during = Vec::new();
    // Each backup starts once a few more writes went through, so writes and backups overlap.
    let more_writes = |n: u32| {
        let written = written.clone();
        async move {
            let target = written.load(Ordering::Relaxed) + n;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while written.load(Ordering::Relaxed) < target {
                assert!(std::time::Instant::now() < deadline, "the writer stalled");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
    for _ in 0..3 {
        more_writes(5).await;
        let out = s
            .cli(&["backup", "--dest", &dest_s, "--keep", "2"], None)
            .await;
        assert!(out.ok(), "backup failed: {out:?}");
        let lines: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "one summary line expected: {:?}",
            out.stdout
        );
        assert!(lines[0].starts_with("backup ok"), "{}", lines[0]);
        seen_during.push(written.load(Ordering::Relaxed));
    }
    more_writes(3).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let total = written.load(Ordering::Relaxed);
    assert!(
        seen_during[0] > 0 && total > seen_during[2],
        "writes must run during the backups: {seen_during:?} / {total}"
    );

    // Rotation kept two, and nothing half-written is left.
    let found = backups_in(&dest);
    assert_eq!(found.len(), 2, "{found:?}");
    // Only the account that made them may open them.
    for b in &found {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(b).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", b.display());
    }
    for b in &found {
        assert!(
            b.is_dir()
                && b.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("liyan-backup-"),
            "{}",
            b.display()
        );
    }
    let manifests: Vec<Value> = found.iter().map(|b| check_against_manifest(b)).collect();
    assert!(
        manifests[0]["counts"]["customers"].as_i64()
            <= manifests[1]["counts"]["customers"].as_i64()
    );
    assert!(
        manifests[1]["counts"]["customers"].as_i64().unwrap() > 20,
        "the backup missed the concurrent writes"
    );
    // Each backup is in the audit log.
    assert_eq!(s.count("SELECT count(*) FROM audit_log WHERE action = 'backup' AND json_extract(changes, '$.ok') = 1"), 3);

    // Restore refuses while the server holds the data directory, and changes nothing.
    let newest = found.last().unwrap().clone();
    let live_customers = s.customer_rows();
    let out = s.cli(&["restore", newest.to_str().unwrap()], None).await;
    assert!(!out.ok(), "restore ran under a live server: {out:?}");
    assert!(
        out.stderr.contains("server") || out.stderr.contains("another liyan"),
        "{out:?}"
    );
    assert_eq!(s.customer_rows(), live_customers);
    assert_eq!(
        s.get(&admin, "/api/v1/me").await.code(),
        200,
        "server disturbed by the refused restore"
    );

    // Restore into a fresh directory, with the key IT kept separately.
    s.kill();
    let m = manifest(&newest);
    let fresh = s.tmp.path().join("restored");
    std::fs::create_dir_all(fresh.join("keys")).unwrap();
    for k in ["field.key", "token.key"] {
        std::fs::copy(s.data.join("keys").join(k), fresh.join("keys").join(k)).unwrap();
    }
    let out = s
        .bin(
            &[
                "restore",
                newest.to_str().unwrap(),
                "--data-dir",
                fresh.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert!(out.ok(), "restore failed: {out:?}");
    assert!(out.stdout.contains("restored"), "{out:?}");
    assert!(
        !out.all().contains("did not stop normally"),
        "a restore is no crash: {out:?}"
    );
    let out = s
        .bin(
            &["audit", "verify", "--data-dir", fresh.to_str().unwrap()],
            None,
        )
        .await;
    assert!(out.ok(), "restored chain does not verify: {out:?}");
    {
        let db = open_ro(&fresh.join("liyan.db"));
        for t in ["customers", "users", "stores", "customer_search"] {
            assert_eq!(
                Some(table_count(&db, t)),
                m["counts"][t].as_i64(),
                "{t} after restore"
            );
        }
        // The chain continues from the manifest's head with one `restore` row.
        let head = &m["audit_head"];
        assert_eq!(
            Some(table_count(&db, "audit_log")),
            head["rows"].as_i64().map(|n| n + 1)
        );
        let hash: String = db
            .query_row(
                "SELECT hash FROM audit_log WHERE id = ?1",
                [head["last_id"].as_i64().unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(Some(hash.as_str()), head["last_hash"].as_str());
        let last: String = db
            .query_row(
                "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(last, "restore");
    }

    // The restored clinic serves, and its encrypted fields open with the kept key.
    s.data = fresh.clone();
    s.spawn().await;
    let admin = s.login("admin").await;
    let id: i64 = s
        .db()
        .query_row(
            "SELECT max(id) FROM customers WHERE allergies_enc IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let r = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert!(
        r.json["allergies"].as_str().unwrap().starts_with("过敏"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn damaged_backups_are_refused_and_failed_backups_leave_nothing() {
    let mut s = Server::with_customers(5).await;
    let dest = s.tmp.path().join("bk");
    let out = s
        .cli(&["backup", "--dest", dest.to_str().unwrap()], None)
        .await;
    assert!(out.ok(), "{out:?}");
    let good = backups_in(&dest).pop().unwrap();

    // Unwritable destination: a path below a regular file.
    let file = s.tmp.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let bad_dest = file.join("sub");
    let out = s
        .cli(&["backup", "--dest", bad_dest.to_str().unwrap()], None)
        .await;
    assert!(
        !out.ok(),
        "backup to an unwritable place succeeded: {out:?}"
    );
    assert!(!out.stderr.trim().is_empty());
    // --dest naming a file says so.
    let out = s
        .cli(&["backup", "--dest", file.to_str().unwrap()], None)
        .await;
    assert!(
        !out.ok() && out.stderr.contains("is a file, not a directory"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    let stray: Vec<_> = std::fs::read_dir(s.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("liyan-backup-") || n.starts_with(".tmp-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    assert_eq!(backups_in(&dest).len(), 1);
    let (action, _, _, _, changes) = s.last_audit();
    assert_eq!(action, "backup");
    assert_eq!(
        serde_json::from_str::<Value>(&changes.unwrap()).unwrap()["ok"],
        false
    );
    let out = s
        .cli(
            &["backup", "--dest", dest.to_str().unwrap(), "--keep", "0"],
            None,
        )
        .await;
    assert!(!out.ok(), "{out:?}");
    s.kill();

    // A manifest whose counts were edited.
    let forged = s.tmp.path().join("forged-manifest");
    copy_dir(&good, &forged);
    let mut m = manifest(&forged);
    m["counts"]["customers"] = json!(m["counts"]["customers"].as_i64().unwrap() + 1);
    std::fs::write(
        forged.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
    // A database with one byte changed.
    let flipped = s.tmp.path().join("flipped-db");
    copy_dir(&good, &flipped);
    let mut bytes = std::fs::read(flipped.join("liyan.db")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(flipped.join("liyan.db"), bytes).unwrap();
    // A manifest that is not JSON, and a directory without one.
    let garbled = s.tmp.path().join("garbled");
    copy_dir(&good, &garbled);
    std::fs::write(garbled.join("manifest.json"), b"{not json").unwrap();
    let bare = s.tmp.path().join("bare");
    copy_dir(&good, &bare);
    std::fs::remove_file(bare.join("manifest.json")).unwrap();

    for bad in [&forged, &flipped, &garbled, &bare] {
        let target = s.tmp.path().join(format!(
            "into-{}",
            bad.file_name().unwrap().to_str().unwrap()
        ));
        let out = s
            .bin(
                &[
                    "restore",
                    bad.to_str().unwrap(),
                    "--data-dir",
                    target.to_str().unwrap(),
                ],
                None,
            )
            .await;
        assert!(!out.ok(), "{} restored: {out:?}", bad.display());
        assert!(
            out.stderr.contains("does not verify") || out.stderr.contains("manifest"),
            "{out:?}"
        );
        assert!(
            !target.join("liyan.db").exists(),
            "{}: a database was written",
            bad.display()
        );
    }

    // Restoring over an existing clinic keeps what it replaces.
    let before = s.customer_rows();
    let out = s.cli(&["restore", good.to_str().unwrap()], None).await;
    assert!(out.ok(), "{out:?}");
    let kept = replaced_copies(&s.data);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].join("liyan.db").exists());
    assert_eq!(
        table_count(&open_ro(&kept[0].join("liyan.db")), "customers"),
        before
    );
    // Restores in quick succession each keep their own copy.
    for _ in 0..2 {
        let out = s.cli(&["restore", good.to_str().unwrap()], None).await;
        assert!(out.ok(), "{out:?}");
    }
    let kept = replaced_copies(&s.data);
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept.iter().all(|k| k.join("liyan.db").exists()), "{kept:?}");
    assert!(!s.data.join(".restoring").exists());

    // Into a directory without the clinic's field key: refused before anything is written.
    assert!(
        s.count("SELECT count(*) FROM customers WHERE allergies_enc IS NOT NULL OR id_number_enc IS NOT NULL") > 0,
        "the fixture has encrypted fields"
    );
    let keyless = s.tmp.path().join("keyless");
    let restore_keyless = || async {
        let (from, into) = (good.to_str().unwrap(), keyless.to_str().unwrap());
        s.bin(&["restore", from, "--data-dir", into], None).await
    };
    let out = restore_keyless().await;
    assert!(
        !out.ok() && out.stderr.contains("no field key at"),
        "{out:?}"
    );
    assert!(out.stderr.contains("没有字段密钥"), "{out:?}");
    assert!(!keyless.join("liyan.db").exists());
    // Another clinic's key is refused the same way.
    std::fs::create_dir_all(keyless.join("keys")).unwrap();
    std::fs::write(keyless.join("keys/field.key"), [7u8; 64]).unwrap();
    let out = restore_keyless().await;
    assert!(!out.ok() && out.stderr.contains("does not open"), "{out:?}");
    assert!(!keyless.join("liyan.db").exists());

    s.spawn().await;
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "{out:?}");
}

/// The `backups/replaced-*` folders a restore kept.
fn replaced_copies(data: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("replaced-")
        })
        .collect()
}
