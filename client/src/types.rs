//! The JSON shapes of the REST API.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use papo_protocol::{Message, UserRef};

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
    /// The other member of a direct room.
    #[serde(default)]
    pub peer: Option<UserRef>,
}

/// A page of history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub room_id: Uuid,
    pub messages: Vec<Message>,
    pub next_before: Option<i64>,
}
