//! Messages and history pages.

use super::users::UserRef;
use chrono::{DateTime, Utc};
use domain::message::{HistoryPage, Message};
use poem_openapi::Object;
use uuid::Uuid;

/// A message. A deleted message keeps its `seq` with empty `content`.
#[derive(Debug, Object, serde::Serialize)]
pub struct MessageOut {
    pub id: Uuid,
    pub room_id: Uuid,
    /// Position in the room: starts at 1, no gaps.
    pub seq: i64,
    pub user: UserRef,
    pub content: String,
    /// When it was stored.
    pub timestamp: DateTime<Utc>,
    #[oai(nullable)]
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
}

/// Made from the frames' message object, so REST and WebSocket show a message the
/// same way (what a deleted message hides is decided once, in `ws::frames::message`).
impl From<Message> for MessageOut {
    fn from(message: Message) -> Self {
        let wire = crate::ws::frames::message(message);
        Self {
            id: wire.id,
            room_id: wire.room_id,
            seq: wire.seq,
            user: UserRef {
                id: wire.user.id,
                name: wire.user.name,
                username: wire.user.username,
            },
            content: wire.content,
            timestamp: wire.timestamp,
            edited_at: wire.edited_at,
            deleted: wire.deleted,
        }
    }
}

/// Offset-pagination arithmetic.
#[derive(Debug, Object)]
pub struct PaginationOut {
    pub current_page: u64,
    pub page_size: u64,
    /// `ceil(total_messages / page_size)`.
    pub total_pages: u64,
    pub total_messages: u64,
}

/// A page of history, oldest first.
#[derive(Debug, Object)]
pub struct HistoryOut {
    pub room_id: Uuid,
    pub messages: Vec<MessageOut>,
    /// Present for the offset form (`page`/`size`); `null` for the keyset form.
    #[oai(nullable)]
    pub pagination: Option<PaginationOut>,
    /// The smallest seq returned, to pass as `before` for older messages; `null` when
    /// nothing older exists.
    #[oai(nullable)]
    pub next_before: Option<i64>,
}

impl From<HistoryPage> for HistoryOut {
    fn from(page: HistoryPage) -> Self {
        Self {
            room_id: page.room_id.as_uuid(),
            messages: page.messages.into_iter().map(Into::into).collect(),
            pagination: page.pagination.map(|p| PaginationOut {
                current_page: p.current_page,
                page_size: p.page_size,
                total_pages: p.total_pages,
                total_messages: p.total_messages,
            }),
            next_before: page.next_before,
        }
    }
}
