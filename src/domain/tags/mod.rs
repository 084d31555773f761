//! Tags (标签) in coloured groups, put on customers one by one or in bulk from a list selection.

pub mod api;
pub mod store;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::access::{
    Create, Customers, Delete, Entity, Exported, Grant, Read, RowScope, Tags, Update,
};
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::clock::now_ms;
use crate::domain::timeline::{self, NewEvent};
use crate::error::{text, Error, Result};
pub use store::TagRef;

/// At most this many customers are tagged in one request.
pub const MAX_BULK: usize = 1000;

#[derive(Serialize)]
pub struct GroupOut {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub tags: Vec<Exported>,
}

pub fn list(app: &App, grant: &Grant<Tags, Read>) -> Result<Vec<GroupOut>> {
    let (groups, tags) = app
        .db
        .read_sync(|c| Ok::<_, Error>((store::groups(c)?, store::all_tags(c)?)))?;
    groups
        .into_iter()
        .map(|g| {
            let tags = tags.iter().filter(|t| t.group_id == g.id).cloned();
            Ok(GroupOut {
                tags: grant.export_all(tags.map(TagRef::into_record), &app.cipher)?,
                id: g.id,
                name: g.name,
                color: g.color,
            })
        })
        .collect()
}

fn name(field: &str, raw: &str) -> Result<String> {
    crate::domain::input::name(field, raw, 30)
}

fn color(raw: &str) -> Result<String> {
    let c = raw.trim().to_ascii_lowercase();
    if c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(c)
    } else {
        Err(Error::field(
            "color",
            "须为 #RRGGBB 格式的颜色",
            "must be a colour as #RRGGBB",
        ))
    }
}

fn exists_already(field: &str) -> Error {
    Error::field(field, "名称已存在", "this name exists already")
}

/// Groups are audited as `tag_group`: their ids are another sequence than the tags'.
fn audited(
    tx: &rusqlite::Connection,
    actor: &Actor,
    action: &str,
    (entity, id): (&str, i64),
    changes: Value,
) -> Result<()> {
    audit::append(
        tx,
        &Event {
            actor,
            action,
            entity,
            entity_id: Some(id),
            store_id: None,
            changes: Some(changes),
        },
    )?;
    Ok(())
}

pub fn create_group(
    app: &App,
    grant: &Grant<Tags, Create>,
    raw_name: &str,
    raw_color: &str,
) -> Result<i64> {
    grant.check_writable(["group_name", "color"])?;
    let (n, c) = (name("name", raw_name)?, color(raw_color)?);
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        if store::group_named(tx, &n)?.is_some() {
            return Err(exists_already("name"));
        }
        let id = store::insert_group(tx, &n, &c, now_ms())?;
        audited(
            tx,
            &actor,
            "create",
            ("tag_group", id),
            json!({"group_name": n, "color": c}),
        )?;
        Ok(id)
    })
}

pub fn update_group(
    app: &App,
    grant: &Grant<Tags, Update>,
    id: i64,
    raw_name: &str,
    raw_color: &str,
) -> Result<()> {
    grant.check_writable(["group_name", "color"])?;
    let (n, c) = (name("name", raw_name)?, color(raw_color)?);
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        if !store::group_exists(tx, id)? {
            return Err(Error::not_found());
        }
        if store::group_named(tx, &n)?.is_some_and(|other| other != id) {
            return Err(exists_already("name"));
        }
        store::update_group(tx, id, &n, &c)?;
        audited(
            tx,
            &actor,
            "update",
            ("tag_group", id),
            json!({"group_name": n, "color": c}),
        )
    })
}

pub fn create_tag(
    app: &App,
    grant: &Grant<Tags, Create>,
    group_id: i64,
    raw_name: &str,
) -> Result<i64> {
    grant.check_writable(["group_id", "name"])?;
    let n = name("name", raw_name)?;
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        if !store::group_exists(tx, group_id)? {
            return Err(Error::field(
                "group_id",
                "标签组不存在",
                "no such tag group",
            ));
        }
        if store::tag_named(tx, group_id, &n)?.is_some() {
            return Err(exists_already("name"));
        }
        let id = store::insert_tag(tx, group_id, &n, now_ms())?;
        audited(
            tx,
            &actor,
            "create",
            ("tag", id),
            json!({"group_id": group_id, "name": n}),
        )?;
        Ok(id)
    })
}

pub fn rename_tag(app: &App, grant: &Grant<Tags, Update>, id: i64, raw_name: &str) -> Result<()> {
    grant.check_writable(["name"])?;
    let n = name("name", raw_name)?;
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        let t = store::tag(tx, id)?.ok_or_else(Error::not_found)?;
        if store::tag_named(tx, t.group_id, &n)?.is_some_and(|other| other != id) {
            return Err(exists_already("name"));
        }
        store::rename_tag(tx, id, &n)?;
        audited(
            tx,
            &actor,
            "update",
            ("tag", id),
            json!({"name": {"old": t.name, "new": n}}),
        )
    })
}

