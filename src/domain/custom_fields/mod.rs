//! Custom fields (自定义字段): admins define typed fields on customers and consultations; those
//! services keep their values here. A field is declared to the access layer with its
//! sensitivity class (see `access::custom`), so its values are shown, masked, hidden, written,
//! searched and exported under the same field policy as a built-in field.

pub mod api;
mod store;
pub mod value;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::access::custom::{default_policy, ENTITIES, PREFIX};
use crate::access::{
    mask, CustomField, CustomFields, CustomKind, Entity, Exported, Grant, Matrix, Read, Record,
    Role, Sensitivity, Update,
};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::domain::customers::validate::clean_name;
use crate::domain::input::Errors;
use crate::error::{Error, Result};

use store::Stored;

/// A record's custom values in clear, in their stored form, by field name.
pub type Values = BTreeMap<&'static str, String>;

// ---- definitions --------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewField {
    pub entity: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub sensitivity: String,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    pub label: Option<String>,
    pub options: Option<Vec<String>>,
    pub position: Option<i64>,
}

fn record(d: &store::Definition) -> Record {
    let mut r = Record::new();
    r.set("id", d.id)
        .set("entity", d.entity.clone())
        .set("key", d.name.trim_start_matches(PREFIX))
        .set("name", d.name.clone())
        .set("label", d.label.clone())
        .set("kind", d.kind.clone())
        .set("sensitivity", d.sensitivity.clone())
        .set("options", d.options.clone())
        .set("position", d.position)
        .set("created_at", d.created_at)
        .set("archived_at", d.archived_at);
    r
}

/// The definitions the caller works with: for each field its entity, type and options, and the
/// caller's own policy on it. Fields the caller may not see are left out; admins who manage
/// fields also get archived ones.
pub fn list(app: &App, grant: &Grant<CustomFields, Read>) -> Result<Vec<Value>> {
    let defs = app.db.read_sync(store::list)?;
    let m = app.access.matrix();
    let role = grant.principal().role;
    let manage = grant.also_allows(crate::access::Action::Update);
    let mut out = Vec::new();
    for d in defs {
        let Some(entity) = Entity::parse(&d.entity) else {
            continue;
        };
        let policy = m.policy(role, entity, &d.name);
        if !(policy.visible() || manage) {
            continue;
        }
        let shown = grant.export(record(&d), &app.cipher)?;
        out.push(json!({"field": shown, "policy": policy}));
    }
    Ok(out)
}

fn label(errs: &mut Errors, raw: &str) -> String {
    match clean_name(raw, 30) {
        Ok(l) if !l.is_empty() => l,
        _ => {
            let (zh, en) = crate::domain::input::name_rule(30);
            errs.add("label", zh, en);
            String::new()
        }
    }
}

