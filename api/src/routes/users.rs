//! Sign-up, the caller, the user directory and presence.

use std::{sync::Arc, time::Instant};

use domain::{ErrorCode, UserId, service::Services};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::NoContent;
use crate::tags::Tag;
use crate::{
    auth::Caller,
    dto::{UserList, UserOut, UserStatusOut},
    payload::ApiJson,
    problem::Problem,
    rate::SignupLimiter,
    throttle::{LoginThrottle, client_address},
};

/// A password change.
#[derive(Debug, Object)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// 8–128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// A new account.
#[derive(Debug, Object)]
pub struct Register {
    /// Display name, 1–100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// 3–64 letters, digits or `._@+-` (an e-mail address works); unique in any case.
    #[oai(validator(min_length = 3, max_length = 64))]
    pub username: String,
    /// 8–128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The account was created.
    #[oai(status = 201)]
    Created(Json<UserOut>),
}

pub struct UsersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Users")]
impl UsersApi {
    /// Sign up
    ///
    /// Creates an account. 409 when the username is taken (in any letter case or a
    /// lookalike of it), 422 listing every invalid field, 429 `rate_limited` past
    /// `PAPO_SIGNUPS_PER_HOUR` (30) sign-ups from one client address in an hour.
    #[oai(path = "/users", method = "post", operation_id = "signUp")]
    async fn register(
        &self,
        services: Data<&Services>,
        signups: Data<&Arc<SignupLimiter>>,
        req: &Request,
        body: ApiJson<Register>,
    ) -> Result<Created, Problem> {
        signups
            .take(client_address(req), Instant::now())
            .map_err(Problem::rate_limited)?;
        let b = body.0;
        let user = services.register(&b.name, &b.username, &b.password).await?;
        Ok(Created::Created(Json(user.into())))
    }

    /// The caller's account
    #[oai(path = "/users/me", method = "get", operation_id = "getMe")]
    async fn me(
        &self,
        services: Data<&Services>,
        caller: Caller,
    ) -> Result<Json<UserOut>, Problem> {
        Ok(Json(services.me(caller.0.user_id).await?.into()))
    }

    /// Change the caller's password
    ///
    /// Checks the current password (403 `invalid_credentials` when wrong; wrong
    /// guesses count against the same throttle as logins), sets the new one, and ends
    /// every other session of the caller: their refresh and access tokens stop working
    /// and their sockets close with 4401. This session stays logged in.
    #[oai(
        path = "/users/me/password",
        method = "put",
        operation_id = "changePassword"
    )]
    async fn change_password(
        &self,
        services: Data<&Services>,
        throttle: Data<&Arc<LoginThrottle>>,
        req: &Request,
        caller: Caller,
        body: ApiJson<PasswordChange>,
    ) -> Result<NoContent, Problem> {
        let attempt = throttle
            .begin(&caller.0.username, client_address(req), Instant::now())
            .map_err(Problem::too_many_attempts)?;
        let b = body.0;
        match services
            .change_password(&caller.0, &b.current_password, &b.new_password)
            .await
        {
            Ok(()) => {
                attempt.succeeded();
                Ok(NoContent::NoContent)
            }
            Err(err) if err.code() == ErrorCode::InvalidCredentials => {
                attempt.failed();
                Err(err.into())
            }
            Err(err) => {
                attempt.abandoned();
                Err(err.into())
            }
        }
    }

    /// List users
    ///
    /// Users whose username or name contains `q` (any case), ordered by username,
    /// `limit` (default 50, at most 100) at a time; pass `next_cursor` back as `cursor`
    /// for the next page.
    #[oai(path = "/users", method = "get", operation_id = "listUsers")]
    async fn list(
        &self,
        services: Data<&Services>,
        _caller: Caller,
        q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1")))] limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<UserList>, Problem> {
        let page = services
            .list_users(q.0.as_deref(), cursor.0.as_deref(), limit.0.unwrap_or(50))
            .await?;
        Ok(Json(UserList {
            users: page.users.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Users online now
    ///
    /// Everyone with at least one live WebSocket.
    #[oai(
        path = "/users/online",
        method = "get",
        operation_id = "listOnlineUsers"
    )]
    async fn online(
        &self,
        services: Data<&Services>,
        _caller: Caller,
    ) -> Result<Json<UserList>, Problem> {
        let users = services.online_users().await?;
        Ok(Json(UserList {
            users: users.into_iter().map(Into::into).collect(),
            next_cursor: None,
        }))
    }

    /// A user's presence
    #[oai(
        path = "/users/:id/status",
        method = "get",
        operation_id = "getUserStatus"
    )]
    async fn status(
        &self,
        services: Data<&Services>,
        _caller: Caller,
        id: Path<Uuid>,
    ) -> Result<Json<UserStatusOut>, Problem> {
        let status = services.user_status(UserId::from_uuid(id.0)).await?;
        Ok(Json(status.into()))
    }
}
