//! The hub's state as a plain type: which connection follows which room, who is
//! present and typing where. Changes return what they must announce ([`Delivery`]s),
//! so the rules are unit-tested without sockets; [`Registry::route`] then queues them.
//!
//! With several nodes, a room's presence and typing lists span the cluster: this
//! node's own subscriptions plus what the others said ([`elsewhere`]). A user's first
//! socket here in a room, and their last, are news for the other nodes
//! ([`Registry::take_news`]); a `system` join or leave is announced only when the user
//! came to, or left, the room on every node.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Instant,
};

use domain::{RoomId, UserId, events::PeerNews, user::UserSummary};
use tokio::sync::mpsc;

use self::{
    elsewhere::Elsewhere,
    order::{Fill, Followup, MAX_HELD, Order, Posting},
    route::{presence_frame, typing_frame},
};
use crate::ws::{
    frames::{self, SystemEvent},
    session::{ConnId, Control, Ending, Kind, Outgoing, Scope},
    typing::Typing,
};

pub mod elsewhere;
mod indicators;
pub mod order;
mod peers;
mod route;

/// A frame and who gets it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub to: Target,
    pub frame: Outgoing,
}

/// Who a [`Delivery`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every follower of the room but `skip` (the sender's own connection).
    Room { room: RoomId, skip: Option<ConnId> },
    /// One connection.
    Conn(ConnId),
}

impl Delivery {
    fn room(room: RoomId, frame: Outgoing) -> Self {
        Self {
            to: Target::Room { room, skip: None },
            frame,
        }
    }
}

/// One live connection.
pub struct Conn {
    pub user: UserSummary,
    pub session: uuid::Uuid,
    pub scope: Scope,
    pub queue: mpsc::Sender<Outgoing>,
    pub control: Arc<Control>,
    rooms: HashSet<RoomId>,
}

impl Conn {
    pub fn new(
        user: UserSummary,
        session: uuid::Uuid,
        scope: Scope,
        queue: mpsc::Sender<Outgoing>,
        control: Arc<Control>,
    ) -> Self {
        Self {
            user,
            session,
            scope,
            queue,
            control,
            rooms: HashSet::new(),
        }
    }
}

#[derive(Default)]
struct RoomState {
    conns: HashSet<ConnId>,
    /// Users following the room, with how many of their connections do: a room's
    /// presence is derived from its subscriptions (the user-level "online" is the
    /// domain's presence port).
    present: Vec<(UserSummary, usize)>,
    typing: Typing,
    order: Order,
}

/// See the module docs.
#[derive(Default)]
pub struct Registry {
    conns: HashMap<ConnId, Conn>,
    rooms: HashMap<RoomId, RoomState>,
    users: HashMap<UserId, HashSet<ConnId>>,
    /// What the other nodes said about rooms.
    elsewhere: Elsewhere,
    /// News for the other nodes, in the order it happened.
    news: Vec<PeerNews>,
    /// When the other nodes were last told that a user types in a room here, so a
    /// long stretch of typing is renewed before their copies lapse.
    told_typing: HashMap<(RoomId, UserId), Instant>,
}

impl Registry {
    /// Adds a connection that follows no room yet.
    pub fn add(&mut self, id: ConnId, conn: Conn) {
        self.users.entry(conn.user.id).or_default().insert(id);
        self.conns.insert(id, conn);
    }

