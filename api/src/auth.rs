//! Who is calling: the bearer access token, checked once per request.

use domain::{ports::Claims, service::Services, user::UserSummary};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};

use crate::problem::Problem;

/// What an access token may do. OpenAPI requires an OAuth2 flow to list its scopes;
/// papo has one: a token acts as its user in every operation (login ignores `scope`).
#[derive(Debug, Clone, Copy, poem_openapi::OAuthScopes)]
pub enum AccessScope {
    /// Everything the account may do.
    #[allow(dead_code)] // named in the document, never checked
    #[oai(rename = "chat")]
    Chat,
}

/// An access token from `POST /api/v1/auth/login` (Swagger's Authorize button logs in
/// with the password flow and sends it as `Authorization: Bearer`).
#[derive(SecurityScheme)]
#[oai(
    rename = "OAuth2PasswordBearer",
    ty = "oauth2",
    flows(password(token_url = "/api/v1/auth/login", scopes = "AccessScope")),
    checker = "check_bearer"
)]
pub struct Caller(pub Claims);

impl Caller {
    /// The caller as messages and member lists show them.
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.0.user_id,
            name: self.0.name.clone(),
            username: self.0.username.clone(),
        }
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Claims> {
    verify(req, &bearer.token).await
}

/// Verifies `token` with the server's services.
///
/// Fails with a 401 problem for any token that is not valid now (including one whose
/// session ended).
pub async fn verify(req: &Request, token: &str) -> poem::Result<Claims> {
    let services = req.data::<Services>().ok_or_else(|| {
        poem::Error::from_string(
            "services missing",
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        )
    })?;
    Ok(services.authenticate(token).await.map_err(Problem::from)?)
}

/// The bearer token of a request, if it has an `Authorization: Bearer` header.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}
