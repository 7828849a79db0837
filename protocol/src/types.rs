//! The JSON objects frames carry. REST returns the same shapes (the server's OpenAPI
//! types are tested to serialize identically).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A user as messages and member lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
    pub username: String,
}

/// A message. A deleted message keeps its `seq` with empty `content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: Uuid,
    pub room_id: Uuid,
    /// Position in the room: starts at 1, no gaps.
    pub seq: i64,
    pub user: UserRef,
    pub content: String,
    /// When it was stored.
    pub timestamp: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
}

/// Who can see a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Private,
    Direct,
}

/// A room, as REST's room object (`GET /api/v1/rooms/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub creator_id: Uuid,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    /// The other member of a direct room, when the frame's recipient is a member.
    #[serde(default)]
    pub peer: Option<UserRef>,
}
