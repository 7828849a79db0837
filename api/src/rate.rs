//! Posts per user: a token bucket each, so a burst is fine and a flood is not.
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

/// See the module docs.
#[derive(Debug)]
pub struct PostLimiter {
    /// Posts per second refilled; 0 turns the limit off.
    rate: f64,
    /// Posts a user may send at once after being idle.
    burst: f64,
    /// A std mutex: held for one map update.
    buckets: Mutex<HashMap<UserId, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle ones are swept.
const SWEEP_AT: usize = 10_000;

impl PostLimiter {
    pub fn new(rate_per_second: u32, burst: u32) -> Self {
        Self {
            rate: f64::from(rate_per_second),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one post from `user`'s budget.
    ///
    /// Fails with how long until the next post is allowed.
    pub fn take(&self, user: UserId, now: Instant) -> Result<(), Duration> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| refilled(*b, now, rate, burst) < burst);
        }
        let bucket = buckets.entry(user).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = refilled(*bucket, now, self.rate, self.burst);
        if tokens < 1.0 {
            *bucket = Bucket { tokens, at: now };
            return Err(Duration::from_secs_f64((1.0 - tokens) / self.rate));
        }
        *bucket = Bucket {
            tokens: tokens - 1.0,
            at: now,
        };
        Ok(())
    }
}

fn refilled(bucket: Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * rate).min(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_posts_come_at_the_rate() {
        let limiter = PostLimiter::new(10, 5);
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
    fn a_rate_of_zero_turns_the_limit_off() {
        let limiter = PostLimiter::new(0, 1);
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
