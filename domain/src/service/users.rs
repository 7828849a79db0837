//! The user directory and presence.

use chrono::{DateTime, Utc};

use super::{Services, user_not_found};
use crate::{
    Error, Result, UserId, text,
    user::{User, UserWithStatus},
};

/// A page of the user directory.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<UserWithStatus>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Whether a user is connected now, and when they last were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    pub user_id: UserId,
    pub online: bool,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Services {
    pub const MAX_USER_PAGE: u64 = 100;
    /// Longest directory search, in characters.
    pub const MAX_QUERY_CHARS: usize = 100;

    /// Users whose username or name contains `query` (case-insensitively), ordered
    /// by username, `limit` (≤ 100) at a time after `cursor`.
    pub async fn list_users(
        &self,
        query: Option<&str>,
        cursor: Option<&str>,
        limit: u64,
    ) -> Result<UserPage> {
        let limit = limit.clamp(1, Self::MAX_USER_PAGE);
        let query = query.map(str::trim).filter(|q| !q.is_empty());
        if let Some(q) = query {
            if q.chars().count() > Self::MAX_QUERY_CHARS {
                return Err(Error::invalid("q", "must be at most 100 characters long"));
            }
            text::check_plain(q).map_err(|message| Error::invalid("q", message))?;
        }
        if let Some(cursor) = cursor
            && (cursor.chars().count() > 64 || cursor.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "cursor",
                "is not a cursor this server gave out",
            ));
        }
        // One extra row tells whether another page exists.
        let mut users = self.ports.users.search(query, cursor, limit + 1).await?;
        let next_cursor = if users.len() as u64 > limit {
            users.truncate(limit as usize);
            users.last().map(|u| u.username.key())
        } else {
            None
        };
        Ok(UserPage {
            users: self.with_status(users),
            next_cursor,
        })
    }

    /// Everyone with at least one live connection.
    pub async fn online_users(&self) -> Result<Vec<UserWithStatus>> {
        let ids = self.ports.presence.online_users();
        let mut users = self.ports.users.find_many(&ids).await?;
        users.sort_by_key(|u| u.username.key());
        Ok(self.with_status(users))
    }

    /// Fails with `NotFound("user_not_found")`.
    pub async fn user_status(&self, user_id: UserId) -> Result<UserStatus> {
        let user = self
            .ports
            .users
            .find(user_id)
            .await?
            .ok_or_else(|| user_not_found(user_id))?;
        Ok(UserStatus {
            user_id,
            online: self.ports.presence.is_online(user_id),
            last_seen: user.last_seen_at,
        })
    }

    /// Counts a new live connection of `user`; true when it is their first (they came
    /// online).
    pub fn connected(&self, user: UserId) -> bool {
        self.ports.presence.connect(user)
    }

    /// Counts a closed connection of `user`. On their last one it records when they
    /// were last seen, before anyone hears that they left, so a status read after the
    /// `leave` frame already says so. Returns whether they went offline.
    ///
    /// Fails when recording `last_seen` does (they are offline all the same).
    pub async fn disconnected(&self, user: UserId) -> Result<bool> {
        if !self.ports.presence.disconnect(user) {
            return Ok(false);
        }
        self.ports.users.set_last_seen(user, Utc::now()).await?;
        Ok(true)
    }

    fn with_status(&self, users: Vec<User>) -> Vec<UserWithStatus> {
        users
            .into_iter()
            .map(|user| UserWithStatus {
                online: self.ports.presence.is_online(user.id),
                user,
            })
            .collect()
    }
}
