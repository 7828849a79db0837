//! Who is typing in a room, with a server-side expiry so an indicator can never stick
//! (a client that crashes mid-word stops "typing" after the TTL).

use std::time::{Duration, Instant};

use domain::UserId;

/// The typing users of one room. Time is passed in, so the rules are tested without
/// sleeping.
#[derive(Debug, Default)]
pub struct Typing {
    /// Each typing user and when their indicator lapses; few entries, so a Vec.
    until: Vec<(UserId, Instant)>,
}

impl Typing {
    /// Records a typing frame; true when the set of typing users changed.
    pub fn set(&mut self, user: UserId, typing: bool, now: Instant, ttl: Duration) -> bool {
        let position = self.until.iter().position(|(u, _)| *u == user);
        match (typing, position) {
            (true, Some(i)) => {
                self.until[i].1 = now + ttl;
                false
            }
            (true, None) => {
                self.until.push((user, now + ttl));
                true
            }
            (false, Some(i)) => {
                self.until.remove(i);
                true
            }
            (false, None) => false,
        }
    }

    /// Drops lapsed indicators; the users whose indicator lapsed.
    pub fn expire(&mut self, now: Instant) -> Vec<UserId> {
        let lapsed = self
            .until
            .iter()
            .filter(|(_, until)| *until <= now)
            .map(|(user, _)| *user)
            .collect();
        self.until.retain(|(_, until)| *until > now);
        lapsed
    }

    pub fn users(&self) -> impl Iterator<Item = UserId> + '_ {
        self.until.iter().map(|(u, _)| *u)
    }

    pub fn is_empty(&self) -> bool {
        self.until.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(5);

    #[test]
    fn starting_and_stopping_change_the_set_but_repeats_do_not() {
        let (mut typing, user, now) = (Typing::default(), UserId::new(), Instant::now());
        assert!(typing.set(user, true, now, TTL));
        assert!(!typing.set(user, true, now, TTL));
        assert!(typing.set(user, false, now, TTL));
        assert!(!typing.set(user, false, now, TTL));
    }

    #[test]
    fn an_indicator_lapses_after_the_ttl_unless_renewed() {
        let (mut typing, user, start) = (Typing::default(), UserId::new(), Instant::now());
        typing.set(user, true, start, TTL);
        assert!(typing.expire(start + Duration::from_secs(4)).is_empty());
        typing.set(user, true, start + Duration::from_secs(4), TTL);
        assert!(typing.expire(start + Duration::from_secs(6)).is_empty());
        assert_eq!(typing.expire(start + Duration::from_secs(10)), vec![user]);
        assert!(typing.is_empty());
    }
}
