//! Duplicate finder and merge (合并重复客户).
//!
//! A merge keeps the target customer and folds the duplicate into it: empty fields are filled,
//! allergies and medical history are combined (dropping one would be unsafe), other differing
//! values (its notes too) are kept in the notes, and the duplicate's consultations, tags,
//! timeline, stage history and referrals move over. The duplicate stays in the database,
//! soft-deleted and pointing to the target, and both audit trails record the merge: the target's
//! row with every changed field, as an update's would. Signed consent forms stay on the
//! duplicate (they are immutable) and are listed with the target's (`store::merge_family`).

use serde::Serialize;
use serde_json::{json, Map};

use super::model::{code_word, Customer};
use super::{lifecycle, service, store};
use crate::access::{Customers, Delete, Entity, Exported, Grant, Read, Update};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::domain::{consultations, custom_fields, tags, timeline};
use crate::error::{text, Error, Result};

const NOTES_MAX: usize = 2000;

#[derive(Serialize)]
pub struct Group {
    /// `name_birthday` or `wechat_id`.
    pub reason: String,
    pub customers: Vec<Exported>,
}

/// Likely duplicates among the customers the caller may see.
pub fn duplicates(app: &App, grant: &Grant<Customers, Read>) -> Result<Vec<Group>> {
    grant.check_searchable("name")?;
    grant.check_searchable("birthday")?;
    grant.check_searchable("wechat_id")?;
    let scope = grant.rows();
    let now = now_ms();
    let groups = app.db.read_sync(|c| {
        let mut out = Vec::new();
        for (reason, ids) in store::duplicate_groups(c, &scope, 100)? {
            let mut rows = Vec::new();
            for id in ids {
                if let Some(row) = store::get(c, id, &scope)? {
                    let mut r = row.into_record(&app.config.lifecycle, now);
                    r.keep_only(&[
                        "id",
                        "member_no",
                        "name",
                        "mobile",
                        "birthday",
                        "wechat_id",
                        "store_id",
                        "stage",
                        "created_at",
                    ]);
                    rows.push(r);
                }
            }
            out.push((reason, rows));
        }
        Ok::<_, Error>(out)
    })?;
    groups
        .into_iter()
        .map(|(reason, rows)| {
            Ok(Group {
                reason,
                customers: grant.export_all(rows, &app.cipher)?,
            })
        })
        .collect()
}

fn conflict(zh: &str, en: &str) -> Error {
    Error::conflict("merge-refused", text(zh, en))
}

/// Joins two texts without repeating one that the other already holds.
fn combine(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if a.contains(b.as_str()) => Some(a.clone()),
        (Some(a), Some(b)) => Some(format!("{a}；{b}")),
        (a, b) => a.clone().or_else(|| b.clone()),
    }
}

/// Folds `dup` into `keep`; what cannot be kept in a field is listed for the notes.
fn fold(keep: &mut Customer, dup: &Customer) -> Result<Vec<String>> {
    if keep.id_number.is_some() && dup.id_number.is_some() && keep.id_number != dup.id_number {
        return Err(conflict(
            "两位客户的身份证号不同，不是同一人，不能合并",
            "The two customers have different ID numbers: they are not the same person",
        ));
    }
    // Notes are read by roles that see contact and identity fields masked: copies go in masked.
    let noted = |field: &str, label: &str, value: &str| {
        let def = crate::access::catalog::field(Entity::Customer, field).expect("a customer field");
        format!("{label} {}", def.for_notes(value))
    };
    let mut kept = vec![noted("mobile", "手机", &dup.mobile)];
    macro_rules! fill {
        ($field:ident, $label:expr) => {
            match (&keep.$field, &dup.$field) {
                (None, Some(_)) => keep.$field = dup.$field.clone(),
                (Some(a), Some(b)) if a != b => kept.push(noted(stringify!($field), $label, b)),
                _ => {}
            }
        };
    }
    fill!(birthday, "生日");
    fill!(wechat_id, "微信");
    fill!(id_number, "身份证");
    fill!(source, "来源");
    fill!(skin_type, "肤质");
    if keep.consultant_id.is_none() {
        keep.consultant_id = dup.consultant_id;
    }
    if keep.referrer_id.is_none() && dup.referrer_id != Some(keep.id) {
        keep.referrer_id = dup.referrer_id;
    }
    if keep.name != dup.name {
        kept.push(noted("name", "姓名", &dup.name));
    }
    if let Some(n) = &dup.notes {
        if !keep.notes.as_ref().is_some_and(|k| k.contains(n.as_str())) {
            kept.push(noted("notes", "备注", n));
        }
    }
    match (keep.gender.as_str(), dup.gender.as_str()) {
        ("unknown", _) => keep.gender = dup.gender.clone(),
        (_, "unknown") => {}
        (a, b) if a != b => kept.push(noted("gender", "性别", code_word("gender", b).unwrap_or(b))),
        _ => {}
    }
    for (k, d) in keep.consents.iter_mut().zip(&dup.consents) {
        if k.at.is_none() {
            *k = d.clone();
        }
    }
    keep.allergies = combine(&keep.allergies, &dup.allergies);
    keep.medical_history = combine(&keep.medical_history, &dup.medical_history);
    keep.concerns = combine(&keep.concerns, &dup.concerns);
    if lifecycle::rank(&dup.stage) > lifecycle::rank(&keep.stage) {
        keep.stage = dup.stage.clone();
    }
    Ok(kept)
}

