//! Customer rules: validation, uniqueness, health-data consent, row scope, audit.

use serde_json::{Map, Value};

use super::model::{Customer, CONSENT_KINDS, CONSENT_VERSION, GENDERS, SKIN_TYPES, SOURCES};
use super::store::{self, Cursor, Row_};
use super::{lifecycle, search, validate};
use crate::access::{
    catalog, ActionKind, Create, Customers, Delete, Entity, Exported, Grant, Policy, Read, Record,
    Reveal, RowScope, Update,
};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::db::Reader;
use crate::domain::input::{choice, id_field, opt_str, text_field, Errors};
use crate::domain::timeline::{self, NewEvent};
use crate::domain::{custom_fields, tags};
use crate::error::{text, Error, FieldError, Result};

pub type Json = Map<String, Value>;

/// Applies the submitted fields to `c`, collecting every error. Keys were checked against the
/// field policy before this runs.
pub(crate) fn apply(app: &App, c: &mut Customer, input: &Json, now: i64) -> Result<()> {
    let mut errs = Errors(Vec::new());
    let today = app.config.today();
    let m = app.access.matrix();
    let recorded = (c.birthday.clone(), c.gender.clone());
    let recorded_health_consent = c.has_health_consent();
    for (key, v) in input {
        if custom_fields::apply(&m, Entity::Customer, key, v, &mut c.custom, &mut errs) {
            continue;
        }
        match key.as_str() {
            "name" => match opt_str(&mut errs, key, v) {
                Some(Some(s)) => match validate::clean_name(s, 50) {
                    // `*` is the mask: a masked name read back must not overwrite the real one.
                    Ok(n) if n.contains('*') => errs.add(
                        key,
                        "姓名不能含 *（脱敏显示的值不能写回）",
                        "must not contain * (a masked value cannot be written back)",
                    ),
                    Ok(n) if !n.is_empty() => c.name = n,
                    _ => {
                        let (zh, en) = crate::domain::input::name_rule(50);
                        errs.add(key, zh, en)
                    }
                },
                Some(None) => errs.add(key, "姓名不能为空", "is required"),
                None => {}
            },
            "mobile" => match opt_str(&mut errs, key, v) {
                Some(Some(s)) => match validate::normalize_mobile(s) {
                    Some(m) => c.mobile = m,
                    None => errs.add(
                        key,
                        "手机号格式不正确（须为 11 位中国大陆手机号）",
                        "is not a valid mainland China mobile number (11 digits, 1[3-9]…)",
                    ),
                },
                Some(None) => errs.add(key, "手机号不能为空", "is required"),
                None => {}
            },
            "gender" => {
                if let Some(g) = choice(&mut errs, key, v, GENDERS) {
                    c.gender = g.unwrap_or_else(|| "unknown".into());
                }
            }
            "birthday" => match opt_str(&mut errs, key, v) {
                Some(Some(s)) => match validate::parse_date(s, today) {
                    Some(d) => c.birthday = Some(d.format("%Y-%m-%d").to_string()),
                    None => errs.add(
                        key,
                        "生日须为 YYYY-MM-DD 格式的过去日期",
                        "must be a past date as YYYY-MM-DD",
                    ),
                },
                Some(None) => c.birthday = None,
                None => {}
            },
            "wechat_id" => match opt_str(&mut errs, key, v) {
                // A masked value (`***`) read back must not overwrite the real one.
                Some(Some(s)) => match validate::clean_name(s, 64) {
                    Ok(w) if !w.contains(|ch: char| ch.is_whitespace() || ch == '*') => {
                        c.wechat_id = Some(w).filter(|w| !w.is_empty())
                    }
                    _ => errs.add(
                        key,
                        "微信号最多 64 个字符，不能含空格、* 或不可见字符（脱敏显示的值不能写回）",
                        "must be at most 64 characters without spaces, * or invisible characters (a masked value cannot be written back)",
                    ),
                },
                Some(None) => c.wechat_id = None,
                None => {}
            },
            "id_number" => match opt_str(&mut errs, key, v) {
                Some(Some(s)) => match validate::parse_id_number(s, today) {
                    Ok(id) => c.id_number = Some(id.value),
                    Err(why) => {
                        let (zh, en) = match why {
                            "length" => (
                                "身份证号须为 18 位（末位可为 X）",
                                "must be 18 characters (the last may be X)",
                            ),
                            "checksum" => ("身份证号校验位不正确", "has a wrong check digit"),
                            "region" => (
                                "身份证号前两位不是有效的省级行政区代码",
                                "does not start with a valid province code",
                            ),
                            _ => ("身份证号中的出生日期无效", "contains an invalid birth date"),
                        };
                        errs.add(key, zh, en);
                    }
                },
                Some(None) => c.id_number = None,
                None => {}
            },
            "store_id" => match id_field(&mut errs, key, v) {
                Some(Some(id)) => c.store_id = id,
                Some(None) => errs.add(key, "门店不能为空", "is required"),
                None => {}
            },
            "consultant_id" => {
                if let Some(id) = id_field(&mut errs, key, v) {
                    c.consultant_id = id;
                }
            }
            "source" => {
                if let Some(s) = choice(&mut errs, key, v, SOURCES) {
                    c.source = s;
                }
            }
            "skin_type" => {
                if let Some(s) = choice(&mut errs, key, v, SKIN_TYPES) {
                    c.skin_type = s;
                }
            }
            "allergies" => {
                if let Some(t) = text_field(&mut errs, key, v, 1000) {
                    c.allergies = t;
                }
            }
            "medical_history" => {
                if let Some(t) = text_field(&mut errs, key, v, 4000) {
                    c.medical_history = t;
                }
            }
            "concerns" => {
                if let Some(t) = text_field(&mut errs, key, v, 500) {
                    c.concerns = t;
                }
            }
            "notes" => {
                if let Some(t) = text_field(&mut errs, key, v, 2000) {
                    c.notes = t;
                }
            }
            "consents" => match v {
                Value::Object(m) => {
                    for (kind, granted) in m {
                        let Some(i) = CONSENT_KINDS.iter().position(|k| k == kind) else {
                            errs.add(
                                &format!("consents.{kind}"),
                                "未知的同意类型",
                                "unknown consent kind",
                            );
                            continue;
                        };
                        match granted {
                            Value::Bool(true) if c.consents[i].at.is_none() => {
                                c.consents[i].at = Some(now);
                                c.consents[i].version = Some(CONSENT_VERSION.into());
                            }
                            Value::Bool(true) => {}
                            Value::Bool(false) => c.consents[i] = Default::default(),
                            _ => errs.add(
                                &format!("consents.{kind}"),
                                "须为 true 或 false",
                                "must be true or false",
                            ),
                        }
                    }
                }
                _ => errs.add(
                    key,
                    "须为对象，如 {\"privacy\": true}",
                    "must be an object such as {\"privacy\": true}",
                ),
            },
            "stage" => match choice(&mut errs, key, v, lifecycle::STAGES) {
                Some(Some(st)) => c.stage = st,
                Some(None) => errs.add(key, "阶段不能为空", "is required"),
                None => {}
            },
            "referrer_id" => {
                if let Some(id) = id_field(&mut errs, key, v) {
                    c.referrer_id = id;
                }
            }
            // Tags live in their own table: see `tag_ids`.
            "tags" => {}
            // check_writable refused anything else already.
            other => errs.add(other, "不支持的字段", "unknown field"),
        }
    }
    agree_with_id_number(c, input, &recorded, today, &mut errs);
    if !errs.0.is_empty() {
        return Err(Error::validation(errs.0));
    }
    // Health data needs its own consent (PIPL 单独同意).
    let mut health: Vec<String> = catalog::CUSTOMER
        .iter()
        .filter(|f| f.sensitivity == crate::access::Sensitivity::Health)
        .filter(|f| match f.name {
            "allergies" => c.allergies.is_some(),
            "medical_history" => c.medical_history.is_some(),
            "skin_type" => c.skin_type.is_some(),
            _ => false,
        })
        .map(|f| f.name.to_string())
        .collect();
    health.extend(custom_fields::health_fields(
        &m,
        Entity::Customer,
        &c.custom,
    ));
    if !health.is_empty() && !c.has_health_consent() {
        // Withdrawing the consent while details are on record asks for something else than
        // writing details without it: name the fields either way.
        let withdrawing = input.contains_key("consents") && recorded_health_consent;
        let (title, each) = if withdrawing {
            (
                text(
                    "撤回健康信息同意前，须先清除已记录的健康信息",
                    "To withdraw the health-data consent, clear the recorded health details first",
                ),
                text("须先清除", "clear this first"),
            )
        } else {
            (
                text(
                    "记录健康信息（过敏史、病史、肤质等）前须取得客户的健康信息单独同意",
                    "Health details (allergies, medical history, skin type and the like) need the customer's separate consent to health-data processing first",
                ),
                text("须先取得健康信息单独同意", "needs the health-data consent first"),
            )
        };
        let mut e = Error::conflict("health-consent-required", title);
        e.errors = health
            .into_iter()
            .map(|field| FieldError {
                field,
                message: each.clone(),
            })
            .collect();
        return Err(e);
    }
    Ok(())
}

