//! HTTP handlers for consultation records.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::Json as Body;
use crate::access::{Consultations, Create, Customers, Delete, Read, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/consultations/follow-ups",
        "The caller's follow-ups due by ?until=YYYY-MM-DD (default the clinic's today): {items, more, today}",
        follow_ups,
    );
    api.get(
        "/customers/{id}/consultations",
        "A customer's consultation records, newest first",
        list,
    );
    api.post(
        "/customers/{id}/consultations",
        "Record a consultation (moves the customer's stage)",
        create,
    );
    api.patch(
        "/consultations/{id}",
        "Change a consultation record",
        update,
    );
    api.post(
        "/consultations/{id}/follow-up",
        "Record a follow-up: {result, next_date?}; the result joins the notes and the follow-up date moves on (or is cleared)",
        follow_up,
    );
    api.delete(
        "/consultations/{id}",
        "Delete a consultation record",
        delete,
    );
}

async fn list(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let items = auth
        .with_grant::<Consultations, Read, _, _>(app, move |app, grant| {
            super::list(app, &grant, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn create(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<Body>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<Consultations, Create, _, _>(app, move |app, grant| {
            super::create(app, &grant, id, &body)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn update(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<Body>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<Consultations, Update, _, _>(app, move |app, grant| {
            super::update(app, &grant, id, &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn follow_up(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<super::FollowUpInput>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<Consultations, Update, _, _>(app, move |app, grant| {
            super::follow_up(app, &grant, id, &body)
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
    auth.with_grant::<Consultations, Delete, _, _>(app, move |app, grant| {
        super::delete(app, &grant, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpQuery {
    until: Option<String>,
}

async fn follow_ups(
    app: web::Data<App>,
    auth: Authenticated,
    q: crate::http::Query<FollowUpQuery>,
) -> Result<HttpResponse> {
    let until = q.into_inner().until;
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Consultations, Read>(&p)?;
        let customers = app.access.grant::<Customers, Read>(&p)?;
        super::follow_ups(&app, &grant, &customers, until.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}