/// Options of a choice field: 1–50 distinct, each 1–30 characters.
fn options(errs: &mut Errors, kind: CustomKind, raw: &[String]) -> Vec<String> {
    let choice = matches!(kind, CustomKind::Choice | CustomKind::MultiChoice);
    if !choice {
        if !raw.is_empty() {
            errs.add(
                "options",
                "只有单选、多选字段才有选项",
                "only choice fields have options",
            );
        }
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for o in raw {
        match clean_name(o, 30) {
            Ok(o) if !o.is_empty() && !out.contains(&o) => out.push(o),
            _ => {
                errs.add(
                    "options",
                    "选项须为 1–30 个字符、不能重复，且不能含换行、控制字符或不可见字符",
                    "each option must be 1–30 characters, without repeats, line breaks, control or invisible characters",
                );
                return out;
            }
        }
    }
    if out.is_empty() || out.len() > 50 {
        errs.add(
            "options",
            "单选、多选字段须有 1–50 个选项",
            "a choice field needs 1 to 50 options",
        );
    }
    out
}

fn audit_change(
    tx: &rusqlite::Connection,
    actor: &crate::audit::Actor,
    action: &str,
    id: i64,
    changes: Value,
) -> rusqlite::Result<i64> {
    audit::append(
        tx,
        &Event {
            actor,
            action,
            entity: "custom_field",
            entity_id: Some(id),
            store_id: None,
            changes: Some(changes),
        },
    )
}

/// Defines a field and gives every role its default policy for it, in one transaction.
pub fn create(
    app: &App,
    grant: &Grant<CustomFields, crate::access::Create>,
    input: &NewField,
) -> Result<Exported> {
    let mut errs = Errors::default();
    let entity = Entity::parse(&input.entity).filter(|e| ENTITIES.contains(e));
    if entity.is_none() {
        errs.add(
            "entity",
            "取值须为 customer/consultation",
            "must be customer or consultation",
        );
    }
    let key_ok = input.key.len() <= 32
        && input.key.starts_with(|c: char| c.is_ascii_lowercase())
        && input
            .key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !key_ok {
        errs.add(
            "key",
            "须为小写英文字母开头、由小写字母、数字和下划线组成的 1–32 个字符",
            "must be 1–32 lowercase letters, digits or underscores, starting with a letter",
        );
    }
    let label = label(&mut errs, &input.label);
    let kind = CustomKind::parse(&input.kind);
    if kind.is_none() {
        errs.add(
            "kind",
            "取值须为 text/number/date/choice/multi_choice/yes_no",
            "must be text, number, date, choice, multi_choice or yes_no",
        );
    }
    let sensitivity = Sensitivity::parse(&input.sensitivity);
    if sensitivity.is_none() {
        errs.add(
            "sensitivity",
            "取值须为 contact/identity/health/finance/internal/plain",
            "must be contact, identity, health, finance, internal or plain",
        );
    }
    let options = kind.map(|k| options(&mut errs, k, &input.options));
    errs.finish()?;
    let (entity, kind, sensitivity) = (
        entity.expect("checked"),
        kind.expect("checked"),
        sensitivity.expect("checked"),
    );
    let field = Field {
        entity,
        key: &input.key,
        label,
        kind,
        sensitivity,
        options: options.unwrap_or_default(),
    };
    let p = grant.principal();
    let def = app
        .db
        .write_sync(|tx| define(tx, &p.actor(), Some(p.user_id), field))?;
    crate::access::api::reload(app)?;
    grant.export(record(&def), &app.cipher)
}

/// A field to define, checked.
pub struct Field<'a> {
    pub entity: Entity,
    pub key: &'a str,
    pub label: String,
    pub kind: CustomKind,
    pub sensitivity: Sensitivity,
    pub options: Vec<String>,
}

/// Writes a definition, every role's default policy for it and the audit row, in the caller's
/// transaction (the caller reloads the access matrix after the commit).
pub fn define(
    tx: &rusqlite::Connection,
    actor: &crate::audit::Actor,
    created_by: Option<i64>,
    f: Field,
) -> Result<store::Definition> {
    let name = format!("{PREFIX}{}", f.key);
    if store::name_taken(tx, f.entity.as_str(), &name)? {
        return Err(Error::field(
            "key",
            format!("键 {} 已被使用（含已停用的字段），请换一个", f.key),
            format!(
                "the key `{}` is taken (archived fields included); choose another",
                f.key
            ),
        ));
    }
    let mut d = store::Definition {
        id: 0,
        entity: f.entity.as_str().into(),
        name,
        label: f.label,
        kind: f.kind.as_str().into(),
        sensitivity: f.sensitivity.as_str().into(),
        options: f.options,
        position: store::next_position(tx, f.entity.as_str())?,
        created_at: now_ms(),
        archived_at: None,
    };
    d.id = store::insert(tx, &d, created_by)?;
    for role in Role::ALL {
        crate::access::set_field_policy(
            tx,
            *role,
            f.entity,
            &d.name,
            default_policy(*role, f.sensitivity),
        )?;
    }
    audit_change(
        tx,
        actor,
        "create",
        d.id,
        json!({"entity": d.entity, "name": d.name, "label": d.label, "kind": d.kind,
               "sensitivity": d.sensitivity, "options": d.options}),
    )?;
    Ok(d)
}

