//! HTTP handlers for `/api/v1/customers`.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::service;
use crate::access::{custom, AuditLog, Customers};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{blocking, parse_query, reading, Api, Json};

pub fn routes(api: &mut Api) {
    // Before `/customers/{id}`, which would otherwise take "duplicates" for an id.
    api.get(
        "/customers/duplicates",
        "Likely duplicates: same name and birthday, or same WeChat id",
        duplicates,
    );
    api.get(
        "/customers",
        "List or quick-search customers (keyset paging); cf_<key>=… filters by a custom field",
        list,
    );
    api.query_of::<ListQuery>();
    api.post("/customers", "Create a customer", create);
    // Before `/customers/{id}`, which would otherwise take `export.xlsx` for an id.
    api.get(
        "/customers/export.xlsx",
        "The customer list or a quick search as an xlsx file, under the field policy (audited)",
        export,
    );
    api.query_of::<ListQuery>();
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
    api.post(
        "/customers/{id}/merge",
        "Merge a duplicate (`from`) into this customer, keeping both histories",
        merge,
    );
    api.get(
        "/customers/{id}/pipl",
        "PIPL requests recorded for a customer",
        pipl_requests,
    );
    api.post(
        "/customers/{id}/pipl/access",
        "PIPL copy: everything held about the customer, as a JSON file (recorded)",
        pipl_access,
    );
    api.post(
        "/customers/{id}/pipl/{kind}",
        "PIPL request: restrict, lift_restriction or erase (recorded)",
        pipl_act,
    );
    api.post(
        "/customers/{id}/triage",
        "分诊: the customer has arrived; assign a consultant, stage moves to triage",
        triage,
    );
    api.get(
        "/customers/{id}/audit",
        "Who viewed or changed this customer or their photos",
        history,
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
    stage: Option<String>,
    tag_id: Option<i64>,
    store_id: Option<i64>,
    consultant_id: Option<i64>,
    source: Option<String>,
    birthday_month: Option<u32>,
    visited_from: Option<String>,
    visited_before: Option<String>,
}

impl ListQuery {
    /// The list's query: its named parameters, and `cf_*` filters on custom fields (which a
    /// struct cannot name in advance).
    fn parse(req: &HttpRequest) -> Result<(ListQuery, BTreeMap<String, String>)> {
        let pairs: Vec<(String, String)> = parse_query(req.query_string())?;
        let (custom, named): (Vec<_>, Vec<_>) = pairs
            .into_iter()
            .partition(|(k, _)| k.starts_with(custom::PREFIX));
        let named =
            serde_urlencoded::to_string(&named).map_err(|_| crate::error::Error::internal())?;
        let q = parse_query(&named)?;
        Ok((q, custom.into_iter().collect()))
    }

    fn filter(&self, custom: BTreeMap<String, String>) -> super::filter::Filter {
        super::filter::Filter {
            custom,
            stage: self.stage.clone(),
            tag_id: self.tag_id,
            store_id: self.store_id,
            consultant_id: self.consultant_id,
            source: self.source.clone(),
            birthday_month: self.birthday_month,
            visited_from: self.visited_from.clone(),
            visited_before: self.visited_before.clone(),
        }
    }
}

async fn list(app: web::Data<App>, auth: Authenticated, req: HttpRequest) -> Result<HttpResponse> {
    let (q, custom) = ListQuery::parse(&req)?;
    let filter = q.filter(custom);
    let page = auth
        .with_grant::<Customers, crate::access::Read, _, _>(app, move |app, grant| {
            service::search(
                app,
                &grant,
                q.q.as_deref(),
                &filter,
                q.after.as_deref(),
                q.limit,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

async fn export(
    app: web::Data<App>,
    auth: Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse> {
    // The list's own query: the file is the list on screen (paging aside).
    let (q, custom) = ListQuery::parse(&req)?;
    let filter = q.filter(custom);
    let (file, name) = auth
        .with_grant::<Customers, crate::access::Export, _, _>(app, move |app, grant| {
            Ok((
                super::export::export(app, &grant, q.q.as_deref(), &filter)?,
                super::export::file_name(app),
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
    let out = auth
        .with_grant::<Customers, crate::access::Create, _, _>(app, move |app, grant| {
            service::create(app, &grant, &body)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn get(app: web::Data<App>, auth: Authenticated, id: web::Path<i64>) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = reading(app, move |app| {
        // The session check and the record in one read: one snapshot, one pool checkout.
        let (grant, loaded) = app.db.read_sync(|c| {
            let p = auth.principal_on(app, c)?;
            let grant = app.access.grant::<Customers, crate::access::Read>(&p)?;
            let loaded = service::load_on(c, app, &grant, id)?;
            Ok::<_, crate::error::Error>((grant, loaded))
        })?;
        service::view(app, &grant, id, loaded.record, loaded.store_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn update(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<service::Json>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<Customers, crate::access::Update, _, _>(app, move |app, grant| {
            service::update(app, &grant, id, &body)
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
    auth.with_grant::<Customers, crate::access::Delete, _, _>(app, move |app, grant| {
        service::delete(app, &grant, id)
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
    let (field, value) = auth
        .with_grant::<Customers, crate::access::Reveal, _, _>(app, move |app, grant| {
            let v = service::reveal(app, &grant, id, &field)?;
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TriageBody {
    consultant_id: Option<i64>,
}

async fn triage(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<TriageBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<Customers, crate::access::Update, _, _>(app, move |app, grant| {
            service::triage(app, &grant, id, body.consultant_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn duplicates(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let groups = auth
        .with_grant::<Customers, crate::access::Read, _, _>(app, move |app, grant| {
            super::merge::duplicates(app, &grant)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"groups": groups})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    from: i64,
}

async fn merge(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<MergeBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let update = app.access.grant::<Customers, crate::access::Update>(&p)?;
        let delete = app.access.grant::<Customers, crate::access::Delete>(&p)?;
        super::merge::merge(&app, &update, &delete, id, body.from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

async fn pipl_requests(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let items = blocking(move || {
        let p = auth.principal(&app)?;
        // Handling requests is for those who may erase; they may also list them.
        app.access.grant::<Customers, crate::access::Delete>(&p)?;
        let read = app.access.grant::<Customers, crate::access::Read>(&p)?;
        super::pipl::requests(&app, &read, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn pipl_access(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<ReasonBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let doc = blocking(move || {
        let p = auth.principal(&app)?;
        let export = app.access.grant::<Customers, crate::access::Export>(&p)?;
        let read = app.access.grant::<Customers, crate::access::Read>(&p)?;
        super::pipl::access_copy(&app, &export, &read, id, &body.reason)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"customer-{id}-personal-data.json\""),
        ))
        .json(doc))
}

async fn pipl_act(
    app: web::Data<App>,
    auth: Authenticated,
    path: web::Path<(i64, String)>,
    Json(body): Json<ReasonBody>,
) -> Result<HttpResponse> {
    let (id, kind) = path.into_inner();
    auth.with_grant::<Customers, crate::access::Delete, _, _>(app, move |app, grant| {
        super::pipl::act(app, &grant, id, &kind, &body.reason)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
