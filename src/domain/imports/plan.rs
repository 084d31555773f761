//! What an import would do, row by row: create, update an existing customer, merge into an
//! earlier row, or fail. The same plan serves the dry run (on a read snapshot) and the commit
//! (inside the write transaction), so the two cannot disagree.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value};

use super::mapping::Mapping;
use super::parse::Sheet;
use crate::access::mask::mask;
use crate::access::{custom, CustomKind, Customers, Grant, RowScope, Sensitivity, Update};
use crate::app::App;
use crate::domain::customers::model::{code_words, label, Customer};
use crate::domain::customers::{service, store, validate};
use crate::error::{text, Error, FieldError, Kind, Text};

/// Every customer field an import can touch, as compared when rows merge.
const MERGED: &[&str] = &[
    "name",
    "gender",
    "birthday",
    "mobile",
    "wechat_id",
    "id_number",
    "store_id",
    "source",
    "skin_type",
    "allergies",
    "concerns",
    "medical_history",
    "notes",
    "stage",
];

#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    pub row: u32,
    pub column: Option<String>,
    pub field: String,
    pub message: Text,
}

/// A value in the file that differs from the one kept; it went to the notes instead.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub row: u32,
    pub column: Option<String>,
    pub field: String,
    /// As the importer may see them (masked under a masked policy); never stored.
    pub existing: String,
    pub incoming: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Merge,
    Unchanged,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    pub action: Action,
    /// The existing customer it updates; for a merge, the one its earlier row updates.
    pub customer_id: Option<i64>,
    /// That customer's member no., as staff know the customer.
    pub member_no: Option<String>,
    /// For a merge: the file row whose customer it joins.
    pub merged_into_row: Option<u32>,
    /// The plan's target this row writes (none for an error row).
    #[serde(skip)]
    pub target: Option<usize>,
}

/// One customer the import writes: as it was (None when new) and as it will be.
pub struct Target {
    pub before: Option<Customer>,
    pub after: Customer,
    pub first_row: u32,
}

pub struct Plan {
    pub targets: Vec<Target>,
    pub rows: Vec<RowOutcome>,
    pub errors: Vec<RowError>,
    pub conflicts: Vec<Conflict>,
}

/// Store codes and names → id.
pub type Stores = HashMap<String, i64>;

pub fn stores(conn: &Connection) -> rusqlite::Result<Stores> {
    let mut out = Stores::new();
    for (id, code, name) in crate::domain::stores::all(conn)? {
        out.insert(code.to_lowercase(), id);
        out.insert(name, id);
    }
    Ok(out)
}

struct Ctx<'a> {
    app: &'a App,
    grant: &'a Grant<Customers, Update>,
    scope: RowScope,
    stores: Stores,
    /// target → column, and the customer fields' columns.
    columns: HashMap<&'a str, &'a str>,
    now: i64,
    import_id: i64,
}

