//! Presence across nodes. Each node counts its own sockets and tells the others when
//! a user's first one opens or last one closes; each keeps the others' online users,
//! node by node ([`Roster`]). A node says it is alive every third of
//! `node_timeout`; one not heard from for `node_timeout` (killed, cut off) is
//! forgotten, and its users are offline unless connected elsewhere. A node that
//! starts, or whose listening connection was cut, asks every node for its list.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use domain::{UserId, ports::Presence};
use uuid::Uuid;

use super::LocalPresence;
use crate::bus::{SharedBus, notice::Body};

/// Users per roster notice: a UUID is 38 bytes of JSON, well under 8,000 bytes.
pub const ROSTER_CHUNK: usize = 150;

/// The other nodes' online users.
#[derive(Debug, Default)]
pub struct Roster {
    nodes: HashMap<Uuid, Node>,
}

#[derive(Debug)]
struct Node {
    users: HashSet<UserId>,
    heard: Instant,
}

impl Roster {
    /// Records a presence notice from `node`; any notice shows the node is alive.
    pub fn apply(&mut self, node: Uuid, body: &Body, now: Instant) {
        let entry = self.nodes.entry(node).or_insert_with(|| Node {
            users: HashSet::new(),
            heard: now,
        });
        entry.heard = now;
        match body {
            Body::Online { user } => {
                entry.users.insert(UserId::from_uuid(*user));
            }
            Body::Offline { user } => {
                entry.users.remove(&UserId::from_uuid(*user));
            }
            Body::Roster { reset, users } => {
                if *reset {
                    entry.users.clear();
                }
                entry
                    .users
                    .extend(users.iter().map(|&u| UserId::from_uuid(u)));
            }
            Body::Gone => {
                self.nodes.remove(&node);
            }
            _ => {}
        }
    }

    /// Notes that `node` was heard from; returns whether it was known.
    pub fn touch(&mut self, node: Uuid, now: Instant) -> bool {
        match self.nodes.get_mut(&node) {
            Some(entry) => {
                entry.heard = now;
                true
            }
            None => false,
        }
    }

    /// Forgets nodes not heard from since `now - timeout`; returns them.
    pub fn expire(&mut self, now: Instant, timeout: Duration) -> Vec<Uuid> {
        let gone: Vec<Uuid> = self
            .nodes
            .iter()
            .filter(|(_, node)| now.duration_since(node.heard) >= timeout)
            .map(|(id, _)| *id)
            .collect();
        for id in &gone {
            self.nodes.remove(id);
        }
        gone
    }

    pub fn is_online(&self, user: UserId) -> bool {
        self.nodes.values().any(|node| node.users.contains(&user))
    }

    pub fn online(&self) -> HashSet<UserId> {
        self.nodes
            .values()
            .flat_map(|node| node.users.iter().copied())
            .collect()
    }
}

/// [`Presence`] for the whole cluster: this node's sockets plus the [`Roster`].
pub struct ClusterPresence {
    local: Arc<LocalPresence>,
    roster: Arc<Mutex<Roster>>,
    bus: Arc<SharedBus>,
}

impl ClusterPresence {
    pub fn new(local: Arc<LocalPresence>, roster: Arc<Mutex<Roster>>, bus: Arc<SharedBus>) -> Self {
        Self { local, roster, bus }
    }

    fn roster(&self) -> std::sync::MutexGuard<'_, Roster> {
        self.roster.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Presence for ClusterPresence {
    fn is_online(&self, user: UserId) -> bool {
        self.local.is_online(user) || self.roster().is_online(user)
    }

    fn online_users(&self) -> Vec<UserId> {
        let mut users = self.roster().online();
        users.extend(self.local.online_users());
        users.into_iter().collect()
    }

    fn connect(&self, user: UserId) -> bool {
        let first = self.local.connect(user);
        if first {
            self.bus.say(Body::Online {
                user: user.as_uuid(),
            });
        }
        first
    }

    fn disconnect(&self, user: UserId) -> bool {
        let last = self.local.disconnect(user);
        if last {
            self.bus.say(Body::Offline {
                user: user.as_uuid(),
            });
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_not_heard_from_takes_its_users_offline() {
        let mut roster = Roster::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let user = UserId::new();
        let start = Instant::now();
        roster.apply(
            a,
            &Body::Online {
                user: user.as_uuid(),
            },
            start,
        );
        roster.apply(
            b,
            &Body::Online {
                user: user.as_uuid(),
            },
            start,
        );
        let later = start + Duration::from_secs(20);
        roster.apply(b, &Body::Heartbeat, later);
        assert_eq!(
            roster.expire(later + Duration::from_secs(15), Duration::from_secs(30)),
            vec![a]
        );
        assert!(roster.is_online(user), "still connected to b");
        roster.apply(
            b,
            &Body::Offline {
                user: user.as_uuid(),
            },
            later,
        );
        assert!(!roster.is_online(user));
    }

    #[test]
    fn a_roster_replaces_what_a_node_said_before() {
        let mut roster = Roster::default();
        let node = Uuid::new_v4();
        let (old, new) = (UserId::new(), UserId::new());
        let now = Instant::now();
        roster.apply(
            node,
            &Body::Online {
                user: old.as_uuid(),
            },
            now,
        );
        let list = Body::Roster {
            reset: true,
            users: vec![new.as_uuid()],
        };
        roster.apply(node, &list, now);
        assert_eq!(roster.online(), HashSet::from([new]));
        roster.apply(node, &Body::Gone, now);
        assert!(roster.online().is_empty());
    }
}