    /// Removes a connection, leaving every room it followed.
    pub fn remove(&mut self, id: ConnId) -> Vec<Delivery> {
        let rooms: Vec<RoomId> = self
            .conns
            .get(&id)
            .map(|c| c.rooms.iter().copied().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for room in rooms {
            out.extend(self.unsubscribe(id, room));
        }
        if let Some(conn) = self.conns.remove(&id)
            && let Some(ids) = self.users.get_mut(&conn.user.id)
        {
            ids.remove(&id);
            if ids.is_empty() {
                self.users.remove(&conn.user.id);
            }
        }
        out
    }

    /// Makes `id` follow `room`. The user's first connection there is announced (a
    /// system `join` and the presence list to the room); a further one just gets the
    /// presence list. With `quiet`, `id` itself is sent nothing: a socket that follows
    /// all its rooms at once on connect is sent their presence lists by replay, which
    /// waits for room in its queue instead of overflowing it.
    ///
    /// `head` is the room's newest seq, read before following: the room's messages
    /// after it go out in order (see [`order`]).
    pub fn subscribe(
        &mut self,
        id: ConnId,
        room: RoomId,
        quiet: bool,
        head: Option<i64>,
    ) -> Vec<Delivery> {
        let Some(conn) = self.conns.get_mut(&id) else {
            return Vec::new();
        };
        if !conn.rooms.insert(room) {
            return Vec::new();
        }
        let user = conn.user.clone();
        let entry = self.rooms.entry(room).or_default();
        if let Some(head) = head {
            entry.order.know_head(head);
        }
        entry.conns.insert(id);
        let first = match entry.present.iter_mut().find(|(u, _)| u.id == user.id) {
            Some((_, n)) => {
                *n += 1;
                false
            }
            None => {
                entry.present.push((user.clone(), 1));
                true
            }
        };
        // Already here on another node: nothing changes for the room.
        let came = first && !self.elsewhere.is_present(room, user.id);
        let presence = presence_frame(room, Some(entry), &self.elsewhere);
        if first {
            self.tell_entered(&user, room);
        }
        if !came {
            if quiet {
                return Vec::new();
            }
            return vec![Delivery {
                to: Target::Conn(id),
                frame: presence,
            }];
        }
        let others = Target::Room {
            room,
            skip: Some(id),
        };
        // The joining connection is not told that it joined: on connect a socket
        // follows every room of its user at once, and one reliable frame per room
        // would overflow its queue (someone invited into 1,100 rooms was cut with
        // 4008 on every connect). It gets the presence list, which may be dropped.
        let join = frames::system(room, SystemEvent::Join, &user);
        vec![
            Delivery {
                to: others,
                frame: Outgoing::new(&join, Kind::Reliable),
            },
            Delivery {
                to: if quiet {
                    others
                } else {
                    Target::Room { room, skip: None }
                },
                frame: presence,
            },
        ]
    }

    /// Stops `id` following `room`. The user's last connection there announces their
    /// leaving and clears their typing indicator.
    pub fn unsubscribe(&mut self, id: ConnId, room: RoomId) -> Vec<Delivery> {
        let Some(conn) = self.conns.get_mut(&id) else {
            return Vec::new();
        };
        if !conn.rooms.remove(&room) {
            return Vec::new();
        }
        let user = conn.user.clone();
        let Some(entry) = self.rooms.get_mut(&room) else {
            return Vec::new();
        };
        entry.conns.remove(&id);
        let mut last = false;
        if let Some(i) = entry.present.iter().position(|(u, _)| u.id == user.id) {
            entry.present[i].1 -= 1;
            if entry.present[i].1 == 0 {
                entry.present.remove(i);
                last = true;
            }
        }
        if !last {
            if entry.conns.is_empty() {
                self.rooms.remove(&room);
            }
            return Vec::new();
        }
        let typing_changed =
            entry
                .typing
                .set(user.id, false, Instant::now(), std::time::Duration::ZERO);
        let empty = entry.conns.is_empty();
        let out = if empty {
            Vec::new()
        } else if self.elsewhere.is_present(room, user.id) {
            // Still here on another node: nothing changes for the room but typing.
            let typing = typing_frame(room, entry, &self.elsewhere);
            typing_changed
                .then(|| Delivery::room(room, typing))
                .into_iter()
                .collect()
        } else {
            let leave = frames::system(room, SystemEvent::Leave, &user);
            let mut out = vec![
                Delivery::room(room, Outgoing::new(&leave, Kind::Reliable)),
                Delivery::room(room, presence_frame(room, Some(entry), &self.elsewhere)),
            ];
            if typing_changed {
                out.push(Delivery::room(
                    room,
                    typing_frame(room, entry, &self.elsewhere),
                ));
            }
            out
        };
        if empty {
            self.rooms.remove(&room);
        }
        self.told_typing.remove(&(room, user.id));
        self.tell_left(user.id, room);
        out
    }

    /// A committed message of `room`: queued for its followers (but `skip`) in seq
    /// order; returns the gap to read when it came early.
    pub fn sequence(
        &mut self,
        room: RoomId,
        seq: i64,
        frame: Posting,
        skip: Option<ConnId>,
    ) -> Option<Fill> {
        let entry = self.rooms.get_mut(&room)?;
        let (out, fill) = entry.order.message(seq, frame, skip);
        if entry.order.held() > MAX_HELD {
            // The gap is not closing: the followers resume from the database.
            tracing::error!(%room, "messages past a gap piled up; cutting the room's sockets");
            entry.order = Order::new(None);
            let conns: Vec<ConnId> = entry.conns.iter().copied().collect();
            for id in conns {
                if let Some(conn) = self.conns.get(&id) {
                    conn.control.end(Ending::Lagged);
                }
            }
            return None;
        }
        for (posting, skip) in out {
            self.deliver(room, &posting.frame, skip);
            for followup in posting.then {
                match followup {
                    Followup::Room(frame) => self.deliver(room, &frame, None),
                    Followup::User(user, frame) => {
                        for id in self.user_conns(user, |scope| scope == Scope::All) {
                            if self.follows(id, room) {
                                self.send(id, frame.clone());
                            }
                        }
                    }
                }
            }
        }
        fill
    }

    /// Another node committed `from..=upto` of `room`: the gap to read, if any.
    pub fn notice(&mut self, room: RoomId, from: i64, upto: i64) -> Option<Fill> {
        self.rooms.get_mut(&room)?.order.notice(from, upto)
    }

    /// A fill of `room` ended short of what it asked for, or failed.
    pub fn fill_ended(&mut self, room: RoomId) {
        if let Some(entry) = self.rooms.get_mut(&room) {
            entry.order.fill_ended();
        }
    }

    /// The followed rooms whose cursor is known, with it.
    pub fn cursors(&self) -> Vec<(RoomId, i64)> {
        self.rooms
            .iter()
            .filter_map(|(room, entry)| Some((*room, entry.order.cursor()?)))
            .collect()
    }

    /// Whether `id` follows `room`.
    pub fn follows(&self, id: ConnId, room: RoomId) -> bool {
        self.conns.get(&id).is_some_and(|c| c.rooms.contains(&room))
    }

    /// The connections of `user` whose scope passes `wanted`.
    pub fn user_conns(&self, user: UserId, wanted: impl Fn(Scope) -> bool) -> Vec<ConnId> {
        self.users
            .get(&user)
            .into_iter()
            .flatten()
            .filter(|id| self.conns.get(id).is_some_and(|c| wanted(c.scope)))
            .copied()
            .collect()
    }

    /// Every live connection.
    pub fn all_conns(&self) -> Vec<ConnId> {
        self.conns.keys().copied().collect()
    }

    /// The connections following `room`.
    pub fn room_conns(&self, room: RoomId) -> Vec<ConnId> {
        self.rooms
            .get(&room)
            .map(|r| r.conns.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Ends every connection that `which` picks.
    pub fn end_where(&self, which: impl Fn(&Conn) -> bool, ending: &Ending) {
        for conn in self.conns.values().filter(|c| which(c)) {
            conn.control.end(ending.clone());
        }
    }

    /// The number of live connections.
    pub fn len(&self) -> usize {
        self.conns.len()
    }
}

#[cfg(test)]
mod tests;
