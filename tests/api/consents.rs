//! Consent forms: template versions, signing on screen, immutability, hash verification and
//! every default role, through the real server.

use serde_json::{json, Value};

use crate::common::*;
use crate::photos::{customer, get_bytes, png, upload};

async fn templates(s: &Server, token: &str) -> Resp {
    s.get(token, "/api/v1/consent-templates").await
}

fn current_of(list: &Value, category: &str) -> Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["category"] == category)
        .cloned()
        .unwrap()
}

async fn sign(s: &Server, token: &str, customer: i64, version_id: i64, body: Vec<u8>) -> Resp {
    s.post_raw(
        token,
        &format!("/api/v1/customers/{customer}/signed-consents?template_version_id={version_id}"),
        "image/png",
        body,
        &[],
    )
    .await
}

#[tokio::test]
async fn templates_are_versioned_and_old_versions_never_change() {
    let s = Server::with_customers(0).await;
    let manager = s.login("manager").await;
    let l = templates(&s, &manager).await;
    assert_eq!(l.code(), 200, "{}", l.text);
    let energy = current_of(&l.json, "energy");
    assert_eq!(energy["version"], 1);
    assert!(
        energy["body"].as_str().unwrap().contains("防晒"),
        "{energy}"
    );
    assert!(current_of(&l.json, "injection")["title"]
        .as_str()
        .unwrap()
        .contains("注射"));
    assert!(l.json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["zh"] == "皮肤管理"));

    let id = energy["id"].as_i64().unwrap();
    let r = s
        .put(
            &manager,
            &format!("/api/v1/consent-templates/{id}"),
            json!({"title": "光电类项目治疗知情同意书", "body": "新版正文：治疗后严格防晒。"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["version"], 2);
    assert_ne!(r.json["version_id"], energy["version_id"]);
    let h = s
        .get(&manager, &format!("/api/v1/consent-templates/{id}"))
        .await;
    let versions = h.json["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[1]["body"], energy["body"],
        "version 1 is kept as it was"
    );
    assert_eq!(s.last_audit().0, "update");
    // Sending the template back whole, its unchanged category included, is fine; changing the
    // category is not, and writes nothing.
    let path = format!("/api/v1/consent-templates/{id}");
    let audits = s.audit_rows();
    let same = s
        .put(&manager, &path, json!({"category": "energy", "title": "光电类项目治疗知情同意书", "body": "新版正文：治疗后严格防晒。"}))
        .await;
    assert_eq!(same.code(), 200, "{}", same.text);
    assert_eq!(same.json["version"], 2, "nothing changed, no new version");
    let other = s
        .put(
            &manager,
            &path,
            json!({"category": "surgery", "title": "x", "body": "y"}),
        )
        .await;
    other.assert_problem(422);
    assert_eq!(other.error_field(), "category");
    assert_eq!(s.audit_rows(), audits);

    // Categories are fixed, new templates start at version 1.
    let r = s
        .post(
            &manager,
            "/api/v1/consent-templates",
            json!({"category": "surgery", "title": "双眼皮手术知情同意书", "body": "手术风险……"}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["version"], 1);
    let r = s
        .post(
            &manager,
            "/api/v1/consent-templates",
            json!({"category": "tattoo", "title": "x", "body": "y"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "category");

    // The database refuses to change or remove a version.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let e = db
        .execute(
            "UPDATE consent_template_versions SET body = 'x' WHERE template_id = ?1",
            [id],
        )
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    assert!(db
        .execute("DELETE FROM consent_template_versions", [])
        .is_err());
}

#[tokio::test]
async fn a_signed_consent_is_immutable_and_its_hash_verifies() {
    let s = Server::with_customers(0).await;
    let doctor = s.login("doctor").await;
    let admin = s.login("admin").await;
    let c = s
        .customer_id(
            &admin,
            json!({"name": "签字客户", "mobile": mobile(80_001)}),
        )
        .await;
    let injection = current_of(&templates(&s, &doctor).await.json, "injection");
    let version_id = injection["version_id"].as_i64().unwrap();

    let r = sign(&s, &doctor, c, version_id, png(300, 120)).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["verified"], true);
    assert_eq!(r.json["version"], 1);
    assert_eq!(r.json["body"], injection["body"]);
    assert_eq!(r.json["signed_by_name"], "王医生");
    assert!(!r.json["clinic_name"].as_str().unwrap().is_empty());
    let hash = r.json["hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(s.last_audit().1, "signed_consent");

    let g = s
        .get(&doctor, &format!("/api/v1/signed-consents/{id}"))
        .await;
    assert_eq!(g.code(), 200, "{}", g.text);
    assert_eq!(
        (g.json["verified"].clone(), g.json["hash"].clone()),
        (json!(true), json!(hash))
    );
    let (code, cc, ct, sig) = get_bytes(
        &s,
        &doctor,
        &format!("/api/v1/signed-consents/{id}/signature"),
    )
    .await;
    assert_eq!(
        (code, cc.as_str(), ct.as_str()),
        (200, "no-store", "image/png")
    );
    assert!(image::load_from_memory(&sig).is_ok());
    let t = s
        .get(&doctor, &format!("/api/v1/customers/{c}/timeline"))
        .await;
    assert!(
        t.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "consent.signed"),
        "{}",
        t.text
    );
    let l = s
        .get(&doctor, &format!("/api/v1/customers/{c}/signed-consents"))
        .await;
    assert_eq!(l.json["items"].as_array().unwrap().len(), 1);

    // Not a PNG, an outdated version: refused.
    sign(
        &s,
        &doctor,
        c,
        version_id,
        crate::photos::jpeg_with_gps(100, 50),
    )
    .await
    .assert_problem(415);
    let manager = s.login("manager").await;
    let tid = injection["id"].as_i64().unwrap();
    s.put(
        &manager,
        &format!("/api/v1/consent-templates/{tid}"),
        json!({"title": "注射类项目治疗知情同意书", "body": "第二版"}),
    )
    .await;
    let r = sign(&s, &doctor, c, version_id, png(300, 120)).await;
    r.assert_problem(409);
    assert_eq!(r.problem(), "consent-template-outdated");

    // The database refuses changes; with the trigger removed by force, the hash exposes them.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let e = db
        .execute("UPDATE signed_consents SET signed_at = signed_at + 1", [])
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    assert!(db.execute("DELETE FROM signed_consents", []).is_err());
    db.execute_batch("DROP TRIGGER signed_consents_no_update; UPDATE signed_consents SET signed_at = signed_at + 1;").unwrap();
    let g = s
        .get(&doctor, &format!("/api/v1/signed-consents/{id}"))
        .await;
    assert_eq!(g.json["verified"], false, "{}", g.text);
}

#[tokio::test]
async fn every_default_role_reads_and_signs_as_its_policy_allows() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let c = s.customer_id(&admin, json!({"name": "角色客户", "mobile": mobile(80_002), "consultant_id": s.user_id("consultant")})).await;
    let energy = current_of(&templates(&s, &admin).await.json, "energy");
    let version_id = energy["version_id"].as_i64().unwrap();
    let first = sign(&s, &admin, c, version_id, png(200, 100)).await;
    let id = first.json["id"].as_i64().unwrap();

    // (user, reads templates, edits templates, signs, reads signed consents)
    let table = [
        ("admin", true, true, true, true),
        ("manager", true, true, true, true),
        ("consultant", true, false, true, true),
        ("doctor", true, false, true, true),
        ("nurse", true, false, true, true),
        ("auditor", true, false, false, true),
        ("frontdesk", true, false, false, false),
        ("finance", true, false, false, false),
        ("marketing", true, false, false, false),
        ("channel", true, false, false, false),
        ("partner", false, false, false, false),
    ];
    for (user, reads_t, edits_t, signs, reads_s) in table {
        let t = s.login(user).await;
        assert_eq!(templates(&s, &t).await.code() == 200, reads_t, "{user}");
        let r = s
            .post(
                &t,
                "/api/v1/consent-templates",
                json!({"category": "product", "title": format!("{user} 产品说明"), "body": "正文"}),
            )
            .await;
        assert_eq!(r.code() == 201, edits_t, "{user}: {}", r.text);
        let r = sign(&s, &t, c, version_id, png(200, 100)).await;
        assert_eq!(r.code() == 201, signs, "{user}: {}", r.text);
        let g = s.get(&t, &format!("/api/v1/signed-consents/{id}")).await;
        assert_eq!(g.code() == 200, reads_s, "{user}: {}", g.text);
        if reads_s {
            assert_eq!(g.json["verified"], true, "{user}");
            assert_eq!(
                get_bytes(&s, &t, &format!("/api/v1/signed-consents/{id}/signature"))
                    .await
                    .0,
                200,
                "{user}"
            );
        } else {
            g.assert_problem(403);
        }
    }
}

/// A privacy access copy (PIPL) holds the customer's photos and signed forms too; a role that may
/// not read a section gets it named as left out.
#[tokio::test]
async fn the_access_copy_includes_photos_and_signed_forms() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let doctor = s.login("doctor").await;
    let c = customer(&s, &admin, 811, true).await;
    let r = upload(
        &s,
        &doctor,
        c,
        "area=face&kind=before",
        "image/png",
        png(64, 64),
    )
    .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let version_id = current_of(&templates(&s, &doctor).await.json, "injection")["version_id"]
        .as_i64()
        .unwrap();
    let r = sign(&s, &doctor, c, version_id, png(300, 120)).await;
    assert_eq!(r.code(), 201, "{}", r.text);

    let copy = s
        .post(
            &admin,
            &format!("/api/v1/customers/{c}/pipl/access"),
            json!({"reason": "客户要求获取个人信息副本"}),
        )
        .await;
    assert_eq!(copy.code(), 200, "{}", copy.text);
    assert_eq!(
        copy.json["photos"].as_array().unwrap().len(),
        1,
        "{}",
        copy.text
    );
    assert_eq!(copy.json["photos"][0]["area"], "face");
    let signed = copy.json["signed_consents"].as_array().unwrap();
    assert_eq!(signed.len(), 1, "{}", copy.text);
    assert_eq!(signed[0]["verified"], true);
    assert_eq!(copy.json["omitted"], json!([]));
    let changes: String = s
        .db()
        .query_row(
            "SELECT result FROM pipl_requests WHERE kind = 'access' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the request is recorded");
    assert!(
        changes.contains("photos") && changes.contains("signed_consents"),
        "{changes}"
    );
}