/// The 身份证 number is the authority on birthday and gender: the record never contradicts it.
/// A birthday or gender sent with or against a number is refused when it disagrees; so is a new
/// number whose birth date or gender disagrees with what was recorded before, unless the
/// corrected value comes with it: a mistyped number must not silently rewrite the record.
fn agree_with_id_number(
    c: &mut Customer,
    input: &Json,
    (birthday_before, gender_before): &(Option<String>, String),
    today: chrono::NaiveDate,
    errs: &mut Errors,
) {
    let parsed = c
        .id_number
        .as_deref()
        .map(|v| validate::parse_id_number(v, today));
    let Some(Ok(id)) = parsed else {
        return;
    };
    let failed = |errs: &Errors, field: &str| errs.0.iter().any(|e| e.field == field);
    let number_sent = input.contains_key("id_number");
    let birthday = id.birthday.format("%Y-%m-%d").to_string();
    let sent_birthday = input
        .get("birthday")
        .and_then(Value::as_str)
        .filter(|b| !b.is_empty());
    match (sent_birthday, birthday_before) {
        (Some(b), _) if b != birthday && !failed(errs, "birthday") => errs.add(
            "birthday",
            "与身份证号中的出生日期不一致",
            "does not match the birthday in the ID number",
        ),
        (None, Some(before)) if number_sent && *before != birthday => errs.add(
            "id_number",
            format!("出生日期与已记录的生日 {before} 不一致；如身份证号无误，请同时修改生日"),
            format!(
                "its birth date does not match the recorded birthday {before}; if the number is right, send the corrected birthday with it"
            ),
        ),
        _ => {}
    }
    let sent_gender = input
        .get("gender")
        .and_then(Value::as_str)
        .filter(|g| *g != "unknown");
    let known_before =
        (gender_before != "unknown" && !gender_before.is_empty()).then_some(gender_before);
    match (sent_gender, known_before) {
        (Some(g), _) if g != id.gender && !failed(errs, "gender") => errs.add(
            "gender",
            "与身份证号中的性别不一致",
            "does not match the gender in the ID number",
        ),
        (None, Some(before)) if number_sent && before != id.gender => errs.add(
            "id_number",
            "性别与已记录的性别不一致；如身份证号无误，请同时修改性别",
            "its gender does not match the recorded gender; if the number is right, send the corrected gender with it",
        ),
        _ => {}
    }
    // Derived only when the number or the value itself was sent: an unrelated change leaves an
    // older record as it was.
    if number_sent || input.contains_key("birthday") {
        c.birthday = Some(birthday);
    }
    if number_sent || input.contains_key("gender") {
        c.gender = id.gender.to_string();
    }
}

