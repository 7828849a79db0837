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
    /// The message this one answers; `null` when it answers none.
    #[oai(nullable)]
    pub reply_to: Option<ReplyRefOut>,
    /// Replies it has received.
    pub reply_count: i64,
    /// Reactions, each emoji once, in the order they first came; `me`: the caller
    /// reacted so.
    pub reactions: Vec<ReactionOut>,
    /// The ids of the members it mentions with `@username`.
    pub mentions: Vec<Uuid>,
    /// Who deleted it (the author, or an owner or admin of the room); `null` while it
    /// is not deleted.
    #[oai(nullable)]
    pub deleted_by: Option<UserRef>,
}

/// The message a reply answers.
#[derive(Debug, Object, serde::Serialize)]
#[oai(rename = "ReplyRef")]
pub struct ReplyRefOut {
    pub id: Uuid,
    pub seq: i64,
    pub user: UserRef,
    /// Its first 100 characters; empty once it is deleted.
    pub excerpt: String,
}

/// One emoji's reactions to a message.
#[derive(Debug, Object, serde::Serialize)]
#[oai(rename = "Reaction")]
pub struct ReactionOut {
    /// One emoji, or a `:short_code:`.
    pub emoji: String,
    pub count: u64,
    /// Whether the caller reacted so.
    pub me: bool,
}

fn user_ref(user: papo_protocol::UserRef) -> UserRef {
    UserRef {
        id: user.id,
        name: user.name,
        username: user.username,
    }
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
            user: user_ref(wire.user),
            content: wire.content,
            timestamp: wire.timestamp,
            edited_at: wire.edited_at,
            deleted: wire.deleted,
            reply_to: wire.reply_to.map(|parent| ReplyRefOut {
                id: parent.id,
                seq: parent.seq,
                user: user_ref(parent.user),
                excerpt: parent.excerpt,
            }),
            reply_count: wire.reply_count,
            reactions: wire
                .reactions
                .into_iter()
                .map(|r| ReactionOut {
                    emoji: r.emoji,
                    count: r.count,
                    me: r.me,
                })
                .collect(),
            mentions: wire.mentions,
            deleted_by: wire.deleted_by.map(user_ref),
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

/// A message's replies, oldest first.
#[derive(Debug, Object)]
pub struct RepliesOut {
    pub message_id: Uuid,
    pub replies: Vec<MessageOut>,
    /// The smallest seq returned, to pass as `before` for older replies; `null` when
    /// this page is the oldest.
    #[oai(nullable)]
    pub next_before: Option<i64>,
}

/// A search hit.
#[derive(Debug, Object)]
pub struct SearchResultOut {
    pub message: MessageOut,
    /// The content (or about 200 characters of it around the first match), HTML-
    /// escaped, with each matching word in `<mark>`…`</mark>`.
    pub highlight: String,
}

/// A page of search hits, newest first.
#[derive(Debug, Object)]
pub struct SearchOut {
    pub results: Vec<SearchResultOut>,
    /// Pass as `before` for the next page; `null` on the last.
    #[oai(nullable)]
    pub next_before: Option<Uuid>,
}
