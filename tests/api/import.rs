//! Customer import: a workbook saved by LibreOffice, a GBK csv, row errors, duplicates inside
//! the file and against the database, the dry run writing nothing, the commit all or nothing.

use serde_json::{json, Value};

use crate::common::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import-customers.xlsx"
);

async fn upload(s: &Server, token: &str, filename: &str, body: Vec<u8>) -> Resp {
    s.post_raw(
        token,
        &format!("/api/v1/imports?filename={filename}"),
        "application/octet-stream",
        body,
        &[],
    )
    .await
}

/// `dry-run` or `commit` with this mapping.
async fn step(s: &Server, token: &str, id: i64, what: &str, mapping: &Value) -> Resp {
    s.post(
        token,
        &format!("/api/v1/imports/{id}/{what}"),
        json!({ "mapping": mapping }),
    )
    .await
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// Counts that a dry run or a refused commit must leave alone.
fn counts(s: &Server) -> (i64, i64, i64) {
    (
        s.customer_rows(),
        s.audit_rows(),
        s.count("SELECT count(*) FROM customer_search"),
    )
}

async fn one(s: &Server, token: &str, mobile: &str) -> Value {
    let r = s.get(token, &format!("/api/v1/customers?q={mobile}")).await;
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mobile}: {}", r.text);
    let id = items[0]["id"].as_i64().unwrap();
    s.get(token, &format!("/api/v1/customers/{id}")).await.json
}

#[tokio::test]
async fn a_workbook_from_a_spreadsheet_program_imports_and_its_mapping_is_remembered() {
    let s = Server::with_customers(10).await;
    let admin = s.login("admin").await;
    let file = std::fs::read(FIXTURE).unwrap();
    let r = upload(&s, &admin, "import-customers.xlsx", file.clone()).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(r.json["format"], "xlsx");
    assert_eq!(r.json["row_count"], 3);
    assert_eq!(r.json["mapping_source"], "proposed");
    let mapping = r.json["mapping"].clone();
    for (column, field) in [
        ("姓名", "name"),
        ("手机号", "mobile"),
        ("身份证", "id_number"),
        ("性别", "gender"),
        ("生日", "birthday"),
        ("微信", "wechat_id"),
        ("门店", "store"),
        ("来源", "source"),
        ("过敏史", "allergies"),
        ("健康同意", "consents.health_data"),
        ("备注", "notes"),
    ] {
        assert_eq!(mapping[column], field, "{}", r.text);
    }
    // The mobile was a number cell: it comes back without `.0`.
    assert_eq!(r.json["sample"][0]["cells"][1], "16600000101", "{}", r.text);
    // The upload is audited; the file itself is stored encrypted.
    assert_eq!(s.last_audit().0, "upload");
    let sealed: Vec<u8> = s
        .db()
        .query_row("SELECT rows_enc FROM imports WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!contains_bytes(&sealed, "林小雨".as_bytes()));

    let before = counts(&s);
    let dry = step(&s, &admin, id, "dry-run", &mapping).await;
    assert_eq!(dry.code(), 200, "{}", dry.text);
    assert_eq!(dry.json["summary"]["created"], 3, "{}", dry.text);
    assert_eq!(dry.json["summary"]["errors"], 0, "{}", dry.text);
    assert_eq!(counts(&s), before, "the dry run wrote something");

    let audit_before = s.max_audit_id();
    let done = step(&s, &admin, id, "commit", &mapping).await;
    assert_eq!(done.code(), 200, "{}", done.text);
    assert_eq!(done.json["summary"]["created"], 3);
    assert_eq!(s.customer_rows(), before.0 + 3);
    // Each committed row names the customer it created.
    for row in done.json["rows"].as_array().unwrap() {
        let cid = row["customer_id"]
            .as_i64()
            .expect("a created row names its customer");
        assert_eq!(
            s.get(&admin, &format!("/api/v1/customers/{cid}"))
                .await
                .code(),
            200
        );
    }
    let actions: Vec<String> = s
        .audit_since(audit_before)
        .into_iter()
        .map(|a| a.0)
        .filter(|a| a != "view")
        .collect();
    assert_eq!(actions, ["create", "create", "create", "import"]);
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM imports WHERE id = {id} AND rows_enc IS NULL"
        )),
        1,
        "the file is deleted after the commit"
    );

    let lin = one(&s, &admin, "16600000101").await;
    assert_eq!(lin["name"], "林小雨");
    assert_eq!(lin["birthday"], "1990-03-05", "a date cell");
    assert_eq!(lin["gender"], "female");
    assert_eq!(lin["source"], "referral");
    assert_eq!(lin["id_number"], "11010519900305018X");
    assert!(lin["consents"]["health_data"].is_null());
    let chen = one(&s, &admin, "16600000103").await;
    assert_eq!(chen["allergies"], "青霉素过敏");
    assert!(chen["consents"]["health_data"]["granted_at"].is_i64());
    assert_eq!(
        one(&s, &admin, "16600000102").await["store_id"],
        1,
        "总店 by name"
    );

    let list = s.get(&admin, "/api/v1/imports").await;
    assert_eq!(list.code(), 200, "{}", list.text);
    assert_eq!(list.json["items"][0]["id"], id);
    assert_eq!(list.json["items"][0]["status"], "committed");
    let item = s.get(&admin, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(
        item.json["result"]["summary"]["created"], 3,
        "{}",
        item.text
    );

    // Committed once: not again.
    let again = step(&s, &admin, id, "commit", &mapping).await;
    again.assert_problem(409);

    // The same layout later: the committed mapping is offered, and nothing is new.
    let r = upload(&s, &admin, "import-customers.xlsx", file).await;
    assert_eq!(r.json["mapping_source"], "remembered", "{}", r.text);
    assert_eq!(r.json["mapping"], mapping);
    let id2 = r.json["id"].as_i64().unwrap();
    let dry = step(&s, &admin, id2, "dry-run", &mapping).await;
    assert_eq!(dry.json["summary"]["unchanged"], 3, "{}", dry.text);
}

