//! SQL of consultation records.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::model::Consultation;

const COLS: &str =
    "id, customer_id, store_id, consultant_id, way, at, needs, plan, plan_total_fen, outcome, \
    lost_reason, follow_up_date, notes, created_by, created_at, updated_at";

fn read(r: &Row) -> rusqlite::Result<Consultation> {
    let plan: String = r.get(7)?;
    Ok(Consultation {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        store_id: r.get(2)?,
        consultant_id: r.get(3)?,
        way: r.get(4)?,
        at: r.get(5)?,
        needs: r.get(6)?,
        plan: serde_json::from_str(&plan).unwrap_or_default(),
        plan_total_fen: r.get(8)?,
        outcome: r.get(9)?,
        lost_reason: r.get(10)?,
        follow_up_date: r.get(11)?,
        notes: r.get(12)?,
        // Custom values live in their own table (`custom_fields`).
        custom: Default::default(),
        created_by: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Consultation>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM consultations WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], read)
    .optional()
}

/// The customer's consultations, newest first.
pub fn of_customer(
    c: &Connection,
    customer_id: i64,
    limit: usize,
) -> rusqlite::Result<Vec<Consultation>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM consultations WHERE customer_id = ?1 AND deleted_at IS NULL
         ORDER BY at DESC, id DESC LIMIT {limit}"
    ))?
    .query_map([customer_id], read)?
    .collect()
}

/// A consultant's follow-ups due on or before `until` (YYYY-MM-DD), soonest first, after the
/// (date, id) `after` when given.
pub fn follow_ups(
    c: &Connection,
    consultant_id: i64,
    until: &str,
    after: Option<&(String, i64)>,
    limit: usize,
) -> rusqlite::Result<Vec<Consultation>> {
    let (after_date, after_id) = after.map_or(("", 0), |(d, id)| (d.as_str(), *id));
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM consultations
         WHERE consultant_id = ?1 AND follow_up_date IS NOT NULL AND follow_up_date <= ?2 AND deleted_at IS NULL
           AND (follow_up_date, id) > (?3, ?4)
         ORDER BY follow_up_date, id LIMIT {limit}"
    ))?
    .query_map(params![consultant_id, until, after_date, after_id], read)?
    .collect()
}

fn plan_json(k: &Consultation) -> String {
    serde_json::to_string(&k.plan).expect("plan serialises")
}

pub fn insert(c: &Connection, k: &Consultation) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO consultations (customer_id, store_id, consultant_id, way, at, needs, plan, plan_total_fen, outcome,
            lost_reason, follow_up_date, notes, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        k.customer_id, k.store_id, k.consultant_id, k.way, k.at, k.needs, plan_json(k), k.plan_total_fen,
        k.outcome, k.lost_reason, k.follow_up_date, k.notes, k.created_by, k.created_at, k.updated_at
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Connection, k: &Consultation) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE consultations SET consultant_id = ?2, way = ?3, at = ?4, needs = ?5, plan = ?6, plan_total_fen = ?7,
            outcome = ?8, lost_reason = ?9, follow_up_date = ?10, notes = ?11, updated_at = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        k.id, k.consultant_id, k.way, k.at, k.needs, plan_json(k), k.plan_total_fen, k.outcome,
        k.lost_reason, k.follow_up_date, k.notes, k.updated_at
    ])?;
    Ok(())
}

pub fn soft_delete(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE consultations SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Moves every consultation of `from` to `to` (a merge of duplicates).
pub fn reassign(c: &Connection, from: i64, to: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE consultations SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, to],
    )
}
