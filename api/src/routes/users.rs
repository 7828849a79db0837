//! The caller, the user directory and presence.

use domain::{UserId, service::Services};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::tags::Tag;
use crate::{
    auth::Caller,
    dto::{UserList, UserOut, UserStatusOut},
    problem::Problem,
};

pub struct UsersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Users")]
impl UsersApi {
    /// The caller's account
    #[oai(path = "/users/me", method = "get")]
    async fn me(
        &self,
        services: Data<&Services>,
        caller: Caller,
    ) -> Result<Json<UserOut>, Problem> {
        Ok(Json(services.me(caller.0.user_id).await?.into()))
    }

    /// List users
    ///
    /// Users whose username or name contains `q` (any case), ordered by username,
    /// `limit` (default 50, at most 100) at a time; pass `next_cursor` back as `cursor`
    /// for the next page.
    #[oai(path = "/users", method = "get")]
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
    #[oai(path = "/users/online", method = "get")]
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
    #[oai(path = "/users/:id/status", method = "get")]
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
