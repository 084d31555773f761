//! Raw upload bodies (imports, photos): read in chunks, refused (413) as soon as they pass their
//! limit, so a large upload never sits whole in memory before it is judged.

use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::error::{text, Error, Result};

/// Reads a raw upload body, refusing it (413) as soon as it passes `max` bytes.
pub async fn read_body(
    req: &HttpRequest,
    mut body: web::Payload,
    max: usize,
    too_large: fn() -> Error,
) -> Result<web::BytesMut> {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut bytes = web::BytesMut::with_capacity(declared.unwrap_or(0).min(max));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| {
            Error::bad_request(
                "upload-interrupted",
                text("上传中断", "The upload was interrupted"),
            )
        })?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