#[tokio::test]
async fn a_gbk_csv_with_errors_commits_nothing_and_duplicates_merge_keeping_conflicts() {
    let s = Server::with_customers(10).await;
    let admin = s.login("admin").await;
    let existing = s
        .create_customer(
            &admin,
            json!({"name": "王美丽", "mobile": mobile(201), "notes": "老客户"}),
        )
        .await;
    let id_number = id_number("19920101", 31);
    let good = format!(
        "姓名,手机,身份证,门店,过敏史,备注,微信\n\
         王美丽,166 0000 0201,,main,,新备注,wx_wang\n\
         王美莉,{m201},,,,,\n\
         赵新,{m202},,,,,\n\
         赵新,{m202},{id_number},,,,\n",
        m201 = mobile(201),
        m202 = mobile(202),
    );
    let bad = format!(
        "{good}\
         坏手机,12345,,,,,\n\
         坏身份证,{m203},110105199001011234,,,,\n\
         未知门店,{m204},,xyz,,,\n\
         无同意,{m205},,,花粉过敏,,\n\
         多处错误,12399,,xyz,,,\n",
        m203 = mobile(203),
        m204 = mobile(204),
        m205 = mobile(205),
    );
    let r = upload(&s, &admin, "客户.csv", gbk(&bad)).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["encoding"], "gbk");
    assert_eq!(r.json["header"][0], "姓名");
    let id = r.json["id"].as_i64().unwrap();
    let mapping = r.json["mapping"].clone();
    assert_eq!(mapping["手机"], "mobile", "{}", r.text);

    let before = counts(&s);
    let dry = step(&s, &admin, id, "dry-run", &mapping).await;
    assert_eq!(dry.code(), 200, "{}", dry.text);
    let sum = &dry.json["summary"];
    assert_eq!(
        (
            &sum["updated"],
            &sum["merged"],
            &sum["created"],
            &sum["errors"]
        ),
        (&json!(1), &json!(2), &json!(1), &json!(5)),
        "{}",
        dry.text
    );
    let actions: Vec<&str> = dry.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["update", "merge", "create", "merge", "error", "error", "error", "error", "error"]
    );
    assert_eq!(dry.json["rows"][0]["customer_id"], existing["id"]);
    assert_eq!(dry.json["rows"][0]["member_no"], existing["member_no"]);
    assert_eq!(dry.json["rows"][1]["merged_into_row"], 2);
    let errors: Vec<(u64, &str)> = dry.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"]["zh"].is_string() && e["message"]["en"].is_string());
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        // Every bad cell of a row, not only the first.
        [
            (6, "手机"),
            (7, "身份证"),
            (8, "门店"),
            (9, "过敏史"),
            (10, "门店"),
            (10, "手机")
        ],
        "{}",
        dry.text
    );
    let conflicts: Vec<(u64, &str)> = dry.json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["row"].as_u64().unwrap(), c["field"].as_str().unwrap()))
        .collect();
    assert_eq!(conflicts, [(2, "notes"), (3, "name")], "{}", dry.text);
    assert_eq!(counts(&s), before, "the dry run wrote something");

    // One bad row and nothing is written.
    let r = step(&s, &admin, id, "commit", &mapping).await;
    r.assert_problem(422);
    assert_eq!(r.problem(), "import-has-errors");
    assert_eq!(counts(&s), before);
    assert!(one(&s, &admin, &mobile(201)).await["wechat_id"].is_null());

    // The good rows alone commit: filled fields, kept conflicts, merged duplicates.
    let r = upload(&s, &admin, "客户.csv", gbk(&good)).await;
    let id = r.json["id"].as_i64().unwrap();
    let audit_before = s.max_audit_id();
    let done = step(&s, &admin, id, "commit", &mapping).await;
    assert_eq!(done.code(), 200, "{}", done.text);
    assert_eq!(s.customer_rows(), before.0 + 1);
    // Every written row names its customer as staff know it, new ones included.
    for r in done.json["rows"].as_array().unwrap() {
        assert!(
            r["member_no"].as_str().is_some_and(|m| m.starts_with('M')),
            "{r}"
        );
    }
    let actions: Vec<String> = s
        .audit_since(audit_before)
        .into_iter()
        .map(|a| a.0)
        .filter(|a| a != "view")
        .collect();
    assert_eq!(actions, ["update", "create", "import"]);
    let wang = one(&s, &admin, &mobile(201)).await;
    assert_eq!(wang["name"], "王美丽", "the existing name is kept");
    assert_eq!(wang["wechat_id"], "wx_wang", "an empty field is filled");
    let notes = wang["notes"].as_str().unwrap();
    assert!(notes.starts_with("老客户\n"), "{notes}");
    assert!(
        notes.contains(&format!("[导入 #{id} 第2行] 备注: 新备注")),
        "{notes}"
    );
    // Notes are read by roles that see names masked: a differing name goes in masked.
    assert!(
        notes.contains(&format!("[导入 #{id} 第3行] 姓名: 王**")),
        "{notes}"
    );
    let zhao = one(&s, &admin, &mobile(202)).await;
    assert_eq!(zhao["id_number"], id_number, "the duplicate row filled it");
    assert_eq!(zhao["birthday"], "1992-01-01");
}

