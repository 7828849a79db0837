//! Full-text search.

use domain::{
    MessageId, RoomId,
    service::{MAX_RESULTS, Services},
};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use crate::{
    auth::Caller,
    dto::{SearchOut, SearchResultOut},
    problem::Problem,
    tags::Tag,
};

pub struct SearchApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Search")]
impl SearchApi {
    /// Search messages
    ///
    /// Messages holding every word of `q`, each as a whole word or the start of one
    /// (`deplo` finds "deploy"), in any letter case and with or without accents;
    /// newest first, in public rooms and the caller's own (or only `room_id`), never
    /// deleted ones. Words shorter than 2 characters are left out; none left, or
    /// more than 10, is a 422. `limit`: default 20, at most 50. For the next page
    /// pass `next_before` as `before`.
    #[oai(path = "/search", method = "get", operation_id = "searchMessages")]
    async fn search(
        &self,
        services: Data<&Services>,
        caller: Caller,
        #[oai(validator(min_length = 1, max_length = 100))] q: Query<String>,
        room_id: Query<Option<Uuid>>,
        /// The `next_before` of the previous page.
        before: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "50")))] limit: Query<Option<u64>>,
    ) -> Result<Json<SearchOut>, Problem> {
        let page = services
            .search(
                caller.0.user_id,
                &q.0,
                room_id.0.map(RoomId::from_uuid),
                before.0.map(MessageId::from_uuid),
                limit.0.unwrap_or(20).min(MAX_RESULTS),
            )
            .await?;
        Ok(Json(SearchOut {
            results: page
                .hits
                .into_iter()
                .map(|hit| SearchResultOut {
                    message: hit.message.into(),
                    highlight: hit.highlight,
                })
                .collect(),
            next_before: page.next_before.map(|m| m.as_uuid()),
        }))
    }
}
