//! HTTP handlers for consent templates and signed consents.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{TemplateInput, MAX_SIGNATURE_BYTES};
use crate::access::{ConsentTemplates, Create, Read, SignedConsents, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::{text, Error, Kind, Result};
use crate::http::upload::read_body;
use crate::http::{Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/consent-templates",
        "Consent form templates (current versions) and the project categories",
        list_templates,
    );
    api.post(
        "/consent-templates",
        "Create a consent form template",
        create_template,
    );
    api.get(
        "/consent-templates/{id}",
        "A consent form template with all its versions",
        get_template,
    );
    api.put(
        "/consent-templates/{id}",
        "Edit a consent form template: a new version; earlier ones never change",
        update_template,
    );
    api.get(
        "/customers/{id}/signed-consents",
        "A customer's signed consents and those of duplicates merged into it, each with its hash verified and the member no. it was signed under",
        list_signed,
    );
    api.post(
        "/customers/{id}/signed-consents",
        "Sign a consent form: the raw signature PNG body, ?template_version_id=",
        sign,
    );
    api.get(
        "/signed-consents/{id}",
        "A signed consent with `verified` (its hash recomputed)",
        get_signed,
    );
    api.get(
        "/signed-consents/{id}/signature",
        "The signature picture of a signed consent (audited, never cached)",
        signature,
    );
}

async fn list_templates(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<ConsentTemplates, Read, _, _>(app, |app, grant| {
            super::list_templates(app, &grant)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "categories": super::categories()})))
}

async fn get_template(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<ConsentTemplates, Read, _, _>(app, move |app, grant| {
            super::get_template(app, &grant, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn create_template(
    app: web::Data<App>,
    auth: Authenticated,
    Json(body): Json<TemplateInput>,
) -> Result<HttpResponse> {
    let out = auth
        .with_grant::<ConsentTemplates, Create, _, _>(app, move |app, grant| {
            super::create_template(app, &grant, &body)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn update_template(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(body): Json<TemplateInput>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<ConsentTemplates, Update, _, _>(app, move |app, grant| {
            super::update_template(app, &grant, id, &body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn list_signed(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let items = auth
        .with_grant::<SignedConsents, Read, _, _>(app, move |app, grant| {
            super::list_signed(app, &grant, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignQuery {
    template_version_id: i64,
}

fn too_large() -> Error {
    Error::new(
        Kind::PayloadTooLarge,
        "payload-too-large",
        text("签名图片超过 1 MiB", "The signature picture exceeds 1 MiB"),
    )
}

async fn sign(
    app: web::Data<App>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<i64>,
    q: crate::http::Query<SignQuery>,
    body: web::Payload,
) -> Result<HttpResponse> {
    let bytes = read_body(&req, body, MAX_SIGNATURE_BYTES, too_large).await?;
    let (id, version) = (id.into_inner(), q.into_inner().template_version_id);
    let out = auth
        .with_grant::<SignedConsents, Create, _, _>(app, move |app, grant| {
            super::sign(app, &grant, id, version, &bytes)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

async fn get_signed(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = auth
        .with_grant::<SignedConsents, Read, _, _>(app, move |app, grant| {
            super::get_signed(app, &grant, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn signature(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let png = auth
        .with_grant::<SignedConsents, Read, _, _>(app, move |app, grant| {
            super::signature(app, &grant, id)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("cache-control", "no-store"))
        .body(png))
}
