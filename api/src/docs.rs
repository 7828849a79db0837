//! The API's own documents and viewers: `/openapi.json`, Swagger UI at `/docs`, ReDoc
//! at `/redoc`. poem-openapi builds all three; two small changes make them work as a
//! newcomer expects: the Authorize dialog shows only username and password (the
//! OAuth2 password flow's client id, secret and their location mean nothing here), and
//! ReDoc uses the system fonts instead of loading Google Fonts (which fails offline
//! and tells Google who reads the docs).

use poem::{Route, get, web::Html};
use poem_openapi::{OpenApi, OpenApiService, Webhook};

/// Hides the rows of the Authorize dialog nobody fills in.
const SWAGGER_TWEAKS: &str = "<style>
.auth-container .wrapper:has(> label[for=client_id_password]),
.auth-container .wrapper:has(> label[for=client_secret_password]),
.auth-container .wrapper:has(> label[for=password_type]) { display: none; }
</style>";

/// `route` with `/docs`, `/redoc` and `/openapi.json` added.
pub fn add<T: OpenApi, W: Webhook>(route: Route, api: &OpenApiService<T, W>) -> Route {
    // After the page's own <head> tag, the first in the page: the inlined script
    // further on holds "</head>" inside its strings.
    let swagger = api
        .swagger_ui_html()
        .replacen("<head>", &format!("<head>{SWAGGER_TWEAKS}"), 1);
    let redoc: String = api
        .redoc_html()
        .lines()
        .filter(|line| !line.contains("fonts.googleapis.com"))
        .collect::<Vec<_>>()
        .join("\n");
    let spec = api.spec();
    route
        .at("/docs", get(page(swagger)))
        .at("/redoc", get(page(redoc)))
        .at(
            "/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            })),
        )
}

fn page(html: String) -> impl poem::Endpoint<Output = Html<String>> {
    poem::endpoint::make_sync(move |_| Html(html.clone()))
}
