//! History, posting over REST, editing and deleting.

use domain::{
    MessageId, RoomId,
    message::{Appended, HistoryQuery},
    service::{Post, Services},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use std::{sync::Arc, time::Instant};

use uuid::Uuid;

use super::NoContent;
use crate::{
    auth::Caller,
    dto::{HistoryOut, MessageOut, RepliesOut},
    payload::ApiJson,
    problem::Problem,
};
use crate::{rate::UserBuckets, tags::Tag};

/// A message to post.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PostBody {
    /// 1–4000 characters after trimming.
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub content: String,
    /// The client's idempotency key: the same `temp_id` again returns the stored
    /// message instead of posting twice.
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub temp_id: Option<String>,
    /// The id of the message of this room it answers.
    #[oai(nullable)]
    pub reply_to: Option<Uuid>,
}

/// Swagger's "Try it out" body: without a `temp_id`, so executing it twice posts
/// twice instead of answering 409 for a reused key with other content.
impl poem_openapi::types::Example for PostBody {
    fn example() -> Self {
        Self {
            content: "Hello, room!".into(),
            temp_id: None,
            reply_to: None,
        }
    }
}

/// New content for a message.
#[derive(Debug, Object)]
pub struct EditBody {
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub content: String,
}

#[derive(ApiResponse)]
pub enum Posted {
    /// This `temp_id` was already posted with this content: the stored message.
    #[oai(status = 200)]
    Existing(Json<MessageOut>),
    /// Stored (committed) and broadcast to the room.
    #[oai(status = 201)]
    Created(Json<MessageOut>),
}

pub struct MessagesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Messages")]
impl MessagesApi {
    /// A room's history
    ///
    /// Oldest first within a page. Offset form (default): `page` (1 = oldest) and
    /// `size` (default 10). Keyset form, when `before` or `limit` is given: the
    /// `limit` (default 50) messages just below seq `before`, or the newest.
    /// Sizes are capped at 100.
    #[oai(
        path = "/rooms/:id/history",
        method = "get",
        operation_id = "getHistory"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn history(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1")))] size: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1")))] before: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] limit: Query<Option<u64>>,
    ) -> Result<Json<HistoryOut>, Problem> {
        let query = if before.0.is_some() || limit.0.is_some() {
            HistoryQuery::Keyset {
                before: before.0,
                limit: limit.0.unwrap_or(50),
            }
        } else {
            HistoryQuery::Offset {
                page: page.0.unwrap_or(1),
                size: size.0.unwrap_or(10),
            }
        };
        let page = services
            .history(RoomId::from_uuid(id.0), caller.0.user_id, query)
            .await?;
        Ok(Json(page.into()))
    }

    /// Post a message
    ///
    /// For bots and scripts: stored and broadcast exactly like a WebSocket post.
    /// Posting to a public room joins it. The same `temp_id` with the same content
    /// returns the stored message (200); with other content, 409. `reply_to` names
    /// a message of the same room (else 422); `@username` mentions members.
    #[oai(
        path = "/rooms/:id/messages",
        method = "post",
        operation_id = "postMessage"
    )]
    async fn post(
        &self,
        services: Data<&Services>,
        limiter: Data<&Arc<UserBuckets>>,
        caller: Caller,
        id: Path<Uuid>,
        body: ApiJson<PostBody>,
    ) -> Result<Posted, Problem> {
        limiter
            .take(caller.0.user_id, Instant::now())
            .map_err(Problem::rate_limited)?;
        let b = body.0;
        let post = Post {
            content: &b.content,
            temp_id: b.temp_id.as_deref(),
            reply_to: b.reply_to.map(MessageId::from_uuid),
        };
        let appended = services
            .post_message(RoomId::from_uuid(id.0), &caller.summary(), post)
            .await?;
        Ok(match appended {
            Appended::Created(m) => Posted::Created(Json(m.into())),
            Appended::Existing(m) => Posted::Existing(Json(m.into())),
        })
    }

    /// A message's replies
    ///
    /// A keyset page like history, oldest first: the `limit` (default 50, at most
    /// 100) replies just below seq `before`, or the newest.
    #[oai(
        path = "/messages/:id/replies",
        method = "get",
        operation_id = "listReplies"
    )]
    async fn replies(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "1")))] before: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u64>>,
    ) -> Result<Json<RepliesOut>, Problem> {
        let limit = limit.0.unwrap_or(50);
        let replies = services
            .replies(
                MessageId::from_uuid(id.0),
                caller.0.user_id,
                before.0,
                limit,
            )
            .await?;
        let full = replies.len() as u64 == limit;
        let next_before = replies.first().map(|m| m.seq).filter(|_| full);
        Ok(Json(RepliesOut {
            message_id: id.0,
            replies: replies.into_iter().map(Into::into).collect(),
            next_before,
        }))
    }

    /// Edit one's own message
    ///
    /// Whom it mentions is read again from the new content.
    #[oai(path = "/messages/:id", method = "patch", operation_id = "editMessage")]
    async fn edit(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        body: ApiJson<EditBody>,
    ) -> Result<Json<MessageOut>, Problem> {
        let message = services
            .edit_message(
                MessageId::from_uuid(id.0),
                caller.0.user_id,
                &body.0.content,
            )
            .await?;
        Ok(Json(message.into()))
    }

    /// Delete a message
    ///
    /// The author may, and so may the room's owner and admins (an admin not the
    /// owner's or another admin's: 403). The message keeps its seq (as
    /// `deleted: true`, no content, `deleted_by` naming who) so history stays
    /// gap-free; its reactions go. Deleting twice is fine.
    #[oai(
        path = "/messages/:id",
        method = "delete",
        operation_id = "deleteMessage"
    )]
    async fn delete(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
    ) -> Result<NoContent, Problem> {
        services
            .delete_message(MessageId::from_uuid(id.0), caller.0.user_id)
            .await?;
        Ok(NoContent::NoContent)
    }
}
