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
    // Stage history is by time: a change brought in later (as a merge does with a duplicate's
    // older history) sorts among the others by when it happened, not by when it was stored.
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .execute(
            "INSERT INTO customer_stage_history (customer_id, from_stage, to_stage, at, actor) VALUES (?1, NULL, 'lead', 1000, 'old')",
            [keep],
        )
        .unwrap();
    let o2 = s
        .get(&admin, &format!("/api/v1/customers/{keep}/overview"))
        .await;
    let history = o2.json["stage_history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["actor"], "old", "{}", o2.text);
    assert!(
        history
            .windows(2)
            .all(|w| w[0]["at"].as_i64() >= w[1]["at"].as_i64()),
        "{}",
        o2.text
    );
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

/// Signs the current energy-device consent form for `customer` as `token`; returns its id.
async fn sign_energy(s: &Server, token: &str, customer: i64) -> i64 {
    let list = s.get(token, "/api/v1/consent-templates").await;
    let version = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["category"] == "energy")
        .unwrap()["version_id"]
        .clone();
    let r = s
        .post_raw(
            token,
            &format!("/api/v1/customers/{customer}/signed-consents?template_version_id={version}"),
            "image/png",
            crate::photos::png(200, 100),
            &[],
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    r.json["id"].as_i64().unwrap()
}

fn member_no(s: &Server, id: i64) -> String {
    s.db()
        .query_row("SELECT member_no FROM customers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

/// The ids and `signed_under` member numbers of a customer's signed forms, as `token` sees them.
async fn signed_list(s: &Server, token: &str, customer: i64) -> Resp {
    s.get(
        token,
        &format!("/api/v1/customers/{customer}/signed-consents"),
    )
    .await
}

#[tokio::test]
async fn signed_forms_stay_with_the_person_through_merges_and_erasure() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let doctor = s.login("doctor").await;
    let new = |name: &str, n: u32, store: i64| json!({"name": name, "mobile": mobile(n), "store_id": store});
    let keep = s.customer_id(&admin, new("签字甲", 631, 1)).await;
    let dup = s.customer_id(&admin, new("签字甲", 632, 1)).await;
    let top = s.customer_id(&admin, new("签字甲", 633, 1)).await;
    let own = sign_energy(&s, &doctor, keep).await;
    let form = sign_energy(&s, &doctor, dup).await;
    assert_eq!(s.merge(&admin, keep, dup).await.code(), 200);
    // A chain: the customer the duplicate went into is merged in its turn.
    assert_eq!(s.merge(&admin, top, keep).await.code(), 200);

    let l = signed_list(&s, &doctor, top).await;
    assert_eq!(l.code(), 200, "{}", l.text);
    let listed: Vec<(i64, String)> = l.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["verified"], true, "{f}");
            let no = f["signed_under"]["member_no"].as_str().unwrap();
            (f["id"].as_i64().unwrap(), no.to_string())
        })
        .collect();
    assert_eq!(
        listed,
        [(form, member_no(&s, dup)), (own, member_no(&s, keep))]
    );
    let g = s
        .get(&doctor, &format!("/api/v1/signed-consents/{form}"))
        .await;
    assert_eq!(g.code(), 200, "{}", g.text);
    assert_eq!(
        (
            g.json["verified"].clone(),
            g.json["signed_under"]["id"].clone()
        ),
        (json!(true), json!(dup))
    );
    let sig = format!("/api/v1/signed-consents/{form}/signature");
    assert_eq!(crate::photos::get_bytes(&s, &doctor, &sig).await.0, 200);
    // The merged duplicates themselves are gone, as their own pages are.
    signed_list(&s, &admin, dup).await.assert_problem(404);
    // A link to a merged duplicate says where the person is now, to those who may see it.
    for path in [
        format!("/api/v1/customers/{dup}"),
        format!("/api/v1/customers/{dup}/overview"),
    ] {
        let r = s.get(&admin, &path).await;
        r.assert_problem(404);
        assert_eq!(r.json["existing_id"], top, "{path}: {}", r.text);
    }
    let far_desk = s.login("frontdesk2").await;
    let r = s.get(&far_desk, &format!("/api/v1/customers/{dup}")).await;
    r.assert_problem(404);
    assert!(r.json.get("existing_id").is_none(), "{}", r.text);
    // Roles without signed-consent read stay refused; a consultant sees only their customers.
    let desk = s.login("frontdesk").await;
    s.get(&desk, &format!("/api/v1/signed-consents/{form}"))
        .await
        .assert_problem(403);
    let consultant = s.login("consultant").await;
    s.get(&consultant, &format!("/api/v1/signed-consents/{form}"))
        .await
        .assert_problem(404);
    signed_list(&s, &consultant, top).await.assert_problem(404);

    // Erasure: the forms stay producible, within the row scope of the erased customer's store.
    let far = s.customer_id(&admin, new("远店客户", 634, 2)).await;
    let kept = sign_energy(&s, &admin, far).await;
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{far}/pipl/erase"),
            json!({"reason": "客户要求删除"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let g = s
        .get(&admin, &format!("/api/v1/signed-consents/{kept}"))
        .await;
    assert_eq!(
        (g.code(), g.json["verified"].clone()),
        (200, json!(true)),
        "{}",
        g.text
    );
    let sig = format!("/api/v1/signed-consents/{kept}/signature");
    assert_eq!(crate::photos::get_bytes(&s, &admin, &sig).await.0, 200);
    let l = signed_list(&s, &admin, far).await;
    assert_eq!(l.json["items"][0]["id"], kept, "{}", l.text);
    let auditor = s.login("auditor").await;
    assert_eq!(
        s.get(&auditor, &format!("/api/v1/signed-consents/{kept}"))
            .await
            .code(),
        200
    );
    // Store 1's manager and doctor never reached store 2's customer, erased or not.
    let manager = s.login("manager").await;
    for t in [&manager, &doctor] {
        s.get(t, &format!("/api/v1/signed-consents/{kept}"))
            .await
            .assert_problem(404);
        signed_list(&s, t, far).await.assert_problem(404);
        assert_eq!(crate::photos::get_bytes(&s, t, &sig).await.0, 404);
    }
}

#[tokio::test]
async fn a_merge_keeps_the_duplicates_notes_and_audits_every_change() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let consents = json!({"privacy": true, "health_data": true});
    let keep = s
        .customer_id(
            &admin,
            json!({"name": "重复甲", "mobile": "13911110001", "birthday": "1990-05-05",
            "notes": "A", "consents": consents, "allergies": "青霉素", "gender": "male"}),
        )
        .await;
    let dup = s
        .customer_id(
            &admin,
            json!({"name": "重复甲", "mobile": "13911110002", "birthday": "1990-05-05",
            "notes": "B", "consents": consents, "allergies": "花粉", "gender": "female"}),
        )
        .await;
    let m = s.merge(&admin, keep, dup).await;
    assert_eq!(m.code(), 200, "{}", m.text);
    let notes = m.json["notes"].as_str().unwrap().to_string();
    assert_eq!(
        notes,
        format!(
            "A；【合并自 {}】手机 139****0002；备注 B；性别 女",
            member_no(&s, dup)
        )
    );
    let changes: String = s
        .db()
        .query_row(
            "SELECT changes FROM audit_log WHERE action = 'merge' AND entity_id = ?1",
            [keep],
            |r| r.get(0),
        )
        .unwrap();
    let changes: serde_json::Value = serde_json::from_str(&changes).unwrap();
    assert_eq!(
        changes["notes"],
        json!({"old": "A", "new": notes}),
        "{changes}"
    );
    assert_eq!(changes["merged_from"]["new"], dup, "{changes}");
    // Health values only as the fact of a change.
    assert_eq!(changes["allergies"], json!({"changed": true}), "{changes}");
    assert!(!changes.to_string().contains("花粉"), "{changes}");
    // A merge that would push the notes past their limit is refused, naming why, and drops nothing.
    let long = s
        .customer_id(
            &admin,
            json!({"name": "重复甲", "mobile": mobile(641), "notes": "长".repeat(1990)}),
        )
        .await;
    let r = s.merge(&admin, keep, long).await;
    r.assert_problem(409);
    assert!(r.text.contains("2000"), "{}", r.text);
}

