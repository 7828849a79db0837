//! Messages, their content, and history pages.

use chrono::{DateTime, Utc};

use crate::{MessageId, RoomId, UserId, text, user::UserSummary};

/// Message content: 1–4000 characters after trimming (stored trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_CHARS: usize = 4000;

    /// Line endings become `\n`. Fails when the content holds a control character
    /// other than newline and tab or a direction override, shows nothing (only
    /// whitespace and invisible characters), or is longer than 4000 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let cleaned = text::clean_content(raw)?;
        let content = cleaned.trim();
        if text::is_blank(content) {
            return Err("must not be empty".into());
        }
        match content.chars().count() {
            n if n > Self::MAX_CHARS => Err("must be at most 4000 characters long".into()),
            _ => Ok(Self(content.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A client's idempotency key for a post: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempId(String);

impl TempId {
    /// Fails when the key is empty, longer than 100 characters, or holds a control
    /// character.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        match raw.chars().count() {
            0 => Err("must not be empty".into()),
            1..=100 => Ok(Self(raw.to_owned())),
            _ => Err("must be at most 100 characters long".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored message. A deleted message keeps its place (its `seq`) so sequences stay
/// gap-free, but its content is never shown again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub room_id: RoomId,
    pub seq: i64,
    pub author: UserSummary,
    pub content: String,
    pub temp_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The message this one answers.
    pub reply_to: Option<ReplyRef>,
    /// Replies it has received.
    pub reply_count: i64,
    /// For a reply: how many replies its parent had once this one was stored (so
    /// any node can tell the parent's followers its new count).
    pub thread_position: Option<i64>,
    /// The members it mentions.
    pub mentions: Vec<UserId>,
    /// Its reactions, as one reader sees them (`me`); empty where no reader is
    /// known (live fan-out of a new message).
    pub reactions: Vec<Reaction>,
    /// Who deleted it.
    pub deleted_by: Option<UserSummary>,
}

impl Message {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// A message just stored: no replies, reactions or deletion yet.
    pub fn fresh(new: &NewMessage, seq: i64, thread_position: Option<i64>) -> Self {
        Self {
            id: new.id,
            room_id: new.room_id,
            seq,
            author: new.author.clone(),
            content: new.body.as_str().to_owned(),
            temp_id: new.temp_id.as_ref().map(|t| t.as_str().to_owned()),
            created_at: new.created_at,
            edited_at: None,
            deleted_at: None,
            reply_to: new.reply_to.clone(),
            reply_count: 0,
            thread_position,
            mentions: new.mentions.clone(),
            reactions: Vec::new(),
            deleted_by: None,
        }
    }
}

/// The message a reply answers, as the reply shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRef {
    pub id: MessageId,
    pub seq: i64,
    pub author: UserSummary,
    /// The parent's first [`ReplyRef::EXCERPT_CHARS`] characters; empty once deleted.
    pub excerpt: String,
}

impl ReplyRef {
    pub const EXCERPT_CHARS: usize = 100;

    /// How a reply shows `parent`.
    pub fn of(parent: &Message) -> Self {
        let excerpt = if parent.is_deleted() {
            String::new()
        } else {
            parent.content.chars().take(Self::EXCERPT_CHARS).collect()
        };
        Self {
            id: parent.id,
            seq: parent.seq,
            author: parent.author.clone(),
            excerpt,
        }
    }
}

/// One emoji's reactions to a message, as one reader sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub emoji: String,
    pub count: u64,
    /// The reader is among those who reacted so.
    pub me: bool,
}

/// Who reacted with each emoji, in the order the emoji first came (for live frames,
/// which show each recipient their own `me`).
pub type Reactors = Vec<(String, Vec<UserId>)>;

/// The reactions `reader` sees, from who reacted with what.
pub fn reactions_for(reactors: &Reactors, reader: Option<UserId>) -> Vec<Reaction> {
    reactors
        .iter()
        .map(|(emoji, users)| Reaction {
            emoji: emoji.clone(),
            count: users.len() as u64,
            me: reader.is_some_and(|r| users.contains(&r)),
        })
        .collect()
}

/// A post on its way to storage; `seq` is assigned by the store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: MessageId,
    pub room_id: RoomId,
    pub author: UserSummary,
    pub body: MessageBody,
    pub temp_id: Option<TempId>,
    pub created_at: DateTime<Utc>,
    /// The connection that sent it, so fan-out does not echo it back there.
    pub origin: Option<u64>,
    /// The message of the same room it answers (checked before it is submitted).
    pub reply_to: Option<ReplyRef>,
    /// The members it mentions (checked against the room's members).
    pub mentions: Vec<UserId>,
}

/// What storing a post did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The message is new and committed.
    Created(Message),
    /// The same `temp_id` was already stored with the same content: this is a retry.
    Existing(Message),
}

