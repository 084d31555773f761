//! Before/after photos (术前术后照片): uploaded per customer, body area and date, checked by
//! content, re-encoded without metadata, stored encrypted as attachments. Taking and viewing them
//! needs the customer's `photos` consent; every view of an image is audited.

pub mod api;
pub mod convert;
pub mod model;
mod store;

use chrono::Datelike;
use serde_json::{json, Map, Value};

use crate::access::{Create, Delete, Entity, Exported, Grant, Photos, Read, RowScope};
use crate::app::App;
use crate::attachments::{self, Purpose, Stored};
use crate::audit::{self, Event, ViewRow};
use crate::clock::now_ms;
use crate::db::Reader;
use crate::domain::{consultations, customers};
use crate::error::{text, Error, Result};
use model::{Photo, Size, AREAS, KINDS};

/// Larger uploads are refused with 413 before they are read.
pub const MAX_BYTES: usize = 15 * 1024 * 1024;

/// What comes with an upload (the query string of the request).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub area: Option<String>,
    pub kind: Option<String>,
    pub taken_date: Option<String>,
    pub consultation_id: Option<i64>,
    pub note: Option<String>,
}

fn no_consent() -> Error {
    Error::conflict(
        "photo-consent-missing",
        text(
            "客户尚未授权照片使用，不能拍摄、上传或查看其照片；取得授权后在「编辑客户」的同意项中勾选「照片使用」",
            "The customer has not consented to photos, so their photos cannot be taken, uploaded or viewed; once they consent, tick Photos under consents in Edit customer",
        ),
    )
}

/// The customer, in the caller's scope, with the photos consent.
fn consenting_customer(
    c: &Reader,
    id: i64,
    scope: &RowScope,
) -> Result<customers::model::Customer> {
    let row = customers::store::get(c, id, scope)?.ok_or_else(Error::not_found)?;
    if row.plain.consent("photos").at.is_none() {
        return Err(no_consent());
    }
    Ok(row.plain)
}

fn validate(meta: &Meta, today: chrono::NaiveDate) -> Result<Photo> {
    let mut errs = crate::domain::input::Errors::default();
    let area = meta.area.as_deref().unwrap_or("");
    if !AREAS.iter().any(|(a, _, _)| *a == area) {
        let list: Vec<&str> = AREAS.iter().map(|a| a.0).collect();
        errs.add(
            "area",
            format!("部位须为 {} 之一", list.join("、")),
            format!("must be one of {}", list.join(", ")),
        );
    }
    let kind = meta.kind.as_deref().unwrap_or("");
    if !KINDS.contains(&kind) {
        errs.add(
            "kind",
            "类型须为 before、after 或 progress",
            "must be before, after or progress",
        );
    }
    let date = meta
        .taken_date
        .clone()
        .unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
    match chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
        Ok(d) if date.len() == 10 && d <= today && d.year() >= 1900 => {}
        _ => errs.add(
            "taken_date",
            "须为 1900 年至今天之间的日期 YYYY-MM-DD",
            "must be a date as YYYY-MM-DD from 1900 to today",
        ),
    }
    let note = match meta
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) if n.chars().count() > 200 => {
            errs.add(
                "note",
                "备注最多 200 个字符",
                "holds at most 200 characters",
            );
            None
        }
        n => n.map(str::to_string),
    };
    errs.finish()?;
    Ok(Photo {
        area: area.into(),
        kind: kind.into(),
        taken_date: date,
        consultation_id: meta.consultation_id,
        note,
        ..Default::default()
    })
}

fn check_links(c: &Reader, p: &Photo) -> Result<()> {
    if let Some(k) = p.consultation_id {
        if consultations::customer_of(c, k)? != Some(p.customer_id) {
            return Err(Error::field(
                "consultation_id",
                "该客户没有这条咨询记录",
                "no such consultation of this customer",
            ));
        }
    }
    Ok(())
}

fn written_fields(meta: &Meta) -> Vec<&'static str> {
    let mut f = vec!["image", "area", "kind"];
    for (set, name) in [
        (meta.taken_date.is_some(), "taken_date"),
        (meta.consultation_id.is_some(), "consultation_id"),
        (meta.note.is_some(), "note"),
    ] {
        if set {
            f.push(name);
        }
    }
    f
}