#[tokio::test]
async fn a_merged_duplicates_events_keep_their_data_and_others_follow_the_scope() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let keep = s
        .customer_id(&admin, json!({"name": "时间线甲", "mobile": mobile(651)}))
        .await;
    let dup = s
        .customer_id(
            &admin,
            json!({"name": "时间线甲", "mobile": mobile(652), "source": "walk_in"}),
        )
        .await;
    // A friend in the other store, brought by the kept customer: genuinely another customer.
    let friend = s
        .customer_id(
            &admin,
            json!({"name": "远店朋友", "mobile": mobile(653), "store_id": 2, "referrer_id": keep}),
        )
        .await;
    assert_eq!(s.merge(&admin, keep, dup).await.code(), 200);
    let events = |t: Resp| t.json["items"].as_array().unwrap().clone();
    let find = |items: &[serde_json::Value], kind: &str, id: i64| {
        items
            .iter()
            .find(|e| e["kind"] == kind && (e["entity_id"] == id || e["entity_id"].is_null()))
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} about {id}: {items:?}"))
    };
    let path = format!("/api/v1/customers/{keep}/timeline");
    let manager = s.login("manager").await;
    for token in [&admin, &manager] {
        let items = events(s.get(token, &path).await);
        let merged = find(&items, "customer.merged", dup);
        assert_eq!(merged["entity_id"], dup, "{merged}");
        assert_eq!(merged["data"]["member_no"], member_no(&s, dup), "{merged}");
        let created = items
            .iter()
            .find(|e| e["kind"] == "customer.created" && e["entity_id"] == dup)
            .unwrap_or_else(|| panic!("{items:?}"));
        assert_eq!(created["data"]["source"], "walk_in", "{created}");
        let stage = items
            .iter()
            .find(|e| e["kind"] == "stage.changed" && e["entity_id"] == dup)
            .unwrap_or_else(|| panic!("{items:?}"));
        assert!(!stage["data"].as_object().unwrap().is_empty(), "{stage}");
    }
    // The friend is named to the admin, but not to store 1's manager.
    let brought = find(
        &events(s.get(&admin, &path).await),
        "referral.brought",
        friend,
    );
    assert_eq!(
        (
            brought["entity_id"].clone(),
            brought["data"]["name"].clone()
        ),
        (json!(friend), json!("远店朋友"))
    );
    let brought = find(
        &events(s.get(&manager, &path).await),
        "referral.brought",
        friend,
    );
    assert_eq!(
        (brought["entity_id"].clone(), brought["data"].clone()),
        (json!(null), json!({}))
    );
}

