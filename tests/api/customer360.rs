//! Customer 360°: stages, consultations, tags, referrals, the timeline and the overview page,
//! through the real server, for every default role.

use serde_json::{json, Value};

use crate::common::*;

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn new_customer(s: &Server, token: &str, name: &str, n: u32) -> i64 {
    s.customer_id(token, json!({"name": name, "mobile": mobile(n)}))
        .await
}

fn kinds(timeline: &Value) -> Vec<String> {
    timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_lead_moves_through_triage_consultation_and_deal_with_its_history() {
    let s = Server::with_customers(0).await;
    let desk = s.login("frontdesk").await;
    let consultant = s.user_id("consultant");

    // A phone lead: nothing re-typed later, the same record goes all the way.
    let id = new_customer(&s, &desk, "网电客户", 101).await;
    let c = s.get(&desk, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(c.json["stage"], "lead");
    let r = s
        .post(
            &desk,
            &format!("/api/v1/customers/{id}/consultations"),
            json!({"way": "phone", "needs": "想了解光子嫩肤"}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(
        s.get(&desk, &format!("/api/v1/customers/{id}")).await.json["stage"],
        "lead",
        "a phone call is no visit"
    );

    // Arrival: triage assigns the consultant.
    let r = s
        .post(
            &desk,
            &format!("/api/v1/customers/{id}/triage"),
            json!({"consultant_id": consultant}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["stage"], "triage");
    assert_eq!(r.json["consultant_id"], consultant);
    let arrived = r.json["last_visit_at"].as_i64().unwrap();
    assert!(arrived > now_ms() - 60_000);
    // The arrival is in the audit log with the consultant, and so is a second one, which
    // changes nothing but the visit time.
    let visits = |s: &Server| {
        s.db()
            .prepare("SELECT changes FROM audit_log WHERE entity = 'customer' AND entity_id = ?1 AND changes LIKE '%last_visit_at%' ORDER BY id")
            .unwrap()
            .query_map([id], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|c| serde_json::from_str::<Value>(&c.unwrap()).unwrap())
            .collect::<Vec<_>>()
    };
    let first = visits(&s);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["consultant_id"]["new"], consultant);
    assert_eq!(
        first[0]["last_visit_at"],
        json!({"old": null, "new": arrived})
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let r = s
        .post(&desk, &format!("/api/v1/customers/{id}/triage"), json!({}))
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let again = r.json["last_visit_at"].as_i64().unwrap();
    let rows = visits(&s);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[1],
        json!({"last_visit_at": {"old": arrived, "new": again}})
    );

    // The consultant's on-site consultation with a priced plan, then the deal.
    let ct = s.login("consultant").await;
    let r = s
        .post(
            &ct,
            &format!("/api/v1/customers/{id}/consultations"),
            json!({
                "way": "onsite",
                "needs": "面部暗沉，想祛斑",
                "plan": [
                    {"project": "光子嫩肤", "sessions": 3, "price": "1980.00"},
                    {"project": "水光针", "sessions": 1, "price": "1280.5"}
                ],
                "outcome": "thinking",
                "follow_up_date": "2026-12-01"
            }),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(
        r.json["plan_total"], "3260.50",
        "money is exact: {}",
        r.text
    );
    assert_eq!(r.json["plan"][1]["price"], "1280.50");
    let consultation = r.json["id"].as_i64().unwrap();
    assert_eq!(
        s.get(&ct, &format!("/api/v1/customers/{id}")).await.json["stage"],
        "consultation"
    );

    // The follow-up is in the consultant's worklist, with the customer.
    let w = s
        .get(&ct, "/api/v1/consultations/follow-ups?until=2026-12-31")
        .await;
    assert_eq!(w.code(), 200, "{}", w.text);
    let items = w.json["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["consultation"]["id"] == consultation && i["customer"]["name"] == "网电客户"), "{}", w.text);
    assert!(s
        .get(&ct, "/api/v1/consultations/follow-ups?until=2026-11-30")
        .await
        .json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["consultation"]["id"] != consultation));

    let r = s
        .patch(
            &ct,
            &format!("/api/v1/consultations/{consultation}"),
            json!({"outcome": "deal"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(
        s.get(&ct, &format!("/api/v1/customers/{id}")).await.json["stage"],
        "deal"
    );

    // A later consultation does not send a dealt customer back.
    s.post(
        &ct,
        &format!("/api/v1/customers/{id}/consultations"),
        json!({"way": "onsite"}),
    )
    .await;
    let o = s
        .get(&ct, &format!("/api/v1/customers/{id}/overview"))
        .await;
    assert_eq!(o.code(), 200, "{}", o.text);
    assert_eq!(o.json["customer"]["stage"], "deal");
    let history: Vec<(Value, Value)> = o.json["stage_history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|h| (h["from_stage"].clone(), h["to_stage"].clone()))
        .collect();
    assert_eq!(
        history,
        vec![
            (Value::Null, json!("lead")),
            (json!("lead"), json!("triage")),
            (json!("triage"), json!("consultation")),
            (json!("consultation"), json!("deal")),
        ]
    );
    assert!(o.json["stage_history"][0]["actor"] == "consultant");
    assert_eq!(o.json["consultations"].as_array().unwrap().len(), 3);
    let k = kinds(&o.json["timeline"]);
    for kind in [
        "customer.created",
        "consultation.created",
        "customer.arrived",
        "stage.changed",
        "consultation.updated",
    ] {
        assert!(k.iter().any(|x| x == kind), "timeline lacks {kind}: {k:?}");
    }
}

#[tokio::test]
async fn no_visit_for_the_configured_days_shows_dormant_then_lost() {
    let s = Server::start_with(Opts {
        customers: 0,
        config: Some("[lifecycle]\ndormant_days = 30\nlost_days = 90\n".into()),
    })
    .await;
    let admin = s.login("admin").await;
    // A customer whose one visit, an on-site consultation ending in a deal, was `days` ago.
    async fn shown_stage(s: &Server, admin: &str, days: i64, n: u32) -> Value {
        let id = new_customer(s, admin, "老客", n).await;
        let r = s
            .post(
                admin,
                &format!("/api/v1/customers/{id}/consultations"),
                json!({"way": "onsite", "at": now_ms() - days * DAY_MS, "outcome": "deal"}),
            )
            .await;
        assert_eq!(r.code(), 201, "{}", r.text);
        s.get(admin, &format!("/api/v1/customers/{id}")).await.json["stage"].clone()
    }
    assert_eq!(shown_stage(&s, &admin, 10, 201).await, "deal");
    assert_eq!(shown_stage(&s, &admin, 45, 202).await, "dormant");
    assert_eq!(shown_stage(&s, &admin, 120, 203).await, "lost");
}

#[tokio::test]
async fn bad_consultations_are_refused_whole_and_change_nothing() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let id = new_customer(&s, &admin, "测试", 301).await;
    let before = (
        s.audit_rows(),
        s.count("SELECT count(*) FROM consultations"),
        s.count("SELECT count(*) FROM customer_events"),
    );
    let path = format!("/api/v1/customers/{id}/consultations");
    for (body, field) in [
        (json!({}), "way"),
        (json!({"way": "fax"}), "way"),
        (
            json!({"way": "onsite", "plan": [{"project": "热玛吉", "sessions": 1, "price": 12800}]}),
            "plan[0].price",
        ),
        (
            json!({"way": "onsite", "plan": [{"project": "热玛吉", "sessions": 1, "price": "-1"}]}),
            "plan[0].price",
        ),
        (
            json!({"way": "onsite", "plan": [{"project": "热玛吉", "sessions": 1, "price": "1.005"}]}),
            "plan[0].price",
        ),
        (
            json!({"way": "onsite", "plan": [{"project": "", "sessions": 0, "price": "1"}]}),
            "plan[0].project",
        ),
        // Two lines whose sum in fen would pass i64::MAX: the line itself is refused.
        (
            json!({"way": "onsite", "plan": [
                {"project": "A", "sessions": 1, "price": "92233720368547758.07"},
                {"project": "B", "sessions": 1, "price": "1.00"}]}),
            "plan[0].price",
        ),
        (
            json!({"way": "onsite", "plan": [{"project": "A", "sessions": 1, "price": "100000000.01"}]}),
            "plan[0].price",
        ),
        (
            json!({"way": "onsite", "follow_up_date": "2026-02-30"}),
            "follow_up_date",
        ),
        // Past the schema's years, and years away: a typing slip, not a plan.
        (
            json!({"way": "onsite", "follow_up_date": "5000-01-01"}),
            "follow_up_date",
        ),
        (
            json!({"way": "onsite", "follow_up_date": "2999-12-31"}),
            "follow_up_date",
        ),
        (
            json!({"way": "onsite", "follow_up_date": "1999-12-31"}),
            "follow_up_date",
        ),
        (json!({"way": "onsite", "at": now_ms() + 2 * DAY_MS}), "at"),
        (
            json!({"way": "onsite", "outcome": "thinking", "lost_reason": "太贵"}),
            "lost_reason",
        ),
        (
            json!({"way": "onsite", "consultant_id": 9999}),
            "consultant_id",
        ),
        (json!({"way": "onsite", "plan_total": "1.00"}), "plan_total"),
    ] {
        let r = s.post(&admin, &path, body.clone()).await;
        assert!(matches!(r.code(), 403 | 422), "{body}: {}", r.text);
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
    }
    let r = s
        .post(
            &admin,
            "/api/v1/customers/999999/consultations",
            json!({"way": "onsite"}),
        )
        .await;
    r.assert_problem(404);
    assert_eq!(
        (
            s.audit_rows(),
            s.count("SELECT count(*) FROM consultations"),
            s.count("SELECT count(*) FROM customer_events")
        ),
        before
    );
}

#[tokio::test]
async fn tags_in_bulk_are_all_or_nothing_and_follow_each_roles_rights() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let marketing = s.login("marketing").await;
    let desk = s.login("frontdesk").await;
    let desk2 = s.login("frontdesk2").await;

    // Marketing manages tags and tags customers; front desk may read tags only.
    let g = s
        .post(
            &marketing,
            "/api/v1/tag-groups",
            json!({"name": "活动", "color": "#F56C6C"}),
        )
        .await;
    assert_eq!(g.code(), 201, "{}", g.text);
    // A group is audited as a group: its ids are not the tags'.
    let (action, entity, eid, ..) = s.last_audit();
    assert_eq!(
        (action.as_str(), entity.as_str(), eid),
        ("create", "tag_group", g.json["id"].as_i64())
    );
    let t = s
        .post(
            &marketing,
            "/api/v1/tags",
            json!({"group_id": g.json["id"], "name": "双十一"}),
        )
        .await;
    assert_eq!(t.code(), 201, "{}", t.text);
    let tag = t.json["id"].as_i64().unwrap();
    s.post(
        &desk,
        "/api/v1/tags",
        json!({"group_id": g.json["id"], "name": "前台建"}),
    )
    .await
    .assert_problem(403);
    assert_eq!(
        s.post(
            &marketing,
            "/api/v1/tags",
            json!({"group_id": g.json["id"], "name": "双十一"})
        )
        .await
        .error_field(),
        "name"
    );
    assert_eq!(
        s.post(
            &marketing,
            "/api/v1/tag-groups",
            json!({"name": "x", "color": "red"})
        )
        .await
        .error_field(),
        "color"
    );
    let groups = s.get(&desk, "/api/v1/tags").await;
    assert!(
        groups.text.contains("双十一") && groups.text.contains("#f56c6c"),
        "{}",
        groups.text
    );

    let a = new_customer(&s, &admin, "甲", 401).await;
    let b = new_customer(&s, &admin, "乙", 402).await;
    // A customer of store 2 is out of the main-store front desk's reach.
    let other = new_customer(&s, &desk2, "丙", 403).await;

    let before = s.audit_rows();
    let r = s
        .post(
            &desk,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a, b, other], "add": [tag]}),
        )
        .await;
    r.assert_problem(404);
    let r = s
        .post(
            &marketing,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a, b], "add": [tag, 999]}),
        )
        .await;
    assert_eq!(r.error_field(), "add", "{}", r.text);
    let r = s
        .post(
            &marketing,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a], "add": [tag], "remove": [tag]}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "remove", "{}", r.text);
    assert_eq!(
        s.audit_rows(),
        before,
        "a refused bulk tagging wrote something"
    );
    assert_eq!(s.count("SELECT count(*) FROM customer_tags"), 0);

    let r = s
        .post(
            &marketing,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a, b, other], "add": [tag, 1]}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["changed"], 3);
    assert_eq!(s.audit_rows(), before + 3, "one audit row per customer");
    let got = s.get(&desk, &format!("/api/v1/customers/{a}")).await;
    let names: Vec<&str> = got.json["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["高价值", "双十一"]);
    // A customer who restricted processing is named when a selection holds them.
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{b}/pipl/restrict"),
            json!({"reason": "客户要求"}),
        )
        .await;
    assert!(r.code() < 300, "{}", r.text);
    let r = s
        .post(
            &marketing,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a, b], "remove": [tag]}),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(r.json["existing_id"], b, "{}", r.text);
    let member_no = got_member_no(&s, &admin, b).await;
    assert!(
        r.json["title"].as_str().unwrap().contains(&member_no),
        "{}",
        r.text
    );
    s.post(
        &admin,
        &format!("/api/v1/customers/{b}/pipl/lift_restriction"),
        json!({"reason": "客户撤回限制"}),
    )
    .await;
    // Tagging again changes nothing; removing works; the list shows tags too.
    let r = s
        .post(
            &marketing,
            "/api/v1/customers/tags",
            json!({"customer_ids": [a], "add": [tag]}),
        )
        .await;
    assert_eq!(r.json["changed"], 0);
    s.post(
        &marketing,
        "/api/v1/customers/tags",
        json!({"customer_ids": [b], "remove": [tag]}),
    )
    .await;
    let list = s.get(&admin, "/api/v1/customers?q=乙").await;
    assert_eq!(
        list.json["items"][0]["tags"],
        json!([{"id": 1, "name": "高价值", "group_name": "价值", "color": "#e6a23c"}]),
        "{}",
        list.text
    );
    // Marketing may not write anything else on a customer.
    s.patch(
        &marketing,
        &format!("/api/v1/customers/{a}"),
        json!({"notes": "x"}),
    )
    .await
    .assert_problem(403);
    // Deleting a tag takes it off every customer.
    assert_eq!(
        s.delete(&marketing, &format!("/api/v1/tags/{tag}"))
            .await
            .code(),
        204
    );
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM customer_tags WHERE tag_id = {tag}"
        )),
        0
    );
}