/// The conflict names the existing customer as the caller may see its name, and only when that
/// customer is in the caller's row scope: otherwise it says no more than that the value is taken.
fn duplicate(
    tx: &rusqlite::Connection,
    scope: &RowScope,
    name_policy: Policy,
    existing: (i64, String, String),
    field: &str,
) -> Result<Error> {
    let (id, name, member_no) = existing;
    let (zh, en) = if field == "mobile" {
        ("手机号", "mobile")
    } else {
        ("身份证号", "ID number")
    };
    let code = if field == "mobile" {
        "duplicate-mobile"
    } else {
        "duplicate-id-number"
    };
    let errors = vec![FieldError {
        field: field.into(),
        message: text(format!("{zh}已存在"), format!("{en} already exists")),
    }];
    if !store::visible(tx, id, scope)? {
        let mut e = Error::conflict(
            code,
            text(
                format!("{zh}已登记在您权限范围之外的客户名下，请联系店长或管理员处理"),
                format!("This {en} belongs to a customer outside the ones you may see; ask a manager or an administrator"),
            ),
        );
        e.errors = errors;
        return Ok(e);
    }
    let shown = match name_policy {
        Policy::Hidden => String::new(),
        p if p.masked() => crate::access::mask::mask(crate::access::mask::Mask::Name, &name),
        _ => name,
    };
    let mut e = Error::conflict(
        code,
        text(
            format!("{zh}已存在：客户 {shown}（{member_no}）"),
            format!("This {en} already exists: customer {shown} ({member_no})"),
        ),
    );
    e.existing_id = Some(id);
    e.errors = errors;
    Ok(e)
}

/// A customer's (or a consultation's) consultant is an active member of the clinic's staff, of
/// any store (a consultant may serve customers of several); an external partner account is
/// never one.
pub fn check_consultant(tx: &rusqlite::Connection, user_id: i64) -> Result<()> {
    let ok = crate::auth::store::user_by_id(tx, user_id)?
        .is_some_and(|u| u.disabled_at.is_none() && u.role != "partner");
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            "consultant_id",
            "须为在职的本院员工",
            "must be an active member of the clinic's staff",
        ))
    }
}

/// Checks what `c` points at; the consultant and the referrer only when the write sets them
/// (`old` is the record before an update), so that a record is never locked by a reference
/// that has since gone out of reach (a consultant who left, a referrer in another store).
fn check_references(
    app: &App,
    tx: &rusqlite::Connection,
    old: Option<&Customer>,
    c: &Customer,
    scope: &RowScope,
    name_policy: Policy,
) -> Result<()> {
    let set = |now: Option<i64>, before: Option<Option<i64>>| now.filter(|_| before != Some(now));
    if !crate::domain::stores::exists(tx, c.store_id)? {
        return Err(Error::field("store_id", "门店不存在", "no such store"));
    }
    if let RowScope::Store(own) = scope {
        if c.store_id != *own {
            return Err(Error::forbidden_field(
                "store_id",
                "将客户分配到其他门店的",
                "assign customers to another store via",
            ));
        }
    }
    if let Some(cid) = set(c.consultant_id, old.map(|o| o.consultant_id)) {
        check_consultant(tx, cid)?;
    }
    // A consultant sees only their own customers: one they create or edit stays theirs, so it
    // cannot drop out of their reach by a write of their own.
    if let RowScope::Consultant(me) = scope {
        if c.consultant_id != Some(*me) {
            return Err(Error::forbidden_field(
                "consultant_id",
                "将客户交给其他咨询师的",
                "hand customers to another consultant via",
            ));
        }
    }
    if let Some(r) = set(c.referrer_id, old.map(|o| o.referrer_id)) {
        // A referrer outside the caller's scope answers as one that does not exist: the field
        // must not tell whether a customer id exists.
        if r == c.id || !store::visible(tx, r, scope)? {
            return Err(Error::field(
                "referrer_id",
                "推荐人须为另一位已有客户",
                "must be another existing customer",
            ));
        }
        if store::in_referral_chain(tx, r, c.id)? {
            return Err(Error::field(
                "referrer_id",
                "推荐关系不能成环：该客户是由本客户（直接或间接）推荐的",
                "would make a referral loop: that customer was referred by this one, directly or through others",
            ));
        }
    }
    if let Some(existing) = store::find_by_mobile(tx, &c.mobile)?.filter(|e| e.0 != c.id) {
        return Err(duplicate(tx, scope, name_policy, existing, "mobile")?);
    }
    if let Some(idn) = &c.id_number {
        if let Some(existing) =
            store::find_by_id_hash(tx, &app.cipher.lookup_hash("id_number", idn))?
                .filter(|e| e.0 != c.id)
        {
            return Err(duplicate(tx, scope, name_policy, existing, "id_number")?);
        }
    }
    Ok(())
}

