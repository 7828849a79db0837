//! The API's paths, read from the OpenAPI document: which methods a path allows (the
//! `Allow` header a 405 must carry, RFC 9110: the document's methods, plus HEAD
//! wherever GET is served; paths outside the API serve GET only), and which route a
//! request path belongs to (the `route` label of the HTTP metrics: a template such as
//! `/api/v1/rooms/{id}`, never an id, so the label's values stay few).

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::StatusCode};

/// Path templates with their methods, read from the OpenAPI document once.
pub struct ApiPaths {
    routes: Vec<Route>,
}

struct Route {
    segments: Vec<Segment>,
    template: String,
    allow: String,
}

enum Segment {
    Literal(String),
    /// `{id}`: any one non-empty segment.
    Parameter,
}

/// The order methods are listed in.
const ORDER: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// What paths outside the document serve.
const GET_ONLY: &str = "GET, HEAD";

/// Paths outside the document that are their own metrics route; any other is `other`.
const OWN_ROUTES: [&str; 7] = [
    "/",
    "/health",
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/asyncapi.json",
];

impl ApiPaths {
    /// Reads the `paths` of an OpenAPI document.
    pub fn from_spec(spec: &str) -> Self {
        let document: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = document["paths"].as_object() {
            for (template, operations) in paths {
                let Some(operations) = operations.as_object() else {
                    continue;
                };
                let listed: Vec<String> =
                    operations.keys().map(|m| m.to_ascii_uppercase()).collect();
                let methods: Vec<&str> = ORDER
                    .into_iter()
                    .filter(|&m| listed.iter().any(|l| l == m || (m == "HEAD" && l == "GET")))
                    .collect();
                routes.push(Route {
                    segments: segments(template),
                    template: template.clone(),
                    allow: methods.join(", "),
                });
            }
        }
        Self { routes }
    }

    /// The `Allow` value for a request path.
    pub fn allow(&self, path: &str) -> &str {
        self.find(path).map_or(GET_ONLY, |route| &route.allow)
    }

    /// The route a request path belongs to: its template, one of a few other known
    /// paths, `/static` for the web client's files, or `other`.
    pub fn route<'a>(&'a self, path: &'a str) -> &'a str {
        if let Some(route) = self.find(path) {
            return &route.template;
        }
        if let Some(own) = OWN_ROUTES.iter().find(|&&own| own == path) {
            return own;
        }
        if path.starts_with("/static/") {
            return "/static";
        }
        "other"
    }

    fn find(&self, path: &str) -> Option<&Route> {
        let given: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|route| matches(&route.segments, &given))
    }
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(|part| {
            if part.starts_with('{') && part.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(part.to_owned())
            }
        })
        .collect()
}

fn matches(template: &[Segment], given: &[&str]) -> bool {
    template.len() == given.len()
        && template
            .iter()
            .zip(given)
            .all(|(segment, part)| match segment {
                Segment::Literal(literal) => literal == part,
                Segment::Parameter => !part.is_empty(),
            })
}

/// Adds `Allow` to every 405 answered by `inner`.
pub async fn add_allow_header<E: Endpoint>(
    inner: Arc<E>,
    request: Request,
    paths: Arc<ApiPaths>,
) -> Result<Response> {
    let path = request.uri().path().to_owned();
    let mut response = inner.call(request).await?.into_response();
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Ok(value) = paths.allow(&path).parse()
    {
        response
            .headers_mut()
            .insert(poem::http::header::ALLOW, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"{"paths": {
        "/api/v1/rooms": {"get": {}, "post": {}},
        "/api/v1/rooms/{id}": {"get": {}, "patch": {}, "delete": {}},
        "/api/v1/rooms/{id}/join": {"post": {}}
    }}"#;

    #[test]
    fn methods_come_from_the_matching_template() {
        let paths = ApiPaths::from_spec(SPEC);

        assert_eq!(paths.allow("/api/v1/rooms"), "GET, HEAD, POST");
        assert_eq!(paths.allow("/api/v1/rooms/abc"), "GET, HEAD, PATCH, DELETE");
        assert_eq!(paths.allow("/api/v1/rooms/abc/join"), "POST");
        assert_eq!(paths.allow("/health"), "GET, HEAD");
    }

    #[test]
    fn a_request_path_is_labelled_with_its_template_never_an_id() {
        let paths = ApiPaths::from_spec(SPEC);

        assert_eq!(
            paths.route("/api/v1/rooms/abc/join"),
            "/api/v1/rooms/{id}/join"
        );
        assert_eq!(paths.route("/health"), "/health");
        assert_eq!(paths.route("/static/app.js"), "/static");
        assert_eq!(paths.route("/wp-admin/x"), "other");
    }
}
