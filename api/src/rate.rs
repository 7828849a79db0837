//! Token buckets: a burst is fine, a flood is not. [`UserBuckets`] keeps one per user
//! (for posts, and for socket connects); [`FrameBudget`] is one socket's budget for
//! its other frames.
//!
//! Per node and in memory: with several nodes a user's budget is per node they are
//! connected to. Idle buckets (full again) are dropped as the map grows, so its size
//! follows the users posting now, not every user ever seen.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use domain::UserId;

/// `rate` tokens per second refilled, up to `burst`; a rate of 0 never refuses.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate_per_second: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate: f64::from(rate_per_second),
            burst,
            tokens: burst,
            at: now,
        }
    }

    fn refilled(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.tokens + elapsed * self.rate).min(self.burst)
    }

    /// Takes one token, or says how long until one is there.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let tokens = self.refilled(now);
        self.at = now;
        if tokens < 1.0 {
            self.tokens = tokens;
            return Err(Duration::from_secs_f64((1.0 - tokens) / self.rate));
        }
        self.tokens = tokens - 1.0;
        Ok(())
    }
}

/// One bucket per user: posts (REST and sockets together), or socket connects.
#[derive(Debug)]
pub struct UserBuckets {
    rate: u32,
    burst: u32,
    /// A std mutex: held for one map update.
    buckets: Mutex<HashMap<UserId, Bucket>>,
}

/// Buckets kept before idle ones are swept.
const SWEEP_AT: usize = 10_000;

impl UserBuckets {
    /// `rate_per_second` kept up, `burst` at once; a rate of 0 turns it off.
    pub fn new(rate_per_second: u32, burst: u32) -> Self {
        Self {
            rate: rate_per_second,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `user`'s bucket.
    ///
    /// Fails with how long until the next one is allowed.
    pub fn take(&self, user: UserId, now: Instant) -> Result<(), Duration> {
        if self.rate == 0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| b.refilled(now) < b.burst);
        }
        buckets
            .entry(user)
            .or_insert_with(|| Bucket::full(self.rate, self.burst, now))
            .take(now)
    }
}

/// One socket's budget for the frames that are neither posts nor pings.
#[derive(Debug)]
pub struct FrameBudget(Mutex<Bucket>);

impl FrameBudget {
    /// `rate_per_second` frames kept up, `burst` at once; a rate of 0 turns it off.
    pub fn new(rate_per_second: u32, burst: u32) -> Self {
        Self(Mutex::new(Bucket::full(
            rate_per_second,
            burst,
            Instant::now(),
        )))
    }

    /// Takes one frame from the budget.
    ///
    /// Fails with how long until the next frame is allowed.
    pub fn take(&self, now: Instant) -> Result<(), Duration> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_posts_come_at_the_rate() {
        let limiter = UserBuckets::new(10, 5);
        let (user, start) = (UserId::new(), Instant::now());
        for _ in 0..5 {
            assert!(limiter.take(user, start).is_ok());
        }
        let wait = limiter.take(user, start).unwrap_err();
        assert!(wait <= Duration::from_millis(100), "{wait:?}");
        assert!(
            limiter
                .take(user, start + Duration::from_millis(100))
                .is_ok()
        );
        assert!(
            limiter.take(UserId::new(), start).is_ok(),
            "budgets are per user"
        );
    }

    #[test]
    fn a_frame_budget_refills_at_its_rate() {
        let budget = FrameBudget::new(2, 2);
        let start = Instant::now();
        assert!(budget.take(start).is_ok() && budget.take(start).is_ok());
        assert!(budget.take(start).is_err());
        assert!(budget.take(start + Duration::from_millis(500)).is_ok());
    }

    #[test]
    fn a_rate_of_zero_turns_the_limit_off() {
        let limiter = UserBuckets::new(0, 1);
        let (user, now) = (UserId::new(), Instant::now());
        assert!((0..1000).all(|_| limiter.take(user, now).is_ok()));
    }
}

/// Sign-ups per client address in a fixed window (an hour by default), so one address
/// cannot fill the user table. Bounded like the login throttle: at most
/// [`MAX_ADDRESSES`] addresses are tracked; past that, new ones wait for old windows to
/// pass.
#[derive(Debug)]
pub struct SignupLimiter {
    per_window: u32,
    window: Duration,
    /// A std mutex: held for one map update.
    addresses: Mutex<HashMap<std::net::IpAddr, (u32, Instant)>>,
}

/// Addresses a [`SignupLimiter`] tracks at most.
pub const MAX_ADDRESSES: usize = 100_000;

impl SignupLimiter {
    /// `per_window` sign-ups per address per `window`; 0 turns the limit off.
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window,
            window,
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a sign-up from `address`.
    ///
    /// Fails with how long until the address may sign up again.
    pub fn take(&self, address: std::net::IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_window == 0 {
            return Ok(());
        }
        let mut addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if addresses.len() >= MAX_ADDRESSES && !addresses.contains_key(&address) {
            let window = self.window;
            addresses.retain(|_, (_, since)| now.saturating_duration_since(*since) < window);
            if addresses.len() >= MAX_ADDRESSES {
                return Err(self.window);
            }
        }
        let entry = addresses.entry(address).or_insert((0, now));
        if now.saturating_duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        if entry.0 >= self.per_window {
            return Err((entry.1 + self.window).saturating_duration_since(now));
        }
        entry.0 += 1;
        Ok(())
    }
}