/// Old/new values of changed fields; identity and health fields only say that they changed.
pub(crate) fn diff(app: &App, old: Option<&Customer>, new: &Customer) -> Value {
    let pairs: Vec<(&str, Value, Value)> = {
        let o = old.cloned().unwrap_or_default();
        let consents = |c: &Customer| {
            Value::from(
                CONSENT_KINDS
                    .iter()
                    .zip(&c.consents)
                    .filter(|(_, v)| v.at.is_some())
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>(),
            )
        };
        vec![
            ("name", o.name.clone().into(), new.name.clone().into()),
            ("gender", o.gender.clone().into(), new.gender.clone().into()),
            (
                "birthday",
                o.birthday.clone().into(),
                new.birthday.clone().into(),
            ),
            ("mobile", o.mobile.clone().into(), new.mobile.clone().into()),
            (
                "wechat_id",
                o.wechat_id.clone().into(),
                new.wechat_id.clone().into(),
            ),
            (
                "id_number",
                o.id_number.clone().into(),
                new.id_number.clone().into(),
            ),
            ("store_id", o.store_id.into(), new.store_id.into()),
            (
                "consultant_id",
                o.consultant_id.into(),
                new.consultant_id.into(),
            ),
            ("source", o.source.clone().into(), new.source.clone().into()),
            (
                "skin_type",
                o.skin_type.clone().into(),
                new.skin_type.clone().into(),
            ),
            (
                "allergies",
                o.allergies.clone().into(),
                new.allergies.clone().into(),
            ),
            (
                "concerns",
                o.concerns.clone().into(),
                new.concerns.clone().into(),
            ),
            (
                "medical_history",
                o.medical_history.clone().into(),
                new.medical_history.clone().into(),
            ),
            ("notes", o.notes.clone().into(), new.notes.clone().into()),
            ("consents", consents(&o), consents(new)),
            ("stage", o.stage.clone().into(), new.stage.clone().into()),
            ("referrer_id", o.referrer_id.into(), new.referrer_id.into()),
        ]
    };
    let mut out = Map::new();
    for (field, o, n) in pairs {
        // A new record had nothing before: not the defaults it was built from ("", 0).
        let o = if old.is_some() { o } else { Value::Null };
        if o == n {
            continue;
        }
        let sens = catalog::field(Entity::Customer, field)
            .map(|f| f.sensitivity.audit_values())
            .unwrap_or(false);
        out.insert(
            field.into(),
            if sens {
                serde_json::json!({"old": o, "new": n})
            } else {
                serde_json::json!({"changed": true})
            },
        );
    }
    let none = custom_fields::Values::new();
    let old_custom = old.map_or(&none, |o| &o.custom);
    custom_fields::diff(
        &app.access.matrix(),
        Entity::Customer,
        old_custom,
        &new.custom,
        &mut out,
    );
    Value::Object(out)
}

/// A stored customer in clear with its custom values, for a rule that changes it.
pub(crate) fn open(c: &rusqlite::Connection, app: &App, row: &Row_) -> Result<Customer> {
    let mut customer = row.open(&app.cipher)?;
    customer.custom =
        custom_fields::load(c, app, &app.access.matrix(), Entity::Customer, customer.id)?;
    Ok(customer)
}

/// Writes the custom values that changed since `old` (the customer row is the store's).
pub(crate) fn save_custom(
    tx: &rusqlite::Connection,
    app: &App,
    old: Option<&Customer>,
    c: &Customer,
) -> Result<()> {
    let none = custom_fields::Values::new();
    custom_fields::save(
        tx,
        app,
        &app.access.matrix(),
        Entity::Customer,
        c.id,
        old.map_or(&none, |o| &o.custom),
        &c.custom,
    )
}

