//! What a new socket gets before live events: on `/chat` without `since`, the room's
//! last 50 messages; otherwise every message after each resume point, in pages, at
//! most [`MAX_REPLAY`] per room. The pages go to the connection's writer, which writes
//! them before its live queue.

use domain::{
    Error, RoomId,
    message::{HistoryQuery, Message},
    service::Services,
};
use tokio::sync::mpsc;

use super::{
    frames,
    session::{Admitted, Kind, Outgoing, RECENT, Scope},
};

/// Messages per `history` frame when replaying a resume.
const RESUME_PAGE: u64 = 100;

/// Most messages replayed per room on one connect: past it, the newest this many are
/// sent and the client pages back with `history` frames for older ones.
pub const MAX_REPLAY: i64 = 500;

/// Feeds `out` the history `admitted` is owed; false when it could not be loaded (or
/// the writer is gone).
pub async fn replay(
    services: &Services,
    admitted: &Admitted,
    out: &mpsc::Sender<Outgoing>,
) -> bool {
    let user = admitted.user.id;
    if let (Scope::Room(room), true) = (admitted.scope, admitted.since.is_empty()) {
        let query = HistoryQuery::Keyset {
            before: None,
            limit: RECENT,
        };
        return match services.history(room, user, query).await {
            Ok(page) => {
                let more = page.next_before.is_some();
                feed(out, room, page.messages, more).await
            }
            Err(_) => false,
        };
    }
    for &(room, since) in &admitted.since {
        let mut after = match services.resume_point(room, user, since, MAX_REPLAY).await {
            Ok(after) => after,
            Err(Error::Forbidden { .. } | Error::NotFound { .. }) => continue,
            Err(_) => return false,
        };
        loop {
            let page = match services
                .messages_after(room, user, after, RESUME_PAGE)
                .await
            {
                Ok(page) => page,
                Err(Error::Forbidden { .. } | Error::NotFound { .. }) => break,
                Err(_) => return false,
            };
            let Some(last) = page.last().map(|m| m.seq) else {
                break;
            };
            let more = page.first().is_some_and(|m| m.seq > 1);
            let full = page.len() as u64 == RESUME_PAGE;
            if !feed(out, room, page, more).await {
                return false;
            }
            after = last;
            if !full {
                break;
            }
        }
    }
    true
}

/// One `history` frame, recorded by the writer as sent up to its last seq.
pub fn history_frame(room: RoomId, messages: Vec<Message>, has_more: bool) -> Outgoing {
    let kind = match messages.last() {
        Some(last) => Kind::History {
            room,
            seq: last.seq,
        },
        None => Kind::Reliable,
    };
    Outgoing::new(&frames::history(room, messages, has_more), kind)
}

async fn feed(
    out: &mpsc::Sender<Outgoing>,
    room: RoomId,
    messages: Vec<Message>,
    has_more: bool,
) -> bool {
    out.send(history_frame(room, messages, has_more))
        .await
        .is_ok()
}
