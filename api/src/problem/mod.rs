//! RFC 9457 problem details: the one shape of every error papo returns, including
//! poem's own (unknown route, wrong method, unparsable parameter, missing bearer).
//!
//! One job per file: this one is the type and how it renders; `from_domain` maps the
//! domain's errors, `framework` poem's, and `openapi` documents them.

mod framework;
mod from_domain;
pub mod openapi;

pub use framework::{catch_all, too_large};

use papo_protocol::ErrorCode;
use poem::{
    Response,
    error::ResponseError,
    http::{StatusCode, header},
};
use poem_openapi::Object;
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, Object)]
pub struct FieldProblem {
    /// The field's name as sent (`body` for the body as a whole).
    pub field: String,
    pub message: String,
}

/// An error response (RFC 9457).
#[derive(Debug, Clone, Serialize, Object)]
#[oai(rename = "Problem")]
pub struct ProblemBody {
    /// Always `about:blank`: `code` is the machine-readable kind.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// A stable snake_case code, e.g. `room_not_found`.
    pub code: String,
    /// Field-level problems, for 422 responses.
    #[oai(nullable, skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

/// An error on its way to the client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {detail}")]
pub struct Problem {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Option<Vec<FieldProblem>>,
    retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }

    /// A 422 listing each invalid field.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid.", errors.len()),
        };
        Self {
            errors: Some(errors),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                detail,
            )
        }
    }

    /// A 429 with `Retry-After`.
    pub fn too_many_attempts(retry_after: std::time::Duration) -> Self {
        let secs = retry_after.as_secs().max(1);
        Self {
            retry_after: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                format!("Too many failed logins for this username; retry in {secs} s."),
            )
        }
    }

    /// A 429 for going faster than a limit allows (posts, sign-ups), with
    /// `Retry-After`.
    pub fn rate_limited(retry_after: std::time::Duration) -> Self {
        let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        Self {
            retry_after: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("Too many requests; retry in {secs} s."),
            )
        }
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedJson, detail)
    }

    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: "about:blank".into(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            errors: self.errors.clone(),
        }
    }
}

impl ResponseError for Problem {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = Response::builder()
            .status(self.status)
            .content_type(PROBLEM_JSON)
            .body(body);
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = match self.code {
                ErrorCode::MissingToken => "Bearer".to_owned(),
                _ => format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    self.detail
                ),
            };
            if let Ok(value) = challenge.parse() {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}
