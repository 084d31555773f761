//! Consent forms (知情同意书): versioned templates per project category, and consents signed on
//! screen. A signed consent is immutable and carries a SHA-256 over exactly what was agreed —
//! the version's text and number, the customer, the signature and the time — which every read
//! recomputes.

pub mod api;
pub mod model;
mod read;
mod store;

pub use read::{get_signed, list_signed, signature, Shown};

use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::access::{
    ConsentTemplates, Create, Entity, Exported, Grant, Read, SignedConsents, Update,
};
use crate::app::App;
use crate::attachments::{self, Purpose};
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::domain::customers;
use crate::domain::photos::convert;
use crate::error::{text, Error, Result};
use model::{Template, CATEGORIES};

/// A signature drawn on a tablet is a few dozen KiB.
pub const MAX_SIGNATURE_BYTES: usize = 1024 * 1024;
const MAX_SIGNATURE_SIDE: u32 = 4000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub category: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

fn clean(
    errs: &mut crate::domain::input::Errors,
    field: &str,
    v: Option<&str>,
    max: usize,
) -> String {
    let s = v.map(str::trim).unwrap_or("");
    if s.is_empty() || s.chars().count() > max {
        errs.add(
            field,
            format!("须为 1–{max} 个字符"),
            format!("must be 1–{max} characters"),
        );
    }
    s.to_string()
}

fn template_audit(
    tx: &crate::db::Reader,
    actor: &audit::Actor,
    action: &str,
    t: &Template,
) -> Result<()> {
    audit::append(
        tx,
        &Event {
            actor,
            action,
            entity: "consent_template",
            entity_id: Some(t.id),
            store_id: None,
            changes: Some(json!({"category": t.category, "version": t.version, "title": t.title})),
        },
    )?;
    Ok(())
}

pub fn list_templates(app: &App, grant: &Grant<ConsentTemplates, Read>) -> Result<Vec<Exported>> {
    let rows = app.db.read_sync(store::current_all)?;
    grant.export_all(rows.into_iter().map(Template::into_record), &app.cipher)
}

/// The current version and the history of versions.
pub fn get_template(app: &App, grant: &Grant<ConsentTemplates, Read>, id: i64) -> Result<Value> {
    let versions = app.db.read_sync(|c| store::versions(c, id))?;
    let Some(current) = versions.first().cloned() else {
        return Err(Error::not_found());
    };
    Ok(json!({
        "template": grant.export(current.into_record(), &app.cipher)?,
        "versions": grant.export_all(versions.into_iter().map(Template::into_record), &app.cipher)?,
    }))
}

pub fn create_template(
    app: &App,
    grant: &Grant<ConsentTemplates, Create>,
    input: &TemplateInput,
) -> Result<Exported> {
    grant.check_writable(["category", "title", "body"])?;
    let mut errs = crate::domain::input::Errors::default();
    let category = input.category.as_deref().unwrap_or("");
    if !CATEGORIES.iter().any(|c| c.0 == category) {
        errs.add(
            "category",
            "品项分类无效",
            "is not a known project category",
        );
    }
    let title = clean(&mut errs, "title", input.title.as_deref(), 100);
    let body = clean(&mut errs, "body", input.body.as_deref(), 20000);
    errs.finish()?;
    let actor = grant.principal().actor();
    let now = now_ms();
    let mut t = Template {
        category: category.into(),
        version: 1,
        title,
        body,
        created_by: Some(grant.principal().user_id),
        created_at: now,
        ..Default::default()
    };
    app.db.write_sync(|tx| {
        t.id = store::insert_template(tx, &t.category, now)?;
        t.version_id = store::insert_version(tx, &t)?;
        template_audit(tx, &actor, "create", &t)
    })?;
    grant.export(t.into_record(), &app.cipher)
}

/// An edit is a new version; earlier versions (and what was signed on them) stay as they were.
pub fn update_template(
    app: &App,
    grant: &Grant<ConsentTemplates, Update>,
    id: i64,
    input: &TemplateInput,
) -> Result<Exported> {
    grant.check_writable(["title", "body"])?;
    let mut errs = crate::domain::input::Errors::default();
    let title = clean(&mut errs, "title", input.title.as_deref(), 100);
    let body = clean(&mut errs, "body", input.body.as_deref(), 20000);
    errs.finish()?;
    let actor = grant.principal().actor();
    let by = grant.principal().user_id;
    let t = app.db.write_sync(|tx| {
        let old = store::current(tx, id)?.ok_or_else(Error::not_found)?;
        // The category is fixed; a client that sends the template back whole may repeat it.
        if input.category.as_deref().is_some_and(|c| c != old.category) {
            return Err(Error::field(
                "category",
                "模板的品项分类不能修改",
                "a template's category cannot change",
            ));
        }
        if old.title == title && old.body == body {
            return Ok(old);
        }
        let mut t = Template {
            version: old.version + 1,
            title,
            body,
            created_by: Some(by),
            created_at: now_ms(),
            ..old
        };
        t.version_id = store::insert_version(tx, &t)?;
        template_audit(tx, &actor, "update", &t)?;
        Ok::<_, Error>(t)
    })?;
    grant.export(t.into_record(), &app.cipher)
}

