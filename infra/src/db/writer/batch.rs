//! The writer's pure decisions: which posts of a batch repeat an earlier one, how a
//! retried post is judged, how many seqs each room needs, and how rows are cut into
//! statements. No database here, so every rule is unit-tested.

use domain::{
    Error, ErrorCode, Result, RoomId,
    message::{Appended, Message, NewMessage},
};

use crate::db::{entity::message, messages::to_message};

/// Separates posts that repeat a `temp_id` used earlier in the same batch by the same
/// author (returned with the index of that earlier post among the fresh ones), to be
/// answered once it is stored.
pub fn split_twins<J>(jobs: Vec<J>, post: impl Fn(&J) -> &NewMessage) -> (Vec<J>, Vec<(J, usize)>) {
    let mut fresh: Vec<J> = Vec::with_capacity(jobs.len());
    let mut twins = Vec::new();
    for job in jobs {
        let new = post(&job);
        let earlier = new.temp_id.as_ref().and_then(|temp_id| {
            fresh.iter().position(|f| {
                let f = post(f);
                f.author.id == new.author.id && f.temp_id.as_ref() == Some(temp_id)
            })
        });
        match earlier {
            Some(index) => twins.push((job, index)),
            None => fresh.push(job),
        }
    }
    (fresh, twins)
}

/// The outcome of a post that repeats `original`'s `temp_id` in the same batch: the
/// same post again is the stored one; other content is a conflict.
pub fn judge_twin(twin: &NewMessage, original: &Message) -> Result<Appended> {
    if original.room_id == twin.room_id && original.content == twin.body.as_str() {
        Ok(Appended::Existing(original.clone()))
    } else {
        Err(temp_id_conflict(twin))
    }
}

/// The outcome of a post whose author stored `previous` with the same `temp_id`
/// before: a retry of the same post gets the stored message, other content or another
/// room a conflict.
pub fn judge_retry(new: &NewMessage, previous: &message::Model) -> Result<Appended> {
    if previous.room_id != new.room_id.as_uuid() || previous.content != new.body.as_str() {
        return Err(temp_id_conflict(new));
    }
    Ok(Appended::Existing(to_message(
        previous.clone(),
        new.author.clone(),
    )))
}

fn temp_id_conflict(new: &NewMessage) -> Error {
    let temp_id = new.temp_id.as_ref().map_or("", |t| t.as_str());
    Error::conflict(
        ErrorCode::TempIdConflict,
        format!("temp_id {temp_id} was already used for a different message."),
    )
}

/// How many posts each room has in the batch, rooms in order of first appearance.
pub fn per_room(posts: &[&NewMessage]) -> Vec<(RoomId, i64)> {
    let mut counts: Vec<(RoomId, i64)> = Vec::new();
    for post in posts {
        match counts.iter_mut().find(|(r, _)| *r == post.room_id) {
            Some((_, n)) => *n += 1,
            None => counts.push((post.room_id, 1)),
        }
    }
    counts
}

/// Rows per `INSERT` are limited to about this many bytes on the wire. sqlx does not
/// set `TCP_NODELAY` on PostgreSQL connections, and a large statement then waits for
/// the server's delayed ACK: measured here, a 153-row INSERT took 43 ms where a
/// 103-row one took 2 ms, and PostgreSQL ingest over TCP fell from ~14k to ~4.7k
/// messages/s. Several small statements in one transaction cost far less.
pub const STATEMENT_BYTES: usize = 16 * 1024;

/// The bytes a post takes in a batch's statement, about: ids, seq and timestamps,
/// the content twice (as written and as search reads it), the key, the mentions.
pub fn post_bytes(post: &NewMessage) -> usize {
    300 + 2 * post.body.as_str().len()
        + post.temp_id.as_ref().map_or(0, |t| t.as_str().len())
        + 40 * post.mentions.len()
}

/// A PostgreSQL batch's rows stay under this many bytes: one statement of 256 posts
/// of ordinary length fits, and a batch of long posts stays a bounded statement.
pub const BATCH_BYTES: usize = 512 * 1024;

/// The limit while `TCP_NODELAY` could not be set (see `db::nodelay`): a statement
/// then has to go out in one `write`, since a write larger than the socket's send
/// buffer (Linux's default `tcp_wmem`: 16 KiB) leaves a tail that Nagle's algorithm
/// holds until the server's delayed ACK, ~40 ms. Measured with the server's statement
/// log: at 14 KiB the next statement follows in ~1 ms; at 20 KiB and above every
/// commit waited ~45 ms (PostgreSQL ingest ~3,400 messages/s).
pub const BATCH_BYTES_WITH_NAGLE: usize = 14 * 1024;

