//! Field policies, actions and row scopes for every default role, against the seeded matrix.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::common::*;

/// Every customer field the API knows, in catalogue order.
const FIELDS: &[&str] = CUSTOMER_FIELDS;
const SYSTEM: &[&str] = &["id", "member_no", "created_at", "updated_at"];

/// The eleven default roles, one demo login each.
const ROLES: &[(&str, &str)] = &[
    ("admin", "admin"),
    ("manager", "manager"),
    ("consultant", "consultant"),
    ("doctor", "doctor"),
    ("nurse", "nurse"),
    ("frontdesk", "front_desk"),
    ("finance", "finance"),
    ("channel", "channel_manager"),
    ("marketing", "marketing"),
    ("auditor", "auditor"),
    ("partner", "partner"),
];

/// role → field → policy for customers, as stored in the data dir.
fn customer_policies(s: &Server) -> BTreeMap<String, BTreeMap<String, String>> {
    let db = s.db();
    let mut st = db
        .prepare("SELECT role, field, policy FROM field_policies WHERE entity = 'customer'")
        .unwrap();
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for row in st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
    {
        let (role, field, policy) = row.unwrap();
        out.entry(role).or_default().insert(field, policy);
    }
    out
}

fn role_actions(s: &Server, role: &str) -> BTreeSet<String> {
    let db = s.db();
    let mut st = db
        .prepare("SELECT action FROM role_actions WHERE role = ?1 AND entity = 'customer'")
        .unwrap();
    let rows = st.query_map([role], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn is_masked(policy: &str) -> bool {
    matches!(policy, "masked" | "write_masked")
}

fn is_writable(policy: &str) -> bool {
    matches!(policy, "write" | "write_masked")
}

/// How a masked value must look (DESIGN.md: `138****5678`, `张*`, `1101**********123X`).
fn expected_mask(field: &str, plain: &Value) -> Value {
    let Some(s) = plain.as_str() else {
        return if plain.is_null() {
            Value::Null
        } else {
            json!("***")
        };
    };
    let c: Vec<char> = s.chars().collect();
    let text = |v: &[char]| v.iter().collect::<String>();
    json!(match field {
        "name" => format!("{}{}", c[0], "*".repeat(c.len().clamp(2, 4) - 1)),
        "mobile" => format!("{}****{}", text(&c[..3]), text(&c[c.len() - 4..])),
        "id_number" => format!(
            "{}{}{}",
            text(&c[..4]),
            "*".repeat(c.len() - 8),
            text(&c[c.len() - 4..])
        ),
        "birthday" => format!("{}-**-**", text(&c[..4])),
        _ => "***".to_string(),
    })
}

/// The profile every role looks at: store main, assigned to the demo consultant, all fields set.
async fn profile(s: &Server, admin: &str) -> (i64, Value) {
    let referrer = s
        .create_customer(admin, json!({"name": "李四", "mobile": "13812340000"}))
        .await;
    let mut body = full_customer("张三", "13812345678");
    body["consultant_id"] = json!(s.user_id("consultant"));
    body["referrer_id"] = referrer["id"].clone();
    body["tags"] = json!([1]);
    body["cf_occupation"] = json!("教师");
    body["cf_pregnant_or_nursing"] = json!(false);
    let created = s.create_customer(admin, body).await;
    let id = created["id"].as_i64().unwrap();
    // An on-site consultation is a visit.
    let r = s
        .post(
            admin,
            &format!("/api/v1/customers/{id}/consultations"),
            json!({"way": "onsite"}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let plain = s.view(admin, "admin", id).await;
    assert_eq!(plain.code(), 200, "{}", plain.text);
    (id, plain.json)
}

#[tokio::test]
async fn every_role_gets_exactly_its_fields() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let (id, plain) = profile(&s, &admin).await;
    let policies = customer_policies(&s);

    // The seed covers every field for every role.
    assert_eq!(
        policies.len(),
        11,
        "roles with customer policies: {:?}",
        policies.keys()
    );
    for (role, fields) in &policies {
        let have: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            have,
            FIELDS.iter().copied().collect(),
            "policy rows of {role}"
        );
    }
    // Admin sees the whole profile in clear.
    let keys: BTreeSet<&str> = plain
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, FIELDS.iter().copied().collect::<BTreeSet<_>>());
    for f in FIELDS
        .iter()
        // Orders arrive with their module: nobody has bought yet; nobody restricted processing.
        .filter(|f| {
            ![
                "consultant_id",
                "created_at",
                "updated_at",
                "last_purchase_at",
                "restricted_at",
            ]
            .contains(f)
        })
    {
        assert!(
            !plain[*f].is_null(),
            "test profile leaves {f} empty: {plain}"
        );
    }

    let member_no = plain["member_no"].as_str().unwrap().to_string();
    let mut seen: BTreeMap<&str, Value> = BTreeMap::new();
    for (user, role) in ROLES {
        let token = if *user == "admin" {
            admin.clone()
        } else {
            s.login(user).await
        };
        let r = s.get(&token, &format!("/api/v1/customers/{id}")).await;
        let list = s
            .get(&token, &format!("/api/v1/customers?q={member_no}"))
            .await;
        assert_eq!(list.code(), 200, "{user} list: {}", list.text);
        if *role == "partner" {
            // Partners see only what is attributed to their channel: nothing yet.
            r.assert_problem(404);
            assert_eq!(list.json["items"], json!([]), "partner list");
            let all = s.get(&token, "/api/v1/customers").await;
            assert_eq!(
                all.json["items"],
                json!([]),
                "partner full list: {}",
                all.text
            );
            continue;
        }
        assert_eq!(r.code(), 200, "{user} GET: {}", r.text);
        let got = r.json.as_object().unwrap();
        let pol = &policies[*role];
        let visible: BTreeSet<&str> = FIELDS
            .iter()
            .copied()
            .filter(|f| pol[*f] != "hidden")
            .collect();
        let keys: BTreeSet<&str> = got.keys().map(String::as_str).collect();
        assert_eq!(keys, visible, "{role}: keys differ from its field policy");
        for f in &visible {
            let want = if is_masked(&pol[*f]) {
                expected_mask(f, &plain[*f])
            } else {
                plain[*f].clone()
            };
            assert_eq!(got[*f], want, "{role}.{f} (policy {})", pol[*f]);
            if is_masked(&pol[*f]) {
                assert_ne!(
                    got[*f], plain[*f],
                    "{role}.{f} is masked but shows the clear value"
                );
            }
        }
        // The list applies the same policy as the single record.
        let items = list.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{role} list by member no: {}", list.text);
        assert_eq!(items[0], r.json, "{role}: list item differs from GET");
        seen.insert(role, r.json.clone());
    }

    // Key cells hard-coded, so a silent change of the seed fails here too.
    let fd = &seen["front_desk"];
    assert_eq!(fd["mobile"], "138****5678");
    assert_eq!(fd["name"], "张三");
    assert_eq!(fd["id_number"], "1101**********002X");
    for f in ["allergies", "medical_history", "skin_type"] {
        assert!(fd.get(f).is_none(), "front desk sees {f}: {fd}");
    }
    let doc = &seen["doctor"];
    assert_eq!(doc["allergies"], "青霉素过敏XYZ");
    assert_eq!(doc["medical_history"], "甲状腺结节随访中QRS");
    assert_eq!(doc["mobile"], "138****5678");
    assert!(doc.get("id_number").is_none(), "doctor sees the ID number");
    let fin = &seen["finance"];
    for f in ["skin_type", "allergies", "medical_history", "concerns"] {
        assert!(fin.get(f).is_none(), "finance sees {f}: {fin}");
    }
    assert_eq!(fin["id_number"], "1101**********002X");
    assert_eq!(fin["birthday"], "1949-**-**");
    assert_eq!(seen["channel_manager"]["name"], "张*");
    assert_eq!(seen["marketing"]["name"], "张*");
    assert_eq!(seen["consultant"]["mobile"], "138****5678");
    assert!(seen["consultant"].get("id_number").is_none());
    assert_eq!(seen["nurse"]["allergies"], "青霉素过敏XYZ");
    assert_eq!(seen["auditor"]["wechat_id"], "***");
    assert_eq!(seen["manager"]["id_number"], "1101**********002X");
    assert_eq!(seen["admin"]["id_number"], "11010519491231002X");
}

#[tokio::test]
async fn writes_a_role_may_not_make_are_refused_whole() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let (id, before) = profile(&s, &admin).await;
    let policies = customer_policies(&s);
    let path = format!("/api/v1/customers/{id}");
    let mut n = 0u32;

    for (user, role) in ROLES {
        let token = if *user == "admin" {
            admin.clone()
        } else {
            s.login(user).await
        };
        let actions = role_actions(&s, role);
        let pol = &policies[*role];
        let audit_before = s.audit_rows();

        if !actions.contains("update") {
            let r = s.patch(&token, &path, json!({"notes": "不该写入"})).await;
            r.assert_problem(403);
            assert_eq!(
                r.problem(),
                "forbidden",
                "{role} PATCH without update: {}",
                r.text
            );
        } else {
            for f in FIELDS
                .iter()
                .filter(|f| !is_writable(&pol[**f]) || SYSTEM.contains(f))
            {
                let r = s.patch(&token, &path, json!({ *f: "x" })).await;
                r.assert_problem(403);
                assert_eq!(
                    r.problem(),
                    "forbidden-field",
                    "{role} PATCH {f}: {}",
                    r.text
                );
                assert_eq!(r.error_field(), *f, "{role} PATCH {f}: {}", r.text);
            }
        }
        if !actions.contains("create") {
            n += 1;
            let r = s
                .post(
                    &token,
                    "/api/v1/customers",
                    json!({"name": "越权新建", "mobile": mobile(900 + n)}),
                )
                .await;
            r.assert_problem(403);
            assert_eq!(
                r.problem(),
                "forbidden",
                "{role} POST without create: {}",
                r.text
            );
        }
        if !actions.contains("delete") {
            let r = s.delete(&token, &path).await;
            r.assert_problem(403);
        }
        if !actions.contains("reveal") {
            let r = s
                .post(
                    &token,
                    &format!("{path}/reveal"),
                    json!({"field": "mobile"}),
                )
                .await;
            r.assert_problem(403);
        }
        assert_eq!(
            s.audit_rows(),
            audit_before,
            "{role}: a refused write left an audit row"
        );

        // What the role may do, it can.
        if actions.contains("update") && is_writable(&pol["notes"]) {
            let r = s
                .patch(&token, &path, json!({"notes": format!("{role} 备注")}))
                .await;
            assert_eq!(r.code(), 200, "{role} PATCH notes: {}", r.text);
            assert_eq!(r.json["notes"], format!("{role} 备注"));
        } else if actions.contains("update") {
            // Marketing's one customer write: tags.
            let r = s.patch(&token, &path, json!({"tags": [1]})).await;
            assert_eq!(r.code(), 200, "{role} PATCH tags: {}", r.text);
            assert_eq!(r.json["tags"][0]["name"], "高价值");
        }
        if actions.contains("create") {
            n += 1;
            let r = s
                .post(
                    &token,
                    "/api/v1/customers",
                    json!({"name": "新客户", "mobile": mobile(900 + n)}),
                )
                .await;
            assert_eq!(r.code(), 201, "{role} POST: {}", r.text);
        }
    }

    // A write with one forbidden field is refused whole: the allowed field is not written either.
    let fd = s.login("frontdesk").await;
    let r = s
        .patch(
            &fd,
            &path,
            json!({"notes": "前台改了备注", "allergies": "乱写"}),
        )
        .await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "allergies");
    let now = s.get(&admin, &path).await;
    assert_ne!(now.json["notes"], "前台改了备注");
    assert_eq!(now.json["allergies"], before["allergies"]);

    // Front desk cannot place a customer in another store, by create or update.
    let r = s
        .post(
            &fd,
            "/api/v1/customers",
            json!({"name": "外店客户", "mobile": mobile(990), "store_id": 2}),
        )
        .await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "store_id");
    let r = s.patch(&fd, &path, json!({"store_id": 2})).await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "store_id");
    assert_eq!(s.get(&admin, &path).await.json["store_id"], 1);
}

