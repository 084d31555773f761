//! Consultation records (咨询/面诊记录): how the customer was consulted, what they want, the
//! priced plan, the outcome and the next follow-up, which lands in the consultant's worklist.
//! A consultation moves the customer along the pipeline (see `customers::lifecycle`).

pub mod api;
pub mod model;
pub mod store;

use serde_json::{json, Map, Value};

use crate::access::{
    Consultations, Create, Delete, Entity, Exported, Grant, Matrix, Read, Record, RowScope, Update,
};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::db::Reader;
use crate::domain::input::{choice, id_field, opt_str, text_field, Errors};
use crate::domain::timeline::{self, NewEvent};
use crate::domain::{custom_fields, customers};
use crate::error::{Error, Result};
use crate::money::parse_fen;
use model::{Consultation, PlanItem, OUTCOMES, WAYS};

pub type Json = Map<String, Value>;

const MAX_PLAN_LINES: usize = 30;
/// A consultation may be recorded a little ahead (clocks differ) but not for another day.
const FUTURE_SLACK_MS: i64 = 3_600_000;

fn plan(errs: &mut Errors, v: &Value) -> Option<Vec<PlanItem>> {
    let Value::Array(lines) = v else {
        errs.add("plan", "须为项目列表", "must be a list of projects");
        return None;
    };
    if lines.len() > MAX_PLAN_LINES {
        errs.add(
            "plan",
            format!("最多 {MAX_PLAN_LINES} 项"),
            format!("holds at most {MAX_PLAN_LINES} lines"),
        );
        return None;
    }
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let f = |name: &str| format!("plan[{i}].{name}");
        let project = line
            .get("project")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if project.is_empty() || project.chars().count() > 50 {
            errs.add(
                &f("project"),
                "项目名称须为 1–50 个字符",
                "must be 1–50 characters",
            );
        }
        let sessions = line.get("sessions").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=100).contains(&sessions) {
            errs.add(
                &f("sessions"),
                "次数须为 1–100 的整数",
                "must be a whole number from 1 to 100",
            );
        }
        let price = line
            .get("price")
            .and_then(Value::as_str)
            .and_then(parse_fen);
        if price.is_none() {
            errs.add(
                &f("price"),
                "价格须为不超过两位小数、不超过 100000000.00 的金额文本，如 \"1280.00\"",
                "must be an amount as a string with at most 2 decimals, up to 100000000.00, e.g. \"1280.00\"",
            );
        }
        if let Value::Object(m) = line {
            for k in m
                .keys()
                .filter(|k| !["project", "sessions", "price"].contains(&k.as_str()))
            {
                errs.add(&f(k), "未知字段", "unknown field");
            }
        }
        out.push(PlanItem {
            project: project.to_string(),
            sessions: sessions as u32,
            price_fen: price.unwrap_or(0),
        });
    }
    Some(out)
}

/// The longest a consultation's notes may grow, follow-up results included.
const NOTES_MAX: usize = 2000;

/// How far ahead a follow-up may be planned: a date years away is a typing slip.
const FOLLOW_UP_YEARS: u32 = 5;

/// A follow-up date as YYYY-MM-DD, from 2000 to `FOLLOW_UP_YEARS` calendar years after the
/// clinic's `today`.
fn follow_up_date(s: &str, today: chrono::NaiveDate) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let latest = today.checked_add_months(chrono::Months::new(FOLLOW_UP_YEARS * 12))?;
    let earliest = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)?;
    (s.len() == 10 && d >= earliest && d <= latest).then(|| d.format("%Y-%m-%d").to_string())
}

