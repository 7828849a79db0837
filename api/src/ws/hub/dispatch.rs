//! Turning bus events into frames and membership changes, and lapsing typing.

use papo_protocol::CloseCode;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use domain::{RoomId, UserId, events::Event};
use tokio::sync::broadcast;

use super::{ConnId, Ending, Hub, Kind, Outgoing, Scope, deliver, typing_frame};
use crate::ws::frames::{self, ServerFrame};

impl Hub {
    pub(super) async fn dispatch_events(self: Arc<Self>, mut events: broadcast::Receiver<Event>) {
        loop {
            match events.recv().await {
                Ok(event) => self.dispatch(event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Events were lost for everyone: every client must resync.
                    tracing::error!(missed, "the hub fell behind the event bus");
                    let state = self.lock();
                    for conn in state.conns.values() {
                        conn.control.end(Ending::Lagged);
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    fn dispatch(&self, event: Event) {
        let edited = matches!(event, Event::MessageEdited(_));
        match event {
            Event::MessagePosted { message, origin } => {
                let room = message.room_id;
                let kind = Kind::Message {
                    room,
                    seq: message.seq,
                };
                let frame = Outgoing::new(&ServerFrame::Message(frames::message(message)), kind);
                deliver(&self.lock(), room, &frame, origin);
            }
            Event::MessageEdited(message) | Event::MessageDeleted(message) => {
                let room = message.room_id;
                let room_id = room.as_uuid();
                let frame = if edited {
                    ServerFrame::Edited {
                        room_id,
                        message: frames::message(message),
                    }
                } else {
                    ServerFrame::Deleted {
                        room_id,
                        message: frames::message(message),
                    }
                };
                let frame = Outgoing::new(&frame, Kind::Reliable);
                deliver(&self.lock(), room, &frame, None);
            }
            Event::ReadMoved {
                room_id,
                user_id,
                seq,
            } => {
                let frame = Outgoing::new(&frames::read(room_id, user_id, seq), Kind::Droppable);
                deliver(&self.lock(), room_id, &frame, None);
            }
            Event::MemberJoined { room_id, user_id } => {
                for id in self.user_conns(user_id, |scope| scope == Scope::All) {
                    self.subscribe(id, room_id);
                }
            }
            Event::MemberLeft { room_id, user_id } => {
                for id in self.user_conns(user_id, |scope| scope == Scope::All) {
                    self.unsubscribe(id, room_id);
                }
                self.end_room_conns(
                    room_id,
                    Some(user_id),
                    CloseCode::Forbidden,
                    "You are no longer a member of this room.",
                );
            }
            Event::RoomDeleted { room_id } => {
                let followers: Vec<ConnId> = {
                    let state = self.lock();
                    state
                        .rooms
                        .get(&room_id)
                        .map(|r| r.conns.iter().copied().collect())
                        .unwrap_or_default()
                };
                self.end_room_conns(room_id, None, CloseCode::NotFound, "The room was deleted.");
                for id in followers {
                    self.unsubscribe(id, room_id);
                }
            }
            Event::LoggedOut { user_id } => {
                self.close_user(
                    user_id,
                    &Ending::Close(CloseCode::LoggedOut, "Logged out.".into()),
                );
            }
        }
    }

    fn user_conns(&self, user: UserId, wanted: impl Fn(Scope) -> bool) -> Vec<ConnId> {
        let state = self.lock();
        state
            .users
            .get(&user)
            .into_iter()
            .flatten()
            .filter(|id| state.conns.get(id).is_some_and(|c| wanted(c.scope)))
            .copied()
            .collect()
    }

    /// Closes the single-room connections to `room` (of `user` only, if given).
    fn end_room_conns(&self, room: RoomId, user: Option<UserId>, code: CloseCode, reason: &str) {
        let state = self.lock();
        for conn in state.conns.values() {
            if conn.scope == Scope::Room(room) && user.is_none_or(|u| conn.user.id == u) {
                conn.control.end(Ending::Close(code, reason.to_owned()));
            }
        }
    }

    /// Lapses typing indicators whose TTL ran out, telling their rooms.
    pub(super) async fn sweep_typing(self: Arc<Self>) {
        let period = (self.settings.typing_ttl / 5).max(Duration::from_millis(20));
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            let now = Instant::now();
            let mut state = self.lock();
            let mut changed = Vec::new();
            for (room, entry) in &mut state.rooms {
                if !entry.typing.is_empty() && entry.typing.expire(now) {
                    changed.push((*room, typing_frame(*room, entry)));
                }
            }
            for (room, frame) in changed {
                deliver(&state, room, &frame, None);
            }
        }
    }
}
