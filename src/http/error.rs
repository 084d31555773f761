//! Errors as `application/problem+json`. `ResponseError` renders Chinese; the `localize`
//! middleware re-renders in English when the caller's `Accept-Language` prefers it.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::error::{Error, Kind};

pub const PROBLEM_BASE: &str = "https://liyan.local/problems/";

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// zh-CN unless the first listed language is not Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let first = header
            .and_then(|h| h.split(',').next())
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if first.is_empty() || first.starts_with("zh") || first == "*" {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

pub fn problem(err: &Error, lang: Lang) -> HttpResponse {
    let pick = |t: &crate::error::Text| {
        if lang == Lang::Zh {
            t.zh.clone()
        } else {
            t.en.clone()
        }
    };
    let mut body = json!({
        "type": format!("{PROBLEM_BASE}{}", err.code),
        "title": pick(&err.title),
        "status": err.kind.status(),
    });
    if !err.errors.is_empty() {
        body["errors"] = err
            .errors
            .iter()
            .map(|e| json!({"field": e.field, "message": pick(&e.message)}))
            .collect();
    }
    if let Some(id) = err.existing_id {
        body["existing_id"] = id.into();
    }
    let mut res = HttpResponse::build(
        StatusCode::from_u16(err.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    if err.kind == Kind::Unauthorized {
        res.insert_header(("www-authenticate", "Bearer"));
    }
    res.content_type("application/problem+json")
        .body(body.to_string())
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        problem(self, Lang::Zh)
    }
}

/// Re-renders a problem in the request's language.
pub fn localize(req_lang: Lang, res: ServiceResponse) -> ServiceResponse {
    if req_lang == Lang::Zh {
        return res;
    }
    let Some(err) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<Error>())
        .cloned()
    else {
        return res;
    };
    let (req, _) = res.into_parts();
    ServiceResponse::new(req, problem(&err, req_lang))
}

pub fn request_lang(req: &ServiceRequest) -> Lang {
    Lang::from_accept_language(
        req.headers()
            .get("accept-language")
            .and_then(|h| h.to_str().ok()),
    )
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn language_choice() {
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
    }
}
