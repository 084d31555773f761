//! Customer import from xlsx / csv (issue 3, item 8): upload, column mapping, dry run, commit.
//! The upload keeps the parsed rows encrypted until the commit; the dry run and the commit run
//! the same plan, the commit in one write transaction, all or nothing.

pub mod api;
mod apply;
pub mod mapping;
pub mod parse;
pub mod plan;
mod store;

use serde_json::{json, Value};

use crate::access::{Create, Customers, Exported, Grant, Imports, Read, Update};
use crate::app::App;
use crate::audit::{self, Event};
use crate::clock::now_ms;
use crate::error::{text, Error, FieldError, Kind, Result};
use mapping::Mapping;
use parse::Sheet;
use plan::{Action, Plan};

/// Rows, errors and conflicts listed in a reply (the summary counts them all).
pub const LISTED: usize = 1000;
/// Rows shown at upload, to check the mapping against.
const SAMPLE: usize = 5;

/// Importing creates and updates customers: both grants are needed.
pub struct Grants {
    pub create: Grant<Customers, Create>,
    pub update: Grant<Customers, Update>,
}

impl Grants {
    pub fn of(app: &App, p: &crate::access::Principal) -> Result<Grants> {
        Ok(Grants {
            create: app.access.grant(p)?,
            update: app.access.grant(p)?,
        })
    }
}

const SEALED: &str = "import_rows";

fn clean_filename(raw: &str) -> Result<String> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(Error::field(
            "filename",
            "文件名须为 1–255 个字符",
            "must be 1–255 characters",
        ));
    }
    Ok(name.to_string())
}

/// Parses and keeps the file (its rows encrypted); proposes a mapping, the remembered one
/// when a file with the same header was imported before.
pub fn upload(app: &App, g: &Grants, filename: &str, bytes: &[u8]) -> Result<Value> {
    let filename = clean_filename(filename)?;
    let sheet = parse::parse(&filename, bytes)?;
    let hash = mapping::header_hash(&sheet.header);
    let sealed = app.cipher.encrypt(
        SEALED,
        &serde_json::to_string(&sheet).map_err(|_| Error::internal())?,
    );
    let p = g.create.principal();
    let (id, remembered) = app.db.write_sync(|tx| {
        let id = store::insert(
            tx,
            &store::NewImport {
                filename: &filename,
                format: &sheet.format,
                encoding: sheet.encoding.as_deref(),
                header_hash: &hash,
                row_count: sheet.rows.len(),
                rows_enc: sealed,
                store_id: p.store_id,
                created_by: p.user_id,
                created_at: now_ms(),
            },
        )?;
        audit::append(
            tx,
            &Event {
                actor: &p.actor(),
                action: "upload",
                entity: "import",
                entity_id: Some(id),
                store_id: Some(p.store_id),
                changes: Some(json!({"filename": filename, "rows": sheet.rows.len()})),
            },
        )?;
        let remembered = store::layout(tx, &hash)?
            .and_then(|m| serde_json::from_str::<Mapping>(&m).ok())
            .filter(|m| m.keys().all(|c| sheet.header.contains(c)));
        Ok::<_, Error>((id, remembered))
    })?;
    let (targets, custom) = mapping::targets(&g.create);
    let (mut proposal, source) = match remembered {
        Some(m) => (m, "remembered"),
        None => (mapping::propose(&sheet.header, &custom), "proposed"),
    };
    // A layout remembered from another importer may name fields this one cannot write.
    proposal.retain(|_, t| targets.contains(&t.as_str()));
    Ok(json!({
        "id": id,
        "filename": filename,
        "format": sheet.format,
        "encoding": sheet.encoding,
        "row_count": sheet.rows.len(),
        "header": sheet.header,
        "sample": sheet.rows.iter().take(SAMPLE).map(|(n, cells)| json!({"row": n, "cells": cells})).collect::<Vec<_>>(),
        "mapping": proposal,
        "mapping_source": source,
        "targets": targets,
        // Custom fields are offered by the labels the clinic gave them.
        "target_labels": custom
            .iter()
            .map(|(name, label)| (name.to_string(), Value::from(label.as_str())))
            .collect::<serde_json::Map<String, Value>>(),
    }))
}

fn open_sheet(
    app: &App,
    conn: &rusqlite::Connection,
    g: &Grants,
    id: i64,
) -> Result<(String, Sheet)> {
    let (filename, sealed) =
        store::pending(conn, id, &g.update.rows())?.ok_or_else(Error::not_found)?;
    let sealed = sealed.ok_or_else(|| {
        Error::conflict(
            "import-committed",
            text("此导入已提交", "This import has already been committed"),
        )
    })?;
    let json = app.cipher.decrypt(SEALED, &sealed)?;
    let sheet = serde_json::from_str(&json).map_err(|_| Error::internal())?;
    Ok((filename, sheet))
}

