//! Customer profiles: validation, duplicates, consent, names, quick search, paging, soft
//! delete, reveal, and encryption at rest.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::*;

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

async fn search(s: &Server, token: &str, q: &str) -> Vec<i64> {
    let url = format!("/api/v1/customers?limit=200&q={}", urlencode(q));
    let r = s.get(token, &url).await;
    assert_eq!(r.code(), 200, "search {q}: {}", r.text);
    ids(r.json["items"].as_array().unwrap())
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn create_normalises_refuses_duplicates_and_needs_health_consent() {
    let s = Server::with_customers(10).await;
    let admin = s.login("admin").await;
    let c = s
        .create_customer(
            &admin,
            json!({"name": "王小丫", "mobile": "+86 139-1234-5678", "consents": {"privacy": true}}),
        )
        .await;
    assert_eq!(c["mobile"], "13912345678");
    let member_no = c["member_no"].as_str().unwrap().to_string();
    assert_eq!(member_no, "M000011");
    assert_eq!(c["store_id"], 1);
    assert_eq!(c["gender"], "unknown");
    assert!(c["consents"]["privacy"]["granted_at"].is_i64(), "{c}");
    assert_eq!(c["consents"]["privacy"]["version"], "2026.1");
    assert!(c["consents"]["health_data"].is_null());
    let id = c["id"].as_i64().unwrap();
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM customers WHERE mobile = '13912345678' AND id = {id}"
        )),
        1
    );

    let rows = s.customer_rows();
    let audits = s.audit_rows();
    for dup in ["139 1234 5678", "0086 13912345678", "13912345678"] {
        let r = s
            .post(
                &admin,
                "/api/v1/customers",
                json!({"name": "重复者", "mobile": dup}),
            )
            .await;
        r.assert_problem(409);
        assert_eq!(r.problem(), "duplicate-mobile");
        assert_eq!(r.json["existing_id"], id, "{}", r.text);
        assert!(
            r.json["title"].as_str().unwrap().contains(&member_no),
            "title must point at {member_no}: {}",
            r.text
        );
        assert_eq!(r.error_field(), "mobile");
    }
    // The front desk, too, is pointed at the existing record.
    let fd = s.login("frontdesk").await;
    let r = s
        .post(
            &fd,
            "/api/v1/customers",
            json!({"name": "重复者", "mobile": "13912345678"}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.json["existing_id"], id);
    assert!(
        r.json["title"].as_str().unwrap().contains(&member_no),
        "{}",
        r.text
    );
    // The other store's front desk and a consultant cannot see that customer: they learn that
    // the mobile is taken, and nothing about whose it is.
    for user in ["frontdesk2", "consultant"] {
        let t = s.login(user).await;
        let r = s
            .post(
                &t,
                "/api/v1/customers",
                json!({"name": "重复者", "mobile": "13912345678"}),
            )
            .await;
        r.assert_problem(409);
        assert_eq!(r.problem(), "duplicate-mobile", "{user}: {}", r.text);
        assert_eq!(r.error_field(), "mobile", "{user}: {}", r.text);
        assert!(r.json["existing_id"].is_null(), "{user}: {}", r.text);
        assert!(!r.text.contains(&member_no), "{user}: {}", r.text);
        assert!(!r.text.contains("王小丫"), "{user}: {}", r.text);
    }
    // Moving another customer onto that mobile is refused too.
    let other = s
        .create_customer(&admin, json!({"name": "另一位", "mobile": mobile(5)}))
        .await["id"]
        .as_i64()
        .unwrap();
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{other}"),
            json!({"mobile": "13912345678"}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.json["existing_id"], id);

    // Health details need the separate health-data consent.
    let rows2 = s.customer_rows();
    let audits2 = s.audit_rows();
    for health in [
        json!({"allergies": "花粉"}),
        json!({"medical_history": "高血压"}),
        json!({"skin_type": "dry"}),
    ] {
        let mut body =
            json!({"name": "无同意", "mobile": mobile(6), "consents": {"privacy": true}});
        body.as_object_mut()
            .unwrap()
            .extend(health.as_object().unwrap().clone());
        let r = s.post(&admin, "/api/v1/customers", body).await;
        r.assert_problem(409);
        assert!(
            r.json["type"]
                .as_str()
                .unwrap()
                .ends_with("health-consent-required"),
            "{}",
            r.text
        );
    }
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"allergies": "花粉"}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.problem(), "health-consent-required");
    assert_eq!(
        r.error_field(),
        "allergies",
        "the field is named: {}",
        r.text
    );
    assert_eq!(
        (s.customer_rows(), s.audit_rows()),
        (rows2, audits2),
        "a refused write left rows"
    );
    assert_eq!(rows2, rows + 1);
    assert!(audits2 > audits);
    // With the consent, the same write passes.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"allergies": "花粉", "consents": {"health_data": true}}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["allergies"], "花粉");
    // Withdrawing it while health data is on file is refused as well.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"consents": {"health_data": false}}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.error_field(), "allergies", "{}", r.text);
    assert!(
        r.json["title"].as_str().unwrap().contains("撤回"),
        "says what to do: {}",
        r.text
    );

    // ID number: birthday and gender are derived, a contradiction is refused.
    let idn = id_number("19880808", 123);
    let r = s
        .post(
            &admin,
            "/api/v1/customers",
            json!({"name": "身份证", "mobile": mobile(7), "id_number": idn}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["birthday"], "1988-08-08");
    assert_eq!(r.json["gender"], "male");
    let r = s
        .post(
            &admin,
            "/api/v1/customers",
            json!({"name": "身份证二", "mobile": mobile(8), "id_number": idn}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.problem(), "duplicate-id-number");
    let r = s.post(&admin, "/api/v1/customers", json!({"name": "矛盾", "mobile": mobile(9), "id_number": id_number("19880808", 124), "gender": "male"})).await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "gender");

    // A change never leaves the record contradicting its ID number, and a new number does not
    // silently rewrite what was recorded.
    let with_id = s.customer_id(&admin, json!({"name": "改生日", "mobile": mobile(10), "id_number": id_number("19900307", 123)}))
        .await;
    let plain = s.customer_id(&admin, json!({"name": "改证号", "mobile": mobile(11), "gender": "female", "birthday": "1985-05-05"})).await;
    let before = s.audit_rows();
    for (id, body, field) in [
        (with_id, json!({"birthday": "1991-01-01"}), "birthday"),
        (with_id, json!({"gender": "female"}), "gender"),
        (
            plain,
            json!({"id_number": id_number("19900307", 135)}),
            "id_number",
        ),
        (
            plain,
            json!({"id_number": id_number("19850505", 135)}),
            "id_number",
        ),
    ] {
        let r = s
            .patch(&admin, &format!("/api/v1/customers/{id}"), body.clone())
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
    }
    assert_eq!(s.audit_rows(), before, "nothing written");
    let r = s.get(&admin, &format!("/api/v1/customers/{plain}")).await;
    assert_eq!(
        (r.json["birthday"].as_str(), r.json["gender"].as_str()),
        (Some("1985-05-05"), Some("female"))
    );
    // With the corrected values sent along, the new number is taken.
    let idn = id_number("19900307", 136);
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{plain}"),
            json!({"id_number": idn, "birthday": "1990-03-07", "gender": "female"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(
        (r.json["id_number"].as_str(), r.json["birthday"].as_str()),
        (Some(idn.as_str()), Some("1990-03-07"))
    );
    // The number agreeing with the record needs nothing more.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{with_id}"),
            json!({"id_number": id_number("19900307", 133), "notes": "换证"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
}

#[tokio::test]
async fn names_round_trip_byte_exact() {
    let s = Server::with_customers(3).await;
    let admin = s.login("admin").await;
    for (i, name) in [
        "𠮷野家",
        "买买提·艾力",
        "欧阳娜娜",
        "Zoë O'Brien-李",
        "龘靐",
    ]
    .iter()
    .enumerate()
    {
        let c = s
            .create_customer(
                &admin,
                json!({"name": name, "mobile": mobile(20 + i as u32)}),
            )
            .await;
        let id = c["id"].as_i64().unwrap();
        assert_eq!(c["name"], *name);
        let r = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(r.json["name"].as_str().unwrap().as_bytes(), name.as_bytes());
        let stored: Vec<u8> = s
            .db()
            .query_row(
                "SELECT CAST(name AS BLOB) FROM customers WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, name.as_bytes(), "stored bytes of {name}");
    }
    let r = s
        .post(
            &admin,
            "/api/v1/customers",
            json!({"name": "名".repeat(51), "mobile": mobile(40)}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "name");
    let c = s
        .create_customer(
            &admin,
            json!({"name": "名".repeat(50), "mobile": mobile(41)}),
        )
        .await;
    assert_eq!(c["name"].as_str().unwrap().chars().count(), 50);
}

#[tokio::test]
async fn quick_search_by_mobile_name_pinyin_and_member_no() {
    let s = Server::with_customers(40).await;
    let admin = s.login("admin").await;
    let mut made = std::collections::HashMap::new();
    for (name, m) in [
        ("曾小红", "13912345678"),
        ("单丽", "13698761234"),
        ("𠮷野家", "15511112222"),
        ("买买提·艾力", "17744445555"),
        ("欧阳娜娜", "18800009999"),
    ] {
        let c = s
            .create_customer(&admin, json!({"name": name, "mobile": m}))
            .await;
        made.insert(
            name,
            (
                c["id"].as_i64().unwrap(),
                c["member_no"].as_str().unwrap().to_string(),
            ),
        );
    }
    let zeng = made["曾小红"].0;
    let shan = made["单丽"].0;
    let cases: &[(&str, i64, bool)] = &[
        ("13912345678", zeng, true),
        ("139 1234 5678", zeng, true),
        ("+86 139-1234-5678", zeng, true),
        ("8613912345678", zeng, true),
        ("0086 13912345678", zeng, true),
        ("139-1234", zeng, true),
        ("1391234", zeng, true),
        ("5678", zeng, true),
        ("1234", shan, true),
        ("曾", zeng, true),
        ("小红", zeng, true),
        ("曾小红", zeng, true),
        ("zxh", zeng, true),
        ("ZXH", zeng, true),
        ("zengxiaohong", zeng, true),
        ("zeng", zeng, true),
        ("cxh", zeng, false),
        ("cengxiaohong", zeng, false),
        ("sl", shan, true),
        ("shanli", shan, true),
        ("dl", shan, false),
        ("danli", shan, false),
        ("单丽", shan, true),
        ("丽", shan, true),
        ("𠮷", made["𠮷野家"].0, true),
        ("𠮷野", made["𠮷野家"].0, true),
        ("𠮷野家", made["𠮷野家"].0, true),
        ("艾力", made["买买提·艾力"].0, true),
        ("买买提", made["买买提·艾力"].0, true),
        ("买买提·艾力", made["买买提·艾力"].0, true),
        ("mmtal", made["买买提·艾力"].0, true),
        ("欧阳娜", made["欧阳娜娜"].0, true),
        ("阳娜娜", made["欧阳娜娜"].0, true),
        ("oynn", made["欧阳娜娜"].0, true),
        ("娜欧", made["欧阳娜娜"].0, false),
    ];
    for (q, id, found) in cases {
        let got = search(&s, &admin, q).await;
        assert_eq!(
            got.contains(id),
            *found,
            "q={q}: {id} {} in {got:?}",
            if *found { "missing" } else { "unexpected" }
        );
        let unique: BTreeSet<_> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "q={q}: duplicates in {got:?}");
    }
    for (name, (id, no)) in &made {
        assert_eq!(
            search(&s, &admin, no).await,
            vec![*id],
            "member no {no} of {name}"
        );
        // As staff say it, without the zero padding: M000007 is "m7".
        let short = format!("m{}", no[1..].trim_start_matches('0'));
        assert_eq!(
            search(&s, &admin, &short).await,
            vec![*id],
            "{short} for {no}"
        );
        assert_eq!(search(&s, &admin, &no.to_lowercase()).await, vec![*id]);
    }
    // The tail search finds every customer with that tail, and only those.
    let tail_sql =
        "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND substr(mobile, 8) = '5678'";
    assert_eq!(
        search(&s, &admin, "5678").await.len() as i64,
        s.count(tail_sql)
    );
    // Demo names: a surname search returns exactly the customers whose name holds it.
    let wang = s
        .count("SELECT count(*) FROM customers WHERE deleted_at IS NULL AND instr(name, '王') > 0");
    assert_eq!(search(&s, &admin, "王").await.len() as i64, wang);

    // Unrecognisable queries are refused, not guessed.
    for q in ["' OR 1=1 --", "张3", "a_b", "123456789012"] {
        let r = s
            .get(&admin, &format!("/api/v1/customers?q={}", urlencode(q)))
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "q", "{q}");
    }
}

#[tokio::test]
async fn keyset_paging_walks_every_customer_once() {
    let s = Server::with_customers(45).await;
    let admin = s.login("admin").await;
    // A deleted one must not show up.
    let gone = s
        .create_customer(&admin, json!({"name": "已删除", "mobile": mobile(1)}))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.delete(&admin, &format!("/api/v1/customers/{gone}"))
            .await
            .code(),
        204
    );

    let items = walk(&s, &admin, "", 7).await;
    let got = ids(&items);
    let unique: BTreeSet<i64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "duplicates across pages");
    let db = s.db();
    let mut st = db
        .prepare("SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id DESC")
        .unwrap();
    let want: Vec<i64> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        got, want,
        "pages must list every live customer once, newest first"
    );
    assert!(!got.contains(&gone));

    // Paging a search: front desk, own store, names with 王 (or whatever the demo has most).
    let fd = s.login("frontdesk").await;
    let by_store = walk(&s, &fd, "", 7).await;
    assert_eq!(
        by_store.len() as i64,
        s.count("SELECT count(*) FROM customers WHERE deleted_at IS NULL AND store_id = 1")
    );
    let surname: String = s
        .db()
        .query_row("SELECT substr(name, 1, 1) AS c FROM customers WHERE deleted_at IS NULL GROUP BY c ORDER BY count(*) DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let paged = walk(&s, &admin, &urlencode(&surname), 1).await;
    let all = search(&s, &admin, &surname).await;
    assert_eq!(
        ids(&paged),
        all,
        "a searched list paged by 1 differs from one page"
    );

    // A pinyin prefix matches several terms of one customer (initials and full spelling):
    // paging must still list each customer once.
    let z = walk(&s, &admin, "z", 3).await;
    let z_ids = ids(&z);
    let z_unique: BTreeSet<i64> = z_ids.iter().copied().collect();
    assert_eq!(
        z_unique.len(),
        z_ids.len(),
        "q=z paged by 3 lists a customer twice: {z_ids:?}"
    );
    assert_eq!(
        z_unique,
        search(&s, &admin, "z")
            .await
            .into_iter()
            .collect::<BTreeSet<_>>()
    );

    for bad in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "after=not-a-cursor",
        "sort=name",
    ] {
        let r = s.get(&admin, &format!("/api/v1/customers?{bad}")).await;
        r.assert_problem(422);
    }
}

#[tokio::test]
async fn soft_delete_keeps_the_row_and_hides_it() {
    let s = Server::with_customers(3).await;
    let admin = s.login("admin").await;
    let id = s
        .create_customer(&admin, json!({"name": "待删除", "mobile": "13512340000"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/customers/{id}");
    let fd = s.login("frontdesk").await;
    s.delete(&fd, &path).await.assert_problem(403);
    assert_eq!(s.delete(&admin, &path).await.code(), 204);
    s.get(&admin, &path).await.assert_problem(404);
    s.patch(&admin, &path, json!({"notes": "x"}))
        .await
        .assert_problem(404);
    s.delete(&admin, &path).await.assert_problem(404);
    assert!(search(&s, &admin, "13512340000").await.is_empty());
    let (name, deleted_at): (String, Option<i64>) = s
        .db()
        .query_row(
            "SELECT name, deleted_at FROM customers WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(name, "待删除");
    assert!(deleted_at.is_some(), "deleted_at not set");
    // The mobile is free again for a new profile.
    s.create_customer(&admin, json!({"name": "新人", "mobile": "13512340000"}))
        .await;
}

#[tokio::test]
async fn reveal_is_allowed_per_role_and_audited() {
    let s = Server::with_customers(3).await;
    let admin = s.login("admin").await;
    let id = s
        .create_customer(&admin, full_customer("揭示", "13812345678"))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/customers/{id}");
    let fd = s.login("frontdesk").await;
    assert_eq!(
        s.view(&fd, "frontdesk", id).await.json["mobile"],
        "138****5678"
    );
    let before = s.max_audit_id();
    let r = s
        .post(&fd, &format!("{path}/reveal"), json!({"field": "mobile"}))
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json, json!({"field": "mobile", "value": "13812345678"}));
    let r = s
        .post(
            &fd,
            &format!("{path}/reveal"),
            json!({"field": "id_number"}),
        )
        .await;
    assert_eq!(r.json["value"], "11010519491231002X");
    let rows = s.audit_since(before);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.0 == "reveal" && r.1 == "customer" && r.2 == Some(id) && r.3 == "frontdesk"),
        "{rows:?}"
    );

    // A hidden field stays hidden, reveal or not; unknown fields are named.
    let r = s
        .post(
            &fd,
            &format!("{path}/reveal"),
            json!({"field": "allergies"}),
        )
        .await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "allergies");
    let r = s
        .post(
            &fd,
            &format!("{path}/reveal"),
            json!({"field": "shoe_size"}),
        )
        .await;
    r.assert_problem(422);
    // Roles without the reveal action.
    for user in ["doctor", "nurse", "finance", "auditor"] {
        let t = s.login(user).await;
        let r = s
            .post(&t, &format!("{path}/reveal"), json!({"field": "mobile"}))
            .await;
        r.assert_problem(403);
        assert_eq!(r.problem(), "forbidden", "{user}");
    }
    let reveals = s
        .audit_since(before)
        .into_iter()
        .filter(|r| r.0 == "reveal")
        .count();
    assert_eq!(reveals, 2, "refused reveals must not be logged as reveals");

    // The customer's own trail shows who looked (admin and auditor may read it).
    let r = s.get(&admin, &format!("{path}/audit")).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let items = r.json["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["action"] == "view" && i["actor"] == "frontdesk"),
        "{}",
        r.text
    );
    assert_eq!(items.iter().filter(|i| i["action"] == "reveal").count(), 2);
    assert!(items.iter().all(|i| i["entity_id"] == id));
    s.get(&fd, &format!("{path}/audit"))
        .await
        .assert_problem(403);
}

#[tokio::test]
async fn searching_by_a_hidden_field_is_refused() {
    let s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    let id = s
        .create_customer(&admin, json!({"name": "隐藏手机", "mobile": "13912345678"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let mk = s.login("marketing").await;
    // Masked (marketing sees 139****5678 and 隐**): found by the whole number, its last 4 or its
    // first 7 digits, never by a part that would tell the hidden digits, nor by parts of a name.
    for q in ["13912345678", "5678", "1391234"] {
        assert!(search(&s, &mk, q).await.contains(&id), "{q}");
    }
    for (q, field) in [
        ("139", "mobile"),
        ("13912", "mobile"),
        ("139123", "mobile"),
        ("隐藏", "name"),
        ("隐藏手机", "name"),
        ("ycsj", "name"),
    ] {
        let r = s
            .get(&mk, &format!("/api/v1/customers?q={}", urlencode(q)))
            .await;
        r.assert_problem(403);
        assert_eq!(r.problem(), "masked-field", "{q}: {}", r.text);
        assert_eq!(r.error_field(), field, "{q}: {}", r.text);
    }
    // A page's cursor carries the last term of a search, here a whole mobile: it is sealed, so
    // it neither shows the number nor can be forged to probe where a number falls.
    s.create_customer(
        &admin,
        json!({"name": "隐藏手机二", "mobile": "13912345679"}),
    )
    .await;
    let page = s.get(&mk, "/api/v1/customers?q=1391234&limit=1").await;
    assert_eq!(page.code(), 200, "{}", page.text);
    let cursor = page.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&cursor)
        .unwrap();
    assert!(!contains_bytes(&raw, b"1391234"), "{cursor}");
    let next = s
        .get(
            &mk,
            &format!("/api/v1/customers?q=1391234&limit=1&after={cursor}"),
        )
        .await;
    assert_eq!(next.code(), 200, "{}", next.text);
    assert_eq!(
        next.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        next.text
    );
    let forged =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("9999999\u{1f}m:13912345678");
    let r = s
        .get(
            &mk,
            &format!("/api/v1/customers?q=1391234&limit=1&after={forged}"),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "after", "{}", r.text);
    let r = s.put(&admin, "/api/v1/access/field-policy", json!({"role": "marketing", "entity": "customer", "field": "mobile", "policy": "hidden"})).await;
    assert_eq!(r.code(), 204, "{}", r.text);
    for q in ["13912345678", "5678", "139123"] {
        let r = s.get(&mk, &format!("/api/v1/customers?q={q}")).await;
        r.assert_problem(403);
        assert_eq!(r.error_field(), "mobile", "{q}: {}", r.text);
    }
    let r = s.get(&mk, &format!("/api/v1/customers/{id}")).await;
    assert!(r.json.get("mobile").is_none(), "{}", r.text);
    // Searching by what the role does see still works.
    let member_no = s.get(&admin, &format!("/api/v1/customers/{id}")).await.json["member_no"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(search(&s, &mk, &member_no).await, vec![id]);
}

#[tokio::test]
async fn identity_and_health_values_are_encrypted_at_rest() {
    let mut s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    let c = s
        .create_customer(&admin, full_customer("加密", "13700002222"))
        .await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["id_number"], "11010519491231002X");
    assert_eq!(c["allergies"], "青霉素过敏XYZ");
    assert_eq!(c["medical_history"], "甲状腺结节随访中QRS");
    let secrets = ["11010519491231002X", "青霉素过敏XYZ", "甲状腺结节随访中QRS"];

    // Both the main file and the WAL, while the server runs.
    let files = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        ["liyan.db", "liyan.db-wal"]
            .iter()
            .filter_map(|f| std::fs::read(dir.join(f)).ok().map(|b| (f.to_string(), b)))
            .collect()
    };
    let live = files(&s.data);
    assert!(
        live.iter()
            .any(|(f, b)| f == "liyan.db-wal" && !b.is_empty())
            || live.iter().any(|(f, _)| f == "liyan.db")
    );
    // Control: a plain field of the same row is found, so the search itself works.
    assert!(
        live.iter()
            .any(|(_, b)| contains_bytes(b, "13700002222".as_bytes())),
        "control value not found in the files"
    );
    for (f, bytes) in &live {
        for secret in secrets {
            assert!(
                !contains_bytes(bytes, secret.as_bytes()),
                "{secret} in clear in {f}"
            );
        }
    }
    let raw: (Vec<u8>, Option<String>) = s
        .db()
        .query_row(
            "SELECT id_number_enc, id_number_masked FROM customers WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(raw.0.len() > 18);
    assert_eq!(raw.1.as_deref(), Some("1101**********002X"));

    let dest = s.tmp.path().join("bk");
    let out = s
        .cli(&["backup", "--dest", dest.to_str().unwrap()], None)
        .await;
    assert!(out.ok(), "{out:?}");
    let backup = std::fs::read_dir(&dest)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(backup.join("liyan.db")).unwrap();
    assert!(
        contains_bytes(&bytes, "13700002222".as_bytes()),
        "control value missing from the backup"
    );
    for secret in secrets {
        assert!(
            !contains_bytes(&bytes, secret.as_bytes()),
            "{secret} in clear in the backup"
        );
    }
    assert!(
        !backup.join("keys").exists(),
        "the key must not travel with the backup"
    );

    // After a restart everything is still in the files only as ciphertext, and readable.
    s.kill();
    for (f, bytes) in files(&s.data) {
        for secret in secrets {
            assert!(
                !contains_bytes(&bytes, secret.as_bytes()),
                "{secret} in clear in {f} after stop"
            );
        }
    }
    s.spawn().await;
    let admin = s.login("admin").await;
    let r = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(r.json["id_number"], "11010519491231002X");
    assert_eq!(r.json["allergies"], "青霉素过敏XYZ");

    let key = s.data.join("keys/field.key");
    let meta = std::fs::metadata(&key).expect("field key file");
    assert_eq!(meta.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "field.key mode");
        let dir = std::fs::metadata(s.data.join("keys")).unwrap();
        assert_eq!(
            dir.permissions().mode() & 0o077,
            0,
            "keys dir must be private"
        );
    }

    // The key put back by a plain `cp` (mode 0644) is made private again at start.
    s.kill();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = s.cli(&["user", "list"], None).await;
        assert!(out.ok(), "{out:?}");
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "field.key made private again");
    }
    // Without its key a database that holds encrypted fields is not opened, and no new key is
    // made: data written under one would be lost to the real key.
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    for args in [
        &["serve"][..],
        &["backup", "--dest", "bk"],
        &["user", "list"],
    ] {
        let out = s.cli(args, None).await;
        assert!(!out.ok(), "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("field key") && out.stderr.contains("is missing"),
            "{out:?}"
        );
        assert!(out.stderr.contains("缺少字段密钥"), "{out:?}");
        assert!(!key.exists(), "{args:?} made a new key");
    }
    // Another clinic's key is refused too.
    std::fs::write(&key, [7u8; 64]).unwrap();
    let out = s.cli(&["serve"], None).await;
    assert!(!out.ok() && out.stderr.contains("does not open"), "{out:?}");
    assert!(out.stderr.contains("无法解密"), "{out:?}");
    // The right key back: served as before.
    std::fs::write(&key, &saved).unwrap();
    s.spawn().await;
    let admin = s.login("admin").await;
    let r = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(r.json["id_number"], "11010519491231002X");
}

