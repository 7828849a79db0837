//! Login throttling, so passwords cannot be guessed at the speed of the network and
//! cannot be used to lock an owner out.
//!
//! Two counters per window: wrong passwords for one username **from one client
//! address** (10 by default), and wrong passwords from one address for any username
//! (100). An attempt is counted *before* its password is hashed and uncounted if it
//! succeeds, so 40 guesses sent at once get 10 evaluations, not 37. Someone guessing
//! from elsewhere does not lock the owner out from their own address.
//!
//! Memory is bounded: keys are fixed-size hashes (a username of any length costs the
//! same), and past [`MAX_KEYS`] live keys new ones are refused (429) until old ones
//! expire, rather than letting an attacker grow the map.

use crate::client_ip::ClientAddress;
use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The address a request is attributed to: the client behind a trusted proxy (see
/// `client_ip`), else the TCP peer; 0.0.0.0 when unknown, e.g. over a Unix socket.
pub fn client_address(req: &poem::Request) -> IpAddr {
    if let Some(ClientAddress(address)) = req.extensions().get::<ClientAddress>() {
        return *address;
    }
    peer_address(req)
}

/// The TCP peer's address (0.0.0.0 when unknown).
pub fn peer_address(req: &poem::Request) -> IpAddr {
    req.remote_addr()
        .as_socket_addr()
        .map_or(IpAddr::from([0, 0, 0, 0]), std::net::SocketAddr::ip)
}

/// Live keys kept at most, names and addresses together (about 40 bytes each).
pub const MAX_KEYS: usize = 200_000;

/// Failed logins per key in a fixed window that starts at the first failure.
#[derive(Debug)]
pub struct LoginThrottle {
    per_name: u32,
    per_address: u32,
    window: Duration,
    /// Keys of `(username, address)` pairs are SipHash with a per-process random key,
    /// so nobody can precompute colliding usernames.
    hasher: RandomState,
    /// A std mutex: held for a map update only.
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    names: HashMap<u64, Window>,
    addresses: HashMap<IpAddr, Window>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    count: u32,
    since: Instant,
}

/// A login attempt that was let through and counted; tell the throttle how it went.
#[must_use]
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    name: u64,
    address: IpAddr,
}

impl LoginThrottle {
    pub fn new(per_name: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_name,
            per_address,
            window,
            hasher: RandomState::new(),
            state: Mutex::new(State::default()),
        }
    }

    /// Counts an attempt for `username` from `address`, or says how long to wait.
    ///
    /// Fails with the time until the window passes when either counter is full (or
    /// the throttle is full of live keys).
    pub fn begin(
        &self,
        username: &str,
        address: IpAddr,
        now: Instant,
    ) -> Result<Attempt<'_>, Duration> {
        let name = self.hasher.hash_one((username.to_lowercase(), address));
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.names.len() + state.addresses.len() >= MAX_KEYS {
            let window = self.window;
            state
                .names
                .retain(|_, w| now.duration_since(w.since) < window);
            state
                .addresses
                .retain(|_, w| now.duration_since(w.since) < window);
            let known = state.names.contains_key(&name) && state.addresses.contains_key(&address);
            if !known && state.names.len() + state.addresses.len() >= MAX_KEYS {
                return Err(self.window);
            }
        }
        let by_name = current(state.names.get(&name), now, self.window);
        let by_address = current(state.addresses.get(&address), now, self.window);
        for (window, max) in [(by_name, self.per_name), (by_address, self.per_address)] {
            if window.count >= max {
                return Err((window.since + self.window).saturating_duration_since(now));
            }
        }
        state.names.insert(name, bump(by_name));
        state.addresses.insert(address, bump(by_address));
        Ok(Attempt {
            throttle: self,
            name,
            address,
        })
    }
}

impl Attempt<'_> {
    /// The password was right: this pair starts over, and the address is not charged.
    pub fn succeeded(self) {
        let mut state = self
            .throttle
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.names.remove(&self.name);
        if let Some(window) = state.addresses.get_mut(&self.address) {
            window.count = window.count.saturating_sub(1);
        }
    }

    /// The password was wrong: the attempt stays counted.
    pub fn failed(self) {}

    /// The attempt was not judged (the server could not check it): uncount it.
    pub fn abandoned(self) {
        let mut guard = self
            .throttle
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let state = &mut *guard;
        for window in [
            state.names.get_mut(&self.name),
            state.addresses.get_mut(&self.address),
        ]
        .into_iter()
        .flatten()
        {
            window.count = window.count.saturating_sub(1);
        }
    }
}

/// The window as of `now`: a fresh one if none or if it passed.
fn current(window: Option<&Window>, now: Instant, length: Duration) -> Window {
    match window {
        Some(w) if now.duration_since(w.since) < length => *w,
        _ => Window {
            count: 0,
            since: now,
        },
    }
}

fn bump(window: Window) -> Window {
    Window {
        count: window.count + 1,
        ..window
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    const HERE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const THERE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn the_tenth_failure_locks_the_name_from_that_address_until_the_window_passes() {
        let throttle = LoginThrottle::new(10, 100, Duration::from_secs(300));
        let start = Instant::now();
        for _ in 0..10 {
            throttle.begin("Alice", HERE, start).unwrap().failed();
        }

        let locked = throttle.begin("ALICE", HERE, start + Duration::from_secs(100));
        let elsewhere = throttle.begin("alice", THERE, start + Duration::from_secs(100));
        let later = throttle.begin("alice", HERE, start + Duration::from_secs(300));

        assert_eq!(locked.unwrap_err(), Duration::from_secs(200));
        assert!(
            elsewhere.is_ok(),
            "the owner is not locked out from another address"
        );
        assert!(later.is_ok());
    }

    #[test]
    fn attempts_in_flight_count_before_their_outcome() {
        let throttle = LoginThrottle::new(10, 100, Duration::from_secs(60));
        let now = Instant::now();
        let in_flight: Vec<_> = (0..40)
            .filter_map(|_| throttle.begin("bob", HERE, now).ok())
            .collect();

        assert_eq!(in_flight.len(), 10);
        in_flight.into_iter().for_each(Attempt::failed);
    }

    #[test]
    fn an_address_guessing_many_names_is_stopped_too() {
        let throttle = LoginThrottle::new(10, 100, Duration::from_secs(60));
        let now = Instant::now();
        for i in 0..100 {
            throttle
                .begin(&format!("user{i}"), HERE, now)
                .unwrap()
                .failed();
        }

        assert!(throttle.begin("user1000", HERE, now).is_err());
        assert!(throttle.begin("user1000", THERE, now).is_ok());
    }

    #[test]
    fn a_success_clears_the_pair_and_an_abandoned_attempt_is_not_charged() {
        let throttle = LoginThrottle::new(2, 100, Duration::from_secs(60));
        let now = Instant::now();
        throttle.begin("bob", HERE, now).unwrap().failed();
        throttle.begin("bob", HERE, now).unwrap().abandoned();
        throttle.begin("bob", HERE, now).unwrap().succeeded();

        assert!(throttle.begin("bob", HERE, now).is_ok());
    }
}
