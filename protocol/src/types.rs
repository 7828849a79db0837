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
