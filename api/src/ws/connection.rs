//! One WebSocket connection: admission, the initial history, a reader that handles
//! client frames, and a writer that drains the connection's queue.

use papo_protocol::CloseCode;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::{RoomId, user::UserSummary};
use futures_util::StreamExt;
use poem::web::websocket::WebSocketStream;

use super::{
    hub::{Ending, Hub, Scope},
    reader::{Reader, forward_acks},
    writer::Writer,
};

/// Messages in the `history` frame sent on connect without `since`, or after a join.
pub const RECENT: u64 = 50;

/// A connection that passed authentication and the room checks.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub user: UserSummary,
    pub scope: Scope,
    /// Rooms to replay from a seq (`since`); on `/chat` without `since`, the last 50.
    pub since: Vec<(RoomId, i64)>,
}

/// The outcome of the checks made before the upgrade.
#[derive(Debug, Clone)]
pub enum Admission {
    Admitted(Admitted),
    /// Accept, then close with this code and reason (e.g. 1008 for a bad token).
    Refused {
        code: CloseCode,
        reason: String,
    },
}

/// Serves one upgraded socket until either side ends it.
pub async fn run(hub: Arc<Hub>, socket: WebSocketStream, admission: Admission) {
    let (sink, stream) = socket.split();
    let mut writer = Writer::new(sink, hub.settings().send_timeout);
    let admitted = match admission {
        Admission::Admitted(admitted) => admitted,
        Admission::Refused { code, reason } => {
            writer.close(code, &reason).await;
            return;
        }
    };
    let registration = hub.register(admitted.user.clone(), admitted.scope);
    let id = registration.id;
    let control = registration.control.clone();
    let rooms = match admitted.scope {
        Scope::Room(room) => Ok(vec![room]),
        Scope::All => hub.services().member_rooms(admitted.user.id).await,
    };
    let ok = match rooms {
        // Following before reading history: what commits meanwhile is both queued
        // and read, and the writer drops the duplicates by seq.
        Ok(rooms) => {
            for room in &rooms {
                hub.subscribe(id, *room);
            }
            writer.initial_history(&hub, &admitted).await
        }
        Err(err) => {
            tracing::warn!(error = %err, "loading the user's rooms failed");
            false
        }
    };
    if !ok {
        control.end(Ending::Close(
            CloseCode::InternalError,
            "Could not load history; try again.".into(),
        ));
    }
    let activity = Activity::new();
    let mut writer_task = tokio::spawn(writer.run(
        registration.queue,
        control.clone(),
        activity.clone(),
        hub.settings().ping_interval,
    ));
    // Up to this many posts of one connection wait for their commit at once.
    let (acks, in_flight) = tokio::sync::mpsc::channel(256);
    tokio::spawn(forward_acks(hub.clone(), id, in_flight));
    let reader = Reader {
        acks,
        hub: hub.clone(),
        id,
        user: admitted.user.clone(),
        scope: admitted.scope,
        control: control.clone(),
        activity,
    };
    let finished = tokio::select! {
        () = reader.run(stream) => false,
        _ = &mut writer_task => true,
    };
    hub.unregister(id).await;
    if !finished {
        control.end(Ending::Close(CloseCode::Normal, String::new()));
        let _ = writer_task.await;
    }
}

/// When the peer was last heard from, for the ping timeout.
#[derive(Clone)]
pub struct Activity {
    start: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    pub fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}