pub fn upload(
    app: &App,
    grant: &Grant<Photos, Create>,
    customer_id: i64,
    meta: &Meta,
    bytes: &[u8],
) -> Result<Exported> {
    grant.check_writable(written_fields(meta))?;
    let format = convert::sniff(bytes).ok_or_else(convert::unsupported)?;
    let mut p = validate(meta, app.config.today())?;
    p.customer_id = customer_id;
    let scope = grant.rows();
    // Checked before the work of converting, and again in the transaction.
    app.db.read_sync(|c| {
        let customer = consenting_customer(c, customer_id, &scope)?;
        customers::service::ensure_processable(&customer)?;
        check_links(c, &p)
    })?;
    let sizes = convert::sizes(bytes, format)?;
    let dir = &app.config.data_dir;
    let put = |media, data: &[u8]| attachments::put(dir, &app.cipher, Purpose::Photo, media, data);
    let mut files: Vec<Stored> = vec![put(format.media_type(), &sizes.original)?];
    if let Some((display, thumb)) = &sizes.previews {
        for data in [display, thumb] {
            match put("image/jpeg", data) {
                Ok(s) => files.push(s),
                Err(e) => {
                    attachments::discard(dir, &files);
                    return Err(e);
                }
            }
        }
    }
    let now = now_ms();
    let principal = grant.principal();
    let actor = principal.actor();
    p.media_type = format.media_type().into();
    p.width = sizes.width;
    p.height = sizes.height;
    p.original_sha256 = files[0].sha256.clone();
    p.display_sha256 = files.get(1).map(|s| s.sha256.clone());
    p.thumb_sha256 = files.get(2).map(|s| s.sha256.clone());
    p.created_by = Some(principal.user_id);
    p.created_at = now;
    let result = app.db.write_sync(|tx| {
        let customer = consenting_customer(tx, customer_id, &scope)?;
        customers::service::ensure_processable(&customer)?;
        check_links(tx, &p)?;
        p.store_id = customer.store_id;
        for f in &files {
            attachments::record(tx, f, now)?;
        }
        p.id = store::insert(tx, &p)?;
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "create",
                entity: "photo",
                entity_id: Some(p.id),
                store_id: Some(p.store_id),
                // Area and note are health data: only the fact that they were set.
                changes: Some(
                    json!({"customer_id": customer_id, "kind": p.kind, "taken_date": p.taken_date,
                    "media_type": p.media_type, "preview": p.preview(), "area": {"changed": true},
                    "consultation_id": p.consultation_id}),
                ),
            },
        )?;
        let mut data = Map::new();
        data.insert("area".into(), p.area.clone().into());
        data.insert("kind".into(), p.kind.clone().into());
        data.insert("taken_date".into(), p.taken_date.clone().into());
        crate::domain::timeline::record(
            tx,
            &actor,
            crate::domain::timeline::NewEvent {
                customer_id,
                kind: "photo.added",
                entity: Entity::Photo,
                entity_id: Some(p.id),
                data,
            },
        )?;
        Ok::<_, Error>(())
    });
    if let Err(e) = result {
        attachments::discard(dir, &files);
        return Err(e);
    }
    grant.export(p.into_record(), &app.cipher)
}

/// A customer's photos (metadata and image links), newest taken first.
pub fn list(app: &App, grant: &Grant<Photos, Read>, customer_id: i64) -> Result<Vec<Exported>> {
    let scope = grant.rows();
    let rows = app.db.read_sync(|c| {
        customers::store::get(c, customer_id, &scope)?.ok_or_else(Error::not_found)?;
        Ok::<_, Error>(store::of_customer(c, customer_id, 500)?)
    })?;
    grant.export_all(rows.into_iter().map(Photo::into_record), &app.cipher)
}

/// One size of a photo's picture, decrypted: (bytes, media type). The view is audited.
pub fn image(
    app: &App,
    grant: &Grant<Photos, Read>,
    id: i64,
    size: &str,
) -> Result<(Vec<u8>, String)> {
    if !grant.policy("image").visible() {
        return Err(Error::forbidden_field("image", "查看", "read"));
    }
    let size = Size::parse(size).ok_or_else(|| {
        Error::field(
            "size",
            "须为 thumb、display 或 original",
            "must be thumb, display or original",
        )
    })?;
    let scope = grant.rows();
    let p = app.db.read_sync(|c| {
        let p = store::get(c, id)?.ok_or_else(Error::not_found)?;
        consenting_customer(c, p.customer_id, &scope)?;
        Ok::<_, Error>(p)
    })?;
    let (sha, media) = p.file(size).ok_or_else(|| {
        Error::field(
            "size",
            "HEIC 照片没有缩略图和展示尺寸，只能取原图",
            "a HEIC photo has no thumbnail or display size; fetch the original",
        )
    })?;
    let bytes = attachments::read(&app.config.data_dir, &app.cipher, Purpose::Photo, sha)?;
    app.views.record(ViewRow {
        actor: grant.principal().actor(),
        entity: "photo",
        entity_id: p.id,
        store_id: Some(p.store_id),
    });
    Ok((bytes, media.to_string()))
}

/// Soft delete: the row and files stay (medical record), the photo leaves every list.
pub fn delete(app: &App, grant: &Grant<Photos, Delete>, id: i64) -> Result<()> {
    let actor = grant.principal().actor();
    let by = grant.principal().user_id;
    let scope = grant.rows();
    app.db.write_sync(|tx| {
        let p = store::get(tx, id)?.ok_or_else(Error::not_found)?;
        customers::store::get(tx, p.customer_id, &scope)?.ok_or_else(Error::not_found)?;
        store::soft_delete(tx, id, by, now_ms())?;
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "delete",
                entity: "photo",
                entity_id: Some(id),
                store_id: Some(p.store_id),
                changes: Some(json!({"customer_id": p.customer_id})),
            },
        )?;
        Ok::<_, Error>(())
    })
}

/// The ids of the customer's photos, deleted ones too: the customer's audit trail covers them.
pub fn ids_of_customer(c: &Reader, customer_id: i64) -> Result<Vec<i64>> {
    Ok(store::ids_of_customer(c, customer_id)?)
}

/// A merge of duplicates: `from`'s photos become `to`'s (signed consents stay: they are
/// immutable and name the person who signed).
pub fn reassign(tx: &Reader, from: i64, to: i64) -> Result<usize> {
    Ok(store::reassign(tx, from, to)?)
}

/// PIPL erasure: the customer's photos (rows and files) go for good; the caller removes the
/// returned files once its transaction has committed.
pub fn erase_customer(tx: &Reader, customer_id: i64) -> Result<Vec<String>> {
    let files = store::erase_customer(tx, customer_id)?;
    crate::attachments::forget(tx, &files)?;
    Ok(files)
}

/// The fixed lists the upload form offers.
pub fn vocabulary() -> Value {
    json!({
        "areas": AREAS.iter().map(|(id, zh, en)| json!({"id": id, "zh": zh, "en": en})).collect::<Vec<_>>(),
        "kinds": KINDS,
    })
}