pub fn plan(
    app: &App,
    conn: &Connection,
    grant: &Grant<Customers, Update>,
    sheet: &Sheet,
    mapping: &Mapping,
    import_id: i64,
) -> crate::error::Result<Plan> {
    let ctx = Ctx {
        app,
        grant,
        scope: grant.rows(),
        stores: stores(conn)?,
        columns: mapping
            .iter()
            .map(|(c, t)| (t.as_str(), c.as_str()))
            .collect(),
        now: crate::clock::now_ms(),
        import_id,
    };
    let index: Vec<(usize, &str)> = mapping
        .iter()
        .filter_map(|(c, t)| Some((sheet.header.iter().position(|h| h == c)?, t.as_str())))
        .collect();
    let mut plan = Plan {
        targets: Vec::new(),
        rows: Vec::with_capacity(sheet.rows.len()),
        errors: Vec::new(),
        conflicts: Vec::new(),
    };
    // Keys of the customers planned so far: mobile, 身份证 number, database id.
    let mut by_mobile: HashMap<String, usize> = HashMap::new();
    let mut by_id_number: HashMap<String, usize> = HashMap::new();
    let mut by_db_id: HashMap<i64, usize> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let row = *row;
        let outcome = (|| {
            let input = ctx.input(row, cells, &index)?;
            let mobile = input
                .get("mobile")
                .and_then(Value::as_str)
                .and_then(validate::normalize_mobile);
            let id_number = input
                .get("id_number")
                .and_then(Value::as_str)
                .and_then(|s| validate::parse_id_number(s, app.config.today()).ok())
                .map(|id| id.value);
            let by_m = match &mobile {
                Some(m) => match by_mobile.get(m) {
                    Some(t) => Some(Found::Planned(*t)),
                    None => store::find_by_mobile(conn, m)?.map(|e| Found::Db(e.0)),
                },
                None => None,
            };
            let by_i = match &id_number {
                Some(i) => match by_id_number.get(i) {
                    Some(t) => Some(Found::Planned(*t)),
                    None => store::find_by_id_hash(conn, &app.cipher.lookup_hash("id_number", i))?
                        .map(|e| Found::Db(e.0)),
                },
                None => None,
            };
            let resolve = |f: Found| match f {
                Found::Db(id) => by_db_id
                    .get(&id)
                    .map_or(Found::Db(id), |t| Found::Planned(*t)),
                p => p,
            };
            let outside = |field: &str| {
                ctx.error(
                    row,
                    field,
                    text(
                        "该客户已存在，但不在您可修改的范围内",
                        "this customer exists but is outside the customers you may change",
                    ),
                )
            };
            let found = match (by_m.map(resolve), by_i.map(resolve)) {
                (Some(a), Some(b)) if a != b => {
                    // A customer the importer may not change is named as such before anything
                    // is said of how the row's mobile and ID number relate: that would tell
                    // about them.
                    for (f, field) in [(a, "mobile"), (b, "id_number")] {
                        if let Found::Db(id) = f {
                            if !store::visible(conn, id, &ctx.scope)? {
                                return Err(outside(field));
                            }
                        }
                    }
                    return Err(ctx.error(
                        row,
                        "id_number",
                        text(
                            "手机号与身份证号分属两位不同的客户",
                            "the mobile and the ID number belong to two different customers",
                        ),
                    ));
                }
                (a, b) => a.or(b),
            };
            let (t, action) = match found {
                None => {
                    let c = ctx.create(row, &input)?;
                    plan.targets.push(Target {
                        before: None,
                        after: c,
                        first_row: row,
                    });
                    (plan.targets.len() - 1, Action::Create)
                }
                Some(Found::Planned(t)) => {
                    ctx.merge(row, &input, &mut plan.targets[t], &mut plan.conflicts)?;
                    (t, Action::Merge)
                }
                Some(Found::Db(id)) => {
                    let Some(existing) = store::get(conn, id, &ctx.scope)? else {
                        return Err(outside(if by_m.is_some() {
                            "mobile"
                        } else {
                            "id_number"
                        }));
                    };
                    let c = service::open(conn, app, &existing)?;
                    let mut target = Target {
                        before: Some(c.clone()),
                        after: c,
                        first_row: row,
                    };
                    ctx.merge(row, &input, &mut target, &mut plan.conflicts)?;
                    let changed = target.before.as_ref() != Some(&target.after);
                    plan.targets.push(target);
                    by_db_id.insert(id, plan.targets.len() - 1);
                    let action = if changed {
                        Action::Update
                    } else {
                        Action::Unchanged
                    };
                    (plan.targets.len() - 1, action)
                }
            };
            let target = &plan.targets[t];
            by_mobile.insert(target.after.mobile.clone(), t);
            if let Some(i) = &target.after.id_number {
                by_id_number.insert(i.clone(), t);
            }
            Ok(RowOutcome {
                row,
                action,
                customer_id: target.before.as_ref().map(|c| c.id),
                member_no: target.before.as_ref().map(|c| c.member_no.clone()),
                merged_into_row: (action == Action::Merge).then_some(target.first_row),
                target: Some(t),
            })
        })();
        match outcome {
            Ok(o) => plan.rows.push(o),
            Err(RowFailure::Row(errs)) => {
                plan.errors.extend(errs);
                plan.rows.push(RowOutcome {
                    row,
                    action: Action::Error,
                    customer_id: None,
                    member_no: None,
                    merged_into_row: None,
                    target: None,
                });
            }
            Err(RowFailure::Fatal(e)) => return Err(e),
        }
    }
    Ok(plan)
}

#[derive(Clone, Copy, PartialEq)]
enum Found {
    Db(i64),
    Planned(usize),
}

enum RowFailure {
    Row(Vec<RowError>),
    Fatal(Error),
}

impl From<rusqlite::Error> for RowFailure {
    fn from(e: rusqlite::Error) -> RowFailure {
        RowFailure::Fatal(e.into())
    }
}

impl From<Error> for RowFailure {
    fn from(e: Error) -> RowFailure {
        RowFailure::Fatal(e)
    }
}

fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "是" | "有" | "同意" | "已同意" | "y" | "yes" | "true" | "1" | "√" | "✓" => {
            Some(true)
        }
        "否" | "无" | "不同意" | "未同意" | "n" | "no" | "false" | "0" | "×" => {
            Some(false)
        }
        _ => None,
    }
}

/// Words clinics type for the coded fields; anything else is passed on for the customer rules
/// to refuse (`coded_error` then names the words).
fn code(target: &str, raw: &str) -> String {
    let lower = raw.trim().to_lowercase();
    code_words(target)
        .iter()
        .find(|(_, words)| words.contains(&lower.as_str()))
        .map_or(lower.clone(), |(c, _)| c.to_string())
}

/// For a coded field whose value is none of its codes: the words a file may hold, rather than
/// the codes alone (a clinic's file says 女, not female). Other refusals keep their own words.
fn coded_error(input: &Map<String, Value>, field: &str, message: Text) -> Text {
    let known = code_words(field);
    let outside = input
        .get(field)
        .and_then(Value::as_str)
        .is_some_and(|v| known.iter().all(|(c, _)| *c != v));
    if known.is_empty() || !outside {
        return message;
    }
    let zh: Vec<&str> = known.iter().map(|(_, w)| w[0]).collect();
    let en: Vec<&str> = known.iter().map(|(c, _)| *c).collect();
    text(
        format!("取值须为 {}", zh.join("/")),
        format!(
            "must be one of {} (or 中文 {})",
            en.join(", "),
            zh.join("/")
        ),
    )
}

/// `1990/1/5`, `1990.1.5`, `1990年1月5日`, `19900105` → `1990-01-05`; anything else unchanged.
fn date(raw: &str) -> String {
    let t = raw.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]);
    }
    let parts: Vec<&str> = t
        .split(['/', '.', '-', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => t.to_string(),
    }
}

