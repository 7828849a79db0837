//! Users: accounts, the directory and presence.

use chrono::{DateTime, Utc};
use domain::{
    service::users::UserStatus,
    user::{User, UserSummary, UserWithStatus},
};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// An account.
#[derive(Debug, Object)]
pub struct UserOut {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserOut {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            name: user.name.as_str().to_owned(),
            username: user.username.as_str().to_owned(),
            created_at: user.created_at,
        }
    }
}

/// A user as messages and member lists show them.
#[derive(Debug, Object, serde::Serialize)]
#[oai(rename = "UserRef")]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
    pub username: String,
}

impl From<UserSummary> for UserRef {
    fn from(user: UserSummary) -> Self {
        Self {
            id: user.id.as_uuid(),
            name: user.name,
            username: user.username,
        }
    }
}

/// A user in the directory, with presence.
#[derive(Debug, Object)]
pub struct UserListItem {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    /// Has at least one live WebSocket.
    pub online: bool,
    /// When their last socket closed; `null` if never connected.
    #[oai(nullable)]
    pub last_seen: Option<DateTime<Utc>>,
}

impl From<UserWithStatus> for UserListItem {
    fn from(item: UserWithStatus) -> Self {
        Self {
            id: item.user.id.as_uuid(),
            name: item.user.name.as_str().to_owned(),
            username: item.user.username.as_str().to_owned(),
            online: item.online,
            last_seen: item.user.last_seen_at,
        }
    }
}

/// A page of users.
#[derive(Debug, Object)]
pub struct UserList {
    pub users: Vec<UserListItem>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// `online` or `offline`.
#[derive(Debug, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OnlineStatus {
    Online,
    Offline,
}

/// A user's presence.
#[derive(Debug, Object)]
pub struct UserStatusOut {
    pub user_id: Uuid,
    pub status: OnlineStatus,
    #[oai(nullable)]
    pub last_seen: Option<DateTime<Utc>>,
}

impl From<UserStatus> for UserStatusOut {
    fn from(status: UserStatus) -> Self {
        Self {
            user_id: status.user_id.as_uuid(),
            status: if status.online {
                OnlineStatus::Online
            } else {
                OnlineStatus::Offline
            },
            last_seen: status.last_seen,
        }
    }
}
