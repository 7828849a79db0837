//! Routing: queueing deliveries into the connections' bounded queues, and the
//! presence and typing frames a room's state makes.

use domain::{RoomId, UserId, user::UserSummary};
use tokio::sync::mpsc;

use super::{Delivery, Registry, RoomState, Target, elsewhere::Elsewhere};
use crate::ws::{
    frames,
    session::{ConnId, Ending, Kind, Outgoing, Scope},
};

impl Registry {
    /// Queues each delivery.
    pub fn route(&self, deliveries: Vec<Delivery>) {
        for Delivery { to, frame } in deliveries {
            match to {
                Target::Room { room, skip } => self.deliver(room, &frame, skip),
                Target::Conn(id) => self.send(id, frame),
            }
        }
    }

    /// Queues `frame` for every follower of `room` but `skip`.
    pub fn deliver(&self, room: RoomId, frame: &Outgoing, skip: Option<ConnId>) {
        let Some(entry) = self.rooms.get(&room) else {
            return;
        };
        let mut queued = 0_u64;
        for id in &entry.conns {
            if Some(*id) != skip {
                self.send(*id, frame.clone());
                queued += 1;
            }
        }
        if matches!(frame.kind, Kind::Message { .. }) {
            metrics::counter!("papo_deliveries_total").increment(queued);
        }
    }

    /// Queues for every follower of `room` the frame its user sees: `own`'s, or
    /// `plain`.
    pub fn deliver_per_reader(
        &self,
        room: RoomId,
        plain: &Outgoing,
        own: &std::collections::HashMap<UserId, Outgoing>,
    ) {
        let Some(entry) = self.rooms.get(&room) else {
            return;
        };
        for id in &entry.conns {
            let Some(conn) = self.conns.get(id) else {
                continue;
            };
            self.send(*id, own.get(&conn.user.id).unwrap_or(plain).clone());
        }
    }

    /// Queues `frame` for every follower of `room` who is not `user`.
    pub fn deliver_unless_user(&self, room: RoomId, frame: &Outgoing, user: UserId) {
        let Some(entry) = self.rooms.get(&room) else {
            return;
        };
        for id in &entry.conns {
            if self.conns.get(id).is_some_and(|c| c.user.id != user) {
                self.send(*id, frame.clone());
            }
        }
    }

    /// Queues `frame` for those of `to` that are multiplexed sockets, each once.
    pub fn send_multiplexed(&self, mut to: Vec<ConnId>, frame: &Outgoing) {
        to.sort_unstable();
        to.dedup();
        for id in to {
            if self.conns.get(&id).is_some_and(|c| c.scope == Scope::All) {
                self.send(id, frame.clone());
            }
        }
    }

    /// Queues `frame` for one connection with `try_send`: a slow connection never
    /// delays the others. A full queue drops a droppable frame and otherwise marks the
    /// connection as lagging (its writer then closes it with 4008).
    pub fn send(&self, id: ConnId, frame: Outgoing) {
        let Some(conn) = self.conns.get(&id) else {
            return;
        };
        let droppable = matches!(frame.kind, Kind::Droppable);
        match conn.queue.try_send(frame) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) if droppable => {
                metrics::counter!("papo_frames_dropped_total").increment(1);
            }
            Err(mpsc::error::TrySendError::Full(_)) => conn.control.end(Ending::Lagged),
        }
    }
}

/// Who follows `room`, here (`entry`) and on the other nodes, each once.
pub(super) fn presence_frame(
    room: RoomId,
    entry: Option<&RoomState>,
    elsewhere: &Elsewhere,
) -> Outgoing {
    let mut online: Vec<UserSummary> = entry
        .into_iter()
        .flat_map(|e| e.present.iter().map(|(u, _)| u.clone()))
        .collect();
    for user in elsewhere.present(room) {
        if !online.iter().any(|u| u.id == user.id) {
            online.push(user.clone());
        }
    }
    Outgoing::new(&frames::users(room, online, false), Kind::Droppable)
}

/// Who types in `room`, here and on the other nodes, each once.
pub(super) fn typing_frame(room: RoomId, entry: &RoomState, elsewhere: &Elsewhere) -> Outgoing {
    let mut users: Vec<UserSummary> = entry
        .typing
        .users()
        .filter_map(|id| entry.present.iter().find(|(u, _)| u.id == id))
        .map(|(u, _)| u.clone())
        .collect();
    for user in elsewhere.typing(room) {
        if !users.iter().any(|u| u.id == user.id) {
            users.push(user.clone());
        }
    }
    Outgoing::new(&frames::users(room, users, true), Kind::Droppable)
}
