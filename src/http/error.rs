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
    /// The language the caller weights highest (`q`, first listed on a tie): Chinese unless that
    /// is a language other than Chinese. No header, or `*`, is Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let mut best: Option<(f32, String)> = None;
        for item in header.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.is_empty() {
                continue;
            }
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.as_ref().is_none_or(|(bq, _)| q > *bq) {
                best = Some((q, tag));
            }
        }
        match best {
            Some((_, tag)) if !tag.starts_with("zh") && tag != "*" => Lang::En,
            _ => Lang::Zh,
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
    if let Some(secs) = err.retry_after {
        res.insert_header(("retry-after", secs.to_string()));
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
        assert_eq!(
            Lang::from_accept_language(Some("zh-CN;q=0.1, en;q=0.9")),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language(Some("en;q=0.5, zh-TW;q=0.8")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("fr;q=0, zh")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("*")), Lang::Zh);
    }
}