#[tokio::test]
async fn rows_outside_the_scope_are_not_found() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let consultant_id = s.user_id("consultant");
    let east = s
        .create_customer(
            &admin,
            json!({"name": "东区客户", "mobile": mobile(1), "store_id": 2}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let main = s
        .create_customer(
            &admin,
            json!({"name": "总店客户", "mobile": mobile(2), "store_id": 1}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mine = s
        .create_customer(&admin, json!({"name": "咨询客户", "mobile": mobile(3), "store_id": 2, "consultant_id": consultant_id}))
        .await["id"]
        .as_i64()
        .unwrap();

    let fd = s.login("frontdesk").await;
    let missing = s.get(&fd, "/api/v1/customers/99999999").await;
    missing.assert_problem(404);
    let ghost = missing.json.clone();

    for user in ["frontdesk", "manager", "doctor", "nurse"] {
        let t = if user == "frontdesk" {
            fd.clone()
        } else {
            s.login(user).await
        };
        let r = s.get(&t, &format!("/api/v1/customers/{east}")).await;
        r.assert_problem(404);
        assert_eq!(
            r.json, ghost,
            "{user}: another store's customer must look like a missing one"
        );
        assert_eq!(
            s.get(&t, &format!("/api/v1/customers/{main}")).await.code(),
            200,
            "{user} own store"
        );
    }
    // Writes out of scope do not reach the row either.
    assert_eq!(
        s.patch(
            &fd,
            &format!("/api/v1/customers/{east}"),
            json!({"notes": "x"})
        )
        .await
        .code(),
        404
    );
    assert_eq!(
        s.post(
            &fd,
            &format!("/api/v1/customers/{east}/reveal"),
            json!({"field": "mobile"})
        )
        .await
        .code(),
        404
    );
    let manager = s.login("manager").await;
    assert_eq!(
        s.delete(&manager, &format!("/api/v1/customers/{east}"))
            .await
            .code(),
        404
    );
    assert!(s.count(&format!("SELECT count(*) FROM customers WHERE id = {east} AND deleted_at IS NULL AND notes IS NULL")) == 1);

    // The east front desk sees east, not main.
    let fd2 = s.login("frontdesk2").await;
    assert_eq!(
        s.get(&fd2, &format!("/api/v1/customers/{east}"))
            .await
            .code(),
        200
    );
    s.get(&fd2, &format!("/api/v1/customers/{main}"))
        .await
        .assert_problem(404);

    // A consultant sees own customers only, whatever the store.
    let ct = s.login("consultant").await;
    assert_eq!(
        s.get(&ct, &format!("/api/v1/customers/{mine}"))
            .await
            .code(),
        200
    );
    s.get(&ct, &format!("/api/v1/customers/{main}"))
        .await
        .assert_problem(404);
    s.get(&ct, &format!("/api/v1/customers/{east}"))
        .await
        .assert_problem(404);

    // All-store roles see both.
    let fin = s.login("finance").await;
    assert_eq!(
        s.get(&fin, &format!("/api/v1/customers/{east}"))
            .await
            .code(),
        200
    );

    // Lists honour the same scopes, page after page.
    let cases = [
        (fd.clone(), "store_id", 1, "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND store_id = 1".to_string()),
        (fd2.clone(), "store_id", 2, "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND store_id = 2".to_string()),
        (ct.clone(), "consultant_id", consultant_id, format!("SELECT count(*) FROM customers WHERE deleted_at IS NULL AND consultant_id = {consultant_id}")),
        (fin.clone(), "", 0, "SELECT count(*) FROM customers WHERE deleted_at IS NULL".to_string()),
    ];
    for (token, field, value, sql) in cases {
        let items = walk(&s, &token, "", 9).await;
        assert_eq!(items.len() as i64, s.count(&sql), "{sql}");
        if !field.is_empty() {
            assert!(
                items.iter().all(|i| i[field] == value),
                "{field} = {value} expected for every item"
            );
        }
    }
}

#[tokio::test]
async fn permission_matrix_edits_take_effect_at_once_and_are_audited() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let (id, _) = profile(&s, &admin).await;
    let fd = s.login("frontdesk").await;
    let path = format!("/api/v1/customers/{id}");
    assert!(s
        .view(&fd, "frontdesk", id)
        .await
        .json
        .get("allergies")
        .is_none());

    // Only admins edit the matrix; the auditor may read it.
    let body =
        json!({"role": "front_desk", "entity": "customer", "field": "allergies", "policy": "read"});
    s.put(&fd, "/api/v1/access/field-policy", body.clone())
        .await
        .assert_problem(403);
    let auditor = s.login("auditor").await;
    let m = s.get(&auditor, "/api/v1/access/matrix").await;
    assert_eq!(m.code(), 200, "{}", m.text);
    assert_eq!(
        m.json["field_policies"]["front_desk"]["customer"]["allergies"],
        "hidden"
    );
    assert_eq!(
        m.json["field_policies"]["doctor"]["customer"]["allergies"],
        "write"
    );
    s.put(&auditor, "/api/v1/access/field-policy", body.clone())
        .await
        .assert_problem(403);

    let before = s.max_audit_id();
    let r = s
        .put(&admin, "/api/v1/access/field-policy", body.clone())
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let rows = s.audit_since(before);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str(), rows[0].3.as_str()),
        ("permission_change", "access", "admin")
    );
    let (_, _, _, _, changes) = s.last_audit();
    let changes: Value = serde_json::from_str(&changes.unwrap()).unwrap();
    assert_eq!(changes["old"], "hidden");
    assert_eq!(changes["new"], "read");
    assert_eq!(changes["role"], "front_desk");
    assert_eq!(s.count("SELECT count(*) FROM field_policies WHERE role='front_desk' AND entity='customer' AND field='allergies' AND policy='read'"), 1);

    // The front desk's existing token sees the change on its next request.
    assert_eq!(s.get(&fd, &path).await.json["allergies"], "青霉素过敏XYZ");
    // Reading is not writing.
    let r = s.patch(&fd, &path, json!({"allergies": "改"})).await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "allergies");

    // System fields can never be made writable; unknown names are refused by name.
    let r = s
        .put(
            &admin,
            "/api/v1/access/field-policy",
            json!({"role": "admin", "entity": "customer", "field": "member_no", "policy": "write"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "policy");
    let r = s
        .put(
            &admin,
            "/api/v1/access/field-policy",
            json!({"role": "admin", "entity": "customer", "field": "shoe_size", "policy": "read"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "field");
    let r = s
        .put(
            &admin,
            "/api/v1/access/field-policy",
            json!({"role": "boss", "entity": "customer", "field": "name", "policy": "read"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "role");

    // Action switches too: the nurse gains and loses the right to reveal.
    let nurse = s.login("nurse").await;
    s.post(
        &nurse,
        &format!("{path}/reveal"),
        json!({"field": "mobile"}),
    )
    .await
    .assert_problem(403);
    s.allow(&admin, "nurse", "customer", "reveal").await;
    let r = s
        .post(
            &nurse,
            &format!("{path}/reveal"),
            json!({"field": "mobile"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["value"], "13812345678");
    // Admins cannot lock themselves out of the matrix.
    let r = s
        .put(
            &admin,
            "/api/v1/access/action",
            json!({"role": "admin", "entity": "access", "action": "update", "allowed": false}),
        )
        .await;
    r.assert_problem(422);
}