pub fn create(app: &App, grant: &Grant<Customers, Create>, input: &Json) -> Result<Exported> {
    grant.check_writable(input.keys().map(String::as_str))?;
    let p = grant.principal();
    let now = now_ms();
    let tags = tag_ids(input)?;
    let mut c = Customer {
        store_id: p.store_id,
        gender: "unknown".into(),
        stage: "lead".into(),
        created_at: now,
        updated_at: now,
        ..Default::default()
    };
    if let RowScope::Consultant(me) = grant.rows() {
        c.consultant_id = Some(me);
    }
    apply(app, &mut c, input, now)?;
    let mut missing = Errors(Vec::new());
    if c.name.is_empty() {
        missing.add("name", "姓名不能为空", "is required");
    }
    if c.mobile.is_empty() {
        missing.add("mobile", "手机号不能为空", "is required");
    }
    if !missing.0.is_empty() {
        return Err(Error::validation(missing.0));
    }
    let scope = grant.rows();
    let row = app.db.write_sync(|tx| {
        check_references(app, tx, None, &c, &scope, grant.policy("name"))?;
        c.member_no = store::next_member_no(tx)?;
        c.id = store::insert(tx, &c, &app.cipher)?;
        save_custom(tx, app, None, &c)?;
        let actor = p.actor();
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "create",
                entity: "customer",
                entity_id: Some(c.id),
                store_id: Some(c.store_id),
                changes: Some(diff(app, None, &c)),
            },
        )?;
        created(tx, &actor, &c, tags.as_deref())?;
        fetch(tx, app, c.id)
    })?;
    grant.export(row, &app.cipher)
}

/// A customer who asked to restrict processing (PIPL art. 44) is not changed until it is lifted.
/// The refusal names the customer, which matters when a request touches many.
pub fn ensure_processable(c: &Customer) -> Result<()> {
    let no = &c.member_no;
    match c.restricted_at {
        None => Ok(()),
        Some(_) => Err(Error::conflict(
            "processing-restricted",
            text(
                format!("客户 {no} 已要求限制处理其个人信息，解除限制前不能修改"),
                format!("Customer {no} has restricted the processing of their personal data; nothing can be changed until the restriction is lifted"),
            ),
        )),
    }
}

/// `tags` of a create or update: the complete list of tag ids the customer should have.
fn tag_ids(input: &Json) -> Result<Option<Vec<i64>>> {
    match input.get("tags") {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_i64().filter(|n| *n > 0))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| Error::field("tags", "须为标签编号列表", "must be a list of tag ids")),
        Some(_) => Err(Error::field(
            "tags",
            "须为标签编号列表",
            "must be a list of tag ids",
        )),
    }
}

fn timeline_event(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    customer_id: i64,
    kind: &str,
    data: Map<String, Value>,
) -> Result<()> {
    timeline::record(
        tx,
        actor,
        NewEvent {
            customer_id,
            kind,
            entity: Entity::Customer,
            entity_id: Some(customer_id),
            data,
        },
    )?;
    Ok(())
}

/// What creating a customer writes besides the row and its audit row: the first timeline event,
/// the stage history, referral events and tags.
pub(crate) fn created(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    c: &Customer,
    tags: Option<&[i64]>,
) -> Result<()> {
    let mut data = Map::new();
    data.insert("source".into(), c.source.clone().into());
    timeline_event(tx, actor, c.id, "customer.created", data)?;
    after_write(tx, actor, None, c, tags)
}

/// What a create or update does besides the row: stage history, referral events, tags.
pub(crate) fn after_write(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    old: Option<&Customer>,
    c: &Customer,
    tags: Option<&[i64]>,
) -> Result<()> {
    let old_stage = old.map(|o| o.stage.as_str());
    if old_stage != Some(c.stage.as_str()) {
        stage_changed(tx, actor, c.id, old_stage, &c.stage, None)?;
    }
    if let Some(r) = c
        .referrer_id
        .filter(|r| old.map(|o| o.referrer_id) != Some(Some(*r)))
    {
        let mut data = Map::new();
        data.insert("referrer_id".into(), r.into());
        timeline_event(tx, actor, c.id, "referral.referred_by", data)?;
        let mut data = Map::new();
        data.insert("name".into(), c.name.clone().into());
        timeline::record(
            tx,
            actor,
            NewEvent {
                customer_id: r,
                kind: "referral.brought",
                entity: Entity::Customer,
                entity_id: Some(c.id),
                data,
            },
        )?;
    }
    if let Some(want) = tags {
        let have: Vec<i64> = tags::store::of_customers(tx, &[c.id])?
            .remove(0)
            .into_iter()
            .map(|t| t.id)
            .collect();
        let add: Vec<i64> = want.iter().copied().filter(|t| !have.contains(t)).collect();
        let remove: Vec<i64> = have.into_iter().filter(|t| !want.contains(t)).collect();
        tags::change(tx, actor, (c.id, c.store_id), &add, &remove)?;
    }
    Ok(())
}

/// Records a stage change: history row and timeline event (the audit row is the caller's).
fn stage_changed(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    customer_id: i64,
    from: Option<&str>,
    to: &str,
    reason: Option<&str>,
) -> Result<()> {
    stage_changed_at(tx, actor, customer_id, (from, to), reason, now_ms())
}