/// `input` onto `k`; `now` and the clinic's `today` bound its times and dates.
fn apply(
    m: &Matrix,
    k: &mut Consultation,
    input: &Json,
    (now, today): (i64, chrono::NaiveDate),
) -> Result<()> {
    let mut errs = Errors::default();
    for (key, v) in input {
        if custom_fields::apply(m, Entity::Consultation, key, v, &mut k.custom, &mut errs) {
            continue;
        }
        match key.as_str() {
            "consultant_id" => {
                if let Some(id) = id_field(&mut errs, key, v) {
                    k.consultant_id = id;
                }
            }
            "way" => match choice(&mut errs, key, v, WAYS) {
                Some(Some(w)) => k.way = w,
                Some(None) => errs.add(key, "咨询方式不能为空", "is required"),
                None => {}
            },
            "at" => match v.as_i64() {
                Some(at) if at > 0 && at <= now + FUTURE_SLACK_MS => k.at = at,
                _ => errs.add(
                    key,
                    "须为不晚于现在的时间（毫秒时间戳）",
                    "must be a time (epoch ms) not in the future",
                ),
            },
            "needs" => {
                if let Some(t) = text_field(&mut errs, key, v, 2000) {
                    k.needs = t;
                }
            }
            "plan" => {
                if let Some(p) = plan(&mut errs, v) {
                    k.plan = p;
                }
            }
            "outcome" => {
                if let Some(o) = choice(&mut errs, key, v, OUTCOMES) {
                    k.outcome = o.unwrap_or_else(|| "pending".into());
                }
            }
            "lost_reason" => {
                if let Some(t) = text_field(&mut errs, key, v, 200) {
                    k.lost_reason = t;
                }
            }
            "follow_up_date" => match opt_str(&mut errs, key, v) {
                Some(Some(s)) => match follow_up_date(s, today) {
                    Some(d) => k.follow_up_date = Some(d),
                    None => errs.add(
                        key,
                        format!("须为 2000-01-01 至今后 {FOLLOW_UP_YEARS} 年内的日期 YYYY-MM-DD"),
                        format!("must be a date as YYYY-MM-DD from 2000-01-01 to {FOLLOW_UP_YEARS} years ahead"),
                    ),
                },
                Some(None) => k.follow_up_date = None,
                None => {}
            },
            "notes" => {
                if let Some(t) = text_field(&mut errs, key, v, NOTES_MAX) {
                    k.notes = t;
                }
            }
            // check_writable refused everything else, and the customer comes from the path.
            other => errs.add(other, "不能在此修改", "cannot be set here"),
        }
    }
    if k.outcome != "lost" && input.get("lost_reason").is_some_and(|v| !v.is_null()) {
        errs.add(
            "lost_reason",
            "仅在结果为“流失”时填写",
            "only goes with the outcome lost",
        );
    }
    if k.outcome != "lost" {
        k.lost_reason = None;
    }
    errs.finish()?;
    k.plan_total_fen = k.plan.iter().map(|i| i.price_fen).sum();
    Ok(())
}

/// The customer the consultation belongs to, if the caller may see them.
fn customer_in_scope(
    tx: &Reader,
    customer_id: i64,
    scope: &RowScope,
) -> Result<customers::store::Row_> {
    customers::store::get(tx, customer_id, scope)?.ok_or_else(Error::not_found)
}

/// The customer of a consultation being written: in scope and not restricted, and with the
/// health-data consent when the consultation holds health values. Returns the customer's store.
fn writable_customer(tx: &Reader, m: &Matrix, k: &Consultation, scope: &RowScope) -> Result<i64> {
    let row = customer_in_scope(tx, k.customer_id, scope)?;
    customers::service::ensure_processable(&row.plain)?;
    if custom_fields::has_health(m, Entity::Consultation, &k.custom)
        && !row.plain.has_health_consent()
    {
        return Err(Error::conflict(
            "health-consent-required",
            crate::error::text(
                "记录健康信息前须取得客户的健康信息单独同意",
                "Health details need the customer's separate consent to health-data processing first",
            ),
        ));
    }
    Ok(row.plain.store_id)
}