#[tokio::test]
async fn referrals_show_on_both_profiles_and_are_counted() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let old = new_customer(&s, &admin, "老顾客", 501).await;
    let new = s
        .customer_id(&admin, json!({"name": "新朋友", "mobile": mobile(502), "referrer_id": old, "source": "referral"})).await;
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{old}"),
            json!({"referrer_id": old}),
        )
        .await;
    assert_eq!(r.error_field(), "referrer_id", "{}", r.text);
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{old}"),
            json!({"referrer_id": 999999}),
        )
        .await;
    assert_eq!(r.error_field(), "referrer_id", "{}", r.text);
    // No loop: the referred customer cannot become the referrer's referrer, also through a third.
    let third = s
        .customer_id(
            &admin,
            json!({"name": "第三位", "mobile": mobile(503), "referrer_id": new}),
        )
        .await;
    for referrer in [new, third] {
        let r = s
            .patch(
                &admin,
                &format!("/api/v1/customers/{old}"),
                json!({"referrer_id": referrer}),
            )
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "referrer_id", "{}", r.text);
        assert!(r.text.contains("推荐关系不能成环"), "{}", r.text);
    }
    s.delete(&admin, &format!("/api/v1/customers/{third}"))
        .await;

    let o = s
        .get(&admin, &format!("/api/v1/customers/{new}/overview"))
        .await;
    assert_eq!(o.json["referrer"]["id"], old, "{}", o.text);
    assert_eq!(o.json["referrer"]["name"], "老顾客");
    let o = s
        .get(&admin, &format!("/api/v1/customers/{old}/overview"))
        .await;
    assert_eq!(o.json["referral_count"], 1);
    assert_eq!(o.json["referred"][0]["id"], new);
    assert!(kinds(&o.json["timeline"]).contains(&"referral.brought".to_string()));
    // Each role sees the referral card's name as it sees that customer's profile.
    for user in ["frontdesk", "finance", "marketing", "nurse"] {
        let token = s.login(user).await;
        let o = s
            .get(&token, &format!("/api/v1/customers/{old}/overview"))
            .await;
        let profile = s.get(&token, &format!("/api/v1/customers/{new}")).await;
        assert_eq!(
            o.json["referred"][0]["name"], profile.json["name"],
            "{user}: {}",
            o.text
        );
        assert_eq!(
            o.json["referred"][0].get("mobile"),
            None,
            "a referral card is a card"
        );
    }
}

