//! What one connection has been sent of a room's messages, so that nothing is sent
//! twice and nothing is skipped.
//!
//! Messages reach a connection in seq order, but its own posts' acks come by another
//! path: the ack of seq 11 can be queued before the message of seq 10 that another
//! sender's post got in the same commit. So "the highest seq sent" is not enough
//! (seq 10 would look old and be dropped); this keeps the highest seq up to which
//! everything was sent, plus the acked seqs above it.

use std::collections::BTreeSet;

/// Acked seqs kept above the contiguous mark; past this the lowest are forgotten.
/// Acks run ahead of messages by at most the posts in flight (256), so this is slack.
const MAX_AHEAD: usize = 1024;

/// See the module docs.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// Everything up to here was sent (or the client had it), once known: a socket
    /// without `since` learns it from its first history page or message.
    upto: Option<i64>,
    /// Seqs above `upto` sent as acks.
    ahead: BTreeSet<i64>,
}

impl Seen {
    /// A client that already has everything up to `seq` (its `since`).
    pub fn upto(seq: i64) -> Self {
        Self {
            upto: Some(seq),
            ahead: BTreeSet::new(),
        }
    }

    /// Whether a room message of `seq` goes out; if so it is recorded as sent.
    /// Messages come in seq order, so the first one a socket gets starts its count.
    pub fn message(&mut self, seq: i64) -> bool {
        let upto = *self.upto.get_or_insert(seq - 1);
        if seq <= upto || self.ahead.contains(&seq) {
            return false;
        }
        self.mark(seq);
        true
    }

    /// The connection's own post was acked as `seq`.
    pub fn ack(&mut self, seq: i64) {
        self.mark(seq);
    }

    /// A history page ending at `seq` went out: everything up to it is the client's
    /// (older messages it pages for).
    pub fn history(&mut self, seq: i64) {
        let upto = self.upto.map_or(seq, |upto| upto.max(seq));
        self.upto = Some(upto);
        self.settle();
    }

    /// Where the client resumes from: everything up to here reached it.
    pub fn resume_point(&self) -> Option<i64> {
        self.upto
            .or_else(|| self.ahead.first().map(|first| first - 1))
    }

    fn mark(&mut self, seq: i64) {
        match self.upto {
            Some(upto) if seq <= upto => {}
            Some(upto) if seq == upto + 1 => {
                self.upto = Some(seq);
                self.settle();
            }
            _ => {
                self.ahead.insert(seq);
                if self.ahead.len() > MAX_AHEAD {
                    self.ahead.pop_first();
                }
            }
        }
    }

    /// Moves the contiguous mark over acked seqs it reached.
    fn settle(&mut self) {
        let Some(mut upto) = self.upto else { return };
        while let Some(&first) = self.ahead.first() {
            if first > upto + 1 {
                break;
            }
            upto = upto.max(first);
            self.ahead.pop_first();
        }
        self.upto = Some(upto);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_committed_before_an_own_post_still_goes_out_after_its_ack() {
        let mut seen = Seen::upto(9);
        seen.ack(11);
        assert!(seen.message(10));
        assert!(!seen.message(11), "the own post is not echoed");
        assert!(seen.message(12));
        assert_eq!(seen.resume_point(), Some(12));
    }

    #[test]
    fn the_first_message_starts_the_count_of_a_socket_without_since() {
        let mut seen = Seen::default();
        seen.ack(7);
        assert_eq!(seen.resume_point(), Some(6));
        assert!(seen.message(6));
        assert!(!seen.message(7));
        assert!(!seen.message(6), "not twice");
        assert_eq!(seen.resume_point(), Some(7));
    }

    #[test]
    fn history_covers_what_it_ends_at_and_a_resume_seam_is_not_repeated() {
        let mut seen = Seen::default();
        seen.history(50);
        assert!(!seen.message(50));
        assert!(seen.message(51));
        seen.history(20);
        assert_eq!(seen.resume_point(), Some(51), "paging back changes nothing");
    }

    #[test]
    fn acks_far_ahead_are_bounded() {
        let mut seen = Seen::upto(0);
        for seq in 2..(MAX_AHEAD as i64 + 10) {
            seen.ack(seq);
        }
        assert!(seen.ahead.len() <= MAX_AHEAD);
    }
}
