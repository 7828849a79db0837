//! Posting, reading, editing and deleting messages; read markers.

use chrono::Utc;

use super::Services;
use crate::{
    Error, ErrorCode, MessageId, Result, RoomId, UserId,
    error::Validation,
    events::Event,
    message::{
        Appended, HistoryPage, HistoryQuery, Message, MessageBody, NewMessage, Pagination, TempId,
    },
    ports::PendingAppend,
    room::{Role, Visibility},
    user::UserSummary,
};

impl Services {
    /// Stores a post; once it is committed the store publishes it for fan-out. Posting
    /// to a public room one is not in joins it, as connecting to it does.
    ///
    /// Fails with `Invalid` (content, temp_id), `NotFound`, `Forbidden` or
    /// `Conflict("temp_id_conflict")` when the `temp_id` was used for another message.
    pub async fn post_message(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        content: &str,
        temp_id: Option<&str>,
    ) -> Result<Appended> {
        let (body, temp_id) = parse_post(content, temp_id)?;
        let (room, membership) = self.visible_room(room_id, author.id).await?;
        if membership.is_none() && room.visibility == Visibility::Public {
            self.add_member(&room, author.id, Role::Member).await?;
        }
        self.submit(room_id, author, body, temp_id, None)
            .await?
            .outcome()
            .await
    }

    /// Queues a post from a connection known to follow the room (the hub checked
    /// membership at connect and follows membership events), so the hot path reads
    /// nothing before it writes. Returns once the post is queued; the outcome comes
    /// later, and posts submitted in turn are stored in that order, which lets one
    /// connection keep many posts in flight.
    ///
    /// Fails with `Invalid` at once; the pending outcome fails with `NotFound` (the
    /// room is gone) or `Conflict("temp_id_conflict")`.
    pub async fn submit_as_member(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        content: &str,
        temp_id: Option<&str>,
        origin: Option<u64>,
    ) -> Result<PendingAppend> {
        let (body, temp_id) = parse_post(content, temp_id)?;
        self.submit(room_id, author, body, temp_id, origin).await
    }

    async fn submit(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        body: MessageBody,
        temp_id: Option<TempId>,
        origin: Option<u64>,
    ) -> Result<PendingAppend> {
        self.ports
            .messages
            .submit(NewMessage {
                id: MessageId::new(),
                room_id,
                author: author.clone(),
                body,
                temp_id,
                created_at: Utc::now(),
                origin,
            })
            .await
    }

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
        self.ports.messages.range(room_id, low, high).await
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
            Some((low, high)) => self.ports.messages.range(room_id, low, high).await?,
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

    /// Changes the content of one's own message and publishes the edit.
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
        let message = self.own_message(message_id, user).await?;
        if message.is_deleted() {
            return Err(Error::conflict(
                ErrorCode::MessageDeleted,
                format!("Message {message_id} was deleted."),
            ));
        }
        let edited = self
            .ports
            .messages
            .edit(message_id, body, Utc::now())
            .await?;
        self.ports.bus.publish(Event::MessageEdited(edited.clone()));
        Ok(edited)
    }

    /// Deletes one's own message (idempotently) and publishes the deletion once.
    ///
    /// Fails with `NotFound` or `Forbidden("not_message_author")`.
    pub async fn delete_message(&self, message_id: MessageId, user: UserId) -> Result<()> {
        let message = self.own_message(message_id, user).await?;
        if message.is_deleted() {
            return Ok(());
        }
        let deleted = self.ports.messages.delete(message_id, Utc::now()).await?;
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

    /// The message, if `user` wrote it and may still see its room.
    async fn own_message(&self, message_id: MessageId, user: UserId) -> Result<Message> {
        let not_found = || {
            Error::not_found(
                ErrorCode::MessageNotFound,
                format!("Message {message_id} was not found."),
            )
        };
        let message = self
            .ports
            .messages
            .find(message_id)
            .await?
            .ok_or_else(not_found)?;
        self.visible_room(message.room_id, user).await?;
        if message.author.id != user {
            return Err(Error::forbidden(
                ErrorCode::NotMessageAuthor,
                "Only the author of a message may change it.",
            ));
        }
        Ok(message)
    }
}

/// Content and idempotency key of a post, with every problem reported at once.
fn parse_post(content: &str, temp_id: Option<&str>) -> Result<(MessageBody, Option<TempId>)> {
    let mut v = Validation::new();
    let body = v.check("content", MessageBody::parse(content));
    let temp_id = match temp_id {
        Some(raw) => v.check("temp_id", TempId::parse(raw)).map(Some),
        None => Some(None),
    };
    v.finish()?;
    match (body, temp_id) {
        (Some(body), Some(temp_id)) => Ok((body, temp_id)),
        _ => Err(Error::Internal("validation passed without values".into())),
    }
}