/// `stage_changed` at a given time: the demo clinic's generated past.
pub fn stage_changed_at(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    customer_id: i64,
    (from, to): (Option<&str>, &str),
    reason: Option<&str>,
    at: i64,
) -> Result<()> {
    store::insert_stage_change(
        tx,
        customer_id,
        &store::StageChange {
            from_stage: from.map(str::to_string),
            to_stage: to.to_string(),
            reason: reason.map(str::to_string),
            at,
            actor_id: actor.id,
            actor: actor.name.clone(),
            actor_name: None,
        },
    )?;
    let mut data = Map::new();
    data.insert("stage".into(), to.into());
    timeline::record_at(
        tx,
        actor,
        at,
        NewEvent {
            customer_id,
            kind: "stage.changed",
            entity: Entity::Customer,
            entity_id: Some(customer_id),
            data,
        },
    )?;
    Ok(())
}

/// Moves the customer forward to `to` if an event (triage, a consultation, a deal) takes them
/// there; audited as a system-driven update.
pub fn advance(
    tx: &rusqlite::Connection,
    app: &App,
    actor: &audit::Actor,
    customer_id: i64,
    to: &'static str,
) -> Result<()> {
    let c = store::get(tx, customer_id, &RowScope::All)?
        .ok_or_else(Error::not_found)?
        .plain;
    let now = now_ms();
    let shown = lifecycle::effective(
        &c.stage,
        c.last_visit_at,
        c.last_purchase_at,
        &app.config.lifecycle,
        now,
    );
    let Some(next) = lifecycle::advance(shown, to) else {
        return Ok(());
    };
    if next == c.stage {
        return Ok(());
    }
    store::set_stage(tx, customer_id, next, now)?;
    audit_update(
        tx,
        actor,
        (customer_id, c.store_id),
        serde_json::json!({"stage": {"old": shown, "new": next}}),
    )?;
    stage_changed(tx, actor, customer_id, Some(shown), next, None)
}

/// The audit row of a change to customer `id` of store `store_id`.
fn audit_update(
    tx: &rusqlite::Connection,
    actor: &audit::Actor,
    (id, store_id): (i64, i64),
    changes: Value,
) -> Result<()> {
    audit::append(
        tx,
        &Event {
            actor,
            action: "update",
            entity: "customer",
            entity_id: Some(id),
            store_id: Some(store_id),
            changes: Some(changes),
        },
    )?;
    Ok(())
}

/// The customer came in at `at` (an on-site consultation, later an arrival or a treatment).
pub fn record_visit(tx: &rusqlite::Connection, customer_id: i64, at: i64) -> Result<()> {
    store::touch_visit(tx, customer_id, at)?;
    Ok(())
}

/// A customer's record with its tags, as a service hands it to `Grant::export`.
pub fn fetch(c: &rusqlite::Connection, app: &App, id: i64) -> Result<Record> {
    let row = store::get(c, id, &RowScope::All)?.ok_or_else(Error::internal)?;
    with_tags(c, app, vec![row]).map(|mut v| v.remove(0))
}

/// Records of `rows` with each customer's tags and custom values.
fn with_tags(c: &rusqlite::Connection, app: &App, rows: Vec<Row_>) -> Result<Vec<Record>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.plain.id).collect();
    let tags = tags::store::of_customers(c, &ids)?;
    let now = now_ms();
    let mut records: Vec<Record> = rows
        .into_iter()
        .zip(tags)
        .map(|(row, t)| {
            let mut r = row.into_record(&app.config.lifecycle, now);
            r.set("tags", tags::values(t));
            r
        })
        .collect();
    let mut by_id: Vec<(i64, &mut Record)> = ids.iter().copied().zip(records.iter_mut()).collect();
    custom_fields::attach(c, &app.access.matrix(), Entity::Customer, &mut by_id)?;
    Ok(records)
}

fn load(app: &App, id: i64, scope: &RowScope) -> Result<Row_> {
    let scope = scope.clone();
    app.db
        .read_sync(|c| store::get(c, id, &scope))?
        .ok_or_else(Error::not_found)
}

/// One customer, read on the caller's connection (see `Authenticated::principal_on`).
pub fn load_on(c: &Reader, app: &App, grant: &Grant<Customers, Read>, id: i64) -> Result<Loaded> {
    load_in(c, app, &grant.rows(), id)
}

/// One customer within `scope`, with its tags and custom values.
fn load_in(c: &Reader, app: &App, scope: &RowScope, id: i64) -> Result<Loaded> {
    let Some(row) = store::get(c, id, scope)? else {
        return Err(missing(c, id, scope)?);
    };
    let (store_id, referrer_id) = (row.plain.store_id, row.plain.referrer_id);
    Ok(Loaded {
        record: with_tags(c, app, vec![row])?.remove(0),
        store_id,
        referrer_id,
    })
}

/// A customer that is not there. When it was merged into one the caller can see, the 404 says
/// which (`existing_id`): a link to the duplicate still leads to the person.
fn missing(c: &Reader, id: i64, scope: &RowScope) -> Result<Error> {
    let root = store::merged_root(c, id)?;
    let mut e = Error::not_found();
    if root != id && store::visible(c, root, scope)? {
        e.existing_id = Some(root);
    }
    Ok(e)
}

/// A customer as `load_on` reads it: the record for export, and what callers act on.
pub struct Loaded {
    pub record: Record,
    pub store_id: i64,
    pub referrer_id: Option<i64>,
}