/// Records of consultations with their custom values, ready for `Grant::export`.
fn records(c: &Reader, app: &App, rows: Vec<Consultation>) -> Result<Vec<Record>> {
    let ids: Vec<i64> = rows.iter().map(|k| k.id).collect();
    let mut records: Vec<Record> = rows.into_iter().map(Consultation::into_record).collect();
    let mut by_id: Vec<(i64, &mut Record)> = ids.into_iter().zip(records.iter_mut()).collect();
    custom_fields::attach(c, &app.access.matrix(), Entity::Consultation, &mut by_id)?;
    Ok(records)
}

/// The audit row's changes: the summary, and the custom values that changed.
fn changes(m: &Matrix, old: Option<&Consultation>, k: &Consultation) -> Value {
    let mut out = summary(k);
    let none = custom_fields::Values::new();
    if let Value::Object(map) = &mut out {
        custom_fields::diff(
            m,
            Entity::Consultation,
            old.map_or(&none, |o| &o.custom),
            &k.custom,
            map,
        );
    }
    out
}

fn check_consultant(tx: &Reader, k: &Consultation) -> Result<()> {
    if let Some(id) = k.consultant_id {
        crate::domain::customers::service::check_consultant(tx, id)?;
    }
    Ok(())
}

/// What a consultation does to its customer: an on-site one is a visit, a deal is a deal.
fn move_customer(tx: &Reader, app: &App, actor: &audit::Actor, k: &Consultation) -> Result<()> {
    if k.way == "onsite" {
        customers::service::record_visit(tx, k.customer_id, k.at)?;
        customers::service::advance(tx, app, actor, k.customer_id, "consultation")?;
    }
    if k.outcome == "deal" {
        customers::service::advance(tx, app, actor, k.customer_id, "deal")?;
    }
    Ok(())
}

/// The consultation's timeline event at `at`; its data are shown under the consultation policy.
fn event_at(
    tx: &Reader,
    actor: &audit::Actor,
    kind: &str,
    k: &Consultation,
    at: i64,
) -> Result<()> {
    let mut data = Map::new();
    data.insert("way".into(), k.way.clone().into());
    data.insert("outcome".into(), k.outcome.clone().into());
    data.insert("needs".into(), k.needs.clone().into());
    data.insert(
        "plan_total".into(),
        crate::money::format_fen(k.plan_total_fen).into(),
    );
    data.insert("consultant_id".into(), k.consultant_id.into());
    timeline::record_at(
        tx,
        actor,
        at,
        NewEvent {
            customer_id: k.customer_id,
            kind,
            entity: Entity::Consultation,
            entity_id: Some(k.id),
            data,
        },
    )?;
    Ok(())
}

fn audit_row(
    tx: &Reader,
    actor: &audit::Actor,
    action: &str,
    k: &Consultation,
    changes: Option<Value>,
) -> Result<()> {
    audit::append(
        tx,
        &Event {
            actor,
            action,
            entity: "consultation",
            entity_id: Some(k.id),
            store_id: Some(k.store_id),
            changes,
        },
    )?;
    Ok(())
}

/// Fields of a consultation for its audit row (no free text: needs and notes may be personal).
fn summary(k: &Consultation) -> Value {
    json!({"customer_id": k.customer_id, "way": k.way, "at": k.at, "outcome": k.outcome,
           "plan_total": crate::money::format_fen(k.plan_total_fen), "follow_up_date": k.follow_up_date,
           "consultant_id": k.consultant_id})
}

