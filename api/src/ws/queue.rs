//! The vocabulary of a connection's outgoing queue: what a frame is (for dropping and
//! resume bookkeeping) and how a connection is told to end.

use papo_protocol::CloseCode;
use std::sync::{Arc, Mutex, PoisonError};

use domain::RoomId;
use tokio::sync::Notify;

use super::frames::{self, ServerFrame};

/// What a queued frame is, for dropping and resume bookkeeping.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A room message: skipped if already sent (the resume seam), else recorded.
    Message { room: RoomId, seq: i64 },
    /// The sender's own message, acknowledged: recorded as sent.
    Ack { room: RoomId, seq: i64 },
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