/// One customer already loaded, exported under the grant; the view is recorded so the
/// customer page can say who looked.
pub fn view(
    app: &App,
    grant: &Grant<Customers, Read>,
    id: i64,
    row: Record,
    store_id: i64,
) -> Result<Exported> {
    record_view(app, grant, id, store_id);
    grant.export(row, &app.cipher)
}

/// Notes that the caller looked at the customer (batched into the audit log).
pub fn record_view(app: &App, grant: &Grant<Customers, Read>, id: i64, store_id: i64) {
    app.views.record(audit::ViewRow {
        actor: grant.principal().actor(),
        entity: "customer",
        entity_id: id,
        store_id: Some(store_id),
    });
}

/// 分诊: the customer has arrived; a consultant is assigned and the stage moves to triage.
pub fn triage(
    app: &App,
    grant: &Grant<Customers, Update>,
    id: i64,
    consultant_id: Option<i64>,
) -> Result<Exported> {
    if consultant_id.is_some() {
        grant.check_writable(["consultant_id"])?;
    }
    let scope = grant.rows();
    let actor = grant.principal().actor();
    let now = now_ms();
    let row = app.db.write_sync(|tx| {
        let before = store::get(tx, id, &scope)?
            .ok_or_else(Error::not_found)?
            .plain;
        ensure_processable(&before)?;
        // One audit row per arrival, also when nothing but the visit time changes.
        let mut changes = Map::new();
        if let Some(cid) = consultant_id.filter(|c| before.consultant_id != Some(*c)) {
            check_consultant(tx, cid)?;
            store::set_consultant(tx, id, cid, now)?;
            changes.insert(
                "consultant_id".into(),
                serde_json::json!({"old": before.consultant_id, "new": cid}),
            );
        }
        record_visit(tx, id, now)?;
        changes.insert(
            "last_visit_at".into(),
            serde_json::json!({"old": before.last_visit_at, "new": now}),
        );
        audit_update(tx, &actor, (id, before.store_id), Value::Object(changes))?;
        let mut data = Map::new();
        data.insert(
            "consultant_id".into(),
            consultant_id.or(before.consultant_id).into(),
        );
        timeline_event(tx, &actor, id, "customer.arrived", data)?;
        advance(tx, app, &actor, id, "triage")?;
        fetch(tx, app, id)
    })?;
    grant.export(row, &app.cipher)
}

pub fn update(
    app: &App,
    grant: &Grant<Customers, Update>,
    id: i64,
    input: &Json,
) -> Result<Exported> {
    grant.check_writable(input.keys().map(String::as_str))?;
    let tags = tag_ids(input)?;
    let scope = grant.rows();
    let p = grant.principal();
    let actor = p.actor();
    let now = now_ms();
    let row = app.db.write_sync(|tx| {
        let before = store::get(tx, id, &scope)?.ok_or_else(Error::not_found)?;
        ensure_processable(&before.plain)?;
        let old = open(tx, app, &before)?;
        let mut c = old.clone();
        c.updated_at = now;
        apply(app, &mut c, input, now)?;
        if c == (Customer {
            updated_at: now,
            ..old.clone()
        }) {
            after_write(tx, &actor, Some(&old), &old, tags.as_deref())?;
            return fetch(tx, app, id);
        }
        check_references(app, tx, Some(&old), &c, &scope, grant.policy("name"))?;
        store::update(
            tx,
            &c,
            &app.cipher,
            c.name != old.name || c.mobile != old.mobile || c.id_number != old.id_number,
        )?;
        save_custom(tx, app, Some(&old), &c)?;
        audit_update(tx, &actor, (id, c.store_id), diff(app, Some(&old), &c))?;
        after_write(tx, &actor, Some(&old), &c, tags.as_deref())?;
        fetch(tx, app, id)
    })?;
    grant.export(row, &app.cipher)
}

pub fn delete(app: &App, grant: &Grant<Customers, Delete>, id: i64) -> Result<()> {
    let scope = grant.rows();
    let p = grant.principal();
    app.db.write_sync(|tx| {
        let row = store::get(tx, id, &scope)?.ok_or_else(Error::not_found)?;
        store::soft_delete(tx, id, now_ms())?;
        audit::append(
            tx,
            &Event {
                actor: &p.actor(),
                action: "delete",
                entity: "customer",
                entity_id: Some(id),
                store_id: Some(row.plain.store_id),
                changes: None,
            },
        )?;
        Ok(())
    })
}

/// One masked field of one customer in clear; audited.
pub fn reveal(app: &App, grant: &Grant<Customers, Reveal>, id: i64, field: &str) -> Result<Value> {
    let scope = grant.rows();
    // The whole record, custom values included: a masked custom field is revealed like any.
    let loaded = app.db.read_sync(|c| load_in(c, app, &scope, id))?;
    let store_id = loaded.store_id;
    let value = grant.reveal(loaded.record, field, &app.cipher)?;
    let p = grant.principal();
    app.db.write_sync(|tx| {
        audit::append(
            tx,
            &Event {
                actor: &p.actor(),
                action: "reveal",
                entity: "customer",
                entity_id: Some(id),
                store_id: Some(store_id),
                changes: Some(serde_json::json!({"field": field})),
            },
        )
    })?;
    Ok(value)
}

pub const MAX_PAGE: i64 = 200;

