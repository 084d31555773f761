//! HTTP handlers for `/api/v1/stores`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::access::{Read, Stores, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.get("/stores", "The clinic's stores", list);
    api.patch("/stores/{id}", "Rename a store", rename);
}

async fn list(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<Stores, Read, _, _>(app, |app, grant| {
            grant.export_all(super::list(app)?, &app.cipher)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: String,
}

async fn rename(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<RenameBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Stores, Update>(&p)?;
        grant.check_writable(["name"])?;
        super::rename(&app, &p.actor(), id, &body.name)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
