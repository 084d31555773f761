//! The customer list (a quick search or all customers in scope) as an xlsx file. Rows go through
//! `Grant::export` like the JSON API, so hidden fields are absent and masked fields masked.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use super::model::{code_word, label};
use super::service;
use crate::access::{Customers, Export, Grant};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::error::{Error, Result};

/// At most this many customers per file; a larger list must be narrowed by a search first.
pub const MAX_ROWS: usize = 100_000;

/// Characters that make a spreadsheet read a cell as a formula (CSV/DDE injection).
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A text cell as written: a leading formula character gets a quote in front of it.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(FORMULA_START) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `YYYY-MM-DD HH:MM:SS` in the clinic's time zone.
pub fn local_time(app: &App, at_ms: i64) -> String {
    let offset = app.config.utc_offset_minutes().unwrap_or(480);
    let tz = chrono::FixedOffset::east_opt(offset * 60).expect("offset within a day");
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Fields held as epoch milliseconds, written as local date and time.
const TIMES: &[&str] = &[
    "created_at",
    "updated_at",
    "last_visit_at",
    "last_purchase_at",
    "restricted_at",
];

/// What a reader of the file cannot look up: the names behind store and staff ids.
struct Names {
    stores: HashMap<i64, String>,
    staff: HashMap<i64, String>,
}

impl Names {
    fn load(app: &App) -> Result<Names> {
        let (stores, users) = app.db.read_sync(|c| {
            Ok::<_, Error>((
                crate::domain::stores::all(c)?,
                crate::auth::store::list_users(c)?,
            ))
        })?;
        Ok(Names {
            stores: stores.into_iter().map(|(id, _, name)| (id, name)).collect(),
            staff: users.into_iter().map(|u| (u.id, u.display_name)).collect(),
        })
    }

    fn of(&self, field: &str, v: &Value) -> Option<String> {
        let map = match field {
            "store_id" => &self.stores,
            "consultant_id" => &self.staff,
            _ => return None,
        };
        map.get(&v.as_i64()?).cloned()
    }
}

const CONSENT_WORDS: &[(&str, &str)] = &[
    ("privacy", "隐私政策"),
    ("health_data", "健康信息"),
    ("marketing", "营销信息"),
    ("photos", "照片使用"),
];

fn cell_text(app: &App, field: &str, v: &Value) -> Option<String> {
    match (field, v) {
        (_, Value::Null) => None,
        (f, Value::Number(n)) if TIMES.contains(&f) => n.as_i64().map(|t| local_time(app, t)),
        // Coded values as clinics write them (女, 成交), which the import reads back.
        (f, Value::String(s)) => {
            Some(code_word(f, s).map_or_else(|| neutralise(s), str::to_string))
        }
        (_, Value::Bool(b)) => Some(if *b { "是" } else { "否" }.into()),
        // Tags by their names, e.g. `高价值,敏感肌`; custom multiple choices as they are.
        (_, Value::Array(items)) => Some(neutralise(
            &items
                .iter()
                .filter_map(|t| t.get("name").unwrap_or(t).as_str())
                .collect::<Vec<_>>()
                .join(","),
        )),
        // Consents: the kinds granted, e.g. `隐私政策,健康信息`.
        (_, Value::Object(m)) => Some(
            m.iter()
                .filter(|(_, g)| !g.is_null())
                .map(|(k, _)| {
                    CONSENT_WORDS
                        .iter()
                        .find(|(c, _)| c == k)
                        .map_or(k.as_str(), |(_, w)| *w)
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        (_, other) => Some(other.to_string()),
    }
}

pub struct File {
    pub bytes: Vec<u8>,
    pub rows: usize,
}

/// Builds the file and appends the `export` audit row with the row count.
pub fn export(
    app: &App,
    grant: &Grant<Customers, Export>,
    q: Option<&str>,
    filter: &super::filter::Filter,
) -> Result<File> {
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = service::search(
            app,
            grant,
            q,
            filter,
            after.as_deref(),
            Some(service::MAX_PAGE),
        )?;
        items.extend(page.items);
        if items.len() > MAX_ROWS {
            return Err(Error::field(
                "q",
                format!("导出最多 {MAX_ROWS} 位客户，请先用搜索缩小范围"),
                format!("at most {MAX_ROWS} customers per export; narrow the list with a search"),
            ));
        }
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    let p = grant.principal();
    let now = now_ms();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let xlsx = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "xlsx export failed");
        Error::internal()
    };
    sheet.set_name("客户 Customers").map_err(xlsx)?;
    // The watermark: who took this copy of customer data out, in which role, and when.
    let watermark = format!(
        "导出人 Exported by: {} ({}) · 角色 Role: {} · 时间 Time: {} ({})",
        p.display_name,
        p.username,
        p.role,
        local_time(app, now),
        app.config.timezone
    );
    sheet
        .write_string_with_format(0, 0, neutralise(&watermark), &Format::new().set_italic())
        .map_err(xlsx)?;
    // The columns: the fields this role sees, in catalog order.
    let columns: Vec<&'static str> = grant.visible_fields().collect();
    let bold = Format::new().set_bold();
    for (c, field) in columns.iter().enumerate() {
        // A custom field's title is the label the clinic gave it.
        let title = match grant.custom_fields().find(|f| f.name() == *field) {
            Some(f) => f.label.clone(),
            None => {
                let (zh, en) = label(field);
                format!("{zh} / {en}")
            }
        };
        sheet
            .write_string_with_format(1, c as u16, neutralise(&title), &bold)
            .map_err(xlsx)?;
    }
    let names = Names::load(app)?;
    for (r, item) in items.iter().enumerate() {
        let row = r as u32 + 2;
        for (field, v) in item.fields() {
            let Some(c) = columns.iter().position(|f| *f == field) else {
                continue;
            };
            if let Some(name) = names.of(field, v) {
                sheet
                    .write_string(row, c as u16, neutralise(&name))
                    .map_err(xlsx)?;
                continue;
            }
            match v {
                Value::Number(n) if !TIMES.contains(&field) => {
                    sheet
                        .write_number(row, c as u16, n.as_f64().unwrap_or_default())
                        .map_err(xlsx)?;
                }
                _ => {
                    if let Some(t) = cell_text(app, field, v) {
                        sheet.write_string(row, c as u16, t).map_err(xlsx)?;
                    }
                }
            }
        }
    }
    sheet.set_freeze_panes(2, 0).map_err(xlsx)?;
    let bytes = book.save_to_buffer().map_err(xlsx)?;
    let rows = items.len();
    app.db.write_sync(|tx| {
        audit::append(
            tx,
            &Event {
                actor: &p.actor(),
                action: "export",
                entity: "customer",
                entity_id: None,
                store_id: None,
                changes: Some(serde_json::json!({
                    "rows": rows,
                    "q": q.map(super::search::for_the_log),
                    // Readers of the log see the text under their policy on this field.
                    "q_field": q.and_then(super::search::classify).map(|c| c.field()),
                    "format": "xlsx",
                    "columns": columns,
                })),
            },
        )
    })?;
    Ok(File { bytes, rows })
}

/// The file name offered to the browser, with the clinic's local date.
pub fn file_name(app: &App) -> String {
    format!("customers-{}.xlsx", app.config.today().format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        for s in ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(s), format!("'{s}"));
        }
        assert_eq!(neutralise("王小丫"), "王小丫");
        assert_eq!(neutralise("a=b"), "a=b");
    }
}
