//! The browser client, compiled into the binary: `cargo run` alone serves it, with no
//! CDN and no build step (plain JavaScript and CSS in `api/web/`).

use poem::{Response, Route, get, handler, http::header};

const INDEX: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const STYLE: &str = include_str!("../web/style.css");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    Response::builder()
        .content_type(content_type)
        // Small files that change with the binary: revalidate rather than go stale.
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
}

/// The page's policy: its own scripts, styles and sockets only, never framed. The
/// refresh token lives in `localStorage`, so an injected script must have nowhere to
/// come from and nowhere to send it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

#[handler]
fn index() -> Response {
    let mut page = asset(INDEX, "text/html; charset=utf-8");
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
    page
}

#[handler]
fn app_js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

#[handler]
fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// `/` and its assets under `/static`.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(index))
        .at("/static/app.js", get(app_js))
        .at("/static/style.css", get(style))
}
