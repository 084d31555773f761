//! Duplicate finder and merge; PIPL requests (copy, restrict, lift, erase).

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn duplicates_are_found_and_merged_keeping_both_histories() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let keep = s
        .customer_id(
            &admin,
            json!({"name": "周晓梅", "mobile": mobile(601), "birthday": "1990-05-06", "notes": "老客户",
                   "consents": {"privacy": true, "health_data": true}, "allergies": "青霉素"}),
        ).await;
    let dup = s
        .customer_id(
            &admin,
            json!({"name": "周晓梅", "mobile": mobile(602), "birthday": "1990-05-06", "wechat_id": "wx_zxm",
                   "consents": {"privacy": true, "health_data": true, "marketing": true}, "allergies": "海鲜", "tags": [2]}),
        ).await;
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{dup}/consultations"),
            json!({"way": "onsite", "outcome": "deal"}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let referred = s
        .customer_id(
            &admin,
            json!({"name": "被推荐人", "mobile": mobile(603), "referrer_id": dup}),
        )
        .await;

    let d = s.get(&admin, "/api/v1/customers/duplicates").await;
    assert_eq!(d.code(), 200, "{}", d.text);
    let group = d.json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["reason"] == "name_birthday")
        .expect("the pair is found");
    let ids: Vec<i64> = group["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&keep) && ids.contains(&dup), "{}", d.text);
    // Front desk may not merge (no delete), and a refused merge changes nothing.
    let desk = s.login("frontdesk").await;
    let before = s.audit_rows();
    s.merge(&desk, keep, dup).await.assert_problem(403);
    assert_eq!(s.merge(&admin, keep, keep).await.error_field(), "from");
    assert_eq!(s.audit_rows(), before);

    let m = s.merge(&admin, keep, dup).await;
    assert_eq!(m.code(), 200, "{}", m.text);
    let c = &m.json;
    assert_eq!(
        c["mobile"],
        mobile(601),
        "the kept customer keeps its mobile"
    );
    assert_eq!(c["wechat_id"], "wx_zxm", "empty fields are filled");
    assert_eq!(c["allergies"], "青霉素；海鲜", "allergies of both are kept");
    // Masked: nurses, doctors and finance read the notes but see mobiles masked.
    let m602 = mobile(602);
    assert!(
        c["notes"]
            .as_str()
            .unwrap()
            .contains(&format!("手机 {}****{}", &m602[..3], &m602[7..])),
        "the other mobile is kept in the notes, masked: {c}"
    );
    assert!(
        !c["consents"]["marketing"].is_null(),
        "consents are combined"
    );
    assert_eq!(c["stage"], "deal");
    assert_eq!(c["tags"][0]["id"], 2);
    // The duplicate is gone from lists but its history lives on the kept customer.
    s.get(&admin, &format!("/api/v1/customers/{dup}"))
        .await
        .assert_problem(404);
    let o = s
        .get(&admin, &format!("/api/v1/customers/{keep}/overview"))
        .await;
    assert_eq!(
        o.json["consultations"].as_array().unwrap().len(),
        1,
        "{}",
        o.text
    );
    assert_eq!(o.json["referred"][0]["id"], referred);
    let kinds: Vec<&str> = o.json["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"customer.merged") && kinds.contains(&"consultation.created"),
        "{kinds:?}"
    );
    assert_eq!(s.count(&format!("SELECT count(*) FROM audit_log WHERE action = 'merge' AND entity_id IN ({keep}, {dup})")), 2);
    // The merged duplicate's mobile is free again.
    let again = s
        .post(
            &admin,
            "/api/v1/customers",
            json!({"name": "新号", "mobile": mobile(602)}),
        )
        .await;
    assert_eq!(again.code(), 201, "{}", again.text);
    assert!(s.cli(&["audit", "verify"], None).await.ok());
}

#[tokio::test]
async fn two_different_id_numbers_are_never_merged() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let a = s
        .customer_id(
            &admin,
            json!({"name": "同名", "mobile": mobile(611), "id_number": id_number("19900506", 1)}),
        )
        .await;
    let b = s
        .customer_id(
            &admin,
            json!({"name": "同名", "mobile": mobile(612), "id_number": id_number("19900506", 3)}),
        )
        .await;
    let r = s.merge(&admin, a, b).await;
    r.assert_problem(409);
    assert_eq!(
        s.get(&admin, &format!("/api/v1/customers/{b}"))
            .await
            .code(),
        200
    );
}

