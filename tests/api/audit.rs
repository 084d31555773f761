//! One audit row per write, no identity or health values in it, and a hash chain that catches
//! an edited row.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

/// Runs `op`, then asserts it added exactly one audit row with this action, entity and id.
macro_rules! one_row {
    ($s:expr, ($action:expr, $entity:expr, $id:expr, $actor:expr), $op:expr) => {{
        let before = $s.max_audit_id();
        let out = $op;
        let rows = $s.audit_since(before);
        assert_eq!(
            rows.len(),
            1,
            "{} {}: expected one audit row, got {rows:?}",
            $action,
            $entity
        );
        let (action, entity, id, actor) = &rows[0];
        assert_eq!(
            (action.as_str(), entity.as_str(), actor.as_str()),
            ($action, $entity, $actor),
            "{rows:?}"
        );
        let want: Option<i64> = $id;
        if want.is_some() {
            assert_eq!(*id, want, "{rows:?}");
        }
        out
    }};
}

fn changes_of_last(s: &Server) -> Value {
    serde_json::from_str(&s.last_audit().4.expect("changes")).unwrap()
}

#[tokio::test]
async fn every_write_adds_exactly_one_audit_row() {
    let s = Server::with_customers(5).await;
    let admin = one_row!(
        s,
        ("login", "user", Some(s.user_id("admin")), "admin"),
        s.login("admin").await
    );
    one_row!(
        s,
        ("login_failed", "user", Some(s.user_id("admin")), "admin"),
        s.login_resp("admin", "Wrong-pass1")
            .await
            .assert_problem(401)
    );

    let mut body = full_customer("审计客户", "13700001111");
    body["birthday"] = json!("1949-12-31");
    let created = one_row!(
        s,
        ("create", "customer", None, "admin"),
        s.create_customer(&admin, body).await
    );
    let id = created["id"].as_i64().unwrap();
    assert_eq!(s.last_audit().2, Some(id));
    // Identity and health values: only the fact that they were set.
    let c = changes_of_last(&s);
    for f in [
        "id_number",
        "allergies",
        "medical_history",
        "skin_type",
        "birthday",
    ] {
        assert_eq!(c[f], json!({"changed": true}), "create changes.{f}: {c}");
    }
    assert_eq!(c["name"], json!({"old": null, "new": "审计客户"}), "{c}");
    assert_eq!(c["mobile"]["new"], "13700001111");
    // Nothing came before a new record: no invented "" or 0.
    assert_eq!(c["store_id"]["old"], Value::Null, "{c}");

    let path = format!("/api/v1/customers/{id}");
    // A view is recorded too (by a background writer: `view` waits for its row).
    one_row!(
        s,
        ("view", "customer", Some(id), "admin"),
        assert_eq!(s.view(&admin, "admin", id).await.code(), 200)
    );
    one_row!(s, ("update", "customer", Some(id), "admin"), {
        let r = s
            .patch(
                &admin,
                &path,
                json!({"allergies": "海鲜过敏UVW", "notes": "改过备注"}),
            )
            .await;
        assert_eq!(r.code(), 200, "{}", r.text);
    });
    let c = changes_of_last(&s);
    assert_eq!(c["allergies"], json!({"changed": true}), "{c}");
    assert_eq!(c["notes"]["new"], "改过备注", "{c}");
    assert_eq!(
        c.as_object().unwrap().len(),
        2,
        "only the changed fields: {c}"
    );
    one_row!(s, ("update", "customer", Some(id), "admin"), {
        let r = s
            .patch(
                &admin,
                &path,
                // A number with another birth date and gender comes with the corrected values.
                json!({"id_number": id_number("19900101", 7), "birthday": "1990-01-01", "gender": "male"}),
            )
            .await;
        assert_eq!(r.code(), 200, "{}", r.text);
    });
    let c = changes_of_last(&s);
    assert_eq!(c["id_number"], json!({"changed": true}), "{c}");
    assert_eq!(c["birthday"], json!({"changed": true}), "{c}");

    let fd = s.login("frontdesk").await;
    one_row!(s, ("reveal", "customer", Some(id), "frontdesk"), {
        let r = s
            .post(&fd, &format!("{path}/reveal"), json!({"field": "mobile"}))
            .await;
        assert_eq!(r.code(), 200, "{}", r.text);
    });
    assert_eq!(changes_of_last(&s), json!({"field": "mobile"}));
    one_row!(s, ("permission_change", "access", None, "admin"), {
        let r = s.put(&admin, "/api/v1/access/field-policy", json!({"role": "nurse", "entity": "customer", "field": "notes", "policy": "hidden"})).await;
        assert_eq!(r.code(), 204, "{}", r.text);
    });
    let uid = one_row!(s, ("create", "user", None, "admin"), {
        let r = s.post(&admin, "/api/v1/users", json!({"username": "auditme", "display_name": "审计新人", "role": "nurse", "store_id": 1, "password": "Start#2026x"})).await;
        assert_eq!(r.code(), 201, "{}", r.text);
        r.json["id"].as_i64().unwrap()
    });
    assert_eq!(s.last_audit().2, Some(uid));
    one_row!(s, ("update", "store", Some(2), "admin"), {
        let r = s
            .patch(&admin, "/api/v1/stores/2", json!({"name": "东区旗舰店"}))
            .await;
        assert_eq!(r.code(), 204, "{}", r.text);
    });
    // Another store's name, or one with an invisible character in it, is refused and writes nothing.
    let before = s.audit_rows();
    for name in ["东区旗舰店", "总\u{200b}店"] {
        let r = s
            .patch(&admin, "/api/v1/stores/1", json!({ "name": name }))
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "name", "{}", r.text);
    }
    assert_eq!(s.audit_rows(), before);
    one_row!(
        s,
        ("delete", "customer", Some(id), "admin"),
        assert_eq!(s.delete(&admin, &path).await.code(), 204)
    );
    one_row!(
        s,
        ("logout", "user", Some(s.user_id("frontdesk")), "frontdesk"),
        {
            assert_eq!(
                s.send(Method::POST, Some(&fd), "/api/v1/auth/logout", None)
                    .await
                    .code(),
                204
            );
        }
    );

    // No value of an identity or health field anywhere in the log.
    let db = s.db();
    let mut st = db
        .prepare("SELECT coalesce(changes, '') FROM audit_log")
        .unwrap();
    let all: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for secret in [
        "11010519491231002X",
        &id_number("19900101", 7),
        "青霉素过敏XYZ",
        "海鲜过敏UVW",
        "甲状腺结节随访中QRS",
        "1949-12-31",
        "1990-01-01",
    ] {
        assert!(
            !all.iter().any(|c| c.contains(secret)),
            "audit_log.changes holds {secret}"
        );
    }

    // The admin browser shows the same rows, newest first, filtered by entity.
    let r = s
        .get(
            &admin,
            &format!("/api/v1/audit?entity=customer&entity_id={id}"),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["delete", "reveal", "update", "update", "view", "create"]
    );
    // The front desk logged out above: its token is dead.
    s.get(&fd, "/api/v1/audit").await.assert_problem(401);
    let nurse = s.login("nurse").await;
    s.get(&nurse, "/api/v1/audit").await.assert_problem(403);
    let auditor = s.login("auditor").await;
    assert_eq!(
        s.get(&auditor, "/api/v1/audit?action=permission_change")
            .await
            .json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "{out:?}");
    assert!(out.stdout.contains("intact"), "{out:?}");
}

