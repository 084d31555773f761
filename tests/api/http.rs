//! The HTTP surface: OpenAPI completeness, SPA fallback, cache and security headers.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crate::common::*;

/// Every route, as (method, path below /api/v1).
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/setup/status"),
    ("post", "/setup"),
    ("post", "/auth/login"),
    ("post", "/auth/refresh"),
    ("post", "/auth/logout"),
    ("post", "/auth/change-password"),
    ("post", "/auth/totp/setup"),
    ("post", "/auth/totp/enable"),
    ("post", "/auth/totp/disable"),
    ("get", "/me"),
    ("get", "/users"),
    ("post", "/users"),
    ("patch", "/users/{id}"),
    ("post", "/users/{id}/reset-password"),
    ("get", "/customers"),
    ("post", "/customers"),
    ("get", "/customers/export.xlsx"),
    ("get", "/customers/{id}"),
    ("patch", "/customers/{id}"),
    ("delete", "/customers/{id}"),
    ("post", "/customers/{id}/reveal"),
    ("get", "/customers/{id}/audit"),
    ("get", "/stores"),
    ("post", "/imports"),
    ("get", "/imports"),
    ("get", "/imports/{id}"),
    ("post", "/imports/{id}/dry-run"),
    ("post", "/imports/{id}/commit"),
    ("patch", "/stores/{id}"),
    ("get", "/access/matrix"),
    ("put", "/access/field-policy"),
    ("put", "/access/action"),
    ("get", "/audit"),
];