/// Renames a field, changes its options or its place. Its entity, key, kind and sensitivity are
/// fixed: values already stored depend on them.
pub fn update(
    app: &App,
    grant: &Grant<CustomFields, Update>,
    id: i64,
    input: &FieldChange,
) -> Result<Exported> {
    let actor = grant.principal().actor();
    let def = app.db.write_sync(|tx| {
        let old = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        let kind = CustomKind::parse(&old.kind).ok_or_else(Error::internal)?;
        let mut errs = Errors::default();
        let mut d = old.clone();
        if let Some(l) = &input.label {
            d.label = label(&mut errs, l);
        }
        if let Some(o) = &input.options {
            d.options = options(&mut errs, kind, o);
        }
        if let Some(p) = input.position {
            if p < 0 {
                errs.add("position", "须为 0 或更大的整数", "must be 0 or more");
            }
            d.position = p;
        }
        errs.finish()?;
        for removed in old.options.iter().filter(|o| !d.options.contains(o)) {
            let n = store::option_in_use(tx, id, removed)?;
            if n > 0 {
                return Err(Error::field(
                    "options",
                    format!("选项「{removed}」仍有 {n} 条记录在用，不能删除"),
                    format!(
                        "option “{removed}” is still used by {n} records and cannot be removed"
                    ),
                ));
            }
        }
        store::update(tx, &d, now_ms())?;
        audit_change(
            tx,
            &actor,
            "update",
            id,
            json!({"label": {"old": old.label, "new": d.label},
                   "options": {"old": old.options, "new": d.options},
                   "position": {"old": old.position, "new": d.position}}),
        )?;
        Ok::<_, Error>(d)
    })?;
    crate::access::api::reload(app)?;
    grant.export(record(&def), &app.cipher)
}

/// Archives a field: it leaves forms, lists and exports; its values are kept.
pub fn archive(
    app: &App,
    grant: &Grant<CustomFields, crate::access::Delete>,
    id: i64,
) -> Result<()> {
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        let mut d = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        if d.archived_at.is_some() {
            return Ok(());
        }
        d.archived_at = Some(now_ms());
        store::update(tx, &d, now_ms())?;
        audit_change(tx, &actor, "archive", id, json!({"name": d.name}))?;
        Ok::<_, Error>(())
    })?;
    crate::access::api::reload(app)
}

// ---- values, for the services of the entities that have custom fields ---------------------

fn ids(fields: &[&CustomField]) -> Vec<i64> {
    fields.iter().map(|f| f.id).collect()
}

/// Adds each record's custom values to its `Record`, as stored (encrypted ones stay encrypted
/// until the field policy lets a principal see them); a field without a value is null, like an
/// empty built-in field.
pub fn attach(
    c: &rusqlite::Connection,
    m: &Matrix,
    entity: Entity,
    records: &mut [(i64, &mut Record)],
) -> Result<()> {
    let fields: Vec<&CustomField> = m.custom_fields(entity).collect();
    if fields.is_empty() {
        return Ok(());
    }
    let record_ids: Vec<i64> = records.iter().map(|(id, _)| *id).collect();
    let mut found: std::collections::HashMap<(i64, i64), Stored> =
        store::of_records(c, &ids(&fields), &record_ids)?
            .into_iter()
            .map(|row| ((row.field_id, row.record_id), row.value))
            .collect();
    for (id, r) in records.iter_mut() {
        for f in &fields {
            let decode = value::decoder(f.kind);
            match found.remove(&(f.id, *id)) {
                Some(Stored::Plain(s)) => r.set(f.name(), decode(s)),
                Some(Stored::Secret { blob, masked, .. }) => {
                    r.set_encrypted_as(f.name(), Some(blob), masked, decode)
                }
                None => r.set(f.name(), Value::Null),
            };
        }
    }
    Ok(())
}

