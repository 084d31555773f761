//! `/api/v1/openapi.json`, generated from the route table so no route goes undocumented.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::openapi_params::{Body, Params};

#[derive(Debug, Clone)]
pub struct RouteDoc {
    pub method: String,
    pub path: &'static str,
    pub summary: &'static str,
    pub params: Params,
}

const PUBLIC: &[&str] = &[
    "/health",
    "/openapi.json",
    "/setup/status",
    "/setup",
    "/auth/login",
    "/auth/refresh",
];

pub fn document() -> Value {
    let mut paths = Map::new();
    for r in super::api_routes(None) {
        let entry = paths
            .entry(format!("/api/v1{}", r.path))
            .or_insert_with(|| json!({}));
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                // Ids are numbers; other segments (`{kind}`, `{size}`) are words.
                let ty = if name == "id" || name.ends_with("_id") {
                    "integer"
                } else {
                    "string"
                };
                json!({"name": name, "in": "path", "required": true, "schema": {"type": ty}})
            })
            .collect();
        params.extend(r.params.query.iter().map(|name| {
            json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})
        }));
        let mut op = json!({
            "summary": r.summary,
            "parameters": params,
            "responses": {
                "2XX": {"description": "Success"},
                "4XX": {"description": "Problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        });
        if let Some(body) = &r.params.body {
            op["requestBody"] = request_body(body);
        }
        if PUBLIC.contains(&r.path) {
            op["security"] = json!([]);
        }
        entry[r.method.as_str()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Liyan API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
                "existing_id": {"type": "integer"}
            }}}
        }
    })
}

/// A JSON body: a struct's fields (no others are accepted), or an entity's fields by name.
fn request_body(body: &Body) -> Value {
    let schema = match body {
        Body::Fields(fields) => {
            let props: Map<String, Value> =
                fields.iter().map(|f| (f.to_string(), json!({}))).collect();
            json!({"type": "object", "properties": props, "additionalProperties": false})
        }
        Body::Entity => json!({
            "type": "object",
            "description": "The record's fields by name (GET /api/v1/access/matrix lists them); the caller's role decides which it may write (GET /api/v1/me, permissions)"
        }),
    };
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
