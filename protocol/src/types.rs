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
    /// The message this one answers, in the same room.
    #[serde(default)]
    pub reply_to: Option<ReplyRef>,
    /// Replies it has received.
    #[serde(default)]
    pub reply_count: i64,
    /// Reactions, each emoji once with its count; `me`: the recipient reacted so.
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// The members it mentions (`@username`), by id.
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// Who deleted it: the author, or an owner or admin of the room.
    #[serde(default)]
    pub deleted_by: Option<UserRef>,
}

/// The message a reply answers, as the reply shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    pub id: Uuid,
    pub seq: i64,
    pub user: UserRef,
    /// Its first 100 characters; empty once it is deleted.
    pub excerpt: String,
}

/// One emoji's reactions to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: u64,
    /// Whether the recipient is among those who reacted so.
    pub me: bool,
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
