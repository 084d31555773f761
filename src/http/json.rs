//! The strict JSON body every write uses: `application/json`, at most 64 KiB, no duplicate
//! keys, unknown fields refused (by the target type), type errors naming the field.

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;

use crate::error::{text, Error, FieldError, Kind};

pub const JSON_LIMIT: usize = 64 * 1024;

pub struct Json<T>(pub T);

fn malformed(detail: String) -> Error {
    Error::new(
        Kind::BadRequest,
        "malformed-json",
        text(
            format!("请求体不是有效的 JSON：{detail}"),
            format!("The request body is not valid JSON: {detail}"),
        ),
    )
}

fn too_large() -> Error {
    Error::new(
        Kind::PayloadTooLarge,
        "payload-too-large",
        text("请求体超过 64 KiB", "The request body exceeds 64 KiB"),
    )
}

/// Parses `bytes` as `T` after the duplicate-key check.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    NoDuplicates::check(&mut de).map_err(|e| match e.to_string() {
        m if m.starts_with("duplicate key") => {
            let key = m
                .trim_start_matches("duplicate key ")
                .split(" at line")
                .next()
                .unwrap_or("")
                .to_string();
            let field = key.trim_matches(|c| c == '`' || c == '"').to_string();
            Error {
                errors: vec![FieldError {
                    field,
                    message: text("键重复", "duplicate key"),
                }],
                ..Error::new(
                    Kind::BadRequest,
                    "duplicate-key",
                    text(
                        format!("JSON 中键 {key} 重复"),
                        format!("Duplicate key {key} in JSON"),
                    ),
                )
            }
        }
        m => malformed(m),
    })?;
    // One document only: `{"a":1} x` or `{}{}` is not a body.
    de.end().map_err(|e| malformed(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        if inner.is_data() {
            data_error(&path, &msg, "body")
        } else {
            malformed(msg)
        }
    })
}

/// A value serde could not take, named by its field: `path` is where serde stopped ("." for
/// the top level). A missing key appears only in serde's message, so it is taken from there and
/// joined to the path of the object that holds it. A wrong value at the top level names `whole`
/// (`body` or `query`).
pub fn data_error(path: &str, msg: &str, whole: &str) -> Error {
    let msg = msg.split(" at line").next().unwrap_or(msg);
    let named = |prefix: &str| {
        let key = msg.split(prefix).nth(1)?.split('`').next()?;
        // For an unknown key the path already ends with it; for a missing one it does not.
        Some(if path == "." {
            key.to_string()
        } else if path == key || path.ends_with(&format!(".{key}")) {
            path.to_string()
        } else {
            format!("{path}.{key}")
        })
    };
    if let Some(field) = named("unknown field `") {
        Error::field(&field, "不支持的字段", "unknown field")
    } else if let Some(field) = named("missing field `") {
        Error::field(&field, "必填", "is required")
    } else {
        let field = if path == "." { whole } else { path };
        let (zh, en) = crate::error::plain_words(msg);
        Error::field(field, zh, en)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get("content-type")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        let declared_too_big = req
            .headers()
            .get("content-length")
            .and_then(|h| h.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > JSON_LIMIT);
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(Error::new(
                    Kind::BadRequest,
                    "content-type",
                    text(
                        "请求须为 application/json",
                        "The request must be application/json",
                    ),
                ));
            }
            if declared_too_big {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            use futures_util::StreamExt;
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| malformed("the body could not be read".into()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

/// Walks a JSON document and fails on the first object with a repeated key.
struct NoDuplicates;

impl NoDuplicates {
    fn check<'de, D: Deserializer<'de>>(de: D) -> Result<(), D::Error> {
        de.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::DeserializeSeed<'de> for NoDuplicates {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(NoDuplicatesVisitor)
    }
}

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoDuplicates)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value_seed(NoDuplicates)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        age: Option<i64>,
    }

    #[test]
    fn refuses_duplicates_unknown_fields_and_wrong_types() {
        let e = parse::<Login>(br#"{"username":"a","username":"b"}"#).unwrap_err();
        assert_eq!(e.code, "duplicate-key");
        let e = parse::<Login>(br#"{"username":"a","x":1}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "x");
        let e = parse::<Login>(br#"{"username":"a","age":"old"}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "age");
        assert_eq!(parse::<Login>(b"{").unwrap_err().code, "malformed-json");
        assert!(parse::<Login>(br#"{"username":"a"}"#).is_ok());
    }

    #[test]
    fn refuses_trailing_data() {
        assert_eq!(
            parse::<Login>(br#"{"username":"a"} x"#).unwrap_err().code,
            "malformed-json"
        );
        assert_eq!(
            parse::<Login>(br#"{"username":"a"}{}"#).unwrap_err().code,
            "malformed-json"
        );
        assert!(parse::<Login>(b"{\"username\":\"a\"}\n ").is_ok());
    }
}
