//! What every part of a connection shares: its identity and admitted scope, the frames
//! in its outgoing queue, how it is told to end, and when its peer was last heard.
//! Every other module of `ws` imports from here; this one imports none of them, so
//! imports run one way.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::{RoomId, user::UserSummary};
use papo_protocol::CloseCode;
use tokio::sync::Notify;

use super::frames::{self, ServerFrame};

/// Identifies one WebSocket connection on this node.
pub type ConnId = u64;

/// Messages in the `history` frame sent on connect without `since`, or after a join.
pub const RECENT: u64 = 50;

/// Which rooms a connection follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `/api/v1/chat/{room_id}`: that room only.
    Room(RoomId),
    /// `/api/v1/ws`: every room the user is a member of, as membership changes.
    All,
}

/// A connection that passed authentication and the room checks.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub user: UserSummary,
    /// The session whose access token opened the socket: ending it closes the socket.
    pub session: uuid::Uuid,
    pub scope: Scope,
    /// Rooms to replay from a seq (`since`); on `/chat` without `since`, the last 50.
    pub since: Vec<(RoomId, i64)>,
}

/// What a queued frame is, for dropping and resume bookkeeping.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A room message: skipped if already sent (the resume seam), else recorded.
    Message { room: RoomId, seq: i64 },
    /// The sender's own message acknowledged: recorded as sent.
    Ack { room: RoomId, seq: i64 },
    /// A history page ending at `seq`: the client has everything up to it.
    History { room: RoomId, seq: i64 },
    /// Typing, presence, read markers: dropped first when the queue is full.
    Droppable,
    /// Everything else: must arrive, or the connection is cut.
    Reliable,
}

/// A serialized frame in a connection's queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub text: Arc<str>,
    pub kind: Kind,
}

impl Outgoing {
    pub fn new(frame: &ServerFrame, kind: Kind) -> Self {
        Self {
            text: frames::to_text(frame),
            kind,
        }
    }
}

/// How a connection must end, set by whoever decides it and carried out by the
/// connection's writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Close(CloseCode, String),
    /// Too slow: close 4008 naming the last seq sent per room.
    Lagged,
}

/// A connection's stop signal.
#[derive(Debug, Default)]
pub struct Control {
    ending: Mutex<Option<Ending>>,
    notify: Notify,
}

impl Control {
    /// Asks the connection to end; the first reason given wins.
    pub fn end(&self, ending: Ending) {
        let mut slot = self.ending.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(ending);
        }
        drop(slot);
        self.notify.notify_one();
    }

    /// Whether [`Control::end`] was called (without copying the reason).
    pub fn is_ended(&self) -> bool {
        self.ending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    pub fn ending(&self) -> Option<Ending> {
        self.ending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Resolves once [`Control::end`] has been called.
    pub async fn ended(&self) {
        loop {
            if self.ending().is_some() {
                return;
            }
            self.notify.notified().await;
        }
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