pub fn create(
    app: &App,
    grant: &Grant<Consultations, Create>,
    customer_id: i64,
    input: &Json,
) -> Result<Exported> {
    grant.check_writable(input.keys().map(String::as_str))?;
    let p = grant.principal();
    let now = now_ms();
    let mut k = Consultation {
        customer_id,
        consultant_id: Some(p.user_id),
        at: now,
        outcome: "pending".into(),
        created_by: Some(p.user_id),
        created_at: now,
        updated_at: now,
        ..Default::default()
    };
    let m = app.access.matrix();
    apply(&m, &mut k, input, (now, app.config.today()))?;
    if k.way.is_empty() {
        return Err(Error::field("way", "咨询方式不能为空", "is required"));
    }
    let actor = p.actor();
    let scope = grant.rows();
    let record = app.db.write_sync(|tx| {
        k.store_id = writable_customer(tx, &m, &k, &scope)?;
        check_consultant(tx, &k)?;
        k.id = store::insert(tx, &k)?;
        let none = custom_fields::Values::new();
        custom_fields::save(tx, app, &m, Entity::Consultation, k.id, &none, &k.custom)?;
        audit_row(tx, &actor, "create", &k, Some(changes(&m, None, &k)))?;
        event_at(tx, &actor, "consultation.created", &k, now)?;
        move_customer(tx, app, &actor, &k)?;
        Ok::<_, Error>(records(tx, app, vec![k.clone()])?.remove(0))
    })?;
    grant.export(record, &app.cipher)
}

pub fn update(
    app: &App,
    grant: &Grant<Consultations, Update>,
    id: i64,
    input: &Json,
) -> Result<Exported> {
    grant.check_writable(input.keys().map(String::as_str))?;
    let actor = grant.principal().actor();
    let scope = grant.rows();
    let now = now_ms();
    let m = app.access.matrix();
    let record = app.db.write_sync(|tx| {
        let mut old = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        old.custom = custom_fields::load(tx, app, &m, Entity::Consultation, id)?;
        let mut k = old.clone();
        apply(&m, &mut k, input, (now, app.config.today()))?;
        writable_customer(tx, &m, &k, &scope)?;
        if k != old {
            k.updated_at = now;
            check_consultant(tx, &k)?;
            store::update(tx, &k)?;
            custom_fields::save(
                tx,
                app,
                &m,
                Entity::Consultation,
                id,
                &old.custom,
                &k.custom,
            )?;
            audit_row(tx, &actor, "update", &k, Some(changes(&m, Some(&old), &k)))?;
            event_at(tx, &actor, "consultation.updated", &k, now)?;
            move_customer(tx, app, &actor, &k)?;
        }
        Ok::<_, Error>(records(tx, app, vec![k])?.remove(0))
    })?;
    grant.export(record, &app.cipher)
}

/// The longest result a follow-up records (it goes into the consultation's notes).
const FOLLOW_UP_RESULT_MAX: usize = 500;

/// The body of a recorded follow-up as sent: values are checked by `FollowUp::parse`, so that
/// each wrong one is named with the rule it breaks.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    #[serde(default)]
    pub result: Value,
    #[serde(default)]
    pub next_date: Value,
    /// The follow-up date this result answers, as the worklist showed it: a second submit (a
    /// retry, another tab) finds it moved on and is refused instead of adding the result twice.
    #[serde(default)]
    pub due: Value,
}

/// A follow-up as the worklist records it: what came of it, when to call again (none: the
/// follow-ups for this consultation are over), and the date it answers when the client said.
pub struct FollowUp {
    pub result: String,
    pub next_date: Option<String>,
    pub due: Option<String>,
}

impl FollowUp {
    pub fn parse(input: &FollowUpInput, today: chrono::NaiveDate) -> Result<FollowUp> {
        let mut errs = Errors::default();
        let mut out = FollowUp {
            result: String::new(),
            next_date: None,
            due: None,
        };
        match text_field(&mut errs, "result", &input.result, FOLLOW_UP_RESULT_MAX) {
            Some(Some(t)) => out.result = t,
            Some(None) => errs.add("result", "请填写回访结果", "is required"),
            None => {}
        }
        // Null ends the follow-ups; an empty string is a slip, refused like any other non-date.
        let tomorrow_on = |d: &String| *d > today.format("%Y-%m-%d").to_string();
        match &input.next_date {
            Value::Null => {}
            v => match v.as_str().and_then(|s| follow_up_date(s, today)).filter(tomorrow_on) {
                Some(d) => out.next_date = Some(d),
                None => errs.add(
                    "next_date",
                    format!("须为明天至今后 {FOLLOW_UP_YEARS} 年内的日期 YYYY-MM-DD；不再回访请传 null"),
                    format!("must be a date as YYYY-MM-DD from tomorrow to {FOLLOW_UP_YEARS} years ahead; null when no follow-up follows"),
                ),
            },
        }
        match &input.due {
            Value::Null => {}
            Value::String(s) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => {
                out.due = Some(s.clone())
            }
            _ => errs.add("due", "须为日期 YYYY-MM-DD", "must be a date as YYYY-MM-DD"),
        }
        errs.finish()?;
        Ok(out)
    }
}

