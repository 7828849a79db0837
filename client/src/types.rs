//! The JSON shapes of the REST API.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use papo_protocol::{Message, Reaction, ReplyRef, UserRef};

/// A user in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    #[serde(default)]
    pub online: bool,
}

/// A logged-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Uuid,
    pub name: String,
    pub username: String,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: Option<String>,
    /// When this client received it (the access token's clock starts about then).
    #[serde(skip, default = "Instant::now")]
    pub received: Instant,
}

impl Session {
    /// Whether the access token expires within `margin`, or within half its lifetime
    /// for a token that lives less than twice `margin` (a one-minute token is renewed
    /// after 30 s, not on every call).
    pub fn expires_soon(&self, margin: Duration) -> bool {
        let lifetime = Duration::from_secs(u64::try_from(self.expires_in).unwrap_or(0));
        self.received.elapsed() + margin.min(lifetime / 2) >= lifetime
    }
}

/// A room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub visibility: String,
    /// The other member of a direct room.
    #[serde(default)]
    pub peer: Option<UserRef>,
}

/// A room in the room list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomListing {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub visibility: String,
    pub member_count: u64,
    pub unread: u64,
    /// Unread messages that mention the caller.
    #[serde(default)]
    pub mentions: u64,
    /// Whether the caller is a member.
    #[serde(default)]
    pub joined: bool,
    /// The other member of a direct room.
    #[serde(default)]
    pub peer: Option<UserRef>,
}

/// A member of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user: UserRef,
    /// `owner`, `admin` or `member`.
    pub role: String,
    pub online: bool,
}

/// Someone banned from a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub user: UserRef,
    pub reason: Option<String>,
    pub banned_by: Option<UserRef>,
    pub created_at: String,
}

/// A search hit: the message, and its content with `<mark>` around what matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub message: Message,
    pub highlight: String,
}

/// A page of search hits, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub results: Vec<SearchResult>,
    /// Pass as `before` for the next page.
    pub next_before: Option<Uuid>,
}

/// A page of history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub room_id: Uuid,
    pub messages: Vec<Message>,
    pub next_before: Option<i64>,
}
