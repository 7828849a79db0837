//! What the other nodes of a cluster said about rooms: which users follow a room
//! there, and who types. A room's presence and typing lists are this node's own plus
//! these, so every node shows the same lists (see `docs/architecture.md`, "Several
//! nodes"). Kept for every room, followed here or not: a socket that follows a room
//! later must find its presence already known.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use domain::{RoomId, UserId, user::UserSummary};
use uuid::Uuid;

/// Another node, by the id it gives itself at start.
pub type NodeId = Uuid;

/// One user in one room, as the other nodes report them.
struct Far {
    user: UserSummary,
    /// The nodes where the user has a socket following the room.
    nodes: HashSet<NodeId>,
    /// When the user's typing indicator lapses, while one is on.
    typing_until: Option<Instant>,
}

/// See the module docs.
#[derive(Default)]
pub struct Elsewhere {
    rooms: HashMap<RoomId, HashMap<UserId, Far>>,
    /// What each node said, to forget it when the node goes.
    said: HashMap<NodeId, HashSet<(RoomId, UserId)>>,
}

impl Elsewhere {
    /// `node` has a socket of `user` following `room`; true when no other node had.
    pub fn enter(&mut self, node: NodeId, room: RoomId, user: &UserSummary) -> bool {
        self.said.entry(node).or_default().insert((room, user.id));
        let far = self
            .rooms
            .entry(room)
            .or_default()
            .entry(user.id)
            .or_insert_with(|| Far {
                user: user.clone(),
                nodes: HashSet::new(),
                typing_until: None,
            });
        far.user = user.clone();
        let first = far.nodes.is_empty();
        far.nodes.insert(node);
        first
    }

    /// `node` has no socket of `user` following `room` any more. Returns whether the
    /// user is now followed nowhere else, and whether their typing indicator went.
    pub fn leave(&mut self, node: NodeId, room: RoomId, user: UserId) -> Gone {
        if let Some(said) = self.said.get_mut(&node) {
            said.remove(&(room, user));
        }
        let Some(users) = self.rooms.get_mut(&room) else {
            return Gone::default();
        };
        let Some(far) = users.get_mut(&user) else {
            return Gone::default();
        };
        if !far.nodes.remove(&node) || !far.nodes.is_empty() {
            return Gone::default();
        }
        let typing = far.typing_until.is_some();
        users.remove(&user);
        if users.is_empty() {
            self.rooms.remove(&room);
        }
        Gone {
            absent: true,
            typing,
        }
    }

    /// Everything `node` said, now that it stopped or went silent: the users it took
    /// out of rooms (followed nowhere else any more), with whether they were typing.
    pub fn forget(&mut self, node: NodeId) -> Vec<(RoomId, UserSummary, bool)> {
        let said = self.said.remove(&node).unwrap_or_default();
        let mut gone = Vec::new();
        for (room, user) in said {
            let summary = self.user(room, user).cloned();
            let left = self.leave(node, room, user);
            if let (true, Some(summary)) = (left.absent, summary) {
                gone.push((room, summary, left.typing));
            }
        }
        gone
    }

    /// The rooms `node` said it follows, without forgetting them.
    pub fn rooms_of(&self, node: NodeId) -> HashSet<RoomId> {
        self.said
            .get(&node)
            .into_iter()
            .flatten()
            .map(|(room, _)| *room)
            .collect()
    }

    /// Whether another node has a socket of `user` following `room`.
    pub fn is_present(&self, room: RoomId, user: UserId) -> bool {
        self.rooms
            .get(&room)
            .is_some_and(|users| users.contains_key(&user))
    }

    /// The user as another node described them, if one follows `room`.
    pub fn user(&self, room: RoomId, user: UserId) -> Option<&UserSummary> {
        self.rooms.get(&room)?.get(&user).map(|far| &far.user)
    }

    /// The users other nodes have following `room`.
    pub fn present(&self, room: RoomId) -> impl Iterator<Item = &UserSummary> {
        self.rooms
            .get(&room)
            .into_iter()
            .flat_map(|users| users.values().map(|far| &far.user))
    }