/// A page of the list, serialised as it is (no intermediate JSON tree for a hot path).
#[derive(serde::Serialize)]
pub struct Page {
    pub items: Vec<Exported>,
    pub next_cursor: Option<String>,
}

/// A page's cursor holds the last search term, which for a mobile search is the whole number:
/// it is sealed with the data key, so a client can neither read it (a role that sees mobiles
/// masked) nor forge one (to probe where a hidden number falls between two terms).
fn encode_cursor(cipher: &crate::crypto::FieldCipher, c: &Cursor) -> String {
    use base64::Engine;
    let sealed = cipher.encrypt(CURSOR_PURPOSE, &format!("{}\u{1f}{}", c.id, c.term));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
}

fn decode_cursor(cipher: &crate::crypto::FieldCipher, s: &str) -> Result<Cursor> {
    use base64::Engine;
    let bad = || Error::field("after", "翻页游标无效", "is not a valid cursor");
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    let raw = cipher.decrypt(CURSOR_PURPOSE, &sealed).map_err(|_| bad())?;
    let (id, term) = raw.split_once('\u{1f}').ok_or_else(bad)?;
    Ok(Cursor {
        id: id.parse().map_err(|_| bad())?,
        term: term.to_string(),
    })
}

const CURSOR_PURPOSE: &str = "customer-list-cursor";

/// The list and quick search. Searching by a field the role cannot see is refused.
pub fn search<A: ActionKind>(
    app: &App,
    grant: &Grant<Customers, A>,
    q: Option<&str>,
    filter: &super::filter::Filter,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Page> {
    let filter = filter.check(grant, app)?;
    let limit = limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::field(
            "limit",
            format!("须在 1 到 {MAX_PAGE} 之间"),
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    let query = match q.map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(q) => Some(search::classify(q).ok_or_else(|| {
            Error::field(
                "q",
                "无法识别的搜索内容：请输入手机号、手机尾号 4 位、姓名、拼音或会员号",
                "not a mobile, last 4 digits, name, pinyin or member number",
            )
        })?),
    };
    if let Some(query) = &query {
        grant.check_quick_searchable(query.field(), query.within_mask())?;
    }
    let query = query.map(|q| q.lookup(&app.cipher));
    let after = after.map(|a| decode_cursor(&app.cipher, a)).transpose()?;
    let scope = grant.rows();
    let (rows, more, last) = app.db.read_sync(|c| {
        let rows = store::page(c, query.as_ref(), &filter, &scope, after.as_ref(), limit)?;
        let more = rows.len() as i64 > limit;
        let mut seen = std::collections::HashSet::new();
        let mut unique = Vec::new();
        let mut last = None;
        for (term, row) in rows.into_iter().take(limit as usize) {
            last = Some(Cursor {
                term,
                id: row.plain.id,
            });
            if seen.insert(row.plain.id) {
                unique.push(row);
            }
        }
        Ok::<_, Error>((with_tags(c, app, unique)?, more, last))
    })?;
    let items = grant.export_all(rows, &app.cipher)?;
    Ok(Page {
        items,
        next_cursor: if more {
            last.as_ref().map(|c| encode_cursor(&app.cipher, c))
        } else {
            None
        },
    })
}

/// The customer's audit trail: who viewed, revealed or changed it.
pub fn history(
    app: &App,
    grant: &Grant<Customers, Read>,
    audit_grant: &Grant<crate::access::AuditLog, crate::access::Read>,
    id: i64,
) -> Result<Vec<Exported>> {
    load(app, id, &grant.rows())?;
    app.views.flush();
    // The customer's own rows and those of their photos (who looked at or removed them).
    let rows = app.db.read_sync(|c| {
        let photos = crate::domain::photos::ids_of_customer(c, id)?;
        Ok::<_, Error>(audit::about(c, ("customer", id), ("photo", &photos), 200)?)
    })?;
    audit_grant.export_all(
        rows.iter().map(|r| audit::api::record(r, audit_grant)),
        &app.cipher,
    )
}

/// Seeds already-valid customers in one transaction with one audit row, for the demo clinic
/// and benchmarks (trusted CLI callers; not reachable over HTTP).
/// `story` writes each customer's past (consultations, stage history, timeline) in the same
/// transaction; a customer's `created_at`, when set, is kept as its first contact.
pub fn seed(
    app: &App,
    by: &audit::Actor,
    batch: &mut [Customer],
    mut story: impl FnMut(&rusqlite::Connection, &Customer) -> Result<()>,
) -> Result<()> {
    let now = now_ms();
    app.db.write_sync(|tx| {
        for c in batch.iter_mut() {
            c.member_no = store::next_member_no(tx)?;
            if c.created_at == 0 {
                c.created_at = now;
            }
            c.updated_at = now;
            c.id = store::insert(tx, c, &app.cipher)?;
            save_custom(tx, app, None, c)?;
            story(tx, c)?;
        }
        let changes = serde_json::json!({"customers": batch.len(), "first_id": batch.first().map(|c| c.id), "last_id": batch.last().map(|c| c.id)});
        audit::append(tx, &Event { actor: by, action: "seed", entity: "customer", entity_id: None, store_id: None, changes: Some(changes) })?;
        Ok(())
    })
}
