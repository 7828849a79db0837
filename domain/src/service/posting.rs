//! Posting: a message's content, its idempotency key, the message it answers and the
//! members it mentions, checked before it goes to the group-commit writer.

use chrono::Utc;

use super::Services;
use crate::{
    Error, MessageId, Result, RoomId, UserId,
    error::Validation,
    mention,
    message::{Appended, MessageBody, NewMessage, ReplyRef, TempId},
    ports::PendingAppend,
    room::{Role, Visibility},
    user::UserSummary,
};

/// A post as a client sent it.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    pub content: &'a str,
    pub temp_id: Option<&'a str>,
    /// The message of the same room it answers.
    pub reply_to: Option<MessageId>,
}

impl<'a> Post<'a> {
    /// Plain text, no key, no reply.
    pub fn text(content: &'a str) -> Self {
        Self {
            content,
            temp_id: None,
            reply_to: None,
        }
    }
}

impl Services {
    /// Stores a post; once it is committed the store publishes it for fan-out. Posting
    /// to a public room one is not in joins it, as connecting to it does.
    ///
    /// Fails with `Invalid` (content, temp_id, a `reply_to` not in this room),
    /// `NotFound`, `Forbidden` or `Conflict("temp_id_conflict")` when the `temp_id` was
    /// used for another message.
    pub async fn post_message(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        post: Post<'_>,
    ) -> Result<Appended> {
        let (body, temp_id) = parse_post(post.content, post.temp_id)?;
        let (room, membership) = self.visible_room(room_id, author.id).await?;
        if membership.is_none() && room.visibility == Visibility::Public {
            self.add_member(&room, author.id, Role::Member).await?;
        }
        self.submit(room_id, author, body, temp_id, post.reply_to, None)
            .await?
            .outcome()
            .await
    }

    /// Queues a post from a connection known to follow the room (the hub checked
    /// membership at connect and follows membership events), so the hot path reads
    /// nothing before it writes, unless the post answers a message or mentions
    /// someone. Returns once the post is queued; the outcome comes later, and posts
    /// submitted in turn are stored in that order, which lets one connection keep many
    /// posts in flight.
    ///
    /// Fails with `Invalid` at once; the pending outcome fails with `NotFound` (the
    /// room is gone) or `Conflict("temp_id_conflict")`.
    pub async fn submit_as_member(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        post: Post<'_>,
        origin: Option<u64>,
    ) -> Result<PendingAppend> {
        let (body, temp_id) = parse_post(post.content, post.temp_id)?;
        self.submit(room_id, author, body, temp_id, post.reply_to, origin)
            .await
    }

    async fn submit(
        &self,
        room_id: RoomId,
        author: &UserSummary,
        body: MessageBody,
        temp_id: Option<TempId>,
        reply_to: Option<MessageId>,
        origin: Option<u64>,
    ) -> Result<PendingAppend> {
        let reply_to = match reply_to {
            Some(parent) => Some(self.parent_in(room_id, parent).await?),
            None => None,
        };
        let mentions = self.mentions_in(room_id, body.as_str()).await?;
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
                reply_to,
                mentions,
            })
            .await
    }

    /// The message a post in `room` answers.
    ///
    /// Fails with `Invalid("reply_to")` when there is no such message in that room
    /// (whether it exists elsewhere is not told).
    async fn parent_in(&self, room: RoomId, parent: MessageId) -> Result<ReplyRef> {
        match self.ports.messages.find(parent).await? {
            Some(message) if message.room_id == room => Ok(ReplyRef::of(&message)),
            _ => Err(Error::invalid(
                "reply_to",
                "must be a message of the room posted to",
            )),
        }
    }

    /// The members of `room` that `content` mentions (nobody outside the room).
    ///
    /// Fails when the database does.
    pub(super) async fn mentions_in(&self, room: RoomId, content: &str) -> Result<Vec<UserId>> {
        let names = mention::mentioned(content);
        if names.is_empty() {
            return Ok(Vec::new());
        }
        self.ports.rooms.members_named(room, &names).await
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