#[tokio::test]
async fn views_of_one_customer_by_one_person_in_the_same_second_are_one_row_with_their_count() {
    let s = Server::with_customers(1).await;
    let admin = s.login("admin").await;
    let nurse = s.login("nurse").await;
    let id = s.count("SELECT min(id) FROM customers");
    let path = format!("/api/v1/customers/{id}");
    // Five reloads by the admin and one look by the nurse, all at once.
    let gets: Vec<_> = (0..5)
        .map(|_| s.get(&admin, &path))
        .chain([s.get(&nurse, &path)])
        .collect();
    for r in futures_util::future::join_all(gets).await {
        assert_eq!(r.code(), 200, "{}", r.text);
    }
    // The customer's audit panel flushes pending views before it reads.
    let r = s.get(&admin, &format!("{path}/audit")).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let views = |actor: &str| -> Vec<i64> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["action"] == "view" && i["actor"] == actor)
            .map(|i| i["changes"]["times"].as_i64().unwrap_or(1))
            .collect()
    };
    let admin_views = views("admin");
    assert_eq!(admin_views.iter().sum::<i64>(), 5, "{}", r.text);
    assert!(
        admin_views.len() < 5,
        "equal views were not merged: {}",
        r.text
    );
    assert_eq!(views("nurse"), [1], "{}", r.text);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "{out:?}");
}