/// SHA-256 over every part of the agreement, each length-prefixed so no two differ only in
/// where one part ends.
pub fn agreement_hash(t: &Template, customer_id: i64, signature: &[u8], signed_at: i64) -> String {
    let mut h = Sha256::new();
    h.update(b"liyan signed consent v1");
    for part in [
        t.title.as_bytes(),
        t.body.as_bytes(),
        t.version.to_string().as_bytes(),
        t.version_id.to_string().as_bytes(),
        customer_id.to_string().as_bytes(),
        signature,
        signed_at.to_string().as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// A signature must be a real PNG picture; it is re-encoded so nothing but the pixels is kept.
fn signature_png(bytes: &[u8]) -> Result<Vec<u8>> {
    if convert::sniff(bytes) != Some(convert::Format::Png) {
        return Err(Error::new(
            crate::error::Kind::UnsupportedMediaType,
            "unsupported-image",
            text("签名须为 PNG 图片", "The signature must be a PNG picture"),
        ));
    }
    let img = convert::decode(bytes, convert::Format::Png)?;
    if img.width() > MAX_SIGNATURE_SIDE
        || img.height() > MAX_SIGNATURE_SIDE
        || img.width() < 20
        || img.height() < 20
    {
        return Err(Error::field(
            "signature",
            "签名图片尺寸不合理",
            "the signature picture has an unreasonable size",
        ));
    }
    Ok(convert::png(&img))
}

pub fn sign(
    app: &App,
    grant: &Grant<SignedConsents, Create>,
    customer_id: i64,
    template_version_id: i64,
    bytes: &[u8],
) -> Result<Shown> {
    grant.check_writable(["template_version_id", "signature"])?;
    let signature = signature_png(bytes)?;
    let scope = grant.rows();
    let p = grant.principal();
    let (actor, by) = (p.actor(), p.user_id);
    let file = attachments::put(
        &app.config.data_dir,
        &app.cipher,
        Purpose::Signature,
        "image/png",
        &signature,
    )?;
    let result = app.db.write_sync(|tx| {
        let customer = customers::store::get(tx, customer_id, &scope)?.ok_or_else(Error::not_found)?;
        customers::service::ensure_processable(&customer.plain)?;
        let t = store::version(tx, template_version_id)?.ok_or_else(|| {
            Error::field("template_version_id", "同意书版本不存在", "no such consent form version")
        })?;
        let current = store::current(tx, t.id)?.ok_or_else(Error::not_found)?;
        if current.version_id != t.version_id {
            return Err(Error::conflict(
                "consent-template-outdated",
                text(
                    format!("该同意书已更新到第 {} 版，请重新展示最新文本后再签署", current.version),
                    format!("This consent form has a newer version ({}); show the current text and sign again", current.version),
                ),
            ));
        }
        let signed_at = now_ms();
        let hash = agreement_hash(&t, customer_id, &signature, signed_at);
        attachments::record(tx, &file, signed_at)?;
        let id = store::insert_signed(
            tx,
            &store::NewSigned {
                customer_id,
                store_id: customer.plain.store_id,
                template_version_id,
                signed_at,
                signed_by: by,
                signature_sha256: &file.sha256,
                hash: &hash,
            },
        )?;
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "create",
                entity: "signed_consent",
                entity_id: Some(id),
                store_id: Some(customer.plain.store_id),
                changes: Some(json!({"customer_id": customer_id, "template_version_id": template_version_id, "hash": hash})),
            },
        )?;
        let mut data = Map::new();
        data.insert("category".into(), t.category.clone().into());
        data.insert("title".into(), t.title.clone().into());
        data.insert("version".into(), t.version.into());
        crate::domain::timeline::record(
            tx,
            &actor,
            crate::domain::timeline::NewEvent {
                customer_id,
                kind: "consent.signed",
                entity: Entity::SignedConsent,
                entity_id: Some(id),
                data,
            },
        )?;
        let s = store::get_signed(tx, id)?.ok_or_else(Error::internal)?;
        Ok((s, customer.plain.member_no))
    });
    let (s, member_no) = result
        .inspect_err(|_| attachments::discard(&app.config.data_dir, std::slice::from_ref(&file)))?;
    // The hash was computed from these very bytes a moment ago.
    read::show(app, grant, s, true, &member_no)
}

/// The categories the template editor offers.
pub fn categories() -> Value {
    CATEGORIES
        .iter()
        .map(|(id, zh, en)| json!({"id": id, "zh": zh, "en": en}))
        .collect()
}
