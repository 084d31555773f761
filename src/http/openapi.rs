//! `/api/v1/openapi.json`, generated from the route table so no route goes undocumented.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub struct RouteDoc {
    pub method: String,
    pub path: &'static str,
    pub summary: &'static str,
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
        let params: Vec<Value> = r
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
        let mut op = json!({
            "summary": r.summary,
            "parameters": params,
            "responses": {
                "2XX": {"description": "Success"},
                "4XX": {"description": "Problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        });
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

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