pub fn delete_tag(app: &App, grant: &Grant<Tags, Delete>, id: i64) -> Result<()> {
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        let t = store::tag(tx, id)?.ok_or_else(Error::not_found)?;
        store::delete_tag(tx, id, now_ms())?;
        audited(tx, &actor, "delete", ("tag", id), json!({"name": t.name}))
    })
}

/// Adds and removes tags on one customer inside the caller's transaction, with the customer's
/// audit row and timeline event. Unknown tags are refused; true when anything changed.
pub fn change(
    tx: &rusqlite::Connection,
    actor: &Actor,
    customer: (i64, i64),
    add: &[i64],
    remove: &[i64],
) -> Result<bool> {
    let (customer_id, store_id) = customer;
    let now = now_ms();
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for (ids, adding) in [(add, true), (remove, false)] {
        for &tag_id in ids {
            let t = store::tag(tx, tag_id)?.ok_or_else(|| {
                Error::field(
                    "tags",
                    format!("标签 {tag_id} 不存在"),
                    format!("tag {tag_id} does not exist"),
                )
            })?;
            let changed = if adding {
                store::add(tx, customer_id, tag_id, actor.id.unwrap_or(0), now)?
            } else {
                store::remove(tx, customer_id, tag_id)?
            };
            if changed {
                if adding { &mut added } else { &mut removed }.push(t.name);
            }
        }
    }
    if added.is_empty() && removed.is_empty() {
        return Ok(false);
    }
    let data = json!({"tags": {"added": added, "removed": removed}});
    audit::append(
        tx,
        &Event {
            actor,
            action: "update",
            entity: "customer",
            entity_id: Some(customer_id),
            store_id: Some(store_id),
            changes: Some(data.clone()),
        },
    )?;
    let Value::Object(data) = data else {
        unreachable!()
    };
    timeline::record(
        tx,
        actor,
        NewEvent {
            customer_id,
            kind: "tags.changed",
            entity: Entity::Customer,
            entity_id: Some(customer_id),
            data,
        },
    )?;
    Ok(true)
}

/// Tags a list selection: every customer must be in the caller's scope, or nothing changes.
pub fn bulk(
    app: &App,
    grant: &Grant<Customers, Update>,
    customer_ids: &[i64],
    add: &[i64],
    remove: &[i64],
) -> Result<usize> {
    grant.check_writable(["tags"])?;
    if customer_ids.is_empty() || customer_ids.len() > MAX_BULK {
        return Err(Error::field(
            "customer_ids",
            format!("须选择 1 到 {MAX_BULK} 位客户"),
            format!("must list 1 to {MAX_BULK} customers"),
        ));
    }
    if add.is_empty() && remove.is_empty() {
        return Err(Error::field(
            "add",
            "请选择要添加或移除的标签",
            "choose tags to add or remove",
        ));
    }
    if add.iter().any(|t| remove.contains(t)) {
        return Err(Error::field(
            "remove",
            "同一标签不能既添加又移除",
            "a tag cannot be both added and removed",
        ));
    }
    let scope = grant.rows();
    let actor = grant.principal().actor();
    app.db.write_sync(|tx| {
        // Unknown tags named by the request's own field, before any customer is touched.
        for (ids, field) in [(add, "add"), (remove, "remove")] {
            for &tag_id in ids {
                if store::tag(tx, tag_id)?.is_none() {
                    return Err(Error::field(
                        field,
                        format!("标签 {tag_id} 不存在"),
                        format!("tag {tag_id} does not exist"),
                    ));
                }
            }
        }
        let mut changed = 0;
        for &id in customer_ids {
            let store_id = customer_store(tx, id, &scope)?;
            changed += usize::from(change(tx, &actor, (id, store_id), add, remove)?);
        }
        Ok(changed)
    })
}

fn customer_store(tx: &rusqlite::Connection, id: i64, scope: &RowScope) -> Result<i64> {
    let row = crate::domain::customers::store::get(tx, id, scope)?.ok_or_else(|| {
        Error::new(
            crate::error::Kind::NotFound,
            "not-found",
            text(
                format!("客户 {id} 不存在或无权访问"),
                format!("customer {id} does not exist or is out of reach"),
            ),
        )
    })?;
    // In a selection of many, the refusal points to the customer (its title names them).
    crate::domain::customers::service::ensure_processable(&row.plain).map_err(|e| Error {
        existing_id: Some(id),
        ..e
    })?;
    Ok(row.plain.store_id)
}

/// The tags of each customer, as `Record` values for the customer's `tags` field.
pub fn values(tags: Vec<TagRef>) -> Value {
    Value::Array(
        tags.into_iter()
            .map(|t| {
                let mut m = Map::new();
                m.insert("id".into(), t.id.into());
                m.insert("name".into(), t.name.into());
                m.insert("group_name".into(), t.group_name.into());
                m.insert("color".into(), t.color.into());
                Value::Object(m)
            })
            .collect(),
    )
}