impl Appended {
    pub fn message(&self) -> &Message {
        match self {
            Self::Created(m) | Self::Existing(m) => m,
        }
    }
}

/// Which slice of a room's history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryQuery {
    /// Page `page` (1 = oldest) of `size` messages.
    Offset { page: u64, size: u64 },
    /// The `limit` messages just below `before`, or the newest `limit`.
    Keyset { before: Option<i64>, limit: u64 },
}

impl HistoryQuery {
    pub const MAX_PAGE: u64 = 100;

    /// The inclusive seq range this query covers in a room whose newest seq is
    /// `last_seq`, or `None` when it covers nothing. Because seqs are gap-free, both
    /// forms become a range scan on `(room_id, seq)` whose cost does not grow with the
    /// room's size.
    pub fn seq_range(self, last_seq: i64) -> Option<(i64, i64)> {
        let (low, high) = match self {
            Self::Offset { page, size } => {
                let size = clamp_i64(size.clamp(1, Self::MAX_PAGE));
                let page = clamp_i64(page.max(1));
                let low = page
                    .saturating_sub(1)
                    .saturating_mul(size)
                    .saturating_add(1);
                (low, low.saturating_add(size - 1).min(last_seq))
            }
            Self::Keyset { before, limit } => {
                let limit = clamp_i64(limit.clamp(1, Self::MAX_PAGE));
                let high = before.map_or(last_seq, |b| b.saturating_sub(1).min(last_seq));
                (high.saturating_sub(limit - 1).max(1), high)
            }
        };
        (low <= high && high >= 1).then_some((low, high))
    }
}

fn clamp_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Page arithmetic of the offset form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub current_page: u64,
    pub page_size: u64,
    pub total_pages: u64,
    pub total_messages: u64,
}

/// One page of a room's history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    pub room_id: RoomId,
    pub messages: Vec<Message>,
    /// Present for the offset form only: counting is free there (the total is the
    /// room's last seq), and the keyset form is for clients that do not need it.
    pub pagination: Option<Pagination>,
    /// The smallest seq returned, when older messages exist.
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_trimmed_and_bounded() {
        assert_eq!(MessageBody::parse("  hi  ").unwrap().as_str(), "hi");
        assert!(MessageBody::parse(" \n ").is_err());
        assert!(MessageBody::parse(&"x".repeat(4000)).is_ok());
        assert!(MessageBody::parse(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn page_one_is_the_oldest_page() {
        let q = HistoryQuery::Offset { page: 1, size: 10 };
        assert_eq!(q.seq_range(25), Some((1, 10)));
    }

    #[test]
    fn the_last_page_may_be_short_and_pages_past_it_are_empty() {
        assert_eq!(
            HistoryQuery::Offset { page: 3, size: 10 }.seq_range(25),
            Some((21, 25))
        );
        assert_eq!(
            HistoryQuery::Offset { page: 4, size: 10 }.seq_range(25),
            None
        );
        assert_eq!(
            HistoryQuery::Offset { page: 1, size: 10 }.seq_range(0),
            None
        );
    }

    #[test]
    fn keyset_without_before_returns_the_newest() {
        let q = HistoryQuery::Keyset {
            before: None,
            limit: 50,
        };
        assert_eq!(q.seq_range(120), Some((71, 120)));
        assert_eq!(q.seq_range(20), Some((1, 20)));
    }

    #[test]
    fn keyset_returns_the_messages_just_below_before() {
        let q = HistoryQuery::Keyset {
            before: Some(71),
            limit: 50,
        };
        assert_eq!(q.seq_range(120), Some((21, 70)));
        let q = HistoryQuery::Keyset {
            before: Some(1),
            limit: 50,
        };
        assert_eq!(q.seq_range(120), None);
    }

    #[test]
    fn sizes_are_capped_at_100() {
        let q = HistoryQuery::Keyset {
            before: None,
            limit: 1000,
        };
        assert_eq!(q.seq_range(500), Some((401, 500)));
    }
}
