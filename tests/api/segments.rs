//! List filters and saved segments (客户分群).

use serde_json::{json, Value};

use crate::common::*;

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn ids(r: &Resp) -> Vec<i64> {
    let mut v: Vec<i64> = r.json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_list_filters_by_stage_tag_source_birthday_store_and_last_visit() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let a = s.customer_id(&admin, json!({"name": "甲", "mobile": mobile(701), "birthday": "1990-11-03", "source": "referral", "tags": [1]})).await;
    let b = s.customer_id(&admin, json!({"name": "乙", "mobile": mobile(702), "birthday": "1985-04-20", "source": "online"})).await;
    let c = s
        .customer_id(
            &admin,
            json!({"name": "丙", "mobile": mobile(703), "store_id": 2, "source": "online"}),
        )
        .await;
    for (id, days) in [(a, 3), (b, 200)] {
        let body = json!({"way": "onsite", "at": now_ms() - days * DAY_MS, "outcome": "deal"});
        let r = s
            .post(
                &admin,
                &format!("/api/v1/customers/{id}/consultations"),
                body,
            )
            .await;
        assert_eq!(r.code(), 201, "{}", r.text);
    }
    let list = |q: &str| {
        let (s, admin) = (&s, admin.clone());
        let q = q.to_string();
        async move { s.get(&admin, &format!("/api/v1/customers?{q}")).await }
    };
    assert_eq!(ids(&list("stage=deal").await), [a]);
    assert_eq!(
        ids(&list("stage=dormant").await),
        [b],
        "no visit for 200 days"
    );
    assert_eq!(ids(&list("stage=lead").await), [c]);
    assert_eq!(ids(&list("tag_id=1").await), [a]);
    assert_eq!(ids(&list("source=online").await), [b, c]);
    assert_eq!(ids(&list("source=online&store_id=2").await), [c]);
    assert_eq!(ids(&list("birthday_month=11").await), [a]);
    let today = chrono_free_date(now_ms() - 30 * DAY_MS);
    assert_eq!(ids(&list(&format!("visited_from={today}")).await), [a]);
    assert_eq!(ids(&list(&format!("visited_before={today}")).await), [b]);
    // Filters combine with the quick search.
    assert_eq!(ids(&list("q=yi&source=online").await), [b]);
    assert_eq!(ids(&list("q=yi&source=referral").await), Vec::<i64>::new());

    for (q, field) in [
        ("stage=vip", "stage"),
        ("source=tv", "source"),
        ("birthday_month=13", "birthday_month"),
        ("visited_from=2026-13-01", "visited_from"),
    ] {
        let r = list(q).await;
        assert_eq!(r.code(), 422, "{q}: {}", r.text);
        assert_eq!(r.error_field(), field, "{q}");
    }
    let r = list("colour=red").await;
    r.assert_problem(422);
    assert!(r.text.contains("colour"), "{}", r.text);
}

