//! HTTP handlers for `/api/v1/segments`.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::Input;
use crate::access::{Create, Customers, Delete, Read, Segments, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/segments",
        "The caller's saved segments and the shared ones",
        list,
    );
    api.post("/segments", "Save a list filter as a segment", create);
    api.put("/segments/{id}", "Change a segment (owner only)", update);
    api.delete("/segments/{id}", "Delete a segment (owner only)", delete);
}

async fn list(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Segments, Read>(&p)?;
        let customers = app.access.grant::<Customers, Read>(&p)?;
        super::list(&app, &grant, &customers)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn create(
    app: web::Data<App>,
    auth: Authenticated,
    Json(body): Json<Input>,
) -> Result<HttpResponse> {
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Segments, Create>(&p)?;
        let customers = app.access.grant::<Customers, Read>(&p)?;
        super::create(&app, &grant, &customers, &body)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn update(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<Input>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Segments, Update>(&p)?;
        let customers = app.access.grant::<Customers, Read>(&p)?;
        super::update(&app, &grant, &customers, id, &body)
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
    auth.with_grant::<Segments, Delete, _, _>(app, move |app, grant| {
        super::delete(app, &grant, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
