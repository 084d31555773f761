//! HTTP handler for a customer's timeline.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::access::{Customers, Read};
use crate::app::App;
use crate::auth::Authenticated;
use crate::domain::customers;
use crate::error::{Error, Result};
use crate::http::{blocking, Api};

pub fn routes(api: &mut Api) {
    api.get(
        "/customers/{id}/timeline",
        "Everything that happened to a customer, newest first (?before=cursor&limit=)",
        timeline,
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    before: Option<String>,
    limit: Option<usize>,
}

async fn timeline(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    q: crate::http::Query<Query>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=super::MAX_PAGE).contains(&limit) {
        return Err(Error::field(
            "limit",
            format!("须在 1 到 {} 之间", super::MAX_PAGE),
            format!("must be between 1 and {}", super::MAX_PAGE),
        ));
    }
    let page = blocking(move || {
        app.db.read_sync(|c| {
            let p = auth.principal_on(&app, c)?;
            let grant = app.access.grant::<Customers, Read>(&p)?;
            customers::store::get(c, id, &grant.rows())?.ok_or_else(Error::not_found)?;
            super::page(c, &grant, id, q.before.as_deref(), limit)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
