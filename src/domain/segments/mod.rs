//! Saved segments (客户分群): a named list filter, private or shared with colleagues. Running one
//! is the customer list with its filter, so the caller's field policy decides what it may filter
//! by and what it shows.

pub mod api;
mod store;

use serde::Deserialize;
use serde_json::json;

use crate::access::{Create, Customers, Delete, Exported, Grant, Read, Record, Segments, Update};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::domain::customers::filter::Filter;
use crate::error::{text, Error, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub name: String,
    pub filter: Filter,
    #[serde(default)]
    pub shared: bool,
}

fn record(s: store::Segment) -> Record {
    let mut r = Record::new();
    r.set("id", s.id)
        .set("name", s.name)
        .set(
            "filter",
            serde_json::from_str::<serde_json::Value>(&s.filter).unwrap_or_default(),
        )
        .set("shared", s.shared)
        .set("owner_id", s.owner_id);
    r
}

/// Checks a segment's name and filter: the filter must be one the owner could run.
fn checked(
    app: &App,
    customers: &Grant<Customers, Read>,
    input: &Input,
) -> Result<(String, String)> {
    let name = crate::domain::input::name("name", &input.name, 50)?;
    if input.filter.is_empty() {
        return Err(Error::field(
            "filter",
            "请至少设置一个筛选条件",
            "set at least one condition",
        ));
    }
    input.filter.check(customers, app)?;
    // A segment of a tag that is not there would be saved only to show nobody.
    if let Some(tag) = input.filter.tag_id {
        if app
            .db
            .read_sync(|c| crate::domain::tags::store::tag(c, tag))?
            .is_none()
        {
            return Err(Error::field("filter.tag_id", "没有这个标签", "no such tag"));
        }
    }
    Ok((
        name,
        serde_json::to_string(&input.filter).expect("filter serialises"),
    ))
}

fn audited(
    tx: &rusqlite::Connection,
    grant_actor: &audit::Actor,
    action: &str,
    id: i64,
    name: &str,
) -> Result<()> {
    audit::append(
        tx,
        &Event {
            actor: grant_actor,
            action,
            entity: "segment",
            entity_id: Some(id),
            store_id: None,
            changes: Some(json!({"name": name})),
        },
    )?;
    Ok(())
}

/// The caller's segments and the shared ones the caller could apply: a shared segment that
/// filters by a field the caller may not search by is left out, so that its name and filter
/// tell nothing of a field the caller does not see.
pub fn list(
    app: &App,
    grant: &Grant<Segments, Read>,
    customers: &Grant<Customers, Read>,
) -> Result<Vec<Exported>> {
    let me = grant.principal().user_id;
    let rows = app.db.read_sync(|c| store::visible(c, me))?;
    let usable = |s: &store::Segment| {
        s.owner_id == me
            || serde_json::from_str::<Filter>(&s.filter)
                .is_ok_and(|f| f.check(customers, app).is_ok())
    };
    grant.export_all(rows.into_iter().filter(usable).map(record), &app.cipher)
}

pub fn create(
    app: &App,
    grant: &Grant<Segments, Create>,
    customers: &Grant<Customers, Read>,
    input: &Input,
) -> Result<Exported> {
    grant.check_writable(["name", "filter", "shared"])?;
    let (name, filter) = checked(app, customers, input)?;
    let p = grant.principal();
    let actor = p.actor();
    let seg = app.db.write_sync(|tx| {
        let mut s = store::Segment {
            id: 0,
            name,
            filter,
            shared: input.shared,
            owner_id: p.user_id,
        };
        s.id = store::insert(tx, &s, now_ms())?;
        audited(tx, &actor, "create", s.id, &s.name)?;
        Ok::<_, Error>(s)
    })?;
    grant.export(record(seg), &app.cipher)
}

/// Only the owner changes or deletes a segment (an admin may tidy shared ones).
fn owned(
    tx: &rusqlite::Connection,
    id: i64,
    p: &crate::access::Principal,
) -> Result<store::Segment> {
    let s = store::get(tx, id)?.ok_or_else(Error::not_found)?;
    if s.owner_id == p.user_id || (s.shared && p.role == crate::access::Role::Admin) {
        Ok(s)
    } else if s.shared {
        Err(Error::new(
            crate::error::Kind::Forbidden,
            "not-owner",
            text(
                "只有创建者可以修改此分群",
                "Only the owner may change this segment",
            ),
        ))
    } else {
        Err(Error::not_found())
    }
}

pub fn update(
    app: &App,
    grant: &Grant<Segments, Update>,
    customers: &Grant<Customers, Read>,
    id: i64,
    input: &Input,
) -> Result<Exported> {
    grant.check_writable(["name", "filter", "shared"])?;
    let (name, filter) = checked(app, customers, input)?;
    let p = grant.principal();
    let actor = p.actor();
    let seg = app.db.write_sync(|tx| {
        let mut s = owned(tx, id, p)?;
        s.name = name;
        s.filter = filter;
        s.shared = input.shared;
        store::update(tx, &s, now_ms())?;
        audited(tx, &actor, "update", id, &s.name)?;
        Ok::<_, Error>(s)
    })?;
    grant.export(record(seg), &app.cipher)
}

pub fn delete(app: &App, grant: &Grant<Segments, Delete>, id: i64) -> Result<()> {
    let p = grant.principal();
    let actor = p.actor();
    app.db.write_sync(|tx| {
        let s = owned(tx, id, p)?;
        store::delete(tx, id, now_ms())?;
        audited(tx, &actor, "delete", id, &s.name)
    })
}
