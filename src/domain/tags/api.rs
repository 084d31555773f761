//! HTTP handlers for `/api/v1/tags`, `/api/v1/tag-groups` and bulk tagging of customers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::access::{Create, Customers, Delete, Read, Tags, Update};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{Api, Json};

pub fn routes(api: &mut Api) {
    api.get("/tags", "Tag groups with their tags", list);
    api.post("/tag-groups", "Create a tag group", create_group);
    api.patch(
        "/tag-groups/{id}",
        "Rename or recolour a tag group",
        update_group,
    );
    api.post("/tags", "Create a tag in a group", create_tag);
    api.patch("/tags/{id}", "Rename a tag", rename_tag);
    api.delete(
        "/tags/{id}",
        "Delete a tag (removed from every customer)",
        delete_tag,
    );
    api.post(
        "/customers/tags",
        "Add or remove tags on many customers at once (all or nothing)",
        bulk,
    );
}

async fn list(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let groups = auth
        .with_grant::<Tags, Read, _, _>(app, |app, grant| super::list(app, &grant))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"groups": groups})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: String,
    color: String,
}

async fn create_group(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<GroupBody>,
) -> Result<HttpResponse> {
    let id = auth
        .with_grant::<Tags, Create, _, _>(app, move |app, grant| {
            super::create_group(app, &grant, &b.name, &b.color)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"id": id})))
}

async fn update_group(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(b): Json<GroupBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    auth.with_grant::<Tags, Update, _, _>(app, move |app, grant| {
        super::update_group(app, &grant, id, &b.name, &b.color)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TagBody {
    group_id: i64,
    name: String,
}

async fn create_tag(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<TagBody>,
) -> Result<HttpResponse> {
    let id = auth
        .with_grant::<Tags, Create, _, _>(app, move |app, grant| {
            super::create_tag(app, &grant, b.group_id, &b.name)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: String,
}

async fn rename_tag(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(b): Json<RenameBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    auth.with_grant::<Tags, Update, _, _>(app, move |app, grant| {
        super::rename_tag(app, &grant, id, &b.name)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn delete_tag(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    auth.with_grant::<Tags, Delete, _, _>(app, move |app, grant| {
        super::delete_tag(app, &grant, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    customer_ids: Vec<i64>,
    #[serde(default)]
    add: Vec<i64>,
    #[serde(default)]
    remove: Vec<i64>,
}

async fn bulk(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<BulkBody>,
) -> Result<HttpResponse> {
    let changed = auth
        .with_grant::<Customers, Update, _, _>(app, move |app, grant| {
            super::bulk(app, &grant, &b.customer_ids, &b.add, &b.remove)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"changed": changed})))
}
