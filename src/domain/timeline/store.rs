//! SQL of the customer timeline.

use rusqlite::{params, Connection};
use serde_json::{Map, Value};

use super::{Event, NewEvent};
use crate::audit::Actor;

pub fn insert(tx: &Connection, at: i64, actor: &Actor, ev: &NewEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO customer_events (customer_id, at, kind, entity, entity_id, actor_id, actor, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        ev.customer_id,
        at,
        ev.kind,
        ev.entity.as_str(),
        ev.entity_id,
        actor.id,
        actor.name,
        Value::Object(ev.data.clone()).to_string()
    ])?;
    Ok(())
}

pub fn page(
    c: &Connection,
    customer_id: i64,
    before: Option<(i64, i64)>,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    // LIMIT in the text: bound, it makes SQLite re-prepare the statement on every run.
    let sql = format!(
        "SELECT e.id, e.at, e.kind, e.entity, e.entity_id, e.actor_id, e.actor, u.display_name, e.data
         FROM customer_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.customer_id = ?1 AND (e.at, e.id) < (?2, ?3)
         ORDER BY e.at DESC, e.id DESC LIMIT {limit}"
    );
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![customer_id, at, id], |r| {
        let data: String = r.get(8)?;
        Ok(Event {
            id: r.get(0)?,
            at: r.get(1)?,
            kind: r.get(2)?,
            entity: r.get(3)?,
            entity_id: r.get(4)?,
            actor_id: r.get(5)?,
            actor: r.get(6)?,
            actor_name: r.get(7)?,
            data: serde_json::from_str::<Map<String, Value>>(&data).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

pub fn reassign(c: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE customer_events SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, to],
    )?;
    Ok(())
}

/// Empties the data of events that name `customer_id` on other customers' timelines.
pub fn scrub_mentions(c: &Connection, customer_id: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE customer_events SET data = '{}' WHERE entity = 'customer' AND entity_id = ?1",
        [customer_id],
    )?;
    Ok(())
}
