//! The business error vocabulary. `api` maps each variant to an HTTP status once.

pub use papo_protocol::ErrorCode;

/// A problem with one input field, reported back to the client as `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A problem with `field`, described by `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case refused or failed. Each variant carries a stable snake_case `code`
/// that clients may match on, and a human `detail`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The input is well-formed but breaks a rule (HTTP 422).
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Missing, invalid or expired credentials (HTTP 401).
    #[error("{detail}")]
    Unauthorized { code: ErrorCode, detail: String },
    /// The caller is known but may not do this (HTTP 403).
    #[error("{detail}")]
    Forbidden { code: ErrorCode, detail: String },
    /// The resource does not exist (HTTP 404).
    #[error("{detail}")]
    NotFound { code: ErrorCode, detail: String },
    /// The request clashes with the current state, e.g. a taken name (HTTP 409).
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// A dependency (the database) cannot be reached (HTTP 503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected state; the cause is logged, never shown (HTTP 500).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The result of every use case and port.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::ValidationFailed,
            Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. } => *code,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }
}

/// Collects field errors from several parses so a client learns about every bad field
/// at once, not one per round trip.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a successful parse; records the error of a failed one under
    /// `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Fails with every recorded field error, if there is any.
    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}
