//! The customer timeline: one list of everything that happened to a customer.
//!
//! Every area appends its events with `record`, in the transaction of the change it describes;
//! the 360° page reads them back with `page`. An event's `data` holds field values of the entity
//! it is about, so a reader sees them under that entity's field policy, and not at all without
//! read access to it — a new area adds events without touching this module or the page.

pub mod api;
pub mod store;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::access::{Customers, Entity, Grant, Read};
use crate::audit::Actor;
use crate::clock::now_ms;
use crate::db::Reader;
use crate::domain::customers;
use crate::error::{Error, Result};

/// An event as an area records it.
pub struct NewEvent<'a> {
    pub customer_id: i64,
    /// What happened, e.g. `customer.created`, `stage.changed`, `consultation.created`.
    pub kind: &'a str,
    /// The entity whose fields `data` holds, and the record it is about.
    pub entity: Entity,
    pub entity_id: Option<i64>,
    pub data: Map<String, Value>,
}

/// Appends an event; call it inside the write transaction of the change.
pub fn record(tx: &Reader, actor: &Actor, ev: NewEvent) -> rusqlite::Result<()> {
    store::insert(tx, now_ms(), actor, &ev)
}

/// `record` for an event that happened at `at` (a consultation entered afterwards, the demo
/// clinic's generated past).
pub fn record_at(tx: &Reader, actor: &Actor, at: i64, ev: NewEvent) -> rusqlite::Result<()> {
    store::insert(tx, at, actor, &ev)
}

/// A merge of duplicates: `from`'s history becomes `to`'s.
pub fn reassign(tx: &Reader, from: i64, to: i64) -> rusqlite::Result<()> {
    store::reassign(tx, from, to)
}

/// An erasure: events on other customers' timelines that name this customer lose their data.
pub fn scrub_mentions(tx: &Reader, customer_id: i64) -> rusqlite::Result<()> {
    store::scrub_mentions(tx, customer_id)
}

#[derive(Serialize)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// Who did it: the user's id, the login name at the time, and the person's name today
    /// (none for the system or a removed account).
    pub actor_id: Option<i64>,
    pub actor: String,
    pub actor_name: Option<String>,
    pub data: Map<String, Value>,
}

#[derive(Serialize)]
pub struct Page {
    pub items: Vec<Event>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<String>,
}

pub const MAX_PAGE: usize = 100;

/// Newest first, keyset by (at, id). The caller has checked that the customer is in scope.
pub fn page(
    c: &Reader,
    grant: &Grant<Customers, Read>,
    customer_id: i64,
    before: Option<&str>,
    limit: usize,
) -> Result<Page> {
    let before = before.map(parse_cursor).transpose()?;
    let rows = store::page(c, customer_id, before, limit + 1)?;
    let more = rows.len() > limit;
    let last = rows
        .get(limit.min(rows.len()).wrapping_sub(1))
        .map(|r| (r.at, r.id));
    let scope = grant.rows();
    // Duplicates merged into this customer: their events are this person's own history.
    let mut family: Option<Vec<i64>> = None;
    let mut items = Vec::new();
    for r in rows.into_iter().take(limit) {
        let Some(entity) = Entity::parse(&r.entity) else {
            continue;
        };
        let Some(mut data) = grant.view_of(entity, r.data) else {
            continue;
        };
        let mut entity_id = r.entity_id;
        // An event about another customer (one this customer referred) names them only to a
        // caller who may see them; otherwise it stays as the bare fact.
        if let Some(other) = entity_id.filter(|o| entity == Entity::Customer && *o != customer_id) {
            let family = match &mut family {
                Some(f) => f,
                None => family.insert(
                    customers::store::merge_family(c, customer_id)?
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect(),
                ),
            };
            if !family.contains(&other) && !customers::store::visible(c, other, &scope)? {
                data.clear();
                entity_id = None;
            }
        }
        items.push(Event {
            data,
            entity_id,
            ..r
        });
    }
    Ok(Page {
        items,
        next_before: more
            .then_some(last)
            .flatten()
            .map(|(at, id)| format!("{at}.{id}")),
    })
}

fn parse_cursor(s: &str) -> Result<(i64, i64)> {
    s.split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| Error::field("before", "翻页游标无效", "is not a valid cursor"))
}
