//! How problems appear in the OpenAPI document: every error status an operation may
//! answer, with the problem schema.

use poem_openapi::{
    ApiResponse,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
};

use super::{PROBLEM_JSON, Problem, ProblemBody};

/// The error statuses every operation may answer with, documented once.
const DOCUMENTED: [(u16, &str); 10] = [
    (400, "Malformed JSON or parameters."),
    (401, "Missing, invalid or expired access token."),
    (403, "Not allowed."),
    (404, "No such resource."),
    (
        409,
        "Conflicts with the current state (a taken name, a reused temp_id).",
    ),
    (413, "Request body too large."),
    (415, "The body is not `application/json`."),
    (422, "Missing or invalid fields (see `errors`)."),
    (429, "Rate limited (see `Retry-After`)."),
    (503, "The database is unavailable."),
];

impl ApiResponse for Problem {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DOCUMENTED
                .iter()
                .map(|&(status, description)| response(status, description))
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ProblemBody::register(registry);
    }
}

/// One problem response, for operations that document their own statuses (register
/// [`Problem`] alongside, for the schema).
pub fn response(status: u16, description: &'static str) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: vec![MetaMediaType {
            content_type: PROBLEM_JSON,
            schema: MetaSchemaRef::Reference(ProblemBody::name().into_owned()),
        }],
        headers: vec![],
    }
}
