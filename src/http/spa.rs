//! The built web app, embedded in the binary: hashed assets cached for a year, `index.html`
//! never cached, unknown paths answered with `index.html` so client-side routes work.

use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Assets;

pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Assets::get(path)).flatten() {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        // Vite names everything under assets/ by content hash.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return HttpResponse::Ok()
            .content_type(mime.as_ref())
            .insert_header(("cache-control", cache))
            .body(file.data.into_owned());
    }
    match Assets::get("index.html") {
        Some(index) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("cache-control", "no-cache"))
            .body(index.data.into_owned()),
        None => HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("The web app was not built into this binary (npm --prefix web run build, then rebuild liyan).\n网页端未打包进本程序。"),
    }
}
