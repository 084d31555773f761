//! Requests under the Personal Information Protection Law (个人信息保护法 arts. 44–47): a copy of
//! everything held about a customer, restricting processing, lifting it, and erasure. Every
//! request is recorded with who handled it, when and why, besides the audit row.
//!
//! Erasure anonymises the personal fields and takes the customer out of lists and search, while
//! consultations (and later treatment records and orders) and the audit log, which the clinic
//! must keep, stay in place under the restricted, soft-deleted customer.

use rusqlite::Connection;
use serde_json::{json, Value};

use super::{service, store};
use crate::access::{
    Customers, Delete, Entity, Export, Grant, Photos, Read, RowScope, SignedConsents,
};
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::clock::now_ms;
use crate::domain::{consents, consultations, custom_fields, photos, tags, timeline};
use crate::error::{Error, Result};

pub const KINDS: &[&str] = &["access", "restrict", "lift_restriction", "erase"];

/// Mobile number an erased customer keeps: the column must hold a valid-looking number, and
/// erased customers are soft-deleted, so it collides with nobody.
pub const ERASED_MOBILE: &str = "13000000000";
pub const ERASED_NAME: &str = "已删除客户";

fn reason(raw: &str) -> Result<String> {
    match crate::domain::customers::validate::clean_text(raw, 500) {
        Ok(r) if !r.is_empty() => Ok(r),
        _ => Err(Error::field(
            "reason",
            "请填写 1–500 字的请求原因",
            "give the reason, 1–500 characters",
        )),
    }
}

fn log_request(
    tx: &Connection,
    actor: &Actor,
    customer: (i64, i64),
    kind: &str,
    why: &str,
    result: Value,
) -> Result<()> {
    let (customer_id, store_id) = customer;
    store::insert_pipl_request(tx, customer_id, kind, why, actor.id, now_ms(), &result)?;
    audit::append(
        tx,
        &Event {
            actor,
            action: "pipl",
            entity: "customer",
            entity_id: Some(customer_id),
            store_id: Some(store_id),
            changes: Some(json!({"kind": kind, "reason": why})),
        },
    )?;
    Ok(())
}

/// The copy must be complete: a role that sees any customer field masked or not at all cannot
/// make it.
fn check_complete<A: crate::access::ActionKind>(grant: &Grant<Customers, A>) -> Result<()> {
    for (name, p) in grant.field_policies() {
        if !p.visible() || p.masked() {
            return Err(Error::forbidden_field(name, "完整导出", "export in full"));
        }
    }
    Ok(())
}

/// Everything held about the customer, as one JSON document for the customer to take away.
pub fn access_copy(
    app: &App,
    grant: &Grant<Customers, Export>,
    read: &Grant<Customers, Read>,
    id: i64,
    raw_reason: &str,
) -> Result<Value> {
    check_complete(grant)?;
    let why = reason(raw_reason)?;
    let actor = grant.principal().actor();
    let scope = grant.rows();
    let consultation_grant = app
        .access
        .grant::<crate::access::Consultations, Read>(grant.principal())?;
    let (record, store_id, history, consults, events) = app.db.read_sync(|c| {
        let row = store::get(c, id, &scope)?.ok_or_else(Error::not_found)?;
        let store_id = row.plain.store_id;
        let record = service::fetch(c, app, id)?;
        let history: Vec<Value> = store::stage_history(c, id)?
            .into_iter()
            .map(|h| json!({"from_stage": h.from_stage, "to_stage": h.to_stage, "at": h.at, "actor": h.actor}))
            .collect();
        let consults = consultations::of_customer(c, app, &consultation_grant, id)?;
        let events = timeline::page(c, read, id, None, timeline::MAX_PAGE)?;
        Ok::<_, Error>((record, store_id, history, consults, events))
    })?;
    let mut doc = json!({
        "generated_at": now_ms(),
        "generated_by": actor.name,
        "reason": why,
        "customer": read.export(record, &app.cipher)?,
        "stage_history": history,
        "consultations": consults,
        "timeline": events.items,
    });
    // Photos and signed consent forms are the customer's data too. Each comes under the caller's
    // own grant on it; a section the caller may not read is named as left out, never dropped
    // silently.
    let mut omitted = Vec::new();
    let principal = grant.principal();
    match app.access.grant::<Photos, Read>(principal) {
        Ok(g) => doc["photos"] = json!(photos::list(app, &g, id)?),
        Err(_) => omitted.push("photos"),
    }
    match app.access.grant::<SignedConsents, Read>(principal) {
        Ok(g) => doc["signed_consents"] = json!(consents::list_signed(app, &g, id)?),
        Err(_) => omitted.push("signed_consents"),
    }
    let sections: Vec<&str> = doc
        .as_object()
        .map(|m| {
            m.keys()
                .map(String::as_str)
                .filter(|k| !["generated_at", "generated_by", "reason"].contains(k))
                .collect()
        })
        .unwrap_or_default();
    let logged = json!({"sections": sections, "omitted": omitted});
    doc["omitted"] = json!(omitted);
    app.db
        .write_sync(|tx| log_request(tx, &actor, (id, store_id), "access", &why, logged.clone()))?;
    Ok(doc)
}