#[tokio::test]
async fn pipl_copy_restriction_and_erasure_are_recorded_and_keep_what_the_law_keeps() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let mut body = full_customer("隐私客户", "13911112222");
    body["tags"] = json!([1]);
    let id = s.customer_id(&admin, body).await;
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{id}/consultations"),
            json!({"way": "onsite", "needs": "咨询祛斑"}),
        )
        .await;
    assert_eq!(r.code(), 201);
    let referred = s
        .customer_id(
            &admin,
            json!({"name": "朋友", "mobile": mobile(621), "referrer_id": id}),
        )
        .await;

    // A copy of everything, as a file; a reason is required; roles that see fields masked cannot.
    let path = format!("/api/v1/customers/{id}/pipl/access");
    assert_eq!(
        s.post(&admin, &path, json!({"reason": ""}))
            .await
            .error_field(),
        "reason"
    );
    let copy = s
        .post(
            &admin,
            &path,
            json!({"reason": "客户来电要求获取个人信息副本"}),
        )
        .await;
    assert_eq!(copy.code(), 200, "{}", copy.text);
    assert!(copy.header("content-disposition").contains("attachment"));
    assert_eq!(copy.json["customer"]["id_number"], "11010519491231002X");
    assert_eq!(copy.json["customer"]["allergies"], "青霉素过敏XYZ");
    assert_eq!(copy.json["consultations"][0]["needs"], "咨询祛斑");
    assert!(!copy.json["timeline"].as_array().unwrap().is_empty());
    let manager = s.login("manager").await;
    let r = s.post(&manager, &path, json!({"reason": "x"})).await;
    assert!(matches!(r.code(), 403), "{}", r.text);

    // Restricting: nothing can change until lifted.
    let act = |kind: &str| format!("/api/v1/customers/{id}/pipl/{kind}");
    assert_eq!(
        s.post(
            &admin,
            &act("restrict"),
            json!({"reason": "客户书面要求限制处理"})
        )
        .await
        .code(),
        204
    );
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"notes": "改"}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.problem(), "processing-restricted");
    s.post(
        &admin,
        &format!("/api/v1/customers/{id}/consultations"),
        json!({"way": "phone"}),
    )
    .await
    .assert_problem(409);
    s.post(
        &admin,
        "/api/v1/customers/tags",
        json!({"customer_ids": [id], "add": [2]}),
    )
    .await
    .assert_problem(409);
    assert!(
        s.get(&admin, &format!("/api/v1/customers/{id}")).await.json["restricted_at"]
            .as_i64()
            .is_some()
    );
    assert_eq!(
        s.post(
            &admin,
            &act("lift_restriction"),
            json!({"reason": "客户撤回限制"})
        )
        .await
        .code(),
        204
    );
    assert_eq!(
        s.patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"notes": "改"})
        )
        .await
        .code(),
        200
    );
    s.post(&admin, &act("forget"), json!({"reason": "x"}))
        .await
        .assert_problem(422);

    // Erasure: personal fields gone, out of search, history kept, request listed.
    let consultations_before = s.count(&format!(
        "SELECT count(*) FROM consultations WHERE customer_id = {id}"
    ));
    assert_eq!(
        s.post(
            &admin,
            &act("erase"),
            json!({"reason": "客户要求删除个人信息"})
        )
        .await
        .code(),
        204
    );
    s.get(&admin, &format!("/api/v1/customers/{id}"))
        .await
        .assert_problem(404);
    assert_eq!(
        s.get(&admin, "/api/v1/customers?q=13911112222").await.json["items"],
        json!([])
    );
    assert_eq!(
        s.get(&admin, "/api/v1/customers?q=ysk").await.json["items"],
        json!([])
    );
    let db = s.db();
    let (name, mobile_now, idn, allergies): (String, String, Option<Vec<u8>>, Option<Vec<u8>>) = db
        .query_row(
            "SELECT name, mobile, id_number_enc, allergies_enc FROM customers WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), mobile_now.as_str(), idn, allergies),
        ("已删除客户", "13000000000", None, None)
    );
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM consultations WHERE customer_id = {id}"
        )),
        consultations_before
    );
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM customer_tags WHERE customer_id = {id}"
        )),
        0
    );
    // The referred friend's timeline no longer names them.
    let o = s
        .get(&admin, &format!("/api/v1/customers/{referred}/overview"))
        .await;
    assert_eq!(o.json["referrer"], json!(null), "{}", o.text);
    let list = s.get(&admin, &format!("/api/v1/customers/{id}/pipl")).await;
    assert_eq!(list.code(), 200, "{}", list.text);
    let kinds: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["erase", "lift_restriction", "restrict", "access"]);
    assert_eq!(list.json["items"][0]["handled_by"], "admin");
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'pipl'"),
        4
    );
    assert!(s.cli(&["audit", "verify"], None).await.ok());
}
