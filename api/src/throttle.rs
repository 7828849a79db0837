//! Login throttling: after too many wrong passwords for one username, further attempts
//! for it get 429 with `Retry-After` until the window passes, so passwords cannot be
//! guessed at the speed of the network.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Failed logins per username in a sliding-start window.
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    /// Keyed by the case-folded username. A std mutex: held for a map update only.
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` when `username` is locked out now.
    pub fn check(&self, username: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let &(count, since) = failures.get(&username.to_lowercase())?;
        let until = since + self.window;
        (count >= self.max_failures && now < until).then(|| until - now)
    }

    /// Counts a wrong password.
    pub fn failed(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        let entry = failures.entry(username.to_lowercase()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// A successful login clears the count.
    pub fn succeeded(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(&username.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_locks_the_name_until_the_window_passes() {
        let throttle = LoginThrottle::new(10, Duration::from_secs(300));
        let start = Instant::now();
        for _ in 0..9 {
            throttle.failed("Alice", start);
        }
        assert!(throttle.check("alice", start).is_none());
        throttle.failed("alice", start);
        let wait = throttle
            .check("ALICE", start + Duration::from_secs(100))
            .unwrap();
        assert_eq!(wait, Duration::from_secs(200));
        assert!(
            throttle
                .check("alice", start + Duration::from_secs(300))
                .is_none()
        );
    }

    #[test]
    fn a_success_clears_the_failures() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        let now = Instant::now();
        throttle.failed("bob", now);
        throttle.failed("bob", now);
        assert!(throttle.check("bob", now).is_some());
        throttle.succeeded("bob");
        assert!(throttle.check("bob", now).is_none());
    }
}
