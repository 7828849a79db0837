//! One WebSocket connection, from upgrade to close: register with the hub, follow the
//! rooms, replay what the client is owed, then a reader for client frames and a
//! writer that drains the connection's queue.

use std::collections::HashMap;

use domain::{RoomId, service::Services};
use futures_util::StreamExt;
use papo_protocol::CloseCode;
use poem::web::websocket::WebSocketStream;
use tokio::sync::mpsc;

use crate::rate::FrameBudget;

use super::{
    Realtime,
    admission::Admission,
    commands::{Context, forward_acks},
    hub::Hub,
    reader, replay,
    session::{Activity, Admitted, ConnId, Ending, Outgoing, Scope},
    writer::{Sources, Writer},
};

/// Up to this many posts of one connection wait for their commit at once.
const IN_FLIGHT: usize = 256;

/// How long a closed connection waits for the peer's closing frame.
const CLOSING_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves one upgraded socket until either side ends it.
pub async fn run(realtime: Realtime, socket: WebSocketStream, admission: Admission) {
    let Realtime {
        hub,
        services,
        limiter,
        connects,
        frame_rate,
    } = realtime;
    let _live = hub.live_socket();
    let (sink, stream) = socket.split();
    let admitted = match admission {
        Admission::Admitted(admitted) => admitted,
        Admission::Refused { code, reason } => {
            let mut writer = Writer::new(sink, hub.settings().send_timeout, &[]);
            writer.close(code, &reason).await;
            return;
        }
    };
    let mut writer = Writer::new(sink, hub.settings().send_timeout, &admitted.since);
    let user = admitted.user.id;
    if let Err(wait) = connects.take(user, std::time::Instant::now()) {
        let reason = format!(
            "Reconnecting too fast; retry in {} ms.",
            wait.as_millis().max(1)
        );
        return writer.close(CloseCode::TooManySockets, &reason).await;
    }
    let registration = match hub.register(admitted.user.clone(), admitted.session, admitted.scope) {
        Ok(registration) => registration,
        Err(reason) => return writer.close(CloseCode::TooManySockets, reason).await,
    };
    services.connected(user);
    let (id, control) = (registration.id, registration.control.clone());
    let (replay_tx, replay_rx) = mpsc::channel(4);
    let activity = Activity::new();
    let mut writer_task = tokio::spawn(writer.run(
        Sources {
            replay: replay_rx,
            queue: registration.queue,
        },
        control.clone(),
        activity.clone(),
        hub.settings().ping_interval,
    ));
    if !follow_and_replay(&hub, &services, id, &admitted, replay_tx).await {
        control.end(Ending::Close(
            CloseCode::InternalError,
            "Could not load history; try again.".into(),
        ));
    }
    let (acks, in_flight) = mpsc::channel(IN_FLIGHT);
    tokio::spawn(forward_acks(hub.clone(), id, in_flight));
    let ctx = Context {
        hub: hub.clone(),
        services: services.clone(),
        limiter,
        frames: FrameBudget::new(frame_rate.0, frame_rate.1),
        id,
        user: admitted.user.clone(),
        scope: admitted.scope,
        control: control.clone(),
        acks,
    };
    let reading = reader::run(ctx, activity, stream);
    tokio::pin!(reading);
    let finished = tokio::select! {
        () = &mut reading => false,
        _ = &mut writer_task => true,
    };
    // Last seen is recorded before the rooms hear the user left, so a status read
    // after the `leave` frame already says so.
    if let Err(err) = services.disconnected(user).await {
        tracing::warn!(error = %err, "recording last_seen failed");
    }
    hub.unregister(id);
    if finished {
        // Our close frame is out. Dropping the socket now, with frames of a peer
        // still sending unread, makes the kernel answer them with a reset, and a
        // reset can discard our close frame before the peer reads it (it sees 1006,
        // not why it was closed). So read on, discarding, until the peer's close.
        let _ = tokio::time::timeout(CLOSING_GRACE, &mut reading).await;
    } else {
        control.end(Ending::Close(CloseCode::Normal, String::new()));
        let _ = writer_task.await;
    }
}

/// Follows the connection's rooms, then feeds the writer their history. Following
/// before reading: what commits meanwhile is both queued and read, and the writer
/// drops the duplicates by seq.
async fn follow_and_replay(
    hub: &Hub,
    services: &Services,
    id: ConnId,
    admitted: &Admitted,
    replay_tx: mpsc::Sender<Outgoing>,
) -> bool {
    let rooms = match admitted.scope {
        Scope::Room(room) => Ok(vec![room]),
        Scope::All => services.member_rooms(admitted.user.id).await,
    };
    // Each room's head, read before following: the hub sends on, in order, what
    // commits after it, wherever it commits.
    let heads = match rooms {
        Ok(rooms) => services
            .room_heads(&rooms)
            .await
            .map(|heads| (rooms, heads.into_iter().collect::<HashMap<_, _>>())),
        Err(err) => Err(err),
    };
    match heads {
        Ok((rooms, heads)) => {
            let follows: Vec<(RoomId, Option<i64>)> = rooms
                .iter()
                .map(|&room| (room, heads.get(&room).copied()))
                .collect();
            hub.subscribe_quietly(id, &follows);
            // Only rooms the socket follows are replayed, whatever `since` names.
            let mut owed = admitted.clone();
            owed.since.retain(|(room, _)| rooms.contains(room));
            if !replay::replay(services, &owed, &replay_tx).await {
                return false;
            }
            // Then who is here, room by room, at the pace the client reads.
            for &room in &rooms {
                if replay_tx.send(hub.presence(room)).await.is_err() {
                    return false;
                }
            }
            true
        }
        Err(err) => {
            tracing::warn!(error = %err, "loading the user's rooms failed");
            false
        }
    }
}