impl Ctx<'_> {
    fn column(&self, field: &str) -> Option<String> {
        let target = match field {
            "store_id" => "store",
            f if f.starts_with("consents") => "consents.health_data",
            f => f,
        };
        self.columns
            .get(target)
            // A birthday or gender at odds with the 身份证 number is that column's fault.
            .or_else(|| {
                self.columns
                    .get("id_number")
                    .filter(|_| matches!(field, "birthday" | "gender"))
            })
            .map(|c| c.to_string())
    }

    fn error(&self, row: u32, field: &str, message: Text) -> RowFailure {
        RowFailure::Row(vec![self.cell_error(row, field, message)])
    }

    /// A refusal of the customer rules, on the row's cell.
    fn rule_error(&self, row: u32, input: &Map<String, Value>, f: FieldError) -> RowError {
        let message = coded_error(input, &f.field, f.message);
        self.cell_error(row, &f.field, message)
    }

    fn cell_error(&self, row: u32, field: &str, message: Text) -> RowError {
        RowError {
            row,
            column: self.column(field),
            field: field.into(),
            message,
        }
    }

    /// A cell for a custom field, shaped as its kind takes it: several choices split on 、 , ;
    /// yes/no words as a boolean, dates as clinics type them.
    fn custom_cell(&self, row: u32, target: &str, raw: &str) -> Result<Value, RowError> {
        let kind = self
            .grant
            .custom_fields()
            .find(|f| f.name() == target)
            .map(|f| f.kind);
        Ok(match kind {
            Some(CustomKind::MultiChoice) => Value::from(
                raw.split(['、', ',', '，', ';', '；'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>(),
            ),
            Some(CustomKind::YesNo) => match yes_no(raw) {
                Some(b) => Value::Bool(b),
                None => {
                    return Err(self.cell_error(
                        row,
                        target,
                        text("须为 是 或 否", "must be yes or no"),
                    ))
                }
            },
            Some(CustomKind::Date) => Value::String(date(raw)),
            _ => Value::String(raw.to_string()),
        })
    }

    /// The row as the JSON body the customer service takes; empty cells are left out, so they
    /// never clear a value.
    fn input(
        &self,
        row: u32,
        cells: &[String],
        index: &[(usize, &str)],
    ) -> Result<Map<String, Value>, RowFailure> {
        let mut input = Map::new();
        let mut consents = Map::new();
        // Every bad cell of the row is reported, so that the file is fixed in one pass.
        let mut bad: Vec<RowError> = Vec::new();
        for &(i, target) in index {
            let raw = cells.get(i).map_or("", |s| s.trim());
            if raw.is_empty() {
                continue;
            }
            let value = match target {
                "gender" | "source" | "skin_type" | "stage" => Value::String(code(target, raw)),
                "birthday" => Value::String(date(raw)),
                "store" => {
                    let found = self
                        .stores
                        .get(raw)
                        .or_else(|| self.stores.get(&raw.to_lowercase()))
                        .copied();
                    match found {
                        None => bad.push(self.cell_error(
                            row,
                            "store_id",
                            text(
                                format!("未知门店：{raw}（请填写门店编码或名称）"),
                                format!("unknown store `{raw}` (give its code or name)"),
                            ),
                        )),
                        Some(id) if matches!(self.scope, RowScope::Store(own) if own != id) => bad
                            .push(self.cell_error(
                                row,
                                "store_id",
                                text(
                                    "无权将客户导入到其他门店",
                                    "may not import customers into another store",
                                ),
                            )),
                        Some(id) => {
                            input.insert("store_id".into(), id.into());
                        }
                    }
                    continue;
                }
                t if t.starts_with("consents.") => {
                    match yes_no(raw) {
                        Some(true) => {
                            consents.insert(t["consents.".len()..].into(), true.into());
                        }
                        Some(false) => {}
                        None => bad.push(RowError {
                            row,
                            column: self.columns.get(t).map(|c| c.to_string()),
                            field: t.into(),
                            message: text("须为 是 或 否", "must be yes or no"),
                        }),
                    }
                    continue;
                }
                t if t.starts_with(custom::PREFIX) => match self.custom_cell(row, t, raw) {
                    Ok(v) => v,
                    Err(e) => {
                        bad.push(e);
                        continue;
                    }
                },
                _ => Value::String(raw.to_string()),
            };
            input.insert(target.into(), value);
        }
        if !consents.is_empty() {
            input.insert("consents".into(), Value::Object(consents));
        }
        if bad.is_empty() {
            return Ok(input);
        }
        // The rest of the row goes through the customer rules as well, for their errors too.
        // Only checks of the values themselves: consents depend on the customer it merges into.
        if let Err(e) = service::apply(self.app, &mut Customer::default(), &input, self.now) {
            if e.kind == Kind::Validation {
                for f in e.errors {
                    if bad.iter().all(|b| b.field != f.field) {
                        bad.push(self.rule_error(row, &input, f));
                    }
                }
            }
        }
        Err(RowFailure::Row(bad))
    }

    /// Runs the customer rules (`service::apply`) and turns their errors into row errors.
    fn apply(
        &self,
        row: u32,
        c: &mut Customer,
        input: &Map<String, Value>,
    ) -> Result<(), RowFailure> {
        match service::apply(self.app, c, input, self.now) {
            Ok(()) => Ok(()),
            Err(e) if e.kind == Kind::Validation => Err(RowFailure::Row(
                e.errors
                    .into_iter()
                    .map(|f| self.rule_error(row, input, f))
                    .collect(),
            )),
            // The health-data consent is missing: each health value of the row needs it.
            Err(e) if e.kind == Kind::Conflict => {
                let health: Vec<RowError> = input
                    .keys()
                    .filter(|k| {
                        self.grant
                            .field(k)
                            .is_some_and(|f| f.sensitivity == Sensitivity::Health)
                    })
                    .map(|k| self.cell_error(row, k, e.title.clone()))
                    .collect();
                Err(if health.is_empty() {
                    self.error(row, "consents", e.title)
                } else {
                    RowFailure::Row(health)
                })
            }
            Err(e) => Err(RowFailure::Fatal(e)),
        }
    }

    fn create(&self, row: u32, input: &Map<String, Value>) -> Result<Customer, RowFailure> {
        let p = self.grant.principal();
        let mut c = Customer {
            store_id: p.store_id,
            gender: "unknown".into(),
            // A clinic's customer file holds people it has served; a column mapped to the stage
            // says otherwise (a list of leads).
            stage: "consultation".into(),
            consultant_id: match self.scope {
                RowScope::Consultant(me) => Some(me),
                _ => None,
            },
            created_at: self.now,
            updated_at: self.now,
            ..Default::default()
        };
        self.apply(row, &mut c, input)?;
        if c.name.is_empty() {
            return Err(self.error(row, "name", text("姓名不能为空", "is required")));
        }
        if c.mobile.is_empty() {
            return Err(self.error(row, "mobile", text("手机号不能为空", "is required")));
        }
        Ok(c)
    }

    /// Fills the target's empty fields from the row. A differing value never replaces the one
    /// kept: it is appended to the notes with a 导入 marker and listed as a conflict.
    fn merge(
        &self,
        row: u32,
        input: &Map<String, Value>,
        target: &mut Target,
        conflicts: &mut Vec<Conflict>,
    ) -> Result<(), RowFailure> {
        let old = &target.after;
        let mut c = old.clone();
        self.apply(row, &mut c, input)?;
        let mut found = Vec::new();
        let custom: Vec<&str> = self.grant.custom_fields().map(|f| f.name()).collect();
        for field in MERGED.iter().chain(&custom) {
            let (was, now) = (text_of(old, field), text_of(&c, field));
            if let (Some(was), Some(now)) = (was, now) {
                if was != now {
                    restore(&mut c, old, field);
                    found.push((*field, was, now));
                }
            }
        }
        for (field, was, now) in found {
            let zh = self
                .grant
                .custom_fields()
                .find(|f| f.name() == field)
                .map_or(label(field).0, |f| f.label.as_str());
            let def = self.grant.field(field).expect("a customer field");
            let line = format!(
                "[导入 #{} 第{row}行] {zh}: {}",
                self.import_id,
                def.for_notes(&now)
            );
            c.notes = Some(match c.notes.take() {
                Some(n) if !n.is_empty() => format!("{n}\n{line}"),
                _ => line,
            });
            let shown = |v: &str| {
                if self.grant.policy(field).masked() {
                    mask(def.mask, v)
                } else {
                    v.to_string()
                }
            };
            conflicts.push(Conflict {
                row,
                column: self.column(field),
                field: field.into(),
                existing: shown(&was),
                incoming: shown(&now),
            });
        }
        if c.notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(self.error(
                row,
                "notes",
                text(
                    "合并后的备注超过 2000 个字符",
                    "the notes would exceed 2000 characters after merging",
                ),
            ));
        }
        if c != *old {
            c.updated_at = self.now;
        }
        target.after = c;
        Ok(())
    }
}