/// A referral across stores: each side sees the other only within its own row scope, and a
/// referrer outside the caller's scope cannot be set (nor told apart from one that does not exist).
#[tokio::test]
async fn referrals_across_stores_stay_inside_each_callers_scope() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let fd = s.login("frontdesk").await;
    let fd2 = s.login("frontdesk2").await;
    let east = new_customer(&s, &fd2, "东店老客", 511).await;
    let main = s
        .customer_id(
            &admin,
            json!({"name": "总店新客", "mobile": mobile(512), "referrer_id": east}),
        )
        .await;

    let o = s
        .get(&fd2, &format!("/api/v1/customers/{east}/overview"))
        .await;
    assert_eq!(o.code(), 200, "{}", o.text);
    assert_eq!(o.json["referral_count"], 1, "{}", o.text);
    assert_eq!(o.json["referred"], json!([]), "{}", o.text);
    assert!(!o.text.contains("总店新客"), "{}", o.text);
    let brought = o.json["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "referral.brought")
        .expect("the referral is on the timeline")
        .clone();
    assert_eq!(brought["entity_id"], json!(null), "{brought}");
    assert_eq!(brought["data"], json!({}), "{brought}");
    // The admin sees both.
    let o = s
        .get(&admin, &format!("/api/v1/customers/{east}/overview"))
        .await;
    assert_eq!(o.json["referred"][0]["id"], main, "{}", o.text);

    // The main store's front desk cannot point at the east customer, and gets the same answer
    // as for an id that does not exist; the customer that has it already stays editable.
    let other = new_customer(&s, &fd, "总店另一位", 513).await;
    for referrer in [east, 999_999] {
        let r = s
            .patch(
                &fd,
                &format!("/api/v1/customers/{other}"),
                json!({"referrer_id": referrer}),
            )
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "referrer_id", "{}", r.text);
        assert_eq!(
            r.json["errors"][0]["message"], "推荐人须为另一位已有客户",
            "{}",
            r.text
        );
    }
    let r = s
        .patch(
            &fd,
            &format!("/api/v1/customers/{main}"),
            json!({"notes": "已回访"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
}

/// Every role on the overview: what it may read of consultations and the timeline.
#[tokio::test]
async fn every_role_sees_the_overview_under_its_own_policy() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let mut body = full_customer("王五", "13900001111");
    body["consultant_id"] = json!(s.user_id("consultant"));
    let id = s.customer_id(&admin, body).await;
    let r = s
        .post(&admin, &format!("/api/v1/customers/{id}/consultations"), json!({"way": "onsite", "needs": "鼻综合咨询", "plan": [{"project": "鼻综合", "sessions": 1, "price": "38000"}]}))
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);

    let db = s.db();
    let consultation_readers: Vec<String> = db
        .prepare("SELECT role FROM role_actions WHERE entity = 'consultation' AND action = 'read'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (user, role, _) in STAFF.iter().filter(|(_, _, st)| *st == 1) {
        let token = if *user == "admin" {
            admin.clone()
        } else {
            s.login(user).await
        };
        let o = s
            .get(&token, &format!("/api/v1/customers/{id}/overview"))
            .await;
        if *role == "partner" {
            o.assert_problem(404);
            continue;
        }
        assert_eq!(o.code(), 200, "{user}: {}", o.text);
        let reads = consultation_readers.iter().any(|r| r == role);
        assert_eq!(
            o.json.get("consultations").is_some(),
            reads,
            "{user} consultations: {}",
            o.text
        );
        let consultation_events: Vec<&Value> = o.json["timeline"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "consultation")
            .collect();
        assert_eq!(
            !consultation_events.is_empty(),
            reads,
            "{user} timeline: {}",
            o.text
        );
        let plan_total = db
            .query_row(
                "SELECT policy FROM field_policies WHERE role = ?1 AND entity = 'consultation' AND field = 'plan_total'",
                [role],
                |r| r.get::<_, String>(0),
            )
            .unwrap();
        for e in consultation_events {
            assert_eq!(
                e["data"].get("plan_total").is_some(),
                plan_total != "hidden",
                "{user}: {e}"
            );
        }
        if reads {
            let k = &o.json["consultations"][0];
            assert!(!k["plan"].is_null(), "{user}");
        }
    }
    // The page counts as a view of the customer (the audit panel flushes pending views).
    assert_eq!(
        s.get(&admin, &format!("/api/v1/customers/{id}/audit"))
            .await
            .code(),
        200
    );
    let views = s.count(&format!(
        "SELECT count(*) FROM audit_log WHERE action = 'view' AND entity_id = {id}"
    ));
    assert!(views >= 10, "views logged: {views}");
}

