//! Bad input gets a 4xx `application/problem+json`, never a 500, and writes nothing.

use serde_json::json;

use crate::common::*;

const CUSTOMERS: &str = "/api/v1/customers";
const JSON: &str = "application/json";

/// (what, content type, body, status, problem type or "" for any, field named or "").
type Case = (
    &'static str,
    &'static str,
    Vec<u8>,
    u16,
    &'static str,
    &'static str,
);

fn cases() -> Vec<Case> {
    let m = "13900000001";
    let b = |s: String| s.into_bytes();
    vec![
        (
            "malformed JSON",
            JSON,
            b(format!(r#"{{"name": "a", "mobile": "{m}""#)),
            400,
            "malformed-json",
            "",
        ),
        ("empty body", JSON, vec![], 400, "malformed-json", ""),
        (
            "trailing garbage",
            JSON,
            b(format!(r#"{{"name": "a", "mobile": "{m}"}} x"#)),
            400,
            "malformed-json",
            "",
        ),
        (
            "duplicate keys",
            JSON,
            b(format!(r#"{{"name":"a","name":"b","mobile":"{m}"}}"#)),
            400,
            "duplicate-key",
            "name",
        ),
        (
            "nested duplicate keys",
            JSON,
            b(format!(
                r#"{{"name":"a","mobile":"{m}","consents":{{"privacy":true,"privacy":false}}}}"#
            )),
            400,
            "duplicate-key",
            "",
        ),
        (
            "invalid UTF-8",
            JSON,
            [
                br#"{"name":""#.as_slice(),
                &[0xff, 0xfe],
                br#"","mobile":"13900000001"}"#,
            ]
            .concat(),
            400,
            "malformed-json",
            "",
        ),
        (
            "lone surrogate",
            JSON,
            b(format!(r#"{{"name":"\ud800","mobile":"{m}"}}"#)),
            400,
            "malformed-json",
            "",
        ),
        (
            "deep nesting",
            JSON,
            b(format!("{}{}", "[".repeat(20_000), "]".repeat(20_000))),
            400,
            "malformed-json",
            "",
        ),
        ("array body", JSON, b("[]".into()), 422, "validation", ""),
        (
            "zero-width space inside a name",
            JSON,
            b(format!(r#"{{"name":"李\u200b四","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "soft hyphen inside a name",
            JSON,
            b(format!(r#"{{"name":"李\u00ad四","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "line break inside a name",
            JSON,
            b(format!(r#"{{"name":"张\n三","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "a masked name",
            JSON,
            b(format!(r#"{{"name":"张*","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "a masked WeChat id",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","wechat_id":"***"}}"#
            )),
            422,
            "validation",
            "wechat_id",
        ),
        ("null body", JSON, b("null".into()), 422, "validation", ""),
        (
            "mobile as number",
            JSON,
            b(r#"{"name":"张三","mobile":123}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "name as array",
            JSON,
            b(format!(r#"{{"name":["张三"],"mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "store as string",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","store_id":"1"}}"#
            )),
            422,
            "validation",
            "store_id",
        ),
        (
            "store out of range",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","store_id":1e400}}"#
            )),
            400,
            "",
            "",
        ),
        (
            "consents as text",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","consents":"yes"}}"#
            )),
            422,
            "validation",
            "consents",
        ),
        (
            "unknown consent",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","consents":{{"sms":true}}}}"#
            )),
            422,
            "validation",
            "consents.sms",
        ),
        (
            "unknown field",
            JSON,
            b(format!(r#"{{"name":"张三","mobile":"{m}","vip_level":9}}"#)),
            422,
            "validation",
            "vip_level",
        ),
        (
            "no name",
            JSON,
            b(format!(r#"{{"mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "blank name",
            JSON,
            b(format!(r#"{{"name":"   ","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "control character",
            JSON,
            b(format!(r#"{{"name":"张\u0000三","mobile":"{m}"}}"#)),
            422,
            "validation",
            "name",
        ),
        (
            "no mobile",
            JSON,
            b(r#"{"name":"张三"}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "mobile 12x",
            JSON,
            b(r#"{"name":"张三","mobile":"12345678901"}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "mobile 10 digits",
            JSON,
            b(r#"{"name":"张三","mobile":"1391234567"}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "mobile 12 digits",
            JSON,
            b(r#"{"name":"张三","mobile":"139123456789"}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "mobile letters",
            JSON,
            b(r#"{"name":"张三","mobile":"1391234567a"}"#.into()),
            422,
            "validation",
            "mobile",
        ),
        (
            "id checksum",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","id_number":"110105194912310021"}}"#
            )),
            422,
            "validation",
            "id_number",
        ),
        (
            "id length",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","id_number":"11010519491231002"}}"#
            )),
            422,
            "validation",
            "id_number",
        ),
        (
            "id birthday",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","id_number":"{}"}}"#,
                id_number("19900230", 1)
            )),
            422,
            "validation",
            "id_number",
        ),
        (
            "id in the future",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","id_number":"{}"}}"#,
                id_number("29990101", 1)
            )),
            422,
            "validation",
            "id_number",
        ),
        (
            "birthday format",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","birthday":"1990/01/01"}}"#
            )),
            422,
            "validation",
            "birthday",
        ),
        (
            "birthday impossible",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","birthday":"1990-02-30"}}"#
            )),
            422,
            "validation",
            "birthday",
        ),
        (
            "gender",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","gender":"other"}}"#
            )),
            422,
            "validation",
            "gender",
        ),
        (
            "source",
            JSON,
            b(format!(r#"{{"name":"张三","mobile":"{m}","source":"tv"}}"#)),
            422,
            "validation",
            "source",
        ),
        (
            "no such store",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","store_id":999}}"#
            )),
            422,
            "validation",
            "store_id",
        ),
        (
            "no such consultant",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","consultant_id":99999}}"#
            )),
            422,
            "validation",
            "consultant_id",
        ),
        (
            "notes too long",
            JSON,
            b(format!(
                r#"{{"name":"张三","mobile":"{m}","notes":"{}"}}"#,
                "字".repeat(2001)
            )),
            422,
            "validation",
            "notes",
        ),
        (
            "text/plain",
            "text/plain",
            b(format!(r#"{{"name":"张三","mobile":"{m}"}}"#)),
            400,
            "content-type",
            "",
        ),
        (
            "form",
            "application/x-www-form-urlencoded",
            b(format!("name=a&mobile={m}")),
            400,
            "content-type",
            "",
        ),
        (
            "no content type",
            "",
            b(format!(r#"{{"name":"张三","mobile":"{m}"}}"#)),
            400,
            "content-type",
            "",
        ),
    ]
}

#[tokio::test]
async fn bad_customer_bodies_are_refused_and_write_nothing() {
    let s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    let (customers, audit) = (s.customer_rows(), s.audit_rows());

    for (what, ct, body, status, kind, field) in cases() {
        let mut rb = s.http.post(s.url(CUSTOMERS)).bearer_auth(&admin).body(body);
        if !ct.is_empty() {
            rb = rb.header("content-type", ct);
        }
        let r = into_resp(rb.send().await.unwrap()).await;
        assert_eq!(r.code(), status, "{what}: {}", r.text);
        r.assert_problem(status);
        if !kind.is_empty() {
            assert_eq!(r.problem(), kind, "{what}: {}", r.text);
        }
        if !field.is_empty() {
            assert_eq!(r.error_field(), field, "{what}: {}", r.text);
        }
    }

    // A 3 MB body: 413 before it is read.
    let big = format!(
        r#"{{"name":"张三","mobile":"13900000001","notes":"{}"}}"#,
        "x".repeat(3 * 1024 * 1024)
    );
    let r = s
        .post_raw(&admin, CUSTOMERS, JSON, big.clone().into_bytes(), &[])
        .await;
    r.assert_problem(413);
    let r = s
        .post_raw(&admin, "/api/v1/auth/login", JSON, big.into_bytes(), &[])
        .await;
    r.assert_problem(413);

    // The same on updates of an existing customer.
    let id: i64 = s
        .db()
        .query_row("SELECT min(id) FROM customers", [], |r| r.get(0))
        .unwrap();
    let before: String = s
        .db()
        .query_row(
            "SELECT updated_at || mobile || coalesce(notes, '') FROM customers WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    for body in [
        r#"{"mobile":"12345678901"}"#,
        r#"{"mobile":123}"#,
        r#"{"notes":"a","notes":"b"}"#,
        r#"{"notes":"#,
        r#"{"vip":1}"#,
        r#"{"id_number":"110105194912310021"}"#,
    ] {
        let r = into_resp(
            s.http
                .patch(s.url(&format!("{CUSTOMERS}/{id}")))
                .bearer_auth(&admin)
                .header("content-type", JSON)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(matches!(r.code(), 400 | 422), "PATCH {body}: {}", r.text);
        r.assert_problem(r.code());
    }
    let after: String = s
        .db()
        .query_row(
            "SELECT updated_at || mobile || coalesce(notes, '') FROM customers WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, after);

    // SQL in the quick search is not a query kind: refused, and the table is intact.
    for q in [
        "' OR 1=1 --",
        "\"; DROP TABLE customers; --",
        "1' UNION SELECT name FROM users --",
        "%",
        "*",
        "\\",
    ] {
        let r = into_resp(
            s.http
                .get(s.url(CUSTOMERS))
                .bearer_auth(&admin)
                .query(&[("q", q)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "q", "{q}");
    }
    for path in [
        "/api/v1/customers/1%20OR%201=1",
        "/api/v1/customers/-1",
        "/api/v1/customers/99999999999999999999",
    ] {
        s.get(&admin, path).await.assert_problem(404);
    }
    // Malformed login bodies are refused before any login attempt (so no login_failed row).
    for body in [
        r#"{"username":"admin""#,
        r#"{"username":"admin","password":"x","otp":1}"#,
        r#"{"username":"admin","username":"x","password":"y"}"#,
    ] {
        let r = s
            .post_raw(
                &admin,
                "/api/v1/auth/login",
                JSON,
                body.as_bytes().to_vec(),
                &[],
            )
            .await;
        assert!(matches!(r.code(), 400 | 422), "{body}: {}", r.text);
        r.assert_problem(r.code());
    }

    assert_eq!(s.customer_rows(), customers, "bad input created customers");
    assert_eq!(s.audit_rows(), audit, "bad input left audit rows");
    assert_eq!(
        s.count("SELECT count(*) FROM sqlite_master WHERE name = 'customers'"),
        1
    );

    // Controls: a parameter on the content type is fine, and SQL-looking text is just text.
    let r = s
        .post_raw(
            &admin,
            CUSTOMERS,
            "application/json; charset=utf-8",
            json!({"name": "Robert'); DROP TABLE customers;--", "mobile": "13900000001"})
                .to_string()
                .into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["name"], "Robert'); DROP TABLE customers;--");
    assert_eq!(s.customer_rows(), customers + 1);
}

/// Typed bodies and queries name what is wrong: a missing or unknown key, nested ones by their
/// path, and the Chinese message carries no English parser text.
#[tokio::test]
async fn missing_and_unknown_keys_are_named_in_both_languages() {
    let s = Server::with_customers(1).await;
    let admin = s.login("admin").await;
    let zh_like = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let tags = s.count("SELECT count(*) FROM tags");
    for (path, body, field) in [
        ("/api/v1/tags", json!({"name": "新标签"}), "group_id"),
        (
            "/api/v1/tags",
            json!({"name": "新标签", "group_id": "x"}),
            "group_id",
        ),
        (
            "/api/v1/tags",
            json!({"name": "新标签", "group_id": 1, "colour": "red"}),
            "colour",
        ),
    ] {
        let r = s.post(&admin, path, body.clone()).await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
        let msg = r.json["errors"][0]["message"].as_str().unwrap();
        assert!(zh_like(msg), "{body}: {}", r.text);
        assert!(!msg.contains("expected"), "{body}: {}", r.text);
    }
    assert_eq!(s.count("SELECT count(*) FROM tags"), tags);

    // A bad query parameter is named, and said in words, in each language.
    for (path, field) in [
        ("/api/v1/audit?entity_id=abc", "entity_id"),
        ("/api/v1/audit?before=abc", "before"),
        ("/api/v1/customers?limit=abc", "limit"),
        ("/api/v1/customers?store_id=x", "store_id"),
        ("/api/v1/customers?limit=99999999999999999999", "limit"),
    ] {
        let r = s.get(&admin, path).await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), field, "{path}: {}", r.text);
        assert_eq!(
            r.json["errors"][0]["message"], "须为整数",
            "{path}: {}",
            r.text
        );
        let r = get_in_english(&s, &admin, path).await;
        assert_eq!(
            r.json["errors"][0]["message"], "must be a whole number",
            "{path}: {}",
            r.text
        );
    }
    let r = s.get(&admin, "/api/v1/audit?nope=1").await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "nope", "{}", r.text);
}

#[tokio::test]
async fn problems_speak_the_callers_language() {
    let s = Server::with_customers(2).await;
    let admin = s.login("admin").await;
    let body = r#"{"name":"张三","mobile":"123"}"#.as_bytes().to_vec();
    let zh_like = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut types = Vec::new();
    for (lang, chinese) in [
        (None, true),
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), true),
        (Some("en"), false),
        (Some("en-US,en;q=0.9"), false),
        (Some("fr-FR"), false),
    ] {
        let extra: Vec<(&str, &str)> = lang
            .map(|l| vec![("accept-language", l)])
            .unwrap_or_default();
        let r = s
            .post_raw(&admin, CUSTOMERS, JSON, body.clone(), &extra)
            .await;
        r.assert_problem(422);
        let title = r.json["title"].as_str().unwrap();
        let msg = r.json["errors"][0]["message"].as_str().unwrap();
        assert_eq!(r.error_field(), "mobile");
        if chinese {
            assert!(
                zh_like(title) && zh_like(msg),
                "{lang:?}: expected Chinese, got {}",
                r.text
            );
        } else {
            assert!(
                !zh_like(title) && !zh_like(msg) && title.is_ascii(),
                "{lang:?}: expected English, got {}",
                r.text
            );
        }
        types.push(r.json["type"].clone());
    }
    assert!(
        types.windows(2).all(|w| w[0] == w[1]),
        "the problem type must not depend on the language: {types:?}"
    );

    // Other problem kinds too: unauthenticated, not found, malformed JSON.
    let en = [("accept-language", "en")];
    let r = into_resp(
        s.http
            .get(s.url(CUSTOMERS))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_problem(401);
    assert!(!zh_like(r.json["title"].as_str().unwrap()), "{}", r.text);
    let r = into_resp(s.http.get(s.url(CUSTOMERS)).send().await.unwrap()).await;
    assert!(zh_like(r.json["title"].as_str().unwrap()), "{}", r.text);
    let r = s
        .post_raw(&admin, CUSTOMERS, JSON, b"{".to_vec(), &en)
        .await;
    r.assert_problem(400);
    assert!(!zh_like(r.json["title"].as_str().unwrap()), "{}", r.text);
    let r = get_in_english(&s, &admin, "/api/v1/customers/99999").await;
    r.assert_problem(404);
    assert!(!zh_like(r.json["title"].as_str().unwrap()), "{}", r.text);
}

async fn get_in_english(s: &Server, token: &str, path: &str) -> Resp {
    let rb = s.http.get(s.url(path)).bearer_auth(token);
    into_resp(rb.header("accept-language", "en").send().await.unwrap()).await
}
