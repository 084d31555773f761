//! Custom fields: admins define typed fields with a sensitivity class; their values go through
//! the access layer like built-in fields (API, list, search, export, import, audit), health and
//! identity values encrypted at rest.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::*;

/// Values of the fields these tests define (the demo clinic has fields and values of its own).
const VALUES_OF_TEST_FIELDS: &str = "SELECT count(*) FROM custom_values WHERE field_id IN
    (SELECT id FROM custom_fields WHERE name NOT IN ('cf_occupation', 'cf_pregnant_or_nursing'))";

async fn define(s: &Server, token: &str, body: Value) -> Value {
    let r = s.post(token, "/api/v1/custom-fields", body.clone()).await;
    assert_eq!(r.code(), 201, "define {body}: {}", r.text);
    r.json
}

/// A health choice field, a plain number and a health text field on customers.
async fn clinic_fields(s: &Server, admin: &str) {
    define(
        s,
        admin,
        json!({"entity": "customer", "key": "blood_type", "label": "血型", "kind": "choice",
               "sensitivity": "health", "options": ["A", "B", "O", "AB"]}),
    )
    .await;
    define(
        s,
        admin,
        json!({"entity": "customer", "key": "height_cm", "label": "身高", "kind": "number",
               "sensitivity": "plain"}),
    )
    .await;
    define(
        s,
        admin,
        json!({"entity": "customer", "key": "drug_note", "label": "用药情况", "kind": "text",
               "sensitivity": "health"}),
    )
    .await;
}

fn header_of(bytes: &[u8]) -> Vec<String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    rows[1].iter().map(|c| c.to_string()).collect()
}

/// The export's header row.
async fn exported_header(s: &Server, token: &str, q: &str) -> Vec<String> {
    let r = s
        .http
        .get(s.url(&format!("/api/v1/customers/export.xlsx?q={q}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    header_of(&r.bytes().await.unwrap())
}

#[tokio::test]
async fn definitions_are_admin_only_checked_and_audited() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    let manager = s.login("manager").await;
    let body = json!({"entity": "customer", "key": "blood_type", "label": "血型", "kind": "choice",
                      "sensitivity": "health", "options": ["A", "B"]});
    s.post(&manager, "/api/v1/custom-fields", body.clone())
        .await
        .assert_problem(403);

    let before = (
        s.count("SELECT count(*) FROM custom_fields"),
        s.audit_rows(),
    );
    for (bad, field) in [
        (json!({"key": "Blood type!"}), "key"),
        (json!({"kind": "colour"}), "kind"),
        (json!({"sensitivity": "secret"}), "sensitivity"),
        (json!({"entity": "order"}), "entity"),
        (json!({"options": []}), "options"),
        (json!({"options": ["A", "A"]}), "options"),
        (json!({"kind": "number"}), "options"),
        (json!({"label": ""}), "label"),
    ] {
        let mut b = body.clone();
        for (k, v) in bad.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = s.post(&admin, "/api/v1/custom-fields", b.clone()).await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), field, "{b}: {}", r.text);
    }
    assert_eq!(
        (
            s.count("SELECT count(*) FROM custom_fields"),
            s.audit_rows()
        ),
        before,
        "refused definitions write nothing"
    );

    let f = define(&s, &admin, body.clone()).await;
    assert_eq!(f["name"], "cf_blood_type");
    let (action, entity, _, actor, changes) = s.last_audit();
    assert_eq!(
        (action.as_str(), entity.as_str(), actor.as_str()),
        ("create", "custom_field", "admin")
    );
    assert!(changes.unwrap().contains("\"health\""));
    // The key stays taken.
    let r = s.post(&admin, "/api/v1/custom-fields", body.clone()).await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "key");

    // Every role got a policy for it: health follows the built-in health fields.
    let matrix = s.get(&admin, "/api/v1/access/matrix").await.json;
    for (role, want) in [
        ("admin", "write"),
        ("doctor", "write"),
        ("nurse", "read"),
        ("front_desk", "hidden"),
        ("marketing", "hidden"),
        ("partner", "hidden"),
    ] {
        assert_eq!(
            matrix["field_policies"][role]["customer"]["cf_blood_type"], want,
            "{role}"
        );
    }

    // Options in use cannot be removed; labels and new options can change.
    let id = f["id"].as_i64().unwrap();
    let mut c = full_customer("秦罗敷", &mobile(1));
    c["cf_blood_type"] = json!("B");
    s.create_customer(&admin, c).await;
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/custom-fields/{id}"),
            json!({"options": ["A"]}),
        )
        .await;
    r.assert_problem(422);
    assert!(r.text.contains("「B」"), "{}", r.text);
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/custom-fields/{id}"),
            json!({"label": "ABO 血型", "options": ["A", "B", "O", "AB"]}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["label"], "ABO 血型");
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/custom-fields/{id}"),
            json!({"kind": "text"}),
        )
        .await;
    r.assert_problem(422);
}

