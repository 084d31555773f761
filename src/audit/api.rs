//! The audit log browser: `/api/v1/audit`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{AuditFilter, AuditRow};
use crate::access::{ActionKind, AuditLog, EntityKind, Grant, Read, Record};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::{Error, Result};
use crate::http::Api;

pub fn routes(api: &mut Api) {
    api.get(
        "/audit",
        "Browse and filter the audit log, newest first",
        list,
    );
}

/// An audit row as `grant`'s principal may see it (see `Grant::redact_changes`).
pub fn record<E: EntityKind, A: ActionKind>(r: &AuditRow, grant: &Grant<E, A>) -> Record {
    let mut rec = Record::new();
    rec.set("id", r.id)
        .set("at", r.at)
        .set("actor", r.actor.clone())
        .set("role", r.role.clone())
        .set("ip", r.ip.clone())
        .set("action", r.action.clone())
        .set("entity", r.entity.clone())
        .set("entity_id", r.entity_id)
        .set("store_id", r.store_id)
        .set(
            "changes",
            r.changes
                .as_ref()
                .map(|c| grant.redact_changes(&r.entity, c)),
        );
    rec
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    actor: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list(
    app: web::Data<App>,
    auth: Authenticated,
    q: crate::http::Query<Query>,
) -> Result<HttpResponse> {
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::field(
            "limit",
            "须在 1 到 500 之间",
            "must be between 1 and 500",
        ));
    }
    let filter = AuditFilter {
        actor: q.actor.filter(|s| !s.is_empty()),
        action: q.action.filter(|s| !s.is_empty()),
        entity: q.entity.filter(|s| !s.is_empty()),
        entity_id: q.entity_id,
        from: q.from,
        to: q.to,
        before: q.before,
        limit,
    };
    let (items, next) = auth
        .with_grant::<AuditLog, Read, _, _>(app, move |app, grant| {
            app.views.flush();
            let rows = app.db.read_sync(|c| super::list(c, &filter))?;
            let next = (rows.len() as i64 == filter.limit)
                .then(|| rows.last().map(|r| r.id))
                .flatten();
            let items = grant.export_all(rows.iter().map(|r| record(r, &grant)), &app.cipher)?;
            Ok((items, next))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}