/// One record's custom values in clear (for an update to compare and audit against).
pub fn load(
    c: &rusqlite::Connection,
    app: &App,
    m: &Matrix,
    entity: Entity,
    record_id: i64,
) -> Result<Values> {
    let fields: Vec<&CustomField> = m.custom_fields(entity).collect();
    let mut out = Values::new();
    for row in store::of_records(c, &ids(&fields), &[record_id])? {
        let Some(f) = fields.iter().find(|f| f.id == row.field_id) else {
            continue;
        };
        let v = match row.value {
            Stored::Plain(s) => s,
            Stored::Secret { blob, .. } => app.cipher.decrypt(f.name(), &blob)?,
        };
        out.insert(f.name(), v);
    }
    Ok(out)
}

/// Applies one submitted key if it names a custom field of `entity`; false when it does not.
pub fn apply(
    m: &Matrix,
    entity: Entity,
    key: &str,
    v: &Value,
    values: &mut Values,
    errs: &mut Errors,
) -> bool {
    let Some(f) = m.custom_field(entity, key) else {
        return false;
    };
    match value::parse(f, v) {
        Ok(Some(s)) => {
            values.insert(f.name(), s);
        }
        Ok(None) => {
            values.remove(f.name());
        }
        Err((zh, en)) => errs.add(key, zh, en),
    }
    true
}

/// Whether any health-class custom field holds a value (health data needs its own consent).
pub fn has_health(m: &Matrix, entity: Entity, values: &Values) -> bool {
    !health_fields(m, entity, values).is_empty()
}

/// The custom fields of class health that hold a value.
pub fn health_fields(m: &Matrix, entity: Entity, values: &Values) -> Vec<String> {
    m.custom_fields(entity)
        .filter(|f| f.def.sensitivity == Sensitivity::Health && values.contains_key(f.name()))
        .map(|f| f.name().to_string())
        .collect()
}

/// How a stored value is kept: identity and health values encrypted, with a keyed hash for
/// exact search and a masked form for roles that see it masked.
fn stored(app: &App, f: &CustomField, s: &str) -> Stored {
    if !f.encrypted() {
        return Stored::Plain(s.to_string());
    }
    let masked = match f.def.mask {
        mask::Mask::Hide => None,
        kind => Some(mask::mask(kind, s)),
    };
    Stored::Secret {
        blob: app.cipher.encrypt(f.name(), s),
        lookup: app.cipher.lookup_hash(f.name(), s),
        masked,
    }
}

/// Writes what changed between `old` and `new` for one record.
pub fn save(
    tx: &rusqlite::Connection,
    app: &App,
    m: &Matrix,
    entity: Entity,
    record_id: i64,
    old: &Values,
    new: &Values,
) -> Result<()> {
    for f in m.custom_fields(entity) {
        match (old.get(f.name()), new.get(f.name())) {
            (a, Some(b)) if a != Some(b) => {
                store::put(tx, f.id, record_id, &stored(app, f, b))?;
            }
            (Some(_), None) => store::clear(tx, f.id, record_id)?,
            _ => {}
        }
    }
    Ok(())
}

/// Audit entries for changed custom values: old/new values, or only the fact of the change for
/// identity and health fields.
pub fn diff(m: &Matrix, entity: Entity, old: &Values, new: &Values, out: &mut Map<String, Value>) {
    for f in m.custom_fields(entity) {
        let (o, n) = (old.get(f.name()), new.get(f.name()));
        if o == n {
            continue;
        }
        let shown =
            |v: Option<&String>| v.map_or(Value::Null, |s| value::decoder(f.kind)(s.clone()));
        out.insert(
            f.name().into(),
            if f.def.sensitivity.audit_values() {
                json!({"old": shown(o), "new": shown(n)})
            } else {
                json!({"changed": true})
            },
        );
    }
}