#[tokio::test]
async fn the_log_is_append_only_and_an_edited_row_is_named() {
    let mut s = with_history(100).await;
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "intact chain must verify: {out:?}");
    let rows = s.audit_rows();
    assert!(out.stdout.contains(&format!("{rows} rows")), "{out:?}");
    s.kill();

    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let k: i64 = db
        .query_row(
            "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let last: i64 = db
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert!(k < last);
    // While the triggers exist, the database itself refuses edits and deletions.
    let e = db
        .execute("UPDATE audit_log SET actor = 'mallory' WHERE id = ?1", [k])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = db
        .execute("DELETE FROM audit_log WHERE id = ?1", [last])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert_eq!(
        db.query_row(
            "SELECT count(*) FROM audit_log WHERE actor = 'mallory'",
            [],
            |r| r.get::<_, i64>(0)
        )
        .unwrap(),
        0
    );

    let original_actor: String = db
        .query_row("SELECT actor FROM audit_log WHERE id = ?1", [k], |r| {
            r.get(0)
        })
        .unwrap();
    db.execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    assert_eq!(
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = ?1", [k])
            .unwrap(),
        1
    );
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(!out.ok(), "verify passed an edited chain: {out:?}");
    assert!(
        out.all().contains(&format!("row {k} ")),
        "verify must name row {k}: {out:?}"
    );
    acknowledged_break_lets_backups_go_on(&s, k).await;

    // Put the row back: the chain verifies again. Then delete a row: the next one's link breaks
    // and is named.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute(
        "UPDATE audit_log SET actor = ?2 WHERE id = ?1",
        rusqlite::params![k, original_actor],
    )
    .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "restored row must verify again: {out:?}");
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute_batch("DROP TRIGGER audit_log_no_delete")
        .unwrap();
    db.execute("DELETE FROM audit_log WHERE id = ?1", [last - 1])
        .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok(),
        "verify passed a chain with a removed row: {out:?}"
    );
    assert!(
        out.all().contains(&format!("row {last} ")),
        "verify must name row {last}: {out:?}"
    );

    // An acknowledgment is a row of the log: taken out, its break is unacknowledged again.
    let out = acknowledge(&s, last, "删除事件已记录").await;
    assert!(out.ok(), "{out:?}");
    assert!(s.cli(&["audit", "verify"], None).await.ok());
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute(
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log WHERE action = 'acknowledge_break')",
        [],
    )
    .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(!out.ok(), "{out:?}");
    assert!(out.all().contains(&format!("row {last} ")), "{out:?}");
}

/// A server whose log holds a login and three new customers (mobiles from `first_mobile`).
async fn with_history(first_mobile: u32) -> Server {
    let s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    for i in 0..3 {
        s.create_customer(
            &admin,
            json!({"name": format!("链{i}"), "mobile": mobile(first_mobile + i)}),
        )
        .await;
    }
    s
}

/// `liyan audit acknowledge-break --row ROW --reason REASON`.
async fn acknowledge(s: &Server, row: i64, reason: &str) -> Output {
    s.cli(
        &[
            "audit",
            "acknowledge-break",
            "--row",
            &row.to_string(),
            "--reason",
            reason,
        ],
        None,
    )
    .await
}

