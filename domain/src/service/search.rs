//! Searching the messages a user may read.

use super::Services;
use crate::{
    Error, MessageId, Result, RoomId, UserId,
    message::Message,
    ports::SearchRequest,
    search::{self, Query},
};

/// Results per page at most.
pub const MAX_RESULTS: u64 = 50;

/// A hit: the message and its highlighted excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub message: Message,
    /// HTML-escaped text with `<mark>` around the words that matched.
    pub highlight: String,
}

/// A page of hits, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// Pass as `before` for the next page; `None` on the last.
    pub next_before: Option<MessageId>,
}

impl Services {
    /// Messages holding every word of `q` (whole, or as the start of a word), newest
    /// first, in public rooms and the caller's own (or only `room`), never deleted
    /// ones; `before` is the last message of the previous page.
    ///
    /// Fails with `Invalid("q")`, and for a `room` as reading it does (`NotFound`,
    /// `Forbidden`).
    pub async fn search(
        &self,
        user: UserId,
        q: &str,
        room: Option<RoomId>,
        before: Option<MessageId>,
        limit: u64,
    ) -> Result<SearchPage> {
        let query = Query::parse(q).map_err(|e| Error::invalid("q", e))?;
        if let Some(room) = room {
            self.visible_room(room, user).await?;
        }
        let limit = limit.clamp(1, MAX_RESULTS);
        // One more than the page: whether it comes says whether there is a next page.
        let request = SearchRequest {
            query,
            reader: user,
            room,
            before,
            limit: limit + 1,
        };
        let mut found = self.ports.search.search(&request).await?;
        let more = found.len() as u64 > limit;
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_before = more.then(|| found.last().map(|m| m.id)).flatten();
        let hits = found
            .into_iter()
            .map(|message| Hit {
                highlight: search::highlight(&message.content, &request.query),
                message,
            })
            .collect();
        Ok(SearchPage { hits, next_before })
    }
}