/// Folds a duplicate's values into the kept record's (a merge): empty fields are filled; a
/// differing value is returned as a note line, except an identity or health value, which stays
/// out of the notes (text is combined; otherwise the duplicate, kept as merged, still holds it).
pub fn fold(m: &Matrix, entity: Entity, keep: &mut Values, dup: &Values) -> Vec<String> {
    let mut notes = Vec::new();
    for f in m.custom_fields(entity) {
        let Some(theirs) = dup.get(f.name()) else {
            continue;
        };
        match keep.get(f.name()) {
            None => {
                keep.insert(f.name(), theirs.clone());
            }
            Some(ours) if ours == theirs => {}
            Some(ours) if f.encrypted() => {
                if f.kind == CustomKind::Text && !ours.contains(theirs.as_str()) {
                    let both = format!("{ours}；{theirs}");
                    if both.chars().count() <= value::MAX_TEXT {
                        keep.insert(f.name(), both);
                    }
                }
            }
            Some(_) => notes.push(format!("{} {}", f.label, f.def.for_notes(theirs))),
        }
    }
    notes
}

/// Removes every custom value a record holds, archived fields included (a PIPL erasure).
pub fn erase(tx: &rusqlite::Connection, entity: Entity, record_id: i64) -> Result<()> {
    store::erase(tx, entity.as_str(), record_id)?;
    Ok(())
}

// ---- search ---------------------------------------------------------------------------------

/// A list filter on a custom field, as the store's SQL takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Text containing this (plain text fields).
    Contains(String),
    /// Exactly this stored value (choice, yes/no, a number or date without a range).
    Equals(String),
    /// A plain multiple-choice field holding this option.
    HasOption(String),
    /// A number or date range, either end open, both ends included.
    Range {
        numeric: bool,
        from: Option<String>,
        to: Option<String>,
    },
    /// An encrypted field holding exactly the value with this keyed hash.
    Lookup(Vec<u8>),
}

/// A filter on `field`: text matches a part (exact when encrypted), numbers and dates take a
/// value or a range `from..to` (either end may be left out), choices an option, yes/no
/// `true`/`false`. Encrypted fields match whole values only.
pub fn condition(app: &App, f: &CustomField, raw: &str) -> Result<Cond> {
    let bad = |zh: &str, en: &str| Error::field(f.name(), zh, en);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(bad("筛选值不能为空", "the filter value is empty"));
    }
    let range = raw.split_once("..");
    let exact = |v: &Value| -> Result<String> {
        match value::parse(f, v) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(bad("筛选值不能为空", "the filter value is empty")),
            Err((zh, en)) => Err(Error::field(f.name(), zh, en)),
        }
    };
    if f.encrypted() {
        if range.is_some() || f.kind == CustomKind::MultiChoice {
            return Err(bad(
                "该字段加密存储，只能按完整取值筛选",
                "this field is encrypted and can only be matched by a whole value",
            ));
        }
        let v = match (f.kind, raw) {
            (CustomKind::YesNo, "true" | "false") => Value::Bool(raw == "true"),
            (CustomKind::YesNo, _) => {
                return Err(bad("须为 true 或 false", "must be true or false"))
            }
            _ => Value::String(raw.into()),
        };
        return Ok(Cond::Lookup(app.cipher.lookup_hash(f.name(), &exact(&v)?)));
    }
    Ok(match (f.kind, range) {
        (CustomKind::Text, _) => Cond::Contains(raw.into()),
        (CustomKind::Number | CustomKind::Date, Some((from, to))) => {
            let end = |s: &str| -> Result<Option<String>> {
                let s = s.trim();
                if s.is_empty() {
                    Ok(None)
                } else {
                    exact(&Value::String(s.into())).map(Some)
                }
            };
            let (from, to) = (end(from)?, end(to)?);
            if from.is_none() && to.is_none() {
                return Err(bad("范围至少要有一端", "a range needs at least one end"));
            }
            Cond::Range {
                numeric: f.kind == CustomKind::Number,
                from,
                to,
            }
        }
        (CustomKind::MultiChoice, _) => {
            let picked = exact(&json!([raw]))?;
            let option: Vec<String> = serde_json::from_str(&picked).unwrap_or_default();
            Cond::HasOption(option.into_iter().next().unwrap_or_default())
        }
        (CustomKind::YesNo, _) => match raw {
            "true" | "false" => Cond::Equals(raw.into()),
            _ => return Err(bad("须为 true 或 false", "must be true or false")),
        },
        _ => Cond::Equals(exact(&Value::String(raw.into()))?),
    })
}

pub use store::condition_sql;