fn summary(plan: &Plan) -> Value {
    let count = |a: Action| plan.rows.iter().filter(|r| r.action == a).count();
    json!({
        "rows": plan.rows.len(),
        "created": count(Action::Create),
        "updated": count(Action::Update),
        "merged": count(Action::Merge),
        "unchanged": count(Action::Unchanged),
        "errors": count(Action::Error),
        "conflicts": plan.conflicts.len(),
    })
}

/// The reply of a dry run or commit; the lists are capped, the summary counts everything.
fn report(id: i64, plan: &Plan, committed: bool) -> Value {
    json!({
        "import_id": id,
        "committed": committed,
        "summary": summary(plan),
        "rows": plan.rows.iter().take(LISTED).collect::<Vec<_>>(),
        "errors": plan.errors.iter().take(LISTED).collect::<Vec<_>>(),
        "conflicts": plan.conflicts.iter().take(LISTED).collect::<Vec<_>>(),
        "truncated": plan.rows.len() > LISTED || plan.errors.len() > LISTED || plan.conflicts.len() > LISTED,
    })
}

/// What a commit with this mapping would do. Writes nothing.
pub fn dry_run(app: &App, g: &Grants, id: i64, m: &Mapping) -> Result<Value> {
    app.db.read_sync(|c| {
        let (_, sheet) = open_sheet(app, c, g, id)?;
        mapping::check(m, &sheet.header, &g.create, &g.update)?;
        let plan = plan::plan(app, c, &g.update, &sheet, m, id)?;
        Ok(report(id, &plan, false))
    })
}

fn has_errors(plan: &Plan) -> Error {
    Error {
        errors: plan
            .errors
            .iter()
            .take(LISTED)
            .map(|e| FieldError {
                field: format!(
                    "rows[{}].{}",
                    e.row,
                    e.column.as_deref().unwrap_or(&e.field)
                ),
                message: e.message.clone(),
            })
            .collect(),
        ..Error::new(
            Kind::Validation,
            "import-has-errors",
            text(
                format!(
                    "有 {} 处错误，未导入任何数据；请修正后重试",
                    plan.errors.len()
                ),
                format!(
                    "{} errors: nothing was imported; fix them and try again",
                    plan.errors.len()
                ),
            ),
        )
    }
}

/// Applies the import in one write transaction: any row error and nothing is written.
pub fn commit(app: &App, g: &Grants, id: i64, m: &Mapping) -> Result<Value> {
    let p = g.create.principal();
    let actor = p.actor();
    app.db.write_sync(|tx| {
        let (filename, sheet) = open_sheet(app, tx, g, id)?;
        mapping::check(m, &sheet.header, &g.create, &g.update)?;
        let mut plan = plan::plan(app, tx, &g.update, &sheet, m, id)?;
        if !plan.errors.is_empty() {
            return Err(has_errors(&plan));
        }
        let created = apply::write(app, tx, &actor, &mut plan, id)?;
        // New customers have their ids now: every written row names its customer.
        for row in &mut plan.rows {
            if let Some(t) = row.target {
                let after = &plan.targets[t].after;
                row.customer_id = Some(after.id);
                row.member_no = Some(after.member_no.clone());
            }
        }
        let now = now_ms();
        let summary = summary(&plan);
        // Stored without cell values: they are customer data and live in the customers now.
        let result = json!({
            "summary": summary,
            "conflicts": plan.conflicts.iter().take(LISTED)
                .map(|c| json!({"row": c.row, "column": c.column, "field": c.field}))
                .collect::<Vec<_>>(),
        });
        let mapping_json = serde_json::to_string(m).map_err(|_| Error::internal())?;
        store::mark_committed(tx, id, &mapping_json, &result.to_string(), now)?;
        store::remember_layout(
            tx,
            &mapping::header_hash(&sheet.header),
            &mapping_json,
            p.user_id,
            now,
        )?;
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "import",
                entity: "import",
                entity_id: Some(id),
                store_id: Some(p.store_id),
                changes: Some(json!({
                    "filename": filename,
                    "summary": summary,
                    "mapping": m,
                    "first_created_id": created.first(),
                    "last_created_id": created.last(),
                })),
            },
        )?;
        Ok(report(id, &plan, true))
    })
}

pub fn list(app: &App, grant: &Grant<Imports, Read>) -> Result<Vec<Exported>> {
    let rows = app.db.read_sync(|c| store::list(c, &grant.rows()))?;
    grant.export_all(rows, &app.cipher)
}

pub fn get(app: &App, grant: &Grant<Imports, Read>, id: i64) -> Result<Exported> {
    let row = app
        .db
        .read_sync(|c| store::get(c, id, &grant.rows()))?
        .ok_or_else(Error::not_found)?;
    grant.export(row, &app.cipher)
}
