//! SQL of consent templates and signed consents. Versions and signed consents are only ever
//! inserted (triggers refuse the rest).

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use super::model::{Signed, Template};

const TEMPLATE: &str =
    "SELECT t.id, t.category, v.id, v.version, v.title, v.body, v.created_by, v.created_at
    FROM consent_templates t JOIN consent_template_versions v ON v.template_id = t.id";

/// The newest version of each template.
const CURRENT: &str =
    "v.version = (SELECT max(version) FROM consent_template_versions WHERE template_id = t.id)";

fn template(r: &Row) -> rusqlite::Result<Template> {
    Ok(Template {
        id: r.get(0)?,
        category: r.get(1)?,
        version_id: r.get(2)?,
        version: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        created_by: r.get(6)?,
        created_at: r.get(7)?,
    })
}

pub fn current_all(c: &Connection) -> rusqlite::Result<Vec<Template>> {
    c.prepare_cached(&format!(
        "{TEMPLATE} WHERE {CURRENT} ORDER BY t.category, t.id"
    ))?
    .query_map([], template)?
    .collect()
}

pub fn current(c: &Connection, id: i64) -> rusqlite::Result<Option<Template>> {
    c.prepare_cached(&format!("{TEMPLATE} WHERE t.id = ?1 AND {CURRENT}"))?
        .query_row([id], template)
        .optional()
}

/// Every version of a template, newest first.
pub fn versions(c: &Connection, id: i64) -> rusqlite::Result<Vec<Template>> {
    c.prepare_cached(&format!(
        "{TEMPLATE} WHERE t.id = ?1 ORDER BY v.version DESC"
    ))?
    .query_map([id], template)?
    .collect()
}

pub fn version(c: &Connection, version_id: i64) -> rusqlite::Result<Option<Template>> {
    c.prepare_cached(&format!("{TEMPLATE} WHERE v.id = ?1"))?
        .query_row([version_id], template)
        .optional()
}

pub fn insert_template(c: &Connection, category: &str, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO consent_templates (category, created_at) VALUES (?1, ?2)",
        params![category, now],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn insert_version(c: &Connection, t: &Template) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO consent_template_versions (template_id, version, title, body, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![t.id, t.version, t.title, t.body, t.created_by, t.created_at],
    )?;
    Ok(c.last_insert_rowid())
}

pub struct NewSigned<'a> {
    pub customer_id: i64,
    pub store_id: i64,
    pub template_version_id: i64,
    pub signed_at: i64,
    pub signed_by: i64,
    pub signature_sha256: &'a str,
    pub hash: &'a str,
}

pub fn insert_signed(c: &Connection, s: &NewSigned) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO signed_consents (customer_id, store_id, template_version_id, signed_at, signed_by, signature_sha256, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![s.customer_id, s.store_id, s.template_version_id, s.signed_at, s.signed_by, s.signature_sha256, s.hash],
    )?;
    Ok(c.last_insert_rowid())
}

// The clinic (store) name and the signer's name are read for the printed form.
const SIGNED: &str = "SELECT s.id, s.customer_id, s.store_id, s.signed_at, s.signed_by, u.display_name, st.name,
        s.signature_sha256, s.hash, t.id, t.category, v.id, v.version, v.title, v.body, v.created_by, v.created_at
    FROM signed_consents s
    JOIN consent_template_versions v ON v.id = s.template_version_id
    JOIN consent_templates t ON t.id = v.template_id
    JOIN users u ON u.id = s.signed_by
    JOIN stores st ON st.id = s.store_id";

fn signed(r: &Row) -> rusqlite::Result<Signed> {
    Ok(Signed {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        store_id: r.get(2)?,
        signed_at: r.get(3)?,
        signed_by: r.get(4)?,
        signed_by_name: r.get(5)?,
        clinic_name: r.get(6)?,
        signature_sha256: r.get(7)?,
        hash: r.get(8)?,
        template: Template {
            id: r.get(9)?,
            category: r.get(10)?,
            version_id: r.get(11)?,
            version: r.get(12)?,
            title: r.get(13)?,
            body: r.get(14)?,
            created_by: r.get(15)?,
            created_at: r.get(16)?,
        },
    })
}

pub fn get_signed(c: &Connection, id: i64) -> rusqlite::Result<Option<Signed>> {
    c.prepare_cached(&format!("{SIGNED} WHERE s.id = ?1"))?
        .query_row([id], signed)
        .optional()
}

/// The forms signed under any of `customer_ids` (one person's records after merges), newest first.
pub fn signed_of_customers(c: &Connection, customer_ids: &[i64]) -> rusqlite::Result<Vec<Signed>> {
    let marks = vec!["?"; customer_ids.len()].join(", ");
    c.prepare_cached(&format!(
        "{SIGNED} WHERE s.customer_id IN ({marks}) ORDER BY s.signed_at DESC, s.id DESC LIMIT 200"
    ))?
    .query_map(params_from_iter(customer_ids), signed)?
    .collect()
}
