//! RFC 9457 problem details: the one shape of every error papo returns, including
//! poem's own (unknown route, wrong method, unparsable parameter, missing bearer).

use papo_protocol::ErrorCode;
use poem::{
    Response,
    error::{NotFoundError, ResponseError},
    http::{StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Object,
    error::{
        AuthorizationError, ContentTypeError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    },
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
};
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
    #[oai(skip_serializing_if_is_none)]
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

impl From<domain::Error> for Problem {
    fn from(err: domain::Error) -> Self {
        use domain::Error as E;
        match err {
            E::Invalid(fields) => Self::validation(
                fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            ),
            E::Unauthorized { code, detail } => Self::new(StatusCode::UNAUTHORIZED, code, detail),
            E::Forbidden { code, detail } => Self::new(StatusCode::FORBIDDEN, code, detail),
            E::NotFound { code, detail } => Self::new(StatusCode::NOT_FOUND, code, detail),
            E::Conflict { code, detail } => Self::new(StatusCode::CONFLICT, code, detail),
            E::Unavailable(cause) => {
                tracing::error!(%cause, "dependency unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ServiceUnavailable,
                    "The database is unavailable; try again shortly.",
                )
            }
            E::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError,
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

/// The error statuses every operation may answer with, documented once.
const DOCUMENTED: [(u16, &str); 9] = [
    (400, "Malformed JSON or parameters."),
    (401, "Missing, invalid or expired access token."),
    (403, "Not allowed."),
    (404, "No such resource."),
    (
        409,
        "Conflicts with the current state (a taken name, a reused temp_id).",
    ),
    (413, "Request body too large."),
    (422, "Missing or invalid fields (see `errors`)."),
    (429, "Rate limited (see `Retry-After`)."),
    (503, "The database is unavailable."),
];

impl ApiResponse for Problem {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DOCUMENTED
                .iter()
                .map(|&(status, description)| MetaResponse {
                    description,
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: PROBLEM_JSON,
                        schema: MetaSchemaRef::Reference(ProblemBody::name().into_owned()),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ProblemBody::register(registry);
    }
}

/// Turns any error that reached the top of the router into problem+json: ours pass
/// through; poem's and poem-openapi's are translated by kind.
pub async fn catch_all(err: poem::Error) -> Response {
    if let Some(problem) = err.downcast_ref::<Problem>() {
        return problem.as_response();
    }
    translate(&err).as_response()
}

fn translate(err: &poem::Error) -> Problem {
    if err.is::<NotFoundError>() || err.status() == StatusCode::NOT_FOUND {
        return Problem::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "No such resource.",
        );
    }
    if err.is::<AuthorizationError>() {
        return Problem::unauthorized(
            ErrorCode::MissingToken,
            "An `Authorization: Bearer <access token>` header is required.",
        );
    }
    if let Some(path) = err.downcast_ref::<ParsePathError>() {
        // An id that cannot be an id names nothing: /rooms/general is simply not there.
        return Problem::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("No resource at this path ({}).", path.reason),
        );
    }
    if let Some(param) = err.downcast_ref::<ParseParamError>() {
        return Problem::validation(vec![FieldProblem {
            field: param.name.to_owned(),
            message: param.reason.clone(),
        }]);
    }
    if let Some(payload) = err.downcast_ref::<ParseRequestPayloadError>() {
        return Problem::validation(vec![FieldProblem {
            field: "body".into(),
            message: payload.reason.clone(),
        }]);
    }
    if let Some(content_type) = err.downcast_ref::<ContentTypeError>() {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            content_type.to_string(),
        );
    }
    match err.status() {
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "This method is not allowed on this resource.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        status if status.is_server_error() => {
            tracing::error!(error = %err, "unhandled server error");
            Problem::new(
                status,
                ErrorCode::InternalError,
                "Something went wrong on our side.",
            )
        }
        status => Problem::new(status, ErrorCode::BadRequest, err.to_string()),
    }
}

pub fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        "The request body is too large.",
    )
}