/// A customer's consultant is active staff of the clinic, and a consultant cannot
/// write a customer out of their own reach.
#[tokio::test]
async fn consultants_are_staff_of_the_store_and_keep_what_they_create() {
    let s = Server::with_customers(2).await;
    let admin = s.login("admin").await;
    let consultant = s.login("consultant").await;
    let user = |name: &str| s.count(&format!("SELECT id FROM users WHERE username = '{name}'"));
    let rows = (s.customer_rows(), s.audit_rows());
    for (who, body, status, field) in [
        (
            &consultant,
            json!({"name": "咨询建", "mobile": mobile(301), "consultant_id": null}),
            403,
            "consultant_id",
        ),
        (
            &consultant,
            json!({"name": "咨询建", "mobile": mobile(302), "consultant_id": user("admin")}),
            403,
            "consultant_id",
        ),
        (
            &admin,
            json!({"name": "渠道", "mobile": mobile(303), "consultant_id": user("partner")}),
            422,
            "consultant_id",
        ),
    ] {
        let r = s.post(who, "/api/v1/customers", body.clone()).await;
        r.assert_problem(status);
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
    }
    assert_eq!((s.customer_rows(), s.audit_rows()), rows);

    // Without naming one, the consultant becomes the consultant, and can open the record.
    let c = s
        .create_customer(
            &consultant,
            json!({"name": "咨询建", "mobile": mobile(305)}),
        )
        .await;
    assert_eq!(c["consultant_id"], user("consultant"));
    let r = s
        .get(&consultant, &format!("/api/v1/customers/{}", c["id"]))
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
}