/// A field's value as text; an unknown gender counts as empty.
fn text_of(c: &Customer, field: &str) -> Option<String> {
    let v = match field {
        "name" => Some(c.name.clone()),
        "gender" => Some(c.gender.clone()).filter(|g| g != "unknown"),
        "birthday" => c.birthday.clone(),
        "mobile" => Some(c.mobile.clone()),
        "wechat_id" => c.wechat_id.clone(),
        "id_number" => c.id_number.clone(),
        "store_id" => Some(c.store_id.to_string()),
        "source" => c.source.clone(),
        "skin_type" => c.skin_type.clone(),
        "allergies" => c.allergies.clone(),
        "concerns" => c.concerns.clone(),
        "medical_history" => c.medical_history.clone(),
        "notes" => c.notes.clone(),
        "stage" => Some(c.stage.clone()),
        f => c.custom.get(f).cloned(),
    };
    v.filter(|s| !s.is_empty())
}

fn restore(c: &mut Customer, old: &Customer, field: &str) {
    match field {
        "name" => c.name = old.name.clone(),
        "gender" => c.gender = old.gender.clone(),
        "birthday" => c.birthday = old.birthday.clone(),
        "mobile" => c.mobile = old.mobile.clone(),
        "wechat_id" => c.wechat_id = old.wechat_id.clone(),
        "id_number" => c.id_number = old.id_number.clone(),
        "store_id" => c.store_id = old.store_id,
        "source" => c.source = old.source.clone(),
        "skin_type" => c.skin_type = old.skin_type.clone(),
        "allergies" => c.allergies = old.allergies.clone(),
        "concerns" => c.concerns = old.concerns.clone(),
        "medical_history" => c.medical_history = old.medical_history.clone(),
        "notes" => c.notes = old.notes.clone(),
        "stage" => c.stage = old.stage.clone(),
        f => match old.custom.get_key_value(f) {
            Some((k, v)) => {
                c.custom.insert(k, v.clone());
            }
            None => {
                c.custom.remove(f);
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_codes_as_clinics_type_them() {
        assert_eq!(date("1990/1/5"), "1990-01-05");
        assert_eq!(date("1990年1月5日"), "1990-01-05");
        assert_eq!(date("19900105"), "1990-01-05");
        assert_eq!(date("1990-01-05"), "1990-01-05");
        assert_eq!(date("去年"), "去年");
        assert_eq!(code("gender", "女"), "female");
        assert_eq!(code("source", "老带新"), "referral");
        assert_eq!(code("skin_type", "敏感肌"), "sensitive");
        assert_eq!(code("gender", "X"), "x");
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no("否"), Some(false));
        assert_eq!(yes_no("也许"), None);
    }
}