/// 回访完成: the result is added to the consultation's notes under today's date, and the
/// follow-up date moves to the next one or is cleared, so the worklist drops it. The timeline
/// shows the result to whoever may read the notes.
pub fn follow_up(
    app: &App,
    grant: &Grant<Consultations, Update>,
    id: i64,
    input: &FollowUpInput,
) -> Result<Exported> {
    grant.check_writable(["notes", "follow_up_date"])?;
    let today = app.config.today();
    let now = now_ms();
    let done = FollowUp::parse(input, today)?;
    let actor = grant.principal().actor();
    let scope = grant.rows();
    let m = app.access.matrix();
    let record = app.db.write_sync(|tx| {
        let old = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        writable_customer(tx, &m, &old, &scope)?;
        let Some(due) = old.follow_up_date.clone() else {
            return Err(Error::conflict(
                "no-follow-up-due",
                crate::error::text(
                    "这条咨询没有待办的回访",
                    "This consultation has no follow-up due",
                ),
            ));
        };
        if done.due.as_ref().is_some_and(|d| *d != due) {
            return Err(Error::conflict(
                "follow-up-moved",
                crate::error::text(
                    "这次回访已被记录（回访日期已变更），请刷新列表",
                    "This follow-up was already recorded (its date has changed); refresh the list",
                ),
            ));
        }
        let entry = format!("{} 回访：{}", today.format("%Y-%m-%d"), done.result);
        let notes = match old.notes.as_deref() {
            Some(n) if !n.is_empty() => format!("{n}\n{entry}"),
            _ => entry,
        };
        if notes.chars().count() > NOTES_MAX {
            let used = old.notes.as_deref().map_or(0, |n| n.chars().count());
            return Err(Error::field(
                "result",
                format!("咨询备注已用 {used} / {NOTES_MAX} 个字符，写不下这条回访结果：请缩短结果，或先精简咨询备注"),
                format!("the consultation's notes use {used} of their {NOTES_MAX} characters and this result does not fit: shorten it, or shorten the notes first"),
            ));
        }
        let mut k = old.clone();
        k.notes = Some(notes);
        k.follow_up_date = done.next_date.clone();
        k.updated_at = now;
        store::update(tx, &k)?;
        let mut changes = summary(&k);
        changes["followed_up"] = due.into();
        audit_row(tx, &actor, "update", &k, Some(changes))?;
        let mut data = Map::new();
        // The result alone: the event has its own time, and the notes' line its Chinese prefix.
        data.insert("notes".into(), done.result.clone().into());
        data.insert("follow_up_date".into(), k.follow_up_date.clone().into());
        timeline::record(
            tx,
            &actor,
            NewEvent {
                customer_id: k.customer_id,
                kind: "consultation.followed_up",
                entity: Entity::Consultation,
                entity_id: Some(k.id),
                data,
            },
        )?;
        Ok::<_, Error>(records(tx, app, vec![k])?.remove(0))
    })?;
    grant.export(record, &app.cipher)
}

pub fn delete(app: &App, grant: &Grant<Consultations, Delete>, id: i64) -> Result<()> {
    let actor = grant.principal().actor();
    let scope = grant.rows();
    app.db.write_sync(|tx| {
        let k = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        customers::service::ensure_processable(
            &customer_in_scope(tx, k.customer_id, &scope)?.plain,
        )?;
        store::soft_delete(tx, id, now_ms())?;
        audit_row(tx, &actor, "delete", &k, None)
    })
}