/// An acknowledged break pins the row and the link before it: removing the history before it,
/// or editing the acknowledgment, breaks the chain again.
#[tokio::test]
async fn an_acknowledged_break_pins_what_comes_before_it() {
    let mut s = with_history(300).await;
    s.kill();
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
        .unwrap();
    let k: i64 = db
        .query_row(
            "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 4",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute("DELETE FROM audit_log WHERE id = ?1", [k])
        .unwrap();
    drop(db);
    let next = k + 1;
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok() && out.all().contains(&format!("row {next} ")),
        "{out:?}"
    );
    // What comes before a link break is shown, so that an inserted row stands out.
    assert!(
        out.stderr
            .contains(&format!("the row before it is audit row {}:", k - 1)),
        "{out:?}"
    );
    assert!(acknowledge(&s, next, "第 k 行被删，已记录").await.ok());
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        out.ok()
            && out
                .stdout
                .contains(&format!("acknowledged break at row {next} (link)")),
        "{out:?}"
    );

    // History before the acknowledged row cannot go quietly afterwards.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute("DELETE FROM audit_log WHERE id < ?1", [k])
        .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok()
            && out.all().contains(&format!("row {next} "))
            && out.all().contains("acknowledged before")
            && out
                .all()
                .contains("the rows at the start of the log were removed"),
        "{out:?}"
    );
    // Examined again, it can be acknowledged again; verify lists the newer acknowledgment.
    assert!(acknowledge(&s, next, "之前的行也被删除，院长决定保留现库")
        .await
        .ok());
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        out.ok()
            && out.stdout.contains("院长决定保留现库")
            && out.stdout.contains("acknowledged again"),
        "{out:?}"
    );
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'acknowledge_break'"),
        2
    );

    // The acknowledgment's own row is checked like any other: edited, it acknowledges nothing,
    // and the break it covered is the first one named again.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let ack_row: i64 = db
        .query_row(
            "SELECT max(id) FROM audit_log WHERE action = 'acknowledge_break'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute(
        "UPDATE audit_log SET changes = replace(changes, '院长', '某人') WHERE id = ?1",
        [ack_row],
    )
    .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok() && out.all().contains(&format!("row {next} ")),
        "{out:?}"
    );
    let out = acknowledge(&s, ack_row, "x").await;
    assert!(
        !out.ok() && out.all().contains(&format!("is at row {next},")),
        "{out:?}"
    );
}

/// The chain is broken at `row` (an edited row): backups stop until IT acknowledges the break,
/// which pins the row as it is and is itself logged; a second edit of the row breaks it again.
async fn acknowledged_break_lets_backups_go_on(s: &Server, row: i64) {
    let dest = s.tmp.path().join("after-break");
    let dest_s = dest.to_str().unwrap();
    let out = s.cli(&["backup", "--dest", dest_s], None).await;
    assert!(
        !out.ok() && out.all().contains("does not verify"),
        "{out:?}"
    );

    let before = s.audit_rows();
    // Only the break verify names, with a reason, is recorded.
    let out = acknowledge(s, row + 1, "已核查").await;
    assert!(
        !out.ok() && out.all().contains(&format!("row {row},")),
        "{out:?}"
    );
    let out = acknowledge(s, row, "  ").await;
    assert!(!out.ok() && out.all().contains("reason"), "{out:?}");
    let out = acknowledge(s, row, "第一行\n第二行").await;
    assert!(!out.ok() && out.all().contains("reason"), "{out:?}");
    assert_eq!(s.audit_rows(), before);

    let out = acknowledge(
        s,
        row,
        "2026-11 actor 被改，院长决定保留现库 / owner keeps the database",
    )
    .await;
    assert!(out.ok(), "{out:?}");
    assert!(out.stdout.contains("backups work again"), "{out:?}");
    assert_eq!(s.audit_rows(), before + 1);
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'acknowledge_break' AND entity = 'system' AND entity_id = {row}"
        )),
        1
    );
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.ok(), "{out:?}");
    assert!(
        out.stdout
            .contains(&format!("acknowledged break at row {row} (content)"))
            && out.stdout.contains("owner keeps the database"),
        "{out:?}"
    );
    let out = acknowledge(s, row, "再次确认").await;
    assert!(
        !out.ok() && out.all().contains("no unacknowledged break"),
        "{out:?}"
    );

    // Backups work again, and carry the acknowledgment in their manifest.
    let out = s.cli(&["backup", "--dest", dest_s], None).await;
    assert!(out.ok(), "{out:?}");
    let backup = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("manifest.json").exists())
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["audit_acknowledged_breaks"][0]["row_id"], row);
    assert_eq!(
        manifest["audit_acknowledged_breaks"][0]["problem"],
        "content"
    );

    // The row changed again after it was acknowledged: a new break, and verify says so.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute("UPDATE audit_log SET actor = 'eve' WHERE id = ?1", [row])
        .unwrap();
    drop(db);
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok()
            && out.all().contains(&format!("row {row} "))
            && out
                .all()
                .contains("acknowledged before and it has changed since"),
        "{out:?}"
    );
}

