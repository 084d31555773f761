//! HTTP handlers for `/api/v1/imports`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::mapping::Mapping;
use super::{parse::MAX_BYTES, Grants};
use crate::access::{Imports, Read};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::{text, Error, Kind, Result};
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.post(
        "/imports",
        "Upload a customer file (xlsx or csv, raw body, ?filename=): header, sample rows, proposed mapping",
        upload,
    );
    api.get("/imports", "Past customer imports with their results", list);
    api.get("/imports/{id}", "One customer import with its result", get);
    api.post(
        "/imports/{id}/dry-run",
        "What the import would create, update or merge, and every error; writes nothing",
        dry_run,
    );
    api.post(
        "/imports/{id}/commit",
        "Apply the import in one transaction: all rows or none",
        commit,
    );
}

fn too_large() -> Error {
    Error::new(
        Kind::PayloadTooLarge,
        "payload-too-large",
        text(
            format!("上传的文件超过 {} MiB", MAX_BYTES / 1024 / 1024),
            format!("The uploaded file exceeds {} MiB", MAX_BYTES / 1024 / 1024),
        ),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    filename: String,
}

async fn upload(
    app: web::Data<App>,
    auth: Authenticated,
    req: HttpRequest,
    query: crate::http::Query<UploadQuery>,
    body: web::Payload,
) -> Result<HttpResponse> {
    let bytes = crate::http::upload::read_body(&req, body, MAX_BYTES, too_large).await?;
    let filename = query.into_inner().filename;
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        let g = Grants::of(&app, &p)?;
        super::upload(&app, &g, &filename, &bytes)
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingBody {
    mapping: Mapping,
}

type Step = fn(&App, &Grants, i64, &Mapping) -> Result<serde_json::Value>;

/// The dry run and the commit take the same body and differ only in the step run.
async fn step(
    app: web::Data<App>,
    auth: Authenticated,
    id: i64,
    body: MappingBody,
    run: Step,
) -> Result<HttpResponse> {
    let out = blocking(move || {
        let p = auth.principal(&app)?;
        run(&app, &Grants::of(&app, &p)?, id, &body.mapping)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn dry_run(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<MappingBody>,
) -> Result<HttpResponse> {
    step(app, auth, id.into_inner(), body, super::dry_run).await
}

async fn commit(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<MappingBody>,
) -> Result<HttpResponse> {
    step(app, auth, id.into_inner(), body, super::commit).await
}

async fn list(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<Imports, Read, _, _>(app, |app, grant| super::list(app, &grant))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn get(app: web::Data<App>, auth: Authenticated, id: web::Path<i64>) -> Result<HttpResponse> {
    let id = id.into_inner();
    let item = auth
        .with_grant::<Imports, Read, _, _>(app, move |app, grant| super::get(app, &grant, id))
        .await?;
    Ok(HttpResponse::Ok().json(item))
}
