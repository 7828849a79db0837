//! Login (OAuth2 password form or JSON), refresh and logout. (Sign-up is
//! `POST /users`, beside the directory: one path, one API struct.)

use papo_protocol::ErrorCode;
use std::{sync::Arc, time::Instant};

use domain::{
    service::{Services, Session},
    user::could_be_credentials,
};
use poem::{Request, web::Data};
use poem_openapi::{ApiRequest, Object, OpenApi, payload::Form, payload::Json};
use uuid::Uuid;

use super::NoContent;
use crate::tags::Tag;
use crate::{
    auth::{Caller, bearer_token, verify},
    payload::{ApiJson, MaybeJson},
    problem::Problem,
    throttle::{LoginThrottle, client_address},
};

/// Credentials as JSON.
#[derive(Debug, Object)]
pub struct LoginJson {
    pub username: String,
    pub password: String,
}

/// Credentials as an OAuth2 password-grant form (what Swagger's Authorize sends).
#[derive(Debug, Object, serde::Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// `password` (optional; ignored).
    #[oai(nullable)]
    pub grant_type: Option<String>,
    /// Ignored.
    #[oai(nullable)]
    pub scope: Option<String>,
}

#[derive(ApiRequest)]
pub enum LoginRequest {
    Form(Form<LoginForm>),
    Json(ApiJson<LoginJson>),
}

/// A refresh token to rotate or revoke.
#[derive(Debug, Object)]
pub struct RefreshBody {
    pub refresh_token: String,
}

/// An open session.
#[derive(Debug, Object)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchange at `/auth/refresh_token` for a new session. `null` when the session
    /// was refreshed with an access token alone.
    #[oai(nullable)]
    pub refresh_token: Option<String>,
}

impl From<Session> for Token {
    fn from(session: Session) -> Self {
        Self {
            id: session.user.id.as_uuid(),
            name: session.user.name.as_str().to_owned(),
            username: session.user.username.as_str().to_owned(),
            access_token: session.access.token,
            token_type: "bearer".into(),
            expires_in: session.access.expires_in_secs,
            refresh_token: session.refresh_token,
        }
    }
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Auth")]
impl AuthApi {
    /// Log in
    ///
    /// Takes an OAuth2 password form (`username=&password=`) or JSON
    /// `{"username","password"}`; returns an access token and a refresh token. After
    /// 10 wrong passwords for one username from one client address within 5 minutes,
    /// or 100 from one address for any usernames, further attempts get 429 with
    /// `Retry-After` until the 5 minutes are over.
    #[oai(path = "/auth/login", method = "post", operation_id = "logIn")]
    async fn login(
        &self,
        services: Data<&Services>,
        throttle: Data<&Arc<LoginThrottle>>,
        req: &Request,
        body: LoginRequest,
    ) -> Result<Json<Token>, Problem> {
        let (username, password) = match body {
            LoginRequest::Form(form) => (form.0.username, form.0.password),
            LoginRequest::Json(json) => (json.0.username, json.0.password),
        };
        let username = username.trim();
        // Nothing longer than an account can have is hashed, counted or kept.
        if !could_be_credentials(username, &password) {
            return Err(Problem::from(domain::Error::unauthorized(
                ErrorCode::InvalidCredentials,
                "Incorrect username or password.",
            )));
        }
        let attempt = throttle
            .begin(username, client_address(req), Instant::now())
            .map_err(Problem::too_many_attempts)?;
        match services.login(username, &password).await {
            Ok(session) => {
                attempt.succeeded();
                Ok(Json(session.into()))
            }
            Err(err) => {
                if err.code() == ErrorCode::InvalidCredentials {
                    attempt.failed();
                } else {
                    attempt.abandoned();
                }
                Err(err.into())
            }
        }
    }

    /// Refresh the session
    ///
    /// With `{"refresh_token"}`: rotates it (the old one stops working; presenting a
    /// rotated token again revokes every token of that login). With no body and a
    /// valid `Authorization: Bearer` access token: returns a fresh access token.
    #[oai(
        path = "/auth/refresh_token",
        method = "post",
        operation_id = "refreshToken"
    )]
    async fn refresh(
        &self,
        services: Data<&Services>,
        req: &Request,
        body: MaybeJson<RefreshBody>,
    ) -> Result<Json<Token>, Problem> {
        let session = match (body.0, bearer_token(req)) {
            (Some(body), _) => services.refresh(&body.refresh_token).await?,
            (None, Some(token)) => {
                let claims = verify(req, token).await.map_err(unauthorized_from)?;
                services.refresh_access(&claims).await?
            }
            (None, None) => {
                return Err(Problem::unauthorized(
                    ErrorCode::MissingToken,
                    "Send {\"refresh_token\"} or an `Authorization: Bearer` access token.",
                ));
            }
        };
        Ok(Json(session.into()))
    }

    /// Log out
    ///
    /// Ends the given refresh token's session, or with no body every session of the
    /// caller: their refresh and access tokens stop working and the sockets opened
    /// with them close (4401).
    #[oai(path = "/auth/logout", method = "post", operation_id = "logOut")]
    async fn logout(
        &self,
        services: Data<&Services>,
        caller: Caller,
        body: MaybeJson<RefreshBody>,
    ) -> Result<NoContent, Problem> {
        let token = body.0.map(|b| b.refresh_token);
        services.logout(caller.0.user_id, token.as_deref()).await?;
        Ok(NoContent::NoContent)
    }
}

fn unauthorized_from(err: poem::Error) -> Problem {
    err.downcast_ref::<Problem>().cloned().unwrap_or_else(|| {
        Problem::unauthorized(ErrorCode::InvalidToken, "The access token is invalid.")
    })
}
