//! The other nodes of a cluster: news for them about this node's sockets, and what
//! their news changes here. A user's coming and going is announced to a room (a
//! `system` join or leave) only when it is true of the whole cluster: someone who
//! moves from one node to another stays in the room throughout.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use domain::{RoomId, UserId, events::PeerNews, user::UserSummary};

use super::{
    Delivery, Registry,
    elsewhere::NodeId,
    route::{presence_frame, typing_frame},
};
use crate::ws::{
    frames::{self, SystemEvent},
    session::{Kind, Outgoing},
};

impl Registry {
    /// The news gathered since the last call, oldest first.
    pub fn take_news(&mut self) -> Vec<PeerNews> {
        std::mem::take(&mut self.news)
    }

    /// `user`'s first socket here follows `room`: merged into the news just before
    /// when it is about the same user (a socket follows all its rooms at once).
    pub(super) fn tell_entered(&mut self, user: &UserSummary, room: RoomId) {
        if let Some(PeerNews::Entered { user: u, rooms }) = self.news.last_mut()
            && u.id == user.id
        {
            rooms.push(room);
            return;
        }
        self.news.push(PeerNews::Entered {
            user: user.clone(),
            rooms: vec![room],
        });
    }

    /// `user`'s last socket here stopped following `room` (merged like
    /// [`Self::tell_entered`]).
    pub(super) fn tell_left(&mut self, user: UserId, room: RoomId) {
        if let Some(PeerNews::Left { user: u, rooms }) = self.news.last_mut()
            && *u == user
        {
            rooms.push(room);
            return;
        }
        self.news.push(PeerNews::Left {
            user,
            rooms: vec![room],
        });
    }

    /// Every user followed here, with their rooms: the answer to a node that asks.
    pub fn roster(&self) -> PeerNews {
        let mut users: HashMap<UserId, (UserSummary, Vec<RoomId>)> = HashMap::new();
        for (room, entry) in &self.rooms {
            for (user, _) in &entry.present {
                users
                    .entry(user.id)
                    .or_insert_with(|| (user.clone(), Vec::new()))
                    .1
                    .push(*room);
            }
        }
        PeerNews::Roster {
            reset: true,
            entries: users.into_values().collect(),
        }
    }

    /// Applies news from `node`; returns what this node's sockets must be told.
    pub fn peer_news(
        &mut self,
        node: NodeId,
        news: PeerNews,
        now: Instant,
        ttl: Duration,
    ) -> Vec<Delivery> {
        match news {
            PeerNews::Entered { user, rooms } => {
                let mut out = Vec::new();
                for room in rooms {
                    if self.elsewhere.enter(node, room, &user) && !self.here(room, user.id) {
                        out.extend(self.announce(room, SystemEvent::Join, &user, false));
                    }
                }
                out
            }
            PeerNews::Left { user, rooms } => {
                let mut out = Vec::new();
                for room in rooms {
                    let summary = self.elsewhere.user(room, user).cloned();
                    let gone = self.elsewhere.leave(node, room, user);
                    if let (true, Some(summary)) = (gone.absent, summary)
                        && !self.here(room, user)
                    {
                        out.extend(self.announce(room, SystemEvent::Leave, &summary, gone.typing));
                    }
                }
                out
            }
            PeerNews::Typing { room, user, typing } => {
                if !self.elsewhere.set_typing(room, user, typing, now, ttl) {
                    return Vec::new();
                }
                let Some(entry) = self.rooms.get(&room) else {
                    return Vec::new();
                };
                vec![Delivery::room(
                    room,
                    typing_frame(room, entry, &self.elsewhere),
                )]
            }
            PeerNews::Roster { reset, entries } => self.apply_roster(node, reset, entries),
        }
    }

    /// `node` stopped or went silent: its users leave the rooms they are in nowhere
    /// else.
    pub fn peer_gone(&mut self, node: NodeId) -> Vec<Delivery> {
        let mut out = Vec::new();
        for (room, user, typing) in self.elsewhere.forget(node) {
            if !self.here(room, user.id) {
                out.extend(self.announce(room, SystemEvent::Leave, &user, typing));
            }
        }
        out
    }

    /// A node's roster replaces (`reset`) or extends what it said. It corrects what
    /// lost news got wrong, quietly: the rooms whose lists changed get a fresh
    /// presence frame, but nobody is announced as joining or leaving.
    fn apply_roster(
        &mut self,
        node: NodeId,
        reset: bool,
        entries: Vec<(UserSummary, Vec<RoomId>)>,
    ) -> Vec<Delivery> {
        let mut touched: HashSet<RoomId> = HashSet::new();
        if reset {
            touched.extend(self.elsewhere.rooms_of(node));
            self.elsewhere.forget(node);
        }
        for (user, rooms) in entries {
            for room in rooms {
                self.elsewhere.enter(node, room, &user);
                touched.insert(room);
            }
        }
        touched
            .into_iter()
            .filter(|room| self.rooms.contains_key(room))
            .map(|room| Delivery::room(room, self.presence(room)))
            .collect()
    }

    /// Whether a socket of `user` here follows `room`.
    fn here(&self, room: RoomId, user: UserId) -> bool {
        self.rooms
            .get(&room)
            .is_some_and(|entry| entry.present.iter().any(|(u, _)| u.id == user))
    }

    /// A user came to or left `room` on the whole cluster: the room's followers here
    /// get the `system` frame and the new presence list (and typing list, if the user
    /// was typing).
    fn announce(
        &self,
        room: RoomId,
        event: SystemEvent,
        user: &UserSummary,
        typing: bool,
    ) -> Vec<Delivery> {
        let Some(entry) = self.rooms.get(&room) else {
            return Vec::new();
        };
        let system = frames::system(room, event, user);
        let mut out = vec![
            Delivery::room(room, Outgoing::new(&system, Kind::Reliable)),
            Delivery::room(room, presence_frame(room, Some(entry), &self.elsewhere)),
        ];
        if typing {
            out.push(Delivery::room(
                room,
                typing_frame(room, entry, &self.elsewhere),
            ));
        }
        out
    }
}