pub fn merge(
    app: &App,
    grant: &Grant<Customers, Update>,
    delete: &Grant<Customers, Delete>,
    into: i64,
    from: i64,
) -> Result<Exported> {
    if into == from {
        return Err(Error::field(
            "from",
            "不能与自己合并",
            "cannot merge a customer into itself",
        ));
    }
    let scope = grant.rows();
    let del_scope = delete.rows();
    let actor = grant.principal().actor();
    let now = now_ms();
    let row = app.db.write_sync(|tx| {
        let keep_row = store::get(tx, into, &scope)?.ok_or_else(Error::not_found)?;
        let dup_row = store::get(tx, from, &del_scope)?.ok_or_else(|| {
            Error::field(
                "from",
                "要合并的客户不存在或无权访问",
                "no such customer within your reach",
            )
        })?;
        service::ensure_processable(&keep_row.plain)?;
        service::ensure_processable(&dup_row.plain)?;
        let (mut keep, dup) = (
            service::open(tx, app, &keep_row)?,
            service::open(tx, app, &dup_row)?,
        );
        let old = keep.clone();
        let mut kept = fold(&mut keep, &dup)?;
        kept.extend(custom_fields::fold(
            &app.access.matrix(),
            Entity::Customer,
            &mut keep.custom,
            &dup.custom,
        ));
        let note = format!("【合并自 {}】{}", dup.member_no, kept.join("；"));
        keep.notes = combine(&keep.notes, &Some(note));
        if keep
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTES_MAX)
        {
            return Err(conflict(
                "合并后备注超过 2000 字，请先精简备注",
                "The notes would exceed 2000 characters after the merge; shorten them first",
            ));
        }
        keep.updated_at = now;
        // The duplicate leaves first, so its mobile and ID number no longer count as taken.
        store::mark_merged(tx, from, into, now)?;
        store::update(tx, &keep, &app.cipher, true)?;
        service::save_custom(tx, app, Some(&old), &keep)?;
        if let Some(at) = dup.last_visit_at {
            store::touch_visit(tx, into, at)?;
        }
        consultations::reassign(tx, from, into)?;
        crate::domain::photos::reassign(tx, from, into)?;
        tags::store::reassign(tx, from, into)?;
        timeline::reassign(tx, from, into)?;
        // The kept customer's row lists what changed like any update does (stage included).
        let mut changes = service::diff(app, Some(&old), &keep);
        changes["merged_from"] = json!({"old": null, "new": from});
        for (id, store_id, changes) in [
            (into, keep.store_id, changes),
            (
                from,
                dup.store_id,
                json!({"merged_into": {"old": null, "new": into}}),
            ),
        ] {
            audit::append(
                tx,
                &Event {
                    actor: &actor,
                    action: "merge",
                    entity: "customer",
                    entity_id: Some(id),
                    store_id: Some(store_id),
                    changes: Some(changes),
                },
            )?;
        }
        let mut data = Map::new();
        data.insert("member_no".into(), dup.member_no.clone().into());
        timeline::record(
            tx,
            &actor,
            timeline::NewEvent {
                customer_id: into,
                kind: "customer.merged",
                entity: Entity::Customer,
                entity_id: Some(from),
                data,
            },
        )?;
        service::fetch(tx, app, into)
    })?;
    grant.export(row, &app.cipher)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// Listing a customer's signed forms looks up merged duplicates by index, not by a scan.
    #[test]
    fn the_merge_family_is_found_through_an_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::migrate(&mut conn, std::path::Path::new("/nonexistent")).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                super::store::MERGE_FAMILY
            ))
            .unwrap()
            .query_map([1], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let text = plan.join(" | ");
        assert!(text.contains("customers_merged_into"), "{text}");
        assert!(!text.contains("SCAN c"), "{text}");
    }
}