/// Pinyin terms written under older rules (here: the rare reading "shan" of the surname 邓) are
/// rewritten once at the next start, and searches then follow the current rules.
#[tokio::test]
async fn pinyin_terms_of_older_rules_are_rewritten_at_start() {
    let mut s = Server::with_customers(3).await;
    let admin = s.login("admin").await;
    let deng = s
        .create_customer(&admin, json!({"name": "邓超", "mobile": mobile(401)}))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(search(&s, &admin, "dc").await, vec![deng]);
    assert!(search(&s, &admin, "shanchao").await.is_empty());
    assert_eq!(s.stop().code(), Some(0));
    {
        let db = rusqlite::Connection::open(s.db_path()).unwrap();
        db.execute_batch(&format!(
            "INSERT INTO customer_search (term, customer_id) VALUES ('y:sc', {deng}), ('y:shanchao', {deng});
             DELETE FROM counters WHERE name = 'pinyin_rules';"
        ))
        .unwrap();
    }
    s.spawn().await;
    let admin = s.login("admin").await;
    assert_eq!(search(&s, &admin, "dc").await, vec![deng]);
    assert!(search(&s, &admin, "shanchao").await.is_empty());
    assert!(!search(&s, &admin, "sc").await.contains(&deng));
    assert_eq!(
        s.count("SELECT value FROM counters WHERE name = 'pinyin_rules'"),
        2
    );
}
