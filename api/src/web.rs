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

#[handler]
fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8")
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