/// YYYY-MM-DD of an instant in the clinic's zone (UTC+8), without a date library.
fn chrono_free_date(ms: i64) -> String {
    let days = (ms + 8 * 3_600_000).div_euclid(DAY_MS);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn a_role_cannot_filter_by_a_field_it_may_not_see() {
    let s = Server::with_customers(0).await;
    let db = s.db();
    let filters = [
        ("stage=deal", "stage"),
        ("tag_id=1", "tags"),
        ("store_id=1", "store_id"),
        ("consultant_id=3", "consultant_id"),
        ("source=online", "source"),
        ("birthday_month=1", "birthday"),
        ("visited_from=2026-01-01", "last_visit_at"),
    ];
    for (user, role, _) in STAFF
        .iter()
        .filter(|(_, r, st)| *st == 1 && *r != "partner")
    {
        let token = s.login(user).await;
        for (q, field) in filters {
            let policy: String = db
                .query_row(
                    "SELECT policy FROM field_policies WHERE role = ?1 AND entity = 'customer' AND field = ?2",
                    [role, &field],
                    |r| r.get(0),
                )
                .unwrap();
            let r = s.get(&token, &format!("/api/v1/customers?{q}")).await;
            // A masked field is refused too: which customers match would tell what the mask hides.
            if policy == "hidden" || policy.ends_with("masked") {
                r.assert_problem(403);
                assert_eq!(r.error_field(), field, "{user} {q}");
            } else {
                assert_eq!(r.code(), 200, "{user} {q}: {}", r.text);
            }
        }
    }
    // The check is not vacuous: hide a field from front desk and its filter is refused.
    let admin = s.login("admin").await;
    let r = s
        .put(&admin, "/api/v1/access/field-policy", json!({"role": "front_desk", "entity": "customer", "field": "source", "policy": "hidden"}))
        .await;
    assert!(r.code() < 300, "{}", r.text);
    let desk = s.login("frontdesk").await;
    let r = s.get(&desk, "/api/v1/customers?source=online").await;
    r.assert_problem(403);
    assert_eq!(r.error_field(), "source");
    // Nor does a shared segment by that field show to front desk: its name and filter would
    // tell what the role may not see.
    let seg = s
        .post(
            &admin,
            "/api/v1/segments",
            json!({"name": "网络来源", "filter": {"source": "online"}, "shared": true}),
        )
        .await;
    assert_eq!(seg.code(), 201, "{}", seg.text);
    let names = |r: &Resp| -> Vec<String> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(names(&s.get(&admin, "/api/v1/segments").await).contains(&"网络来源".to_string()));
    let seen = s.get(&desk, "/api/v1/segments").await;
    assert_eq!(seen.code(), 200, "{}", seen.text);
    assert!(
        !names(&seen).contains(&"网络来源".to_string()),
        "{}",
        seen.text
    );
}

#[tokio::test]
async fn segments_are_private_or_shared_and_only_their_owner_changes_them() {
    let s = Server::with_customers(0).await;
    let ct = s.login("consultant").await;
    let desk = s.login("frontdesk").await;
    let admin = s.login("admin").await;

    let mine = s
        .post(
            &ct,
            "/api/v1/segments",
            json!({"name": "十一月生日", "filter": {"birthday_month": 11}}),
        )
        .await;
    assert_eq!(mine.code(), 201, "{}", mine.text);
    let shared = s
        .post(
            &ct,
            "/api/v1/segments",
            json!({"name": "沉睡老客", "filter": {"stage": "dormant"}, "shared": true}),
        )
        .await;
    assert_eq!(shared.code(), 201, "{}", shared.text);
    assert_eq!(shared.json["filter"], json!({"stage": "dormant"}));
    for (body, field) in [
        (json!({"name": "", "filter": {"stage": "deal"}}), "name"),
        (json!({"name": "空", "filter": {}}), "filter"),
        (json!({"name": "坏", "filter": {"stage": "vip"}}), "stage"),
        (
            json!({"name": "无此标签", "filter": {"tag_id": 99999}}),
            "filter.tag_id",
        ),
        (
            json!({"name": "李\u{200b}四", "filter": {"stage": "deal"}}),
            "name",
        ),
    ] {
        let r = s.post(&ct, "/api/v1/segments", body.clone()).await;
        assert_eq!(r.error_field(), field, "{body}: {}", r.text);
    }
    let r = s
        .post(
            &ct,
            "/api/v1/segments",
            json!({"name": "坏", "filter": {"colour": "red"}}),
        )
        .await;
    assert!(r.code() == 400 || r.code() == 422, "{}", r.text);

    let names = |r: &Resp| -> Vec<String> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x: &Value| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&s.get(&ct, "/api/v1/segments").await),
        ["十一月生日", "沉睡老客"]
    );
    assert_eq!(names(&s.get(&desk, "/api/v1/segments").await), ["沉睡老客"]);

    let (mine_id, shared_id) = (
        mine.json["id"].as_i64().unwrap(),
        shared.json["id"].as_i64().unwrap(),
    );
    let change = json!({"name": "改名", "filter": {"stage": "lost"}});
    s.put(
        &desk,
        &format!("/api/v1/segments/{mine_id}"),
        change.clone(),
    )
    .await
    .assert_problem(404);
    s.put(
        &desk,
        &format!("/api/v1/segments/{shared_id}"),
        change.clone(),
    )
    .await
    .assert_problem(403);
    s.delete(&desk, &format!("/api/v1/segments/{shared_id}"))
        .await
        .assert_problem(403);
    let r = s
        .put(&ct, &format!("/api/v1/segments/{mine_id}"), change)
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["name"], "改名");
    assert_eq!(
        s.delete(&admin, &format!("/api/v1/segments/{shared_id}"))
            .await
            .code(),
        204,
        "admins tidy shared segments"
    );
    assert_eq!(
        names(&s.get(&desk, "/api/v1/segments").await),
        Vec::<String>::new()
    );
    s.get(&s.login("partner").await, "/api/v1/segments")
        .await
        .assert_problem(403);
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE entity = 'segment'"),
        4
    );
}
