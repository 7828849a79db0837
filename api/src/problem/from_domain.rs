//! The domain's errors as problems: each variant's status, decided here once.

use papo_protocol::ErrorCode;
use poem::http::StatusCode;

use super::{FieldProblem, Problem};

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