/// Routes registered in the source (`api.get("/path", ...)` and friends).
fn routes_in_source() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, out: &mut BTreeSet<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for verb in ["get", "post", "put", "patch", "delete"] {
                    let needle = format!("api.{verb}(");
                    for (i, _) in text.match_indices(&needle) {
                        let rest = text[i + needle.len()..].trim_start();
                        let Some(rest) = rest.strip_prefix('"') else {
                            continue;
                        };
                        let path = &rest[..rest.find('"').unwrap()];
                        // Registered only for benchmarks (LIYAN_BENCH=1), which the fixture unsets.
                        if !path.starts_with("/bench/") {
                            out.insert((verb.to_string(), path.to_string()));
                        }
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

#[tokio::test]
async fn openapi_lists_every_route_and_every_listed_route_exists() {
    let s = Server::with_customers(1).await;
    let r = s
        .send(Method::GET, None, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert!(r.json["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, ops) in r.json["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((
                method.clone(),
                path.strip_prefix("/api/v1").unwrap_or(path).to_string(),
            ));
        }
    }
    let fixed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = fixed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json: {missing:?}"
    );
    // Path parameters: ids are integers, words such as `{kind}` are strings.
    for (path, ops) in r.json["paths"].as_object().unwrap() {
        for op in ops.as_object().unwrap().values() {
            for p in op["parameters"].as_array().unwrap() {
                let name = p["name"].as_str().unwrap();
                let want = if name == "id" { "integer" } else { "string" };
                assert_eq!(p["schema"]["type"], want, "{path} {name}");
            }
        }
    }
    // Query parameters and JSON bodies are read from the handlers' own definitions.
    let op = |m: &str, p: &str| r.json["paths"][format!("/api/v1{p}")][m].clone();
    let query = |op: &Value| -> Vec<String> {
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let body = |op: &Value| -> Vec<String> {
        let props = &op["requestBody"]["content"]["application/json"]["schema"]["properties"];
        props
            .as_object()
            .map_or(Vec::new(), |m| m.keys().cloned().collect())
    };
    let list = query(&op("get", "/customers"));
    for p in ["q", "after", "limit", "stage", "tag_id", "visited_from"] {
        assert!(list.contains(&p.to_string()), "{p} in {list:?}");
    }
    assert_eq!(query(&op("get", "/customers/export.xlsx")), list);
    assert!(query(&op("get", "/audit")).contains(&"entity_id".to_string()));
    assert_eq!(
        body(&op("post", "/auth/login")),
        ["password", "totp", "username"]
    );
    assert_eq!(body(&op("post", "/customers/{id}/reveal")), ["field"]);
    let create = op("post", "/customers");
    assert!(
        create["requestBody"]["content"]["application/json"]["schema"]["description"].is_string()
    );
    assert!(op("get", "/customers/{id}").get("requestBody").is_none());
    // Every documented query parameter is taken by its route (a wrong value may be refused,
    // never the name); one that is not documented is refused by name.
    let admin = s.login("admin").await;
    let unknown = |r: &Resp, name: &str| {
        r.json["errors"].as_array().is_some_and(|e| {
            e.iter()
                .any(|e| e["field"] == name && e["message"] == "不支持的字段")
        })
    };
    for (path, ops) in r.json["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        let names = query(get);
        if names.is_empty() {
            continue;
        }
        let path = path.replace("{id}", "1");
        for name in &names {
            let r = s.get(&admin, &format!("{path}?{name}=1")).await;
            assert!(!unknown(&r, name), "{path} {name}: {}", r.text);
        }
        let r = s.get(&admin, &format!("{path}?no_such_parameter=1")).await;
        assert!(unknown(&r, "no_such_parameter"), "{path}: {}", r.text);
    }

    let source = routes_in_source();
    assert!(!source.is_empty());
    assert_eq!(
        source, documented,
        "openapi.json and the registered routes differ"
    );

    // Each documented operation is served (not a 404 or 405), and none is a 500.
    for (method, path) in &documented {
        let url = format!("/api/v1{}", path.replace("{id}", "1"));
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = into_resp(s.http.request(m, s.url(&url)).send().await.unwrap()).await;
        assert!(
            ![404, 405].contains(&r.code()) && r.code() < 500,
            "{method} {url}: {} {}",
            r.code(),
            r.text
        );
        assert_eq!(r.header("cache-control"), "no-store", "{method} {url}");
    }
}

#[tokio::test]
async fn spa_fallback_cache_and_security_headers() {
    let s = Server::with_customers(1).await;
    let check_security = |r: &Resp, what: &str| {
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{what}: CSP {csp:?}"
        );
        assert!(csp.contains("default-src 'self'"), "{what}: CSP {csp:?}");
        assert!(!csp.contains("unsafe-eval"), "{what}: CSP {csp:?}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    };
    let get = |path: &str| {
        let url = s.url(path);
        let http = s.http.clone();
        async move { into_resp(http.get(url).send().await.unwrap()).await }
    };

    for path in [
        "/",
        "/some/unknown/route",
        "/customers/12",
        "/login?next=%2Fcustomers",
    ] {
        let r = get(path).await;
        assert_eq!(r.code(), 200, "{path}: {}", r.text);
        assert!(
            r.header("content-type").starts_with("text/html"),
            "{path}: {}",
            r.header("content-type")
        );
        assert_eq!(r.header("cache-control"), "no-cache", "{path}");
        assert!(
            r.text.to_ascii_lowercase().contains("<!doctype html"),
            "{path}"
        );
        check_security(&r, path);
    }
    // Hashed assets are cached for a long time.
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/dist/assets");
    if let Some(asset) = std::fs::read_dir(&assets)
        .ok()
        .and_then(|mut d| d.next())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    {
        let r = get(&format!("/assets/{asset}")).await;
        assert_eq!(r.code(), 200, "{asset}");
        assert!(
            r.header("cache-control").contains("max-age=31536000"),
            "{asset}: {}",
            r.header("cache-control")
        );
        assert!(r.header("cache-control").contains("immutable"));
        check_security(&r, &asset);
    }

    // API replies: never cached, and errors are problems too.
    let health = get("/api/v1/health").await;
    assert_eq!(health.code(), 200);
    assert_eq!(health.json["status"], "ok");
    assert_eq!(health.json["schema_version"], schema_version());
    assert_eq!(health.header("cache-control"), "no-store");
    check_security(&health, "health");
    for path in [
        "/api/v1/nope",
        "/api/v1/customers/1/nope",
        "/api/v1/customers/duplicates/nope",
        "/api/v1/customersnope",
        "/api/v2/customers",
        "/api/",
    ] {
        let r = get(path).await;
        r.assert_problem(404);
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
        check_security(&r, path);
    }
    let admin = s.login("admin").await;
    let r = s.get(&admin, "/api/v1/customers").await;
    assert_eq!(r.header("cache-control"), "no-store");
    check_security(&r, "customers");
    let r = s.get("not-a-token", "/api/v1/customers").await;
    assert_eq!(r.header("cache-control"), "no-store");
    check_security(&r, "401");
    // A known path with an unsupported method is an API error, not the SPA.
    let r = s
        .send(Method::DELETE, Some(&admin), "/api/v1/health", None)
        .await;
    assert!(matches!(r.code(), 404 | 405), "{}", r.text);
    r.assert_problem(r.code());
    assert_eq!(r.header("cache-control"), "no-store");
}