/// Cuts rows into statements of about [`STATEMENT_BYTES`], keeping their order; a row
/// larger than that goes alone.
pub fn wire_sized(models: Vec<message::ActiveModel>) -> Vec<Vec<message::ActiveModel>> {
    let mut chunks = Vec::new();
    let (mut chunk, mut bytes) = (Vec::new(), 0);
    for model in models {
        // SQL placeholders, ids, seq and timestamps come to ~200 bytes a row.
        let size = 300
            + model.content.as_ref().len()
            + model.search_text.as_ref().len()
            + model.temp_id.as_ref().as_ref().map_or(0, String::len)
            + model.mentions.as_ref().as_ref().map_or(0, String::len);
        if !chunk.is_empty() && bytes + size > STATEMENT_BYTES {
            chunks.push(std::mem::take(&mut chunk));
            bytes = 0;
        }
        bytes += size;
        chunk.push(model);
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::{
        MessageId, UserId,
        message::{MessageBody, TempId},
        user::UserSummary,
    };

    use super::*;

    fn author(name: &str) -> UserSummary {
        UserSummary {
            id: UserId::new(),
            name: name.into(),
            username: name.into(),
        }
    }

    fn post(by: &UserSummary, room: RoomId, content: &str, temp_id: Option<&str>) -> NewMessage {
        NewMessage {
            id: MessageId::new(),
            room_id: room,
            author: by.clone(),
            body: MessageBody::parse(content).unwrap(),
            temp_id: temp_id.map(|t| TempId::parse(t).unwrap()),
            created_at: Utc::now(),
            origin: None,
            reply_to: None,
            mentions: Vec::new(),
        }
    }

    fn stored(new: &NewMessage, seq: i64) -> Message {
        Message::fresh(new, seq, None)
    }

    /// A row as the writer stores `new` at `seq`.
    fn model(new: &NewMessage, seq: i64, content: String) -> message::Model {
        message::Model {
            id: new.id.as_uuid(),
            room_id: new.room_id.as_uuid(),
            seq,
            user_id: new.author.id.as_uuid(),
            content,
            temp_id: new.temp_id.as_ref().map(|t| t.as_str().to_owned()),
            created_at: new.created_at,
            edited_at: None,
            deleted_at: None,
            reply_to_id: None,
            reply_position: None,
            reply_count: 0,
            mentions: None,
            deleted_by: None,
            search_text: String::new(),
        }
    }

    fn row(content_bytes: usize) -> message::ActiveModel {
        let new = post(&author("a"), RoomId::new(), "x", None);
        message::ActiveModel::from(model(&new, 1, "x".repeat(content_bytes)))
    }

    #[test]
    fn only_the_same_authors_repeated_temp_id_is_a_twin() {
        let (ana, bo, room) = (author("ana"), author("bo"), RoomId::new());
        let posts = vec![
            post(&ana, room, "hi", Some("t1")),
            post(&bo, room, "hi", Some("t1")),
            post(&ana, room, "no key", None),
            post(&ana, room, "no key", None),
            post(&ana, room, "hi", Some("t1")),
        ];

        let (fresh, twins) = split_twins(posts, |p| p);

        assert_eq!(
            fresh.len(),
            4,
            "another author's t1 and posts without a key are fresh"
        );
        assert_eq!(twins.len(), 1);
        assert_eq!(twins[0].1, 0, "the twin points at ana's first t1");
    }

    #[test]
    fn a_twin_with_the_same_content_gets_the_stored_post_and_other_content_conflicts() {
        let (ana, room) = (author("ana"), RoomId::new());
        let original = post(&ana, room, "hi", Some("t1"));
        let saved = stored(&original, 7);

        let same = judge_twin(&post(&ana, room, "hi", Some("t1")), &saved);
        let other = judge_twin(&post(&ana, room, "bye", Some("t1")), &saved);
        let elsewhere = judge_twin(&post(&ana, RoomId::new(), "hi", Some("t1")), &saved);

        assert_eq!(same.unwrap(), Appended::Existing(saved));
        assert_eq!(other.unwrap_err().code(), ErrorCode::TempIdConflict);
        assert_eq!(elsewhere.unwrap_err().code(), ErrorCode::TempIdConflict);
    }

    #[test]
    fn a_retry_of_an_earlier_batch_is_judged_against_the_stored_row() {
        let (ana, room) = (author("ana"), RoomId::new());
        let original = post(&ana, room, "hi", Some("t1"));
        let model = model(&original, 3, "hi".into());

        let retry = judge_retry(&post(&ana, room, "hi", Some("t1")), &model).unwrap();
        let changed = judge_retry(&post(&ana, room, "edited", Some("t1")), &model);

        assert_eq!(retry.message().seq, 3);
        assert!(matches!(retry, Appended::Existing(_)));
        assert_eq!(changed.unwrap_err().code(), ErrorCode::TempIdConflict);
    }

    #[test]
    fn seqs_are_counted_per_room_in_order_of_first_appearance() {
        let (ana, a, b) = (author("ana"), RoomId::new(), RoomId::new());
        let posts = [
            post(&ana, a, "1", None),
            post(&ana, b, "2", None),
            post(&ana, a, "3", None),
        ];
        let refs: Vec<&NewMessage> = posts.iter().collect();

        assert_eq!(per_room(&refs), [(a, 2), (b, 1)]);
    }

    #[test]
    fn statements_stay_near_the_size_limit_and_an_oversized_row_goes_alone() {
        let rows = (0..40)
            .map(|_| row(1_000))
            .chain([row(20_000), row(10)])
            .collect();

        let chunks = wire_sized(rows);

        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 42, "no row lost");
        for chunk in &chunks[..chunks.len() - 2] {
            let bytes: usize = chunk.iter().map(|m| 300 + m.content.as_ref().len()).sum();
            assert!(bytes <= STATEMENT_BYTES, "{bytes} bytes in one statement");
        }
        assert_eq!(
            chunks[chunks.len() - 2].len(),
            1,
            "the 20 kB row goes alone"
        );
        assert_eq!(
            chunks.last().unwrap()[0].content.as_ref().len(),
            10,
            "order kept"
        );
    }
}
