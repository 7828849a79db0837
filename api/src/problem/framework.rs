//! poem's and poem-openapi's own errors (unknown route, wrong method, unparsable
//! parameter, missing bearer, wrong content type) as problems.

use papo_protocol::ErrorCode;
use poem::{
    Response,
    error::{NotFoundError, ResponseError},
    http::StatusCode,
};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};

use super::{FieldProblem, Problem};

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
