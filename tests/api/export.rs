//! Customer export to xlsx: the field policy of the JSON API, formula cells neutralised, the
//! watermark row, the audit row, and 403 for roles without `export`.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::*;

/// The workbook's first sheet as rows of cells.
fn read_xlsx(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a readable xlsx");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

/// The file, or the refusal.
async fn export(s: &Server, token: &str, q: &str) -> Result<Vec<u8>, Resp> {
    let path = match q {
        "" => "/api/v1/customers/export.xlsx".to_string(),
        q => format!("/api/v1/customers/export.xlsx?q={q}"),
    };
    let r = s
        .http
        .get(s.url(&path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if r.status() != 200 {
        return Err(into_resp(r).await);
    }
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.contains("spreadsheetml"), "{ct}");
    Ok(r.bytes().await.unwrap().to_vec())
}

fn cell_str(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

/// Checks the rows of an export against the JSON list the same user gets.
fn assert_matches_api(rows: &[Vec<Data>], api: &[Value], who: &str) {
    let header: Vec<String> = rows[1].iter().map(cell_str).collect();
    let first = api[0].as_object().unwrap();
    // The columns are exactly the fields the JSON API shows this role, in catalog order.
    let fields: Vec<&str> = CUSTOMER_FIELDS
        .iter()
        .copied()
        .filter(|f| first.contains_key(*f))
        .collect();
    assert_eq!(
        fields.len(),
        first.len(),
        "{who}: a field this test does not know"
    );
    assert_eq!(header.len(), fields.len(), "{who}: {header:?}");
    let by_id: HashMap<i64, &Value> = api.iter().map(|v| (v["id"].as_i64().unwrap(), v)).collect();
    assert_eq!(rows.len() - 2, api.len(), "{who}: row count");
    let id_col = fields.iter().position(|f| *f == "id").unwrap();
    for row in &rows[2..] {
        let id = match &row[id_col] {
            Data::Float(f) => *f as i64,
            other => panic!("{who}: id cell {other:?}"),
        };
        let item = by_id[&id];
        for (c, field) in fields.iter().enumerate() {
            let cell = row.get(c).cloned().unwrap_or(Data::Empty);
            match (&item[*field], *field) {
                (_, "consents") => {}
                // Ids by the names behind them, codes by the words clinics write (女, 成交).
                (Value::Number(_), "store_id" | "consultant_id") => {
                    let name = cell_str(&cell);
                    assert!(
                        matches!(cell, Data::String(_)) && !name.is_empty(),
                        "{who} {id} {field}: {cell:?}"
                    );
                }
                (Value::String(code), "gender" | "stage" | "source" | "skin_type") => {
                    let word = cell_str(&cell);
                    assert!(
                        !word.is_ascii(),
                        "{who} {id} {field}: {code} written as {word}"
                    );
                }
                // Times as local date and time text, never raw milliseconds.
                (
                    Value::Number(_),
                    "created_at" | "updated_at" | "last_visit_at" | "last_purchase_at"
                    | "restricted_at",
                ) => {
                    let t = cell_str(&cell);
                    let shape = t.len() == 19
                        && t.bytes().enumerate().all(|(i, b)| match i {
                            4 | 7 => b == b'-',
                            10 => b == b' ',
                            13 | 16 => b == b':',
                            _ => b.is_ascii_digit(),
                        });
                    assert!(shape, "{who} {id} {field}: {t}");
                }
                (Value::Array(tags), _) => {
                    let names: Vec<&str> =
                        tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
                    assert_eq!(cell_str(&cell), names.join(","), "{who} {id} {field}");
                }
                (Value::Null, _) => assert_eq!(cell, Data::Empty, "{who} {id} {field}"),
                (Value::Bool(b), _) => {
                    assert_eq!(
                        cell_str(&cell),
                        if *b { "是" } else { "否" },
                        "{who} {id} {field}"
                    )
                }
                (Value::Number(n), _) => {
                    assert_eq!(cell, Data::Float(n.as_f64().unwrap()), "{who} {id} {field}")
                }
                (Value::String(s), _) => {
                    let want = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                        format!("'{s}")
                    } else {
                        s.clone()
                    };
                    assert_eq!(cell_str(&cell), want, "{who} {id} {field}");
                }
                (other, _) => panic!("{who}: unexpected JSON value {other}"),
            }
        }
    }
}

#[tokio::test]
async fn export_follows_the_field_policy_and_is_audited() {
    let s = Server::with_customers(15).await;
    let admin = s.login("admin").await;
    // Values a spreadsheet would run as formulas.
    let mut evil = full_customer("=cmd|' /C calc'!A0", &mobile(1));
    evil["notes"] = json!("+SUM(1,2)");
    evil["concerns"] = json!("-2+3");
    evil["wechat_id"] = json!("@A1");
    s.create_customer(&admin, evil).await;

    for (user, role, _) in STAFF {
        let token = s.login(user).await;
        let audits = s.audit_rows();
        let bytes = match export(&s, &token, "").await {
            Ok(bytes) => bytes,
            Err(r) => {
                assert!(!matches!(*role, "admin" | "manager"), "{user}: {}", r.text);
                r.assert_problem(403);
                assert_eq!(
                    s.audit_rows(),
                    audits,
                    "{user}: a refused export is not logged"
                );
                continue;
            }
        };
        assert!(
            matches!(*role, "admin" | "manager"),
            "{user} may not export"
        );
        let rows = read_xlsx(&bytes);
        let watermark = cell_str(&rows[0][0]);
        assert!(
            watermark.contains(user) && watermark.contains(role) && watermark.contains("导出人"),
            "{user}: {watermark}"
        );
        assert!(watermark.contains(" (Asia/Shanghai)"), "{watermark}");
        let api = walk(&s, &token, "", 200).await;
        assert_matches_api(&rows, &api, user);

        // The formula values come out as quoted text.
        let text: Vec<String> = rows[2..].iter().flatten().map(cell_str).collect();
        for v in ["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@A1"] {
            assert!(text.iter().any(|t| t == v), "{user}: {v} missing");
        }
        let (action, entity, _, actor, changes) = s.last_audit();
        assert_eq!((action.as_str(), entity.as_str()), ("export", "customer"));
        assert_eq!(actor, *user);
        let changes: Value = serde_json::from_str(&changes.unwrap()).unwrap();
        assert_eq!(changes["rows"], api.len() as u64, "{changes}");
        assert_eq!(s.audit_rows(), audits + 1);
        if *role == "manager" {
            // The manager reads 身份证 numbers masked: so does the file.
            assert!(
                text.iter().any(|t| t == "1101**********002X"),
                "masked id number missing"
            );
            assert!(!text.iter().any(|t| t == "11010519491231002X"));
            // An export by 身份证 number or mobile logs the search text masked, never in clear.
            for (q, logged) in [
                ("11010519491231002X", "1101**********002X"),
                ("13700001111", "137****1111"),
            ] {
                export(&s, &token, q).await.expect("export by a search");
                let changes: Value = serde_json::from_str(&s.last_audit().4.unwrap()).unwrap();
                assert_eq!(changes["q"], logged, "{changes}");
            }
            assert_eq!(
                s.count("SELECT count(*) FROM audit_log WHERE changes LIKE '%11010519491231002X%' OR changes LIKE '%13700001111%'"),
                0
            );
            // A name searched is shown to each reader of the log as that reader sees names:
            // the auditor sees them masked.
            export(&s, &token, "%E6%B5%8B%E8%AF%95")
                .await
                .expect("export by a name");
            for (reader, q) in [("admin", "测试"), ("auditor", "测*")] {
                let t = s.login(reader).await;
                let r = s.get(&t, "/api/v1/audit?action=export&limit=1").await;
                assert_eq!(r.code(), 200, "{}", r.text);
                assert_eq!(
                    r.json["items"][0]["changes"]["q"], q,
                    "{reader}: {}",
                    r.text
                );
                assert_eq!(
                    r.json["items"][0]["changes"]["q_field"], "name",
                    "{}",
                    r.text
                );
            }
        }
    }
}

#[tokio::test]
async fn front_desk_may_export_once_allowed_and_then_sees_masks_and_no_health_columns() {
    let s = Server::with_customers(5).await;
    let admin = s.login("admin").await;
    let c = s
        .create_customer(&admin, full_customer("柳如烟", &mobile(2)))
        .await;
    let fd = s.login("frontdesk").await;
    export(&s, &fd, "").await.unwrap_err().assert_problem(403);

    s.allow(&admin, "front_desk", "customer", "export").await;
    let bytes = export(&s, &fd, &mobile(2)).await.expect("export allowed");
    let rows = read_xlsx(&bytes);
    assert_eq!(rows.len(), 3, "watermark, header, one customer");
    let header: Vec<String> = rows[1].iter().map(cell_str).collect();
    for hidden in ["过敏史", "病史", "肤质"] {
        assert!(
            !header.iter().any(|h| h.starts_with(hidden)),
            "{hidden} must be absent: {header:?}"
        );
    }
    let api = s
        .get(&fd, &format!("/api/v1/customers?q={}", mobile(2)))
        .await;
    let items = api.json["items"].as_array().unwrap().clone();
    assert_eq!(items[0]["id"], c["id"]);
    assert_matches_api(&rows, &items, "frontdesk");
    let text: Vec<String> = rows[2].iter().map(cell_str).collect();
    assert!(text.contains(&"166****0002".to_string()), "{text:?}");
    assert!(!text.iter().any(|t| t.contains("青霉素")), "{text:?}");
}