#[tokio::test]
async fn logged_values_are_shown_under_the_readers_field_policy() {
    let s = Server::with_customers(2).await;
    let admin = s.login("admin").await;
    let c = s
        .create_customer(
            &admin,
            json!({"name": "温小暖", "mobile": "13911112222", "store_id": 1}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"mobile": "13933334444", "name": "温暖"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let path = format!("/api/v1/audit?entity=customer&entity_id={id}&action=update");

    let as_admin = s.get(&admin, &path).await;
    let changes = &as_admin.json["items"][0]["changes"];
    assert_eq!(
        changes["mobile"],
        json!({"old": "13911112222", "new": "13933334444"})
    );
    assert_eq!(changes["name"], json!({"old": "温小暖", "new": "温暖"}));

    // The auditor sees customer mobiles and names masked, in the log as on the record.
    let auditor = s.login("auditor").await;
    let as_auditor = s.get(&auditor, &path).await;
    assert_eq!(as_auditor.code(), 200, "{}", as_auditor.text);
    let changes = &as_auditor.json["items"][0]["changes"];
    assert_eq!(
        changes["mobile"],
        json!({"old": "139****2222", "new": "139****4444"})
    );
    assert_eq!(changes["name"], json!({"old": "温**", "new": "温*"}));
    assert!(
        !as_auditor.text.contains("13933334444") && !as_auditor.text.contains("温暖\""),
        "{}",
        as_auditor.text
    );
}

/// An acknowledgment counts only in a sound row after the break: one forged into a row that is
/// itself broken acknowledges nothing, and verify names the earlier break it tried to cover.
#[tokio::test]
async fn a_forged_acknowledgment_in_a_broken_row_acknowledges_nothing() {
    let mut s = with_history(500).await;
    s.kill();
    let (a, b): (i64, i64) = {
        let db = rusqlite::Connection::open(s.db_path()).unwrap();
        db.execute_batch("DROP TRIGGER audit_log_no_update")
            .unwrap();
        let ids = db
            .query_row("SELECT min(id) + 2, max(id) FROM audit_log", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        db.execute(
            "UPDATE audit_log SET actor = 'mallory' WHERE id = ?1",
            [ids.0],
        )
        .unwrap();
        ids
    };
    // The attacker makes a genuine-looking acknowledgment of row a on a copy of the data...
    let copy = s.tmp.path().join("copy");
    let status = std::process::Command::new("cp")
        .args(["-a", s.data.to_str().unwrap(), copy.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let forged = s
        .bin(
            &[
                "audit",
                "acknowledge-break",
                "--data-dir",
                copy.to_str().unwrap(),
                "--row",
                &a.to_string(),
                "--reason",
                "已批准",
            ],
            None,
        )
        .await;
    assert!(forged.ok(), "{forged:?}");
    let pin: String = rusqlite::Connection::open(copy.join("liyan.db"))
        .unwrap()
        .query_row(
            "SELECT changes FROM audit_log WHERE action = 'acknowledge_break'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // ...and writes it over a later row of the real log, which breaks that row.
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .execute(
            "UPDATE audit_log SET action = 'acknowledge_break', entity = 'system', entity_id = ?1, changes = ?2 WHERE id = ?3",
            rusqlite::params![a, pin, b],
        )
        .unwrap();
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(
        !out.ok() && out.all().contains(&format!("row {a} ")),
        "{out:?}"
    );
    // Acknowledging only the forged row is refused: row a comes first.
    let out = acknowledge(&s, b, "row b found edited").await;
    assert!(
        !out.ok() && out.all().contains(&format!("is at row {a},")),
        "{out:?}"
    );
}
