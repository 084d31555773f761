//! HTTP handlers for `/api/v1/custom-fields`.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::{FieldChange, NewField};
use crate::access::{Create, CustomFields, Delete, Read, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/custom-fields",
        "Custom field definitions the caller can see, with the caller's policy on each",
        list,
    );
    api.post(
        "/custom-fields",
        "Define a custom field on customers or consultations (admin)",
        create,
    );
    api.patch(
        "/custom-fields/{id}",
        "Rename a custom field, change its options or its place (admin)",
        update,
    );
    api.delete(
        "/custom-fields/{id}",
        "Archive a custom field; its values are kept (admin)",
        archive,
    );
}

async fn list(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<CustomFields, Read, _, _>(app, |app, grant| super::list(app, &grant))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn create(
    app: web::Data<App>,
    auth: Authenticated,
    Json(body): Json<NewField>,
) -> Result<HttpResponse> {
    let out = auth
        .with_grant::<CustomFields, Create, _, _>(app, move |app, grant| {
            super::create(app, &grant, &body)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn update(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<FieldChange>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<CustomFields, Update, _, _>(app, move |app, grant| {
            super::update(app, &grant, id, &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn archive(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    auth.with_grant::<CustomFields, Delete, _, _>(app, move |app, grant| {
        super::archive(app, &grant, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
