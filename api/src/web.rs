//! The browser client, compiled into the binary: `cargo run` alone serves it, with no
//! CDN and no build step (plain JavaScript modules and CSS in `api/web/`).
//!
//! A release build embeds every file of `api/web/`; a debug build reads them from that
//! folder on each request (rust-embed's default), so a change to the client shows on
//! the next reload without rebuilding the server.

use poem::{
    Error, Response, Route, get, handler,
    http::{StatusCode, header},
    web::Path,
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// The page's policy: its own scripts, styles and sockets only, never framed. The
/// refresh token lives in `localStorage`, so an injected script must have nowhere to
/// come from and nowhere to send it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The content type of an asset, by its extension; `None` for kinds not served.
fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    Some(match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        _ => return None,
    })
}

/// The asset at `path`, or a 404.
fn asset(path: &str) -> Result<Response, Error> {
    let not_found = || Error::from_status(StatusCode::NOT_FOUND);
    let kind = content_type(path).ok_or_else(not_found)?;
    let file = Assets::get(path).ok_or_else(not_found)?;
    Ok(Response::builder()
        .content_type(kind)
        // Small files that change with the binary: revalidate rather than go stale.
        .header(header::CACHE_CONTROL, "no-cache")
        .body(file.data.into_owned()))
}

#[handler]
fn index() -> Result<Response, Error> {
    let mut page = asset("index.html")?;
    let headers = page.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(page)
}

#[handler]
fn static_asset(Path(path): Path<String>) -> Result<Response, Error> {
    // The page itself is served at `/` only, with its security headers.
    if path == "index.html" {
        return Err(Error::from_status(StatusCode::NOT_FOUND));
    }
    asset(&path)
}

#[handler]
fn favicon() -> Result<Response, Error> {
    asset("favicon.svg")
}

/// `/`, its assets under `/static`, and the icon browsers ask for by themselves.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(index))
        .at("/favicon.ico", get(favicon))
        .at("/static/*path", get(static_asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_client_has_a_content_type() {
        for path in Assets::iter() {
            assert!(content_type(&path).is_some(), "{path} would not be served");
        }
        assert!(Assets::get("app.js").is_some());
    }
}