/// The customer's consultations, newest first, on the caller's read connection.
pub fn of_customer(
    c: &Reader,
    app: &App,
    grant: &Grant<Consultations, Read>,
    customer_id: i64,
) -> Result<Vec<Exported>> {
    let rows = store::of_customer(c, customer_id, 100)?;
    grant.export_all(records(c, app, rows)?, &app.cipher)
}

pub fn list(
    app: &App,
    grant: &Grant<Consultations, Read>,
    customer_id: i64,
) -> Result<Vec<Exported>> {
    let scope = grant.rows();
    app.db.read_sync(|c| {
        customer_in_scope(c, customer_id, &scope)?;
        of_customer(c, app, grant, customer_id)
    })
}

/// The most follow-ups the worklist returns at once; `more` says when there are others.
const WORKLIST_MAX: usize = 200;

/// The caller's worklist: their follow-ups due by `until` (default the clinic's today), each with
/// the customer's name as the caller may see it. The reply names the clinic's `today` (the
/// browser's clock may be in another zone) and whether more are due than it lists.
pub fn follow_ups(
    app: &App,
    grant: &Grant<Consultations, Read>,
    customer_grant: &Grant<crate::access::Customers, Read>,
    until: Option<&str>,
) -> Result<Value> {
    let today = app.config.today();
    let until = match until {
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            Error::field(
                "until",
                "须为 YYYY-MM-DD 格式的日期",
                "must be a date as YYYY-MM-DD",
            )
        })?,
        None => today,
    }
    .format("%Y-%m-%d")
    .to_string();
    let me = grant.principal().user_id;
    let scope = customer_grant.rows();
    let now = now_ms();
    app.db.read_sync(|c| {
        let mut items = Vec::new();
        let mut more = false;
        // Follow-ups of customers out of scope or gone are skipped: read on until the page is
        // full, so those do not shorten it.
        let mut after: Option<(String, i64)> = None;
        'pages: loop {
            let batch = store::follow_ups(c, me, &until, after.as_ref(), WORKLIST_MAX)?;
            let last = batch.len() < WORKLIST_MAX;
            for k in batch {
                after = Some((k.follow_up_date.clone().unwrap_or_default(), k.id));
                let Some(cust) = customers::store::get(c, k.customer_id, &scope)? else {
                    continue;
                };
                if items.len() == WORKLIST_MAX {
                    more = true;
                    break 'pages;
                }
                let customer = customer_grant
                    .export(cust.into_record(&app.config.lifecycle, now), &app.cipher)?;
                let consultation =
                    grant.export(records(c, app, vec![k])?.remove(0), &app.cipher)?;
                items.push(json!({"consultation": consultation, "customer": customer}));
            }
            if last {
                break;
            }
        }
        Ok(json!({"items": items, "more": more, "today": today.format("%Y-%m-%d").to_string()}))
    })
}

/// The customer a consultation belongs to (another area linking its records to one).
pub fn customer_of(c: &Reader, id: i64) -> Result<Option<i64>> {
    Ok(store::get(c, id)?.map(|k| k.customer_id))
}

/// A merge of duplicates: `from`'s consultations become `to`'s.
pub fn reassign(tx: &Reader, from: i64, to: i64) -> Result<usize> {
    Ok(store::reassign(tx, from, to)?)
}

/// A consultation of the demo clinic's generated past: the record and its timeline event at its
/// own time, inside the seeding transaction (which writes one audit row for the batch).
pub fn seed(tx: &Reader, actor: &audit::Actor, k: &mut Consultation) -> Result<()> {
    k.plan_total_fen = k.plan.iter().map(|i| i.price_fen).sum();
    k.id = store::insert(tx, k)?;
    event_at(tx, actor, "consultation.created", k, k.at)
}
