//! Clinic locations (门店). A fresh install has one, code `main` (总店).

pub mod api;

use rusqlite::{params, Connection, OptionalExtension};

use crate::access::Record;
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::error::{Error, Result};

pub fn exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM stores WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn id_by_code(conn: &Connection, code: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM stores WHERE code = ?1 AND deleted_at IS NULL",
        [code],
        |r| r.get(0),
    )
    .optional()
}

/// Every store: (id, code, name).
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, code, name FROM stores WHERE deleted_at IS NULL ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

pub fn list(app: &App) -> Result<Vec<Record>> {
    let stores = app.db.read_sync(|c| all(c).map_err(Error::from))?;
    Ok(stores
        .into_iter()
        .map(|(id, code, name)| {
            let mut rec = Record::new();
            rec.set("id", id).set("code", code).set("name", name);
            rec
        })
        .collect())
}

pub fn create(
    conn: &Connection,
    by: &Actor,
    code: &str,
    name: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO stores (code, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![code, name, now],
    )?;
    let id = conn.last_insert_rowid();
    audit::append(
        conn,
        &Event {
            actor: by,
            action: "create",
            entity: "store",
            entity_id: Some(id),
            store_id: Some(id),
            changes: Some(serde_json::json!({"code": code, "name": name})),
        },
    )?;
    Ok(id)
}

pub fn rename(app: &App, by: &Actor, id: i64, name: &str) -> Result<()> {
    let name = crate::domain::input::name("name", name, 64)?;
    let name = name.as_str();
    app.db.write_sync(|tx| {
        let old: String = tx
            .query_row(
                "SELECT name FROM stores WHERE id = ?1 AND deleted_at IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(Error::not_found)?;
        // Staff pick a store by its name: two alike would be told apart by nothing.
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM stores WHERE name = ?1 AND id <> ?2 AND deleted_at IS NULL)",
            params![name, id],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::field(
                "name",
                "已有门店使用这个名称",
                "another store has this name",
            ));
        }
        tx.execute(
            "UPDATE stores SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, name, crate::clock::now_ms()],
        )?;
        audit::append(
            tx,
            &Event {
                actor: by,
                action: "update",
                entity: "store",
                entity_id: Some(id),
                store_id: Some(id),
                changes: Some(serde_json::json!({"name": {"old": old, "new": name}})),
            },
        )?;
        Ok(())
    })
}
