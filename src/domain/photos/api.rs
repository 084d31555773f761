//! HTTP handlers for photos.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{Meta, MAX_BYTES};
use crate::access::{Create, Delete, Photos, Read};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::{text, Error, Kind, Result};
use crate::http::Api;

pub fn routes(api: &mut Api) {
    api.get(
        "/customers/{id}/photos",
        "A customer's photos (metadata and image links), with the body areas and kinds",
        list,
    );
    api.post(
        "/customers/{id}/photos",
        "Upload a photo: the raw JPEG, PNG or HEIC body (at most 15 MiB), ?area=&kind=&taken_date=&consultation_id=&note=",
        upload,
    );
    api.get(
        "/photos/{id}/image",
        "A photo's picture, ?size=thumb|display|original (audited, never cached)",
        image,
    );
    api.delete(
        "/photos/{id}",
        "Remove a photo from the lists (kept, audited)",
        delete,
    );
}

fn too_large() -> Error {
    Error::new(
        Kind::PayloadTooLarge,
        "payload-too-large",
        text(
            format!("照片超过 {} MiB", MAX_BYTES / 1024 / 1024),
            format!("The photo exceeds {} MiB", MAX_BYTES / 1024 / 1024),
        ),
    )
}

async fn upload(
    app: web::Data<App>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<i64>,
    meta: crate::http::Query<Meta>,
    body: web::Payload,
) -> Result<HttpResponse> {
    let bytes = crate::http::upload::read_body(&req, body, MAX_BYTES, too_large).await?;
    let (id, meta) = (id.into_inner(), meta.into_inner());
    let out = auth
        .with_grant::<Photos, Create, _, _>(app, move |app, grant| {
            super::upload(app, &grant, id, &meta, &bytes)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn list(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let items = auth
        .with_grant::<Photos, Read, _, _>(app, move |app, grant| super::list(app, &grant, id))
        .await?;
    let mut out = super::vocabulary();
    out["items"] = serde_json::to_value(items).map_err(|_| Error::internal())?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeQuery {
    size: Option<String>,
}

async fn image(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    q: crate::http::Query<SizeQuery>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let size = q.into_inner().size.unwrap_or_else(|| "display".into());
    let (bytes, media) = auth
        .with_grant::<Photos, Read, _, _>(app, move |app, grant| {
            super::image(app, &grant, id, &size)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header(("cache-control", "no-store"))
        .body(bytes))
}

async fn delete(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    auth.with_grant::<Photos, Delete, _, _>(app, move |app, grant| super::delete(app, &grant, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