#[tokio::test]
async fn the_staff_directory_names_active_staff_for_every_role_but_partners() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let nurse = s.user_id("nurse");
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{nurse}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    for (user, role, _) in STAFF.iter().filter(|(u, _, _)| *u != "nurse") {
        let token = s.login(user).await;
        let r = s.get(&token, "/api/v1/staff").await;
        if *role == "partner" {
            r.assert_problem(403);
            continue;
        }
        assert_eq!(r.code(), 200, "{user}: {}", r.text);
        let items = r.json["items"].as_array().unwrap();
        let consultant = items
            .iter()
            .find(|i| i["role"] == "consultant")
            .expect("a consultant");
        let keys: Vec<&str> = consultant
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["display_name", "id", "role", "store_id"], "{user}");
        assert!(
            items.iter().all(|i| i["id"] != nurse),
            "{user}: a disabled account is listed"
        );
    }
}

#[tokio::test]
async fn the_demo_clinic_has_a_consistent_past() {
    let s = Server::with_customers(80).await;
    let db = s.db();
    // Every customer's stage history ends at the stage it is in, and starts as a lead.
    let bad: i64 = db
        .query_row(
            "SELECT count(*) FROM customers c WHERE c.stage <> (SELECT h.to_stage FROM customer_stage_history h
                 WHERE h.customer_id = c.id ORDER BY h.at DESC, h.id DESC LIMIT 1)
               OR (SELECT h.to_stage FROM customer_stage_history h WHERE h.customer_id = c.id ORDER BY h.at, h.id LIMIT 1) <> 'lead'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "stage histories that do not match the stage");
    // Served customers had an on-site consultation with a priced plan; leads never came in.
    let served_without: i64 = db
        .query_row(
            "SELECT count(*) FROM customers c WHERE c.stage NOT IN ('lead', 'triage')
               AND NOT EXISTS (SELECT 1 FROM consultations k WHERE k.customer_id = c.id AND k.way = 'onsite' AND k.plan_total_fen > 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(served_without, 0);
    assert_eq!(s.count("SELECT count(*) FROM consultations k JOIN customers c ON c.id = k.customer_id WHERE c.stage = 'lead' AND k.way = 'onsite'"), 0);
    // Nothing lies in the future, and the 360° page shows the past newest first.
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM customer_events WHERE at > {}",
            now_ms()
        )),
        0
    );
    let admin = s.login("admin").await;
    let id: i64 = db
        .query_row(
            "SELECT id FROM customers WHERE stage = 'repeat' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let o = s
        .get(&admin, &format!("/api/v1/customers/{id}/overview"))
        .await;
    let at: Vec<i64> = o.json["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_i64().unwrap())
        .collect();
    assert!(
        at.len() >= 6 && at.windows(2).all(|w| w[0] >= w[1]),
        "{}",
        o.text
    );
    assert!(
        o.json["consultations"].as_array().unwrap().len() >= 2,
        "{}",
        o.text
    );
}

async fn got_member_no(s: &Server, token: &str, id: i64) -> String {
    let c = s.get(token, &format!("/api/v1/customers/{id}")).await;
    c.json["member_no"].as_str().unwrap().to_string()
}

/// The clinic's calendar day (the test server runs in the default Asia/Shanghai), `days` ahead.
fn clinic_day(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The clinic's calendar day `years` calendar years and `days` days ahead.
fn clinic_years(years: i32, days: i64) -> String {
    use chrono::Datelike;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let same = today.with_year(today.year() + years).unwrap_or(today);
    (same + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A new customer the front desk has triaged to the consultant (so within their scope).
async fn consultants_customer(s: &Server, desk: &str, name: &str, n: u32) -> i64 {
    let id = new_customer(s, desk, name, n).await;
    let r = s
        .post(
            desk,
            &format!("/api/v1/customers/{id}/triage"),
            json!({"consultant_id": s.user_id("consultant")}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    id
}

fn due_ids(w: &Resp) -> Vec<i64> {
    w.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["consultation"]["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_follow_up_is_recorded_from_the_worklist_and_moves_on_or_ends() {
    let s = Server::with_customers(0).await;
    let desk = s.login("frontdesk").await;
    let ct = s.login("consultant").await;
    let id = consultants_customer(&s, &desk, "回访客户", 151).await;
    let today = clinic_day(0);
    let r = s
        .post(
            &ct,
            &format!("/api/v1/customers/{id}/consultations"),
            json!({"way": "onsite", "notes": "初诊", "follow_up_date": today}),
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let k = r.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/consultations/{k}/follow-up");
    let worklist = |until: String| {
        let (s, ct) = (&s, &ct);
        async move {
            s.get(
                ct,
                &format!("/api/v1/consultations/follow-ups?until={until}"),
            )
            .await
        }
    };
    let w = worklist(today.clone()).await;
    assert!(due_ids(&w).contains(&k));
    assert_eq!(w.json["more"], false);
    // The clinic's day, whatever the browser's clock says; the default is that day.
    let w = s.get(&ct, "/api/v1/consultations/follow-ups").await;
    assert_eq!(w.json["today"], today.as_str(), "{}", w.text);
    assert!(due_ids(&w).contains(&k));

    // Bad input names the field and changes nothing.
    let audit_before = s.audit_rows();
    for (body, field) in [
        (json!({}), "result"),
        (json!({"result": "   "}), "result"),
        (json!({"result": "x".repeat(501)}), "result"),
        (json!({"result": "已回访", "next_date": today}), "next_date"),
        (
            json!({"result": "已回访", "next_date": "2026-02-30"}),
            "next_date",
        ),
        (json!({"result": "已回访", "next_date": 3}), "next_date"),
        // An empty next date is a slip, not the end of the follow-ups (that is null).
        (json!({"result": "已回访", "next_date": ""}), "next_date"),
        // Five calendar years from the clinic's today, not a day more.
        (
            json!({"result": "已回访", "next_date": clinic_years(5, 1)}),
            "next_date",
        ),
        // Invisible characters alone are no result; text-direction overrides are refused.
        (json!({"result": "\u{200B}\u{FEFF}"}), "result"),
        (json!({"result": "\u{202E}已回访"}), "result"),
        (json!({"result": "已回访", "due": "soon"}), "due"),
        (json!({"result": "已回访", "done": true}), "done"),
    ] {
        let r = s.post(&ct, &path, body.clone()).await;
        assert_eq!(r.code(), 422, "{body}: {}", r.text);
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
    }
    // Notes full: the result does not fit, and is refused rather than cut.
    let long = "备".repeat(1995);
    let r = s
        .patch(
            &ct,
            &format!("/api/v1/consultations/{k}"),
            json!({"notes": long}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let audit_before = audit_before + 1;
    let r = s.post(&ct, &path, json!({"result": "电话未接通"})).await;
    assert_eq!(r.code(), 422, "{}", r.text);
    assert_eq!(r.error_field(), "result", "{}", r.text);
    assert!(
        r.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1995 / 2000"),
        "the message says the notes are full: {}",
        r.text
    );
    assert_eq!(
        s.audit_rows(),
        audit_before,
        "a refused follow-up writes nothing"
    );
    let r = s
        .patch(
            &ct,
            &format!("/api/v1/consultations/{k}"),
            json!({"notes": "初诊"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);

    // Roles: read-only staff are refused, another store's staff do not see it, a role with no
    // consultation rights is refused outright.
    for (user, code) in [
        ("nurse", 403),
        ("finance", 403),
        ("marketing", 403),
        ("frontdesk2", 404),
    ] {
        let t = s.login(user).await;
        let r = s.post(&t, &path, json!({"result": "已回访"})).await;
        assert_eq!(r.code(), code, "{user}: {}", r.text);
    }
    let r = s
        .get(&ct, &format!("/api/v1/customers/{id}/consultations"))
        .await;
    assert_eq!(r.json["items"][0]["notes"], "初诊");
    assert_eq!(r.json["items"][0]["follow_up_date"], today.as_str());

    // Done, call again in a week: the result joins the notes, the worklist moves it on.
    let next = clinic_day(7);
    let before = s.max_audit_id();
    let r = s
        .post(
            &ct,
            &path,
            json!({"result": "已电话回访，下周到院复查", "next_date": next, "due": today}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    // The same submit again (a retry, a second tab) finds the follow-up moved on.
    let again = s
        .post(
            &ct,
            &path,
            json!({"result": "已电话回访，下周到院复查", "next_date": next, "due": today}),
        )
        .await;
    assert_eq!(again.code(), 409, "{}", again.text);
    assert_eq!(again.problem(), "follow-up-moved", "{}", again.text);
    assert_eq!(r.json["follow_up_date"], next.as_str());
    assert_eq!(
        r.json["notes"],
        format!("初诊\n{today} 回访：已电话回访，下周到院复查")
    );
    assert!(!due_ids(&worklist(today.clone()).await).contains(&k));
    assert!(due_ids(&worklist(next.clone()).await).contains(&k));
    let rows = s.audit_since(before);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str(), rows[0].2),
        ("update", "consultation", Some(k))
    );
    let (_, _, _, _, changes) = s.last_audit();
    let changes: Value = serde_json::from_str(&changes.unwrap()).unwrap();
    assert_eq!(changes["followed_up"], today.as_str());
    assert_eq!(changes["follow_up_date"], next.as_str());

    // Done for good: no next date, the follow-up date is cleared.
    let r = s
        .post(&ct, &path, json!({"result": "到院复查，恢复良好"}))
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["follow_up_date"], Value::Null);
    assert!(r.json["notes"]
        .as_str()
        .unwrap()
        .ends_with(&format!("\n{today} 回访：到院复查，恢复良好")));
    assert!(!due_ids(&worklist(clinic_day(30)).await).contains(&k));
    let r = s.post(&ct, &path, json!({"result": "再次回访"})).await;
    assert_eq!(r.code(), 409, "{}", r.text);
    assert_eq!(r.problem(), "no-follow-up-due", "{}", r.text);

    // The timeline shows each follow-up with its result; the nurse, who may read consultation
    // notes, sees it too, and a role without consultation rights sees the bare fact.
    let t = s
        .get(&ct, &format!("/api/v1/customers/{id}/timeline"))
        .await;
    let done: Vec<&Value> = t.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "consultation.followed_up")
        .collect();
    assert_eq!(done.len(), 2, "{}", t.text);
    assert_eq!(
        done[0]["data"]["notes"], "到院复查，恢复良好",
        "the result alone: the event has its own time"
    );
    assert_eq!(done[0]["data"]["follow_up_date"], Value::Null);
    assert_eq!(done[1]["data"]["follow_up_date"], next.as_str());
    // Each event names who did it by id too, so the app shows the person's current name.
    assert_eq!(done[0]["actor_id"], s.user_id("consultant"));
    assert_eq!(done[0]["actor"], "consultant");
    let o = s
        .get(&ct, &format!("/api/v1/customers/{id}/overview"))
        .await;
    let triaged = &o.json["stage_history"][1];
    assert_eq!(triaged["to_stage"], "triage", "{}", o.text);
    assert_eq!(triaged["actor_id"], s.user_id("frontdesk"), "{}", o.text);
    // ... and by the name the clinic knows them by, also once they have left (the consultant
    // cannot list users, and the staff list holds only active staff).
    let name_of = |u: &str| -> String {
        s.db()
            .query_row(
                "SELECT display_name FROM users WHERE username = ?1",
                [u],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(done[0]["actor_name"], name_of("consultant").as_str());
    let admin = s.login("admin").await;
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{}", s.user_id("frontdesk")),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let o = s
        .get(&ct, &format!("/api/v1/customers/{id}/overview"))
        .await;
    assert_eq!(
        o.json["stage_history"][1]["actor_name"],
        name_of("frontdesk").as_str(),
        "{}",
        o.text
    );
    let nurse = s.login("nurse").await;
    let t = s
        .get(&nurse, &format!("/api/v1/customers/{id}/timeline"))
        .await;
    assert!(t.text.contains("恢复良好"), "{}", t.text);
}

#[tokio::test]
async fn the_worklist_says_when_more_follow_ups_are_due_than_it_lists() {
    let s = Server::with_customers(0).await;
    let desk = s.login("frontdesk").await;
    let ct = s.login("consultant").await;
    let id = consultants_customer(&s, &desk, "回访很多", 152).await;
    let today = clinic_day(0);
    for _ in 0..201 {
        let r = s
            .post(
                &ct,
                &format!("/api/v1/customers/{id}/consultations"),
                json!({"way": "phone", "follow_up_date": today}),
            )
            .await;
        assert_eq!(r.code(), 201, "{}", r.text);
    }
    let w = s.get(&ct, "/api/v1/consultations/follow-ups").await;
    assert_eq!(due_ids(&w).len(), 200);
    assert_eq!(w.json["more"], true, "201 due, 200 listed");
    // One fewer, and the list is complete.
    let last = due_ids(&w)[199];
    let manager = s.login("manager").await;
    let r = s
        .delete(&manager, &format!("/api/v1/consultations/{last}"))
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let w = s.get(&ct, "/api/v1/consultations/follow-ups").await;
    assert_eq!(due_ids(&w).len(), 200);
    assert_eq!(w.json["more"], false);
}
