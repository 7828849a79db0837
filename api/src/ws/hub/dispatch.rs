//! Events from the bus, turned into deliveries; and the typing sweeper.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use domain::{
    UserId,
    events::{Ended, Event},
};
use papo_protocol::CloseCode;
use tokio::sync::broadcast;

use super::Hub;
use crate::ws::{
    frames::{self, ServerFrame},
    session::{Ending, Kind, Outgoing, Scope},
};

impl Hub {
    pub(super) async fn dispatch_events(self: Arc<Self>, mut events: broadcast::Receiver<Event>) {
        loop {
            match events.recv().await {
                Ok(event) => self.dispatch(event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Events were lost for everyone: every client must resync.
                    tracing::error!(missed, "the hub fell behind the event bus");
                    self.lock().end_where(|_| true, &Ending::Lagged);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Hands one event to the connections it concerns.
    pub fn dispatch(&self, event: Event) {
        let edited = matches!(event, Event::MessageEdited(_));
        match event {
            Event::MessagePosted { message, origin } => {
                let room = message.room_id;
                let kind = Kind::Message {
                    room,
                    seq: message.seq,
                };
                let seq = message.seq;
                let frame = Outgoing::new(&ServerFrame::Message(frames::message(message)), kind);
                let fill = self.lock().sequence(room, seq, frame, origin);
                self.ask(room, fill);
            }
            Event::MessageEdited(message) | Event::MessageDeleted(message) => {
                let room = message.room_id;
                let room_id = room.as_uuid();
                let message = frames::message(message);
                let frame = if edited {
                    ServerFrame::Edited { room_id, message }
                } else {
                    ServerFrame::Deleted { room_id, message }
                };
                self.lock()
                    .deliver(room, &Outgoing::new(&frame, Kind::Reliable), None);
            }
            Event::ReadMoved {
                room_id,
                user_id,
                seq,
            } => {
                let frame = Outgoing::new(&frames::read(room_id, user_id, seq), Kind::Droppable);
                self.lock().deliver(room_id, &frame, None);
            }
            Event::MemberJoined { room_id, user_id } => {
                let mut registry = self.lock();
                for id in registry.user_conns(user_id, |scope| scope == Scope::All) {
                    let joined = registry.subscribe(id, room_id, false, None);
                    registry.route(joined);
                }
            }
            Event::MemberLeft { room_id, user_id } => {
                let mut registry = self.lock();
                for id in registry.user_conns(user_id, |scope| scope == Scope::All) {
                    let left = registry.unsubscribe(id, room_id);
                    registry.route(left);
                }
                let ending = Ending::Close(
                    CloseCode::Forbidden,
                    "You are no longer a member of this room.".into(),
                );
                registry.end_where(
                    |c| c.scope == Scope::Room(room_id) && c.user.id == user_id,
                    &ending,
                );
            }
            Event::RoomDeleted { room_id } => {
                let mut registry = self.lock();
                let ending = Ending::Close(CloseCode::NotFound, "The room was deleted.".into());
                registry.end_where(|c| c.scope == Scope::Room(room_id), &ending);
                for id in registry.room_conns(room_id) {
                    let left = registry.unsubscribe(id, room_id);
                    registry.route(left);
                }
            }
            Event::SessionsEnded { user_id, ended } => self.close_sessions(user_id, ended),
        }
    }

    fn close_sessions(&self, user: UserId, ended: Ended) {
        let ending = Ending::Close(CloseCode::LoggedOut, "Logged out.".into());
        self.lock()
            .end_where(|c| c.user.id == user && ended.includes(c.session), &ending);
    }

    /// Lapses typing indicators whose TTL ran out, telling their rooms.
    pub(super) async fn sweep_typing(self: Arc<Self>) {
        let period = (self.settings.typing_ttl / 5).max(Duration::from_millis(20));
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            let mut registry = self.lock();
            let lapsed = registry.expire_typing(Instant::now());
            registry.route(lapsed);
        }
    }
}