/// Restrict processing, lift the restriction, or erase.
pub fn act(
    app: &App,
    grant: &Grant<Customers, Delete>,
    id: i64,
    kind: &str,
    raw_reason: &str,
) -> Result<()> {
    let why = reason(raw_reason)?;
    let actor = grant.principal().actor();
    let scope = grant.rows();
    let now = now_ms();
    let mut files = Vec::new();
    app.db.write_sync(|tx| {
        let row = store::get(tx, id, &scope)?.ok_or_else(Error::not_found)?;
        let store_id = row.plain.store_id;
        let result = match kind {
            "restrict" if row.plain.restricted_at.is_none() => {
                store::set_restricted(tx, id, Some(now))?;
                json!({"restricted_at": now})
            }
            "lift_restriction" if row.plain.restricted_at.is_some() => {
                store::set_restricted(tx, id, None)?;
                json!({"restricted_at": null})
            }
            "erase" => {
                files = crate::domain::photos::erase_customer(tx, id)?;
                erase(tx, app, id, row, now)?
            }
            "restrict" | "lift_restriction" => {
                return Err(Error::conflict(
                    "nothing-to-do",
                    crate::error::text(
                        "客户当前状态已是如此",
                        "The customer is in that state already",
                    ),
                ))
            }
            _ => {
                return Err(Error::field(
                    "kind",
                    "未知的请求类型",
                    "unknown request kind",
                ))
            }
        };
        log_request(tx, &actor, (id, store_id), kind, &why, result)
    })?;
    // The photo files go only once the erasure is committed (a start-up sweep catches any left).
    if !files.is_empty() {
        app.db
            .read_sync(|c| crate::attachments::remove(&app.config.data_dir, c, &files))?;
    }
    Ok(())
}

fn erase(tx: &Connection, app: &App, id: i64, row: store::Row_, now: i64) -> Result<Value> {
    tags::store::remove_all(tx, id)?;
    // Duplicates merged into the customer were the same person: their soft-deleted rows, custom
    // values and the events naming them on others' timelines go the same way.
    for (member, _) in store::merge_family(tx, id)? {
        let c = if member == id {
            row.plain.clone()
        } else {
            store::get_merged(tx, member)?
                .ok_or_else(Error::not_found)?
                .plain
        };
        blank(tx, app, c, now)?;
        custom_fields::erase(tx, Entity::Customer, member)?;
        timeline::scrub_mentions(tx, member)?;
    }
    Ok(
        json!({"erased": ["name", "gender", "birthday", "mobile", "wechat_id", "id_number", "source", "skin_type", "allergies", "concerns", "medical_history", "notes", "consents", "tags", "custom_fields", "photos"], "kept": ["consultations", "stage_history", "signed_consents", "audit_log"]}),
    )
}

/// Blanks the personal fields of one customer row and marks it erased.
fn blank(tx: &Connection, app: &App, c: super::model::Customer, now: i64) -> Result<()> {
    let blank = super::model::Customer {
        id: c.id,
        member_no: c.member_no,
        name: ERASED_NAME.into(),
        gender: "unknown".into(),
        mobile: ERASED_MOBILE.into(),
        store_id: c.store_id,
        stage: c.stage,
        created_at: c.created_at,
        updated_at: now,
        ..Default::default()
    };
    // Soft-deleted first: the placeholder mobile then collides with no live customer.
    store::mark_erased(tx, c.id, now)?;
    store::update(tx, &blank, &app.cipher, false)?;
    Ok(())
}

/// The requests recorded for a customer, newest first.
pub fn requests(app: &App, grant: &Grant<Customers, Read>, id: i64) -> Result<Vec<Value>> {
    let scope = grant.rows();
    app.db.read_sync(|c| {
        if !on_file(c, id, &scope)? {
            return Err(Error::not_found());
        }
        Ok(store::pipl_requests(c, id)?)
    })
}

/// Whether the customer is within `scope`, live or erased: an erased customer is soft-deleted,
/// but what the law keeps of them (requests, signed consent forms) must still be produced.
pub fn on_file(c: &Connection, id: i64, scope: &RowScope) -> rusqlite::Result<bool> {
    Ok(store::visible(c, id, scope)? || store::erased_in_scope(c, id, scope)?)
}
