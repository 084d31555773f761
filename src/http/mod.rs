//! Server assembly: routes, middleware, TLS, the embedded web app and the OpenAPI document.

pub mod error;
mod headers;
mod json;
pub mod openapi;
mod openapi_params;
mod query;
mod route_tree;
mod spa;
pub mod tls;
pub mod upload;

pub use json::{parse as parse_json, Json, JSON_LIMIT};
pub use query::{parse as parse_query, Query};

use actix_web::http::Method;
use actix_web::{web, HttpResponse};

use crate::app::App;
use crate::error::{Error, Result};

/// Runs blocking service code (SQLite, argon2) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    web::block(f).await.map_err(|_| Error::internal())?
}

/// Runs read-only service code on the database's reader threads (see `Db::reading`).
pub async fn reading<T: Send + 'static>(
    app: web::Data<App>,
    f: impl FnOnce(&App) -> Result<T> + Send + 'static,
) -> Result<T> {
    let db = app.db.clone();
    db.reading(move || f(&app))
        .await
        .map_err(|_| Error::internal())?
}

/// Registers a route and documents it in one call, so the OpenAPI document lists every route.
pub struct Api {
    /// The routes to mount; None when only the documentation is wanted.
    routes: Option<Vec<route_tree::Entry>>,
    pub docs: Vec<openapi::RouteDoc>,
}

macro_rules! verb {
    ($name:ident, $method:expr) => {
        pub fn $name<F, Args>(&mut self, path: &'static str, summary: &'static str, handler: F)
        where
            F: actix_web::Handler<Args>,
            Args: actix_web::FromRequest + openapi_params::Documented + 'static,
            F::Output: actix_web::Responder + 'static,
        {
            let mut params = openapi_params::Params::default();
            Args::document(&mut params);
            self.add($method, path, summary, params);
            if let Some(routes) = self.routes.as_mut() {
                routes.push(route_tree::Entry {
                    path,
                    route: web::method($method).to(handler),
                });
            }
        }
    };
}

impl Api {
    fn add(
        &mut self,
        method: Method,
        path: &'static str,
        summary: &'static str,
        params: openapi_params::Params,
    ) {
        self.docs.push(openapi::RouteDoc {
            method: method.as_str().to_ascii_lowercase(),
            path,
            summary,
            params,
        });
    }

    /// Documents the query parameters of the route registered last, for a handler that reads
    /// its query itself (to take `cf_*` keys besides these).
    pub fn query_of<T: serde::de::DeserializeOwned>(&mut self) {
        let doc = self.docs.last_mut().expect("a route registered before");
        doc.params
            .query
            .extend(openapi_params::fields_of::<T>().unwrap_or_default());
    }
    verb!(get, Method::GET);
    verb!(post, Method::POST);
    verb!(put, Method::PUT);
    verb!(patch, Method::PATCH);
    verb!(delete, Method::DELETE);
}

/// Every API route. With `cfg` absent it only collects the documentation.
pub fn api_routes(cfg: Option<&mut web::ServiceConfig>) -> Vec<openapi::RouteDoc> {
    let mut api = Api {
        routes: cfg.is_some().then(Vec::new),
        docs: Vec::new(),
    };
    api.get("/health", "Liveness: touches the database", health);
    api.get("/openapi.json", "This document", openapi::serve);
    crate::auth::api::routes(&mut api);
    crate::domain::tags::api::routes(&mut api);
    crate::domain::consultations::api::routes(&mut api);
    crate::domain::photos::api::routes(&mut api);
    crate::domain::consents::api::routes(&mut api);
    crate::domain::timeline::api::routes(&mut api);
    crate::domain::customer360::api::routes(&mut api);
    crate::domain::segments::api::routes(&mut api);
    crate::domain::custom_fields::api::routes(&mut api);
    crate::domain::customers::api::routes(&mut api);
    crate::domain::stores::api::routes(&mut api);
    crate::domain::imports::api::routes(&mut api);
    crate::access::api::routes(&mut api);
    crate::audit::api::routes(&mut api);
    if std::env::var_os("LIYAN_BENCH").is_some_and(|v| v == "1") {
        api.get(
            "/bench/constant",
            "Benchmark baseline: a constant reply (only with LIYAN_BENCH=1)",
            constant,
        );
    }
    if let (Some(cfg), Some(routes)) = (cfg, api.routes) {
        route_tree::mount(cfg, routes, || web::to(api_not_found));
    }
    api.docs
}

async fn constant() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"ok":true}"#)
}

async fn health(app: web::Data<App>) -> Result<HttpResponse> {
    let schema: i64 = reading(app, |app| {
        app.db.read_sync(|c| {
            c.prepare_cached("SELECT coalesce(max(version), 0) FROM refinery_schema_history")?
                .query_row([], |r| r.get(0))
                .map_err(Error::from)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ok", "schema_version": schema, "version": env!("CARGO_PKG_VERSION")})))
}

async fn api_not_found() -> Result<HttpResponse> {
    Err(Error::not_found())
}

/// The whole application, for `serve` and for tests.
pub fn configure(app: web::Data<App>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(app)
            .app_data(web::PathConfig::default().error_handler(|_, _| Error::not_found().into()));
        api_routes(Some(cfg));
        cfg.service(web::scope("/api").default_service(web::to(api_not_found)));
        cfg.default_service(web::to(spa::serve));
    }
}

/// Builds the actix `App` with its middleware.
#[macro_export]
macro_rules! liyan_app {
    ($data:expr) => {
        actix_web::App::new()
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service as _;
                use futures_util::FutureExt as _;
                let lang = $crate::http::error::request_lang(&req);
                let is_api = req.path().starts_with("/api/");
                srv.call(req)
                    .map(move |res| res.map(|res| $crate::http::finish_response(lang, is_api, res)))
            })
            .configure($crate::http::configure($data))
    };
}

/// Localised problems and the security headers, on every response.
pub fn finish_response(
    lang: error::Lang,
    is_api: bool,
    res: actix_web::dev::ServiceResponse,
) -> actix_web::dev::ServiceResponse {
    let mut res = error::localize(lang, res);
    headers::apply(res.headers_mut(), is_api);
    res
}
