//! HTTP handlers for `/api/v1/customers`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::service;
use crate::access::{AuditLog, Customers};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/customers",
        "List or quick-search customers (keyset paging)",
        list,
    );
    api.post("/customers", "Create a customer", create);
    // Before `/customers/{id}`, which would otherwise take `export.xlsx` for an id.
    api.get(
        "/customers/export.xlsx",
        "The customer list or a quick search as an xlsx file, under the field policy (audited)",
        export,
    );
    api.get(
        "/customers/{id}",
        "One customer, with the caller's field policy applied",
        get,
    );
    api.patch(
        "/customers/{id}",
        "Change some fields of a customer",
        update,
    );
    api.delete("/customers/{id}", "Soft-delete a customer", delete);
    api.post(
        "/customers/{id}/reveal",
        "Show one masked field in clear (audited)",
        reveal,
    );
    api.get(
        "/customers/{id}/audit",
        "Who viewed or changed this customer",
        history,
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

async fn list(
    app: web::Data<App>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let page = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Read>(&p)?;
        service::search(&app, &grant, q.q.as_deref(), q.after.as_deref(), q.limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": page.items, "next_cursor": page.next_cursor})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    q: Option<String>,
}

async fn export(
    app: web::Data<App>,
    auth: Authenticated,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    let q = query.into_inner().q;
    let (file, name) = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Export>(&p)?;
        Ok((
            super::export::export(&app, &grant, q.as_deref())?,
            super::export::file_name(&app),
        ))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("x-export-rows", file.rows.to_string()))
        .body(file.bytes))
}

async fn create(
    app: web::Data<App>,
    auth: Authenticated,
    Json(body): Json<service::Json>,
) -> Result<HttpResponse> {
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Create>(&p)?;
        service::create(&app, &grant, &body)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn get(app: web::Data<App>, auth: Authenticated, id: web::Path<i64>) -> Result<HttpResponse> {
    // A point read takes microseconds: it runs on the worker thread, sparing the hop to the
    // blocking pool that would cost more than the read itself.
    let id = id.into_inner();
    let (grant, row) = app.db.read_sync(|c| {
        let p = auth.principal_on(&app, c)?;
        let grant = app.access.grant::<Customers, crate::access::Read>(&p)?;
        let row = service::load_on(c, &grant, id)?;
        Ok::<_, crate::error::Error>((grant, row))
    })?;
    Ok(HttpResponse::Ok().json(service::view(&app, &grant, id, row)?))
}

async fn update(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<service::Json>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Update>(&p)?;
        service::update(&app, &grant, id, &body)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn delete(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Delete>(&p)?;
        service::delete(&app, &grant, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealBody {
    field: String,
}

async fn reveal(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<RevealBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let field = body.field;
    let (field, value) = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Reveal>(&p)?;
        let v = service::reveal(&app, &grant, id, &field)?;
        Ok((field, v))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"field": field, "value": value})))
}

async fn history(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let items = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Customers, crate::access::Read>(&p)?;
        let audit = app.access.grant::<AuditLog, crate::access::Read>(&p)?;
        service::history(&app, &grant, &audit, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}
