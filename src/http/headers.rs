//! Security and cache headers, set once for every response.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
    font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn apply(h: &mut HeaderMap, is_api: bool) {
    let mut set = |name: &'static str, value: &'static str| {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set("content-security-policy", CSP);
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "no-referrer");
    set("strict-transport-security", "max-age=31536000");
    set("cross-origin-opener-policy", "same-origin");
    if is_api {
        set("cache-control", "no-store");
    }
}
