//! Who is connected: to this node ([`LocalPresence`]), or to any node sharing the
//! database ([`cluster::ClusterPresence`]).

pub mod cluster;

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
};

use domain::{UserId, ports::Presence};

/// [`Presence`] counted per process: a user is online while they have at least one
/// live socket here.
#[derive(Debug, Default)]
pub struct LocalPresence {
    /// Live sockets per user. A std mutex, not tokio's: it is held for a map lookup
    /// and never across an await.
    sockets: Mutex<HashMap<UserId, usize>>,
}

impl LocalPresence {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Presence for LocalPresence {
    fn is_online(&self, user: UserId) -> bool {
        let sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        sockets.contains_key(&user)
    }

    fn online_users(&self) -> Vec<UserId> {
        let sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        sockets.keys().copied().collect()
    }

    fn connect(&self, user: UserId) -> bool {
        let mut sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        let count = sockets.entry(user).or_insert(0);
        *count += 1;
        *count == 1
    }

    fn disconnect(&self, user: UserId) -> bool {
        let mut sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        match sockets.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                sockets.remove(&user);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_online_until_their_last_socket_closes() {
        let presence = LocalPresence::new();
        let user = UserId::new();
        assert!(presence.connect(user));
        assert!(!presence.connect(user));
        assert!(!presence.disconnect(user));
        assert!(presence.is_online(user));
        assert!(presence.disconnect(user));
        assert!(!presence.is_online(user));
        assert!(!presence.disconnect(user));
    }
}