    /// `user` typing elsewhere in `room` (or not): true when the set changed. Only a
    /// user followed elsewhere can type there.
    pub fn set_typing(
        &mut self,
        room: RoomId,
        user: UserId,
        typing: bool,
        now: Instant,
        ttl: Duration,
    ) -> bool {
        let Some(far) = self.rooms.get_mut(&room).and_then(|u| u.get_mut(&user)) else {
            return false;
        };
        let was = far.typing_until.is_some();
        far.typing_until = typing.then_some(now + ttl);
        was != typing
    }

    /// The users typing elsewhere in `room`.
    pub fn typing(&self, room: RoomId) -> impl Iterator<Item = &UserSummary> {
        self.rooms
            .get(&room)
            .into_iter()
            .flat_map(|users| users.values())
            .filter(|far| far.typing_until.is_some())
            .map(|far| &far.user)
    }

    /// Lapses indicators whose node stopped renewing them; the rooms that changed.
    pub fn expire_typing(&mut self, now: Instant) -> Vec<RoomId> {
        let mut changed = Vec::new();
        for (room, users) in &mut self.rooms {
            let mut any = false;
            for far in users.values_mut() {
                if far.typing_until.is_some_and(|until| until <= now) {
                    far.typing_until = None;
                    any = true;
                }
            }
            if any {
                changed.push(*room);
            }
        }
        changed
    }
}

/// What a [`Elsewhere::leave`] changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Gone {
    /// The user is followed on no other node any more.
    pub absent: bool,
    /// They were typing there.
    pub typing: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ana() -> UserSummary {
        UserSummary {
            id: UserId::new(),
            name: "Ana".into(),
            username: "ana".into(),
        }
    }

    #[test]
    fn a_user_is_present_while_any_node_says_so() {
        let (mut far, room, ana) = (Elsewhere::default(), RoomId::new(), ana());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());

        assert!(far.enter(a, room, &ana));
        assert!(!far.enter(b, room, &ana));
        assert!(!far.leave(a, room, ana.id).absent);
        assert!(far.is_present(room, ana.id));
        assert!(far.leave(b, room, ana.id).absent);
        assert!(!far.is_present(room, ana.id));
        assert_eq!(far.leave(b, room, ana.id), Gone::default());
    }

    #[test]
    fn forgetting_a_node_takes_out_only_what_no_other_node_said() {
        let (mut far, ana, bia) = (Elsewhere::default(), ana(), ana());
        let (lobby, hall) = (RoomId::new(), RoomId::new());
        let (dead, alive) = (Uuid::new_v4(), Uuid::new_v4());
        far.enter(dead, lobby, &ana);
        far.enter(dead, hall, &bia);
        far.enter(alive, hall, &bia);
        far.set_typing(lobby, ana.id, true, Instant::now(), Duration::from_secs(5));

        let gone = far.forget(dead);

        assert_eq!(gone.len(), 1);
        assert_eq!((gone[0].0, gone[0].1.id, gone[0].2), (lobby, ana.id, true));
        assert!(far.is_present(hall, bia.id));
        assert!(far.rooms_of(dead).is_empty());
    }

    #[test]
    fn typing_elsewhere_lapses_unless_renewed() {
        let (mut far, room, ana) = (Elsewhere::default(), RoomId::new(), ana());
        let (node, start, ttl) = (Uuid::new_v4(), Instant::now(), Duration::from_secs(5));
        assert!(!far.set_typing(room, ana.id, true, start, ttl), "not there");
        far.enter(node, room, &ana);

        assert!(far.set_typing(room, ana.id, true, start, ttl));
        assert!(!far.set_typing(room, ana.id, true, start + ttl / 2, ttl));
        assert!(far.expire_typing(start + ttl).is_empty(), "renewed");
        assert_eq!(far.expire_typing(start + ttl * 2), vec![room]);
        assert_eq!(far.typing(room).count(), 0);
    }
}
