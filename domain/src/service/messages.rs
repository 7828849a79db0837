//! Reading, editing and deleting messages; replies; read markers. (Posting is
//! `posting.rs`.)

use chrono::Utc;

use super::Services;
use crate::{
    Error, ErrorCode, MessageId, Result, RoomId, UserId,
    events::Event,
    message::{HistoryPage, HistoryQuery, Message, MessageBody, Pagination},
    room::Role,
};

impl Services {
    /// Up to `limit` messages after seq `since`, oldest first (for resuming).
    ///
    /// Fails with `NotFound` or `Forbidden`.
    pub async fn messages_after(
        &self,
        room_id: RoomId,
        user: UserId,
        since: i64,
        limit: u64,
    ) -> Result<Vec<Message>> {
        let (room, _) = self.visible_room(room_id, user).await?;
        let limit = i64::try_from(limit.clamp(1, HistoryQuery::MAX_PAGE)).unwrap_or(1);
        let low = since.max(0).saturating_add(1);
        let high = low.saturating_add(limit - 1).min(room.last_seq);
        if low > high {
            return Ok(Vec::new());
        }
        self.ports
            .messages
            .range(room_id, low, high, Some(user))
            .await
    }

    /// Where a resume from `since` starts: at `since`, or, when more than `cap`
    /// messages came after it, `cap` messages before the newest. A client that was
    /// away longer sees the first replayed seq above its own and pages back with
    /// `history` for the rest, so one reconnect never replays a whole room.
    ///
    /// Fails with `NotFound` or `Forbidden`.
    pub async fn resume_point(
        &self,
        room_id: RoomId,
        user: UserId,
        since: i64,
        cap: i64,
    ) -> Result<i64> {
        let (room, _) = self.visible_room(room_id, user).await?;
        Ok(since.max(room.last_seq.saturating_sub(cap)).max(0))
    }

    /// A page of a room's history, oldest first.
    ///
    /// Fails with `NotFound` or `Forbidden`.
    pub async fn history(
        &self,
        room_id: RoomId,
        user: UserId,
        query: HistoryQuery,
    ) -> Result<HistoryPage> {
        let (room, _) = self.visible_room(room_id, user).await?;
        let messages = match query.seq_range(room.last_seq) {
            Some((low, high)) => {
                self.ports
                    .messages
                    .range(room_id, low, high, Some(user))
                    .await?
            }
            None => Vec::new(),
        };
        let pagination = match query {
            HistoryQuery::Offset { page, size } => {
                let size = size.clamp(1, HistoryQuery::MAX_PAGE);
                let total = u64::try_from(room.last_seq).unwrap_or(0);
                Some(Pagination {
                    current_page: page.max(1),
                    page_size: size,
                    total_pages: total.div_ceil(size),
                    total_messages: total,
                })
            }
            HistoryQuery::Keyset { .. } => None,
        };
        let next_before = messages.first().map(|m| m.seq).filter(|&seq| seq > 1);
        Ok(HistoryPage {
            room_id,
            messages,
            pagination,
            next_before,
        })
    }

    /// The replies to a message, a keyset page like history: the `limit` replies just
    /// below seq `before`, or the newest, oldest first.
    ///
    /// Fails with `NotFound` (no such message, or one in a room the caller cannot
    /// tell exists) or `Forbidden`.
    pub async fn replies(
        &self,
        message_id: MessageId,
        user: UserId,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Message>> {
        let parent = self.message(message_id).await?;
        self.visible_room(parent.room_id, user).await?;
        let limit = limit.clamp(1, HistoryQuery::MAX_PAGE);
        self.ports
            .messages
            .replies(parent.room_id, message_id, before, limit, Some(user))
            .await
    }

    /// Changes the content of one's own message (and so whom it mentions) and
    /// publishes the edit.
    ///
    /// Fails with `NotFound`, `Forbidden("not_message_author")`, `Invalid` or
    /// `Conflict("message_deleted")`.
    pub async fn edit_message(
        &self,
        message_id: MessageId,
        user: UserId,
        content: &str,
    ) -> Result<Message> {
        let body = MessageBody::parse(content).map_err(|e| Error::invalid("content", e))?;
        let message = self.message(message_id).await?;
        self.visible_room(message.room_id, user).await?;
        if message.author.id != user {
            return Err(Error::forbidden(
                ErrorCode::NotMessageAuthor,
                "Only the author of a message may change it.",
            ));
        }
        if message.is_deleted() {
            return Err(Error::conflict(
                ErrorCode::MessageDeleted,
                format!("Message {message_id} was deleted."),
            ));
        }
        let mentions = self.mentions_in(message.room_id, body.as_str()).await?;
        let mut edited = self
            .ports
            .messages
            .edit(message_id, body, &mentions, Utc::now())
            .await?;
        let reactors = self.ports.reactions.reactors(message_id).await?;
        edited.reactions = crate::message::reactions_for(&reactors, Some(user));
        self.ports.bus.publish(Event::MessageEdited {
            message: edited.clone(),
            reactors,
        });
        Ok(edited)
    }

    /// Deletes a message (idempotently) and publishes the deletion once: the author
    /// may, and so may the room's owner and admins, but an admin not the owner's or
    /// another admin's.
    ///
    /// Fails with `NotFound`, `Forbidden("not_message_author")`,
    /// `Forbidden("cannot_moderate_owner")` or `Forbidden("cannot_moderate_admin")`.
    pub async fn delete_message(&self, message_id: MessageId, user: UserId) -> Result<()> {
        let message = self.message(message_id).await?;
        let (_, membership) = self.visible_room(message.room_id, user).await?;
        if message.author.id != user {
            let role = membership.map(|m| m.role);
            if !role.is_some_and(Role::can_moderate) {
                return Err(Error::forbidden(
                    ErrorCode::NotMessageAuthor,
                    "Only the author of a message, or an owner or admin of its room, may delete it.",
                ));
            }
            let author = self
                .ports
                .rooms
                .membership(message.room_id, message.author.id)
                .await?;
            super::moderation::may_act_on(role, author.map(|m| m.role))?;
        }
        if message.is_deleted() {
            return Ok(());
        }
        let deleted = self
            .ports
            .messages
            .delete(message_id, user, Utc::now())
            .await?;
        self.ports.bus.publish(Event::MessageDeleted(deleted));
        Ok(())
    }

    /// Moves the caller's read marker forward to `seq` and tells the room.
    ///
    /// Fails with `NotFound`, `Forbidden` (not a member) or `Invalid` (negative seq).
    pub async fn mark_read(&self, room_id: RoomId, user: UserId, seq: i64) -> Result<()> {
        if seq < 0 {
            return Err(Error::invalid("seq", "must not be negative"));
        }
        let (_, membership) = self.visible_room(room_id, user).await?;
        if membership.is_none() {
            return Err(Error::forbidden(
                ErrorCode::NotRoomMember,
                format!("You are not a member of room {room_id}."),
            ));
        }
        if let Some(seq) = self.ports.rooms.mark_read(room_id, user, seq).await? {
            self.ports.bus.publish(Event::ReadMoved {
                room_id,
                user_id: user,
                seq,
            });
        }
        Ok(())
    }

    /// Fails with `NotFound` when there is no such message.
    async fn message(&self, message_id: MessageId) -> Result<Message> {
        self.ports.messages.find(message_id).await?.ok_or_else(|| {
            Error::not_found(
                ErrorCode::MessageNotFound,
                format!("Message {message_id} was not found."),
            )
        })
    }
}
