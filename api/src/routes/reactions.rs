//! Reactions: the caller's own, added and taken back idempotently.

use domain::{MessageId, service::Services};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path};
use uuid::Uuid;

use super::NoContent;
use crate::{auth::Caller, problem::Problem, tags::Tag};

pub struct ReactionsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Messages")]
impl ReactionsApi {
    /// React to a message
    ///
    /// `emoji`: one emoji (URL-encoded), or a `:short_code:` of 1–32 `[a-z0-9_+-]`
    /// (a standard one becomes its emoji: `:+1:` is 👍); else 422. Adding a reaction
    /// twice is fine. Reacting in a public room joins it. 409 `message_deleted`, or
    /// `too_many_reactions` past 20 different emoji on one message.
    #[oai(
        path = "/messages/:id/reactions/:emoji",
        method = "put",
        operation_id = "addReaction"
    )]
    async fn add(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        #[oai(validator(min_length = 1, max_length = 64))] emoji: Path<String>,
    ) -> Result<NoContent, Problem> {
        services
            .react(MessageId::from_uuid(id.0), caller.0.user_id, &emoji.0, true)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Take back a reaction
    ///
    /// Taking back one that is not there is fine.
    #[oai(
        path = "/messages/:id/reactions/:emoji",
        method = "delete",
        operation_id = "removeReaction"
    )]
    async fn remove(
        &self,
        services: Data<&Services>,
        caller: Caller,
        id: Path<Uuid>,
        #[oai(validator(min_length = 1, max_length = 64))] emoji: Path<String>,
    ) -> Result<NoContent, Problem> {
        services
            .react(
                MessageId::from_uuid(id.0),
                caller.0.user_id,
                &emoji.0,
                false,
            )
            .await?;
        Ok(NoContent::NoContent)
    }
}