#[tokio::test]
async fn importing_needs_create_update_and_writable_fields_and_has_limits() {
    let s = Server::with_customers(5).await;
    let csv = format!("姓名,手机,过敏史\n甲,{},\n", mobile(301)).into_bytes();
    for user in ["doctor", "nurse", "finance", "auditor", "partner"] {
        let t = s.login(user).await;
        upload(&s, &t, "a.csv", csv.clone())
            .await
            .assert_problem(403);
        s.get(&t, "/api/v1/imports").await.assert_problem(403);
    }
    // The front desk imports, but may not write health fields.
    let fd = s.login("frontdesk").await;
    let r = upload(&s, &fd, "a.csv", csv.clone()).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    // Only fields it may write are offered and proposed.
    assert_eq!(
        r.json["mapping"],
        json!({"姓名": "name", "手机": "mobile"}),
        "{}",
        r.text
    );
    let offered: Vec<&str> = r.json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(offered.contains(&"mobile"), "{offered:?}");
    for health in ["allergies", "medical_history", "skin_type", "concerns"] {
        assert!(!offered.contains(&health), "{health} offered: {offered:?}");
    }
    let r = s
        .post(
            &fd,
            &format!("/api/v1/imports/{id}/dry-run"),
            json!({"mapping": {"姓名": "name", "手机": "mobile", "过敏史": "allergies"}}),
        )
        .await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "allergies");
    let r = s
        .post(
            &fd,
            &format!("/api/v1/imports/{id}/dry-run"),
            json!({"mapping": {"姓名": "name"}}),
        )
        .await;
    r.assert_problem(422);
    // Another store's front desk does not see this import.
    let fd2 = s.login("frontdesk2").await;
    s.post(
        &fd2,
        &format!("/api/v1/imports/{id}/dry-run"),
        json!({"mapping": {"姓名": "name", "手机": "mobile"}}),
    )
    .await
    .assert_problem(404);
    assert_eq!(
        s.get(&fd2, "/api/v1/imports").await.json["items"],
        json!([])
    );

    let admin = s.login("admin").await;
    let big = vec![b'a'; 20 * 1024 * 1024 + 1];
    let r = upload(&s, &admin, "big.csv", big).await;
    r.assert_problem(413);
    assert_eq!(r.problem(), "payload-too-large");
    upload(&s, &admin, "a.pdf", b"%PDF-1.4".to_vec())
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn a_row_without_the_health_consent_names_each_health_value() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let csv = format!(
        "姓名,手机,过敏史,孕期或哺乳期,职业\n无同意,{},花粉,是,教师\n",
        mobile(301)
    );
    let dry = proposed_dry_run(&s, &admin, csv).await;
    let fields: Vec<&str> = dry.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["allergies", "cf_pregnant_or_nursing"],
        "{}",
        dry.text
    );

    // A coded column's refusal names the words a clinic's file holds, not only the codes.
    let csv = format!("姓名,手机,性别\n性别错,{},X\n", mobile(302));
    let dry = proposed_dry_run(&s, &admin, csv).await;
    let e = &dry.json["errors"][0];
    assert_eq!(e["field"], "gender", "{}", dry.text);
    assert_eq!(e["message"]["zh"], "取值须为 女/男/未知", "{}", dry.text);
}

#[tokio::test]
async fn a_row_about_customers_out_of_reach_says_only_that() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    // Two customers of the head store: one with this mobile, the other with this ID number.
    s.create_customer(
        &admin,
        json!({"name": "甲", "mobile": mobile(401), "store_id": 1}),
    )
    .await;
    s.create_customer(&admin, full_customer("乙", &mobile(402)))
        .await;
    // The other store's front desk may not learn that they are two different people.
    let fd2 = s.login("frontdesk2").await;
    let csv = format!(
        "姓名,手机,身份证号
探查,{},11010519491231002X
",
        mobile(401)
    );
    let dry = proposed_dry_run(&s, &fd2, csv).await;
    let e = &dry.json["errors"][0];
    assert_eq!(e["field"], "mobile", "{}", dry.text);
    assert_eq!(
        e["message"]["zh"], "该客户已存在，但不在您可修改的范围内",
        "{}",
        dry.text
    );
}

/// Uploads a csv and dry-runs it with the mapping proposed from its header.
async fn proposed_dry_run(s: &Server, token: &str, csv: String) -> Resp {
    let r = upload(s, token, "rows.csv", csv.into_bytes()).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    step(s, token, id, "dry-run", &r.json["mapping"]).await
}
