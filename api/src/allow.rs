//! The `Allow` header of a 405 (RFC 9110 requires it): the methods the OpenAPI
//! document lists for the path, plus HEAD wherever GET is served. Paths outside the
//! API (the web client, docs, health) serve GET only.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::StatusCode};

/// Methods per path template, read from the OpenAPI document once.
pub struct AllowedMethods {
    routes: Vec<(Vec<Segment>, String)>,
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

impl AllowedMethods {
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
                routes.push((segments(template), methods.join(", ")));
            }
        }
        Self { routes }
    }

    /// The `Allow` value for a request path.
    pub fn for_path(&self, path: &str) -> &str {
        let given: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(template, _)| matches(template, &given))
            .map_or(GET_ONLY, |(_, methods)| methods)
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
    allowed: Arc<AllowedMethods>,
) -> Result<Response> {
    let path = request.uri().path().to_owned();
    let mut response = inner.call(request).await?.into_response();
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Ok(value) = allowed.for_path(&path).parse()
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
        let allowed = AllowedMethods::from_spec(SPEC);

        assert_eq!(allowed.for_path("/api/v1/rooms"), "GET, HEAD, POST");
        assert_eq!(
            allowed.for_path("/api/v1/rooms/abc"),
            "GET, HEAD, PATCH, DELETE"
        );
        assert_eq!(allowed.for_path("/api/v1/rooms/abc/join"), "POST");
        assert_eq!(allowed.for_path("/health"), "GET, HEAD");
    }
}