#[tokio::test]
async fn erasing_a_customer_blanks_the_duplicates_merged_into_them() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let keep = s
        .customer_id(&admin, json!({"name": "擦除甲", "mobile": mobile(641)}))
        .await;
    let mut dup = full_customer("擦除甲", &mobile(642));
    dup["cf_pregnant_or_nursing"] = json!(true);
    let dup = s.customer_id(&admin, dup).await;
    assert_eq!(s.merge(&admin, keep, dup).await.code(), 200);
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{keep}/pipl/erase"),
            json!({"reason": "客户要求删除"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let row = |id: i64| {
        s.db()
            .query_row(
                "SELECT name, mobile, wechat_id, id_number_enc, allergies_enc, medical_history_enc, notes, erased_at IS NOT NULL
                 FROM customers WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                        r.get::<_, Option<Vec<u8>>>(4)?,
                        r.get::<_, Option<Vec<u8>>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                },
            )
            .unwrap()
    };
    for id in [keep, dup] {
        assert_eq!(
            row(id),
            (
                "已删除客户".into(),
                "13000000000".into(),
                None,
                None,
                None,
                None,
                None,
                true
            ),
            "customer {id}"
        );
    }
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM custom_values WHERE record_id IN ({keep}, {dup})"
        )),
        0
    );
}