#[tokio::test]
async fn a_health_custom_field_is_hidden_from_front_desk_everywhere() {
    let s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    clinic_fields(&s, &admin).await;
    let fd = s.login("frontdesk").await;

    // Definitions: front desk is not told about the health fields (the demo clinic's own
    // fields come first: its occupation is plain, its pregnancy field health).
    let defs = s.get(&fd, "/api/v1/custom-fields").await;
    let names: Vec<&str> = defs.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cf_occupation", "cf_height_cm"], "{}", defs.text);

    // Health values need the health-data consent, and values are checked by kind.
    let mut c = json!({"name": "花木兰", "mobile": mobile(7), "cf_blood_type": "A"});
    s.post(&admin, "/api/v1/customers", c.clone())
        .await
        .assert_problem(409);
    c["consents"] = json!({"privacy": true, "health_data": true});
    let rows = s.customer_rows();
    for (field, bad) in [
        ("cf_blood_type", json!("Z")),
        ("cf_height_cm", json!("tall")),
    ] {
        let mut b = c.clone();
        b[field] = bad;
        let r = s.post(&admin, "/api/v1/customers", b).await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), field, "{}", r.text);
    }
    assert_eq!(s.customer_rows(), rows, "nothing half-written");
    c["cf_height_cm"] = json!(162.50);
    c["consultant_id"] = json!(s.user_id("consultant"));
    c["cf_drug_note"] = json!("长期服用阿司匹林QWE");
    let created = s.create_customer(&admin, c).await;
    assert_eq!(created["cf_blood_type"], "A");
    assert_eq!(
        created["cf_height_cm"], "162.5",
        "numbers are exact decimal strings"
    );
    let id = created["id"].as_i64().unwrap();

    // Front desk: no health field in the record, the list, or its own writes.
    let one = s.get(&fd, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(one.code(), 200);
    assert!(one.json.get("cf_blood_type").is_none(), "{}", one.text);
    assert!(one.json.get("cf_drug_note").is_none());
    assert_eq!(one.json["cf_height_cm"], "162.5");
    let list = s
        .get(&fd, &format!("/api/v1/customers?q={}", mobile(7)))
        .await;
    assert!(
        list.json["items"][0].get("cf_blood_type").is_none(),
        "{}",
        list.text
    );
    assert!(!list.text.contains("阿司匹林"));
    let r = s
        .patch(
            &fd,
            &format!("/api/v1/customers/{id}"),
            json!({"cf_blood_type": "B"}),
        )
        .await;
    r.assert_problem(403);
    assert!(r.text.contains("cf_blood_type"), "{}", r.text);

    // Search: refused for front desk, naming the field; works for those who see it.
    let r = s.get(&fd, "/api/v1/customers?cf_blood_type=A").await;
    r.assert_problem(403);
    assert!(r.text.contains("cf_blood_type"), "{}", r.text);
    let found = |r: &Resp| -> Vec<i64> {
        r.json["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.text))
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let doctor = s.login("doctor").await;
    assert_eq!(
        found(&s.get(&doctor, "/api/v1/customers?cf_blood_type=A").await),
        [id]
    );
    assert!(found(&s.get(&doctor, "/api/v1/customers?cf_blood_type=O").await).is_empty());
    // Encrypted text matches whole values only.
    let r = s
        .get(
            &doctor,
            "/api/v1/customers?cf_drug_note=长期服用阿司匹林QWE",
        )
        .await;
    assert_eq!(found(&r), [id]);
    s.get(&doctor, "/api/v1/customers?cf_drug_note=阿司匹林..")
        .await
        .assert_problem(422);
    assert_eq!(
        found(&s.get(&fd, "/api/v1/customers?cf_height_cm=160..170").await),
        [id]
    );
    assert!(found(&s.get(&fd, "/api/v1/customers?cf_height_cm=170..").await).is_empty());
    let r = s.get(&fd, "/api/v1/customers?cf_height_cm=abc").await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "cf_height_cm");
    // A saved segment filters the same way, and is refused the same way.
    let r = s
        .post(
            &fd,
            "/api/v1/segments",
            json!({"name": "血型A", "filter": {"custom": {"cf_blood_type": "A"}}}),
        )
        .await;
    r.assert_problem(403);

    // Export: front desk (once allowed to export) gets no health column.
    s.allow(&admin, "front_desk", "customer", "export").await;
    let header = exported_header(&s, &fd, &mobile(7)).await;
    assert!(header.contains(&"身高".to_string()), "{header:?}");
    assert!(
        !header.iter().any(|h| h == "血型" || h == "用药情况"),
        "{header:?}"
    );
    let header = exported_header(&s, &admin, &mobile(7)).await;
    assert!(header.contains(&"血型".to_string()) && header.contains(&"用药情况".to_string()));

    // Every role sees the health field as its default policy says.
    for (user, role, _) in STAFF {
        let t = s.login(user).await;
        let r = s.get(&t, &format!("/api/v1/customers/{id}")).await;
        let sees = matches!(
            *role,
            "admin" | "manager" | "consultant" | "doctor" | "nurse"
        );
        if r.code() != 200 {
            assert!(!sees, "{user}: {}", r.text);
            continue;
        }
        assert_eq!(
            r.json.get("cf_blood_type").is_some(),
            sees,
            "{user}: {}",
            r.text
        );
    }

    // An admin may open it to front desk; the matrix change applies at once.
    let r = s
        .put(
            &admin,
            "/api/v1/access/field-policy",
            json!({"role": "front_desk", "entity": "customer", "field": "cf_blood_type", "policy": "read"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let one = s.get(&fd, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(one.json["cf_blood_type"], "A");

    // At rest: the health text is nowhere in the database files in clear.
    s.get(&admin, "/api/v1/health").await;
    for suffix in ["", "-wal"] {
        let mut path = s.db_path().into_os_string();
        path.push(suffix);
        if let Ok(bytes) = std::fs::read(&path) {
            let needle = "阿司匹林QWE".as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "plain health value in {path:?}"
            );
        }
    }
}

#[tokio::test]
async fn changes_are_audited_by_class_and_archived_fields_leave_the_record() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    clinic_fields(&s, &admin).await;
    let mut c = full_customer("林黛玉", &mobile(3));
    c["cf_blood_type"] = json!("O");
    c["cf_height_cm"] = json!("158");
    let id = s.create_customer(&admin, c).await["id"].as_i64().unwrap();
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"cf_blood_type": "AB", "cf_height_cm": "160.5"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let (action, _, _, _, changes) = s.last_audit();
    assert_eq!(action, "update");
    let changes: Value = serde_json::from_str(&changes.unwrap()).unwrap();
    assert_eq!(changes["cf_blood_type"], json!({"changed": true}));
    assert_eq!(
        changes["cf_height_cm"],
        json!({"old": "158", "new": "160.5"})
    );
    // A custom field masked for a role is revealed like a built-in one, and audited.
    let r = s
        .put(
            &admin,
            "/api/v1/access/field-policy",
            json!({"role": "front_desk", "entity": "customer", "field": "cf_height_cm", "policy": "masked"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let fd = s.login("frontdesk").await;
    let seen = s.get(&fd, &format!("/api/v1/customers/{id}")).await;
    assert_ne!(seen.json["cf_height_cm"], "160.5", "{}", seen.text);
    let r = s
        .post(
            &fd,
            &format!("/api/v1/customers/{id}/reveal"),
            json!({"field": "cf_height_cm"}),
        )
        .await;
    assert_eq!(r.json["value"], "160.5", "{}", r.text);
    assert_eq!(s.last_audit().0, "reveal");
    // Clearing a value removes it.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"cf_height_cm": null}),
        )
        .await;
    assert_eq!(r.json.get("cf_height_cm"), Some(&Value::Null), "{}", r.text);

    let fields = s.get(&admin, "/api/v1/custom-fields").await.json;
    let blood = fields["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"]["name"] == "cf_blood_type")
        .unwrap()["field"]["id"]
        .as_i64()
        .unwrap();
    let r = s
        .delete(&admin, &format!("/api/v1/custom-fields/{blood}"))
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let one = s.get(&admin, &format!("/api/v1/customers/{id}")).await;
    assert!(one.json.get("cf_blood_type").is_none(), "{}", one.text);
    assert_eq!(
        s.count(VALUES_OF_TEST_FIELDS),
        1,
        "archiving keeps the values"
    );
    s.patch(
        &admin,
        &format!("/api/v1/customers/{id}"),
        json!({"cf_blood_type": "A"}),
    )
    .await
    .assert_problem(422);
}

#[tokio::test]
async fn consultations_carry_their_own_custom_fields() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    define(
        &s,
        &admin,
        json!({"entity": "consultation", "key": "budget", "label": "预算区间", "kind": "choice",
               "sensitivity": "finance", "options": ["1万以下", "1-3万", "3万以上"]}),
    )
    .await;
    define(
        &s,
        &admin,
        json!({"entity": "consultation", "key": "first_visit", "label": "首次到院", "kind": "yes_no",
               "sensitivity": "plain"}),
    )
    .await;
    let id = s
        .create_customer(
            &admin,
            json!({"name": "薛宝钗", "mobile": mobile(4), "consultant_id": s.user_id("consultant")}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let fd = s.login("frontdesk").await;
    let path = format!("/api/v1/customers/{id}/consultations");
    // Front desk may record the plain field but not the finance one.
    let r = s
        .post(&fd, &path, json!({"way": "onsite", "cf_budget": "1-3万"}))
        .await;
    r.assert_problem(403);
    assert!(r.text.contains("cf_budget"));
    let r = s
        .post(
            &fd,
            &path,
            json!({"way": "onsite", "cf_first_visit": "maybe"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "cf_first_visit");
    let r = s
        .post(&fd, &path, json!({"way": "onsite", "cf_first_visit": true}))
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["cf_first_visit"], true);
    let k = r.json["id"].as_i64().unwrap();
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/consultations/{k}"),
            json!({"cf_budget": "3万以上"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    // The 360° page shows them under each role's policy.
    let consultant = s.login("consultant").await;
    let seen = s
        .get(
            &consultant,
            &format!("/api/v1/customers/{id}/consultations"),
        )
        .await;
    assert_eq!(
        seen.json["items"][0]["cf_budget"], "3万以上",
        "{}",
        seen.text
    );
    let seen = s
        .get(&fd, &format!("/api/v1/customers/{id}/consultations"))
        .await;
    assert!(
        seen.json["items"][0].get("cf_budget").is_none(),
        "{}",
        seen.text
    );
    assert_eq!(seen.json["items"][0]["cf_first_visit"], true);
}

#[tokio::test]
async fn an_import_fills_custom_fields_by_their_labels() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    clinic_fields(&s, &admin).await;
    let hobbies = define(
        &s,
        &admin,
        json!({"entity": "customer", "key": "hobbies", "label": "爱好", "kind": "multi_choice",
               "sensitivity": "plain", "options": ["瑜伽", "旅行", "烘焙"]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let csv = format!(
        "姓名,手机号,身高,爱好,阶段\n赵飞燕,{},165,旅行、瑜伽,成交\n杨玉环,{},abc,,网电咨询\n",
        mobile(11),
        mobile(12)
    );
    let r = upload_csv(&s, &admin, csv).await;
    assert_eq!(r.json["mapping"]["身高"], "cf_height_cm", "{}", r.text);
    assert_eq!(r.json["mapping"]["爱好"], "cf_hobbies");
    assert_eq!(r.json["mapping"]["阶段"], "stage");
    assert_eq!(r.json["target_labels"]["cf_height_cm"], "身高");
    let import = r.json["id"].as_i64().unwrap();
    let mapping = r.json["mapping"].clone();
    let dry = s
        .post(
            &admin,
            &format!("/api/v1/imports/{import}/dry-run"),
            json!({"mapping": mapping}),
        )
        .await;
    assert_eq!(dry.code(), 200, "{}", dry.text);
    assert!(
        dry.text.contains("cf_height_cm"),
        "the bad height is reported: {}",
        dry.text
    );
    assert_eq!(
        s.count(VALUES_OF_TEST_FIELDS),
        0,
        "a dry run writes nothing"
    );

    // Fixed file: commit.
    let csv = format!(
        "姓名,手机号,身高,爱好,阶段\n赵飞燕,{},165,旅行、瑜伽,成交\n杨玉环,{},170.5,,网电咨询\n",
        mobile(11),
        mobile(12)
    );
    let r = upload_csv(&s, &admin, csv).await;
    let import = r.json["id"].as_i64().unwrap();
    let commit = s
        .post(
            &admin,
            &format!("/api/v1/imports/{import}/commit"),
            json!({"mapping": r.json["mapping"]}),
        )
        .await;
    assert_eq!(commit.code(), 200, "{}", commit.text);
    let one = s
        .get(&admin, &format!("/api/v1/customers?q={}", mobile(11)))
        .await;
    let c = &one.json["items"][0];
    assert_eq!(c["cf_height_cm"], "165", "{}", one.text);
    assert_eq!(c["cf_hobbies"], json!(["瑜伽", "旅行"]));
    assert_eq!(c["stage"], "deal");
    let other = s
        .get(&admin, &format!("/api/v1/customers?q={}", mobile(12)))
        .await;
    assert_eq!(other.json["items"][0]["stage"], "lead");
    assert_eq!(
        found_by(&s, &admin, "cf_hobbies=旅行").await,
        vec![c["id"].as_i64().unwrap()]
    );

    // An option a record holds among others cannot be removed; an unused one can.
    let path = format!("/api/v1/custom-fields/{hobbies}");
    let r = s
        .patch(&admin, &path, json!({"options": ["瑜伽", "烘焙"]}))
        .await;
    assert_eq!(r.code(), 422, "{}", r.text);
    assert_eq!(r.json["errors"][0]["field"], "options", "{}", r.text);
    let r = s
        .patch(&admin, &path, json!({"options": ["瑜伽", "旅行"]}))
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
}

async fn upload_csv(s: &Server, token: &str, csv: String) -> Resp {
    let r = s
        .post_raw(
            token,
            "/api/v1/imports?filename=members.csv",
            "application/octet-stream",
            csv.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    r
}

async fn found_by(s: &Server, token: &str, query: &str) -> Vec<i64> {
    let r = s.get(token, &format!("/api/v1/customers?{query}")).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_merge_folds_custom_values_and_an_erasure_removes_them() {
    let s = Server::start().await;
    let admin = s.login("admin").await;
    clinic_fields(&s, &admin).await;
    let consent = json!({"privacy": true, "health_data": true});
    let keep = s
        .create_customer(
            &admin,
            json!({"name": "钟无艳", "mobile": mobile(21), "birthday": "1990-03-04", "consents": consent,
                   "cf_height_cm": "160", "cf_drug_note": "二甲双胍"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let dup = s
        .create_customer(
            &admin,
            json!({"name": "钟无艳", "mobile": mobile(22), "birthday": "1990-03-04", "consents": consent,
                   "cf_height_cm": "161", "cf_blood_type": "O", "cf_drug_note": "阿司匹林"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let m = s.merge(&admin, keep, dup).await;
    assert_eq!(m.code(), 200, "{}", m.text);
    let c = &m.json;
    assert_eq!(
        c["cf_blood_type"], "O",
        "an empty field is filled from the duplicate"
    );
    assert_eq!(c["cf_height_cm"], "160", "the kept value stays");
    assert!(
        c["notes"].as_str().unwrap().contains("身高 161"),
        "{}",
        c["notes"]
    );
    // Health text is combined, and never copied into the (internal) notes.
    assert_eq!(c["cf_drug_note"], "二甲双胍；阿司匹林");
    assert!(!c["notes"].as_str().unwrap().contains("阿司匹林"));

    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{keep}/pipl/erase"),
            json!({"reason": "客户书面要求删除"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let left = s.count(&format!(
        "SELECT count(*) FROM custom_values WHERE record_id = {keep}
         AND field_id IN (SELECT id FROM custom_fields WHERE entity = 'customer')"
    ));
    assert_eq!(left, 0, "an erasure removes the customer's custom values");
}

#[tokio::test]
async fn a_role_that_sees_a_custom_field_masked_cannot_filter_by_it() {
    let s = Server::with_customers(2).await;
    let admin = s.login("admin").await;
    define(
        &s,
        &admin,
        json!({"entity": "customer", "key": "alt_phone", "label": "备用电话", "kind": "text",
               "sensitivity": "contact"}),
    )
    .await;
    let id = s.count("SELECT min(id) FROM customers");
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{id}"),
            json!({"cf_alt_phone": "13800138000 张阿姨"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(found_by(&s, &admin, "cf_alt_phone=138001").await, vec![id]);

    let mk = s.login("marketing").await;
    let shown = s.get(&mk, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(shown.json["cf_alt_phone"], "***", "{}", shown.text);
    // Which customers match would spell out the value the mask hides.
    for q in ["cf_alt_phone=138001", "cf_alt_phone=%E5%BC%A0"] {
        let r = s.get(&mk, &format!("/api/v1/customers?{q}")).await;
        r.assert_problem(403);
        assert_eq!(r.problem(), "masked-field", "{q}: {}", r.text);
        assert_eq!(r.error_field(), "cf_alt_phone", "{q}: {}", r.text);
    }
}
