//! A room's messages in seq order, whichever node committed them.
//!
//! On one node the group-commit writer publishes every room's messages in seq order.
//! With several nodes on one database, this node learns of its own commits at once
//! and of the others' through notices that can arrive late, or never: its own seq 11
//! can come before another node's seq 10. So each followed room keeps a cursor (every
//! seq up to it went to the room's followers), holds messages that arrive past a gap,
//! and asks for the gap to be read from the database ([`Fill`]). A notice names seqs;
//! the messages themselves are read. Nothing is delivered out of order or skipped.

use std::collections::BTreeMap;

use domain::UserId;

use crate::ws::session::{ConnId, Outgoing};

/// Messages held past a gap before the room's followers are cut as lagging (they
/// resume from the database).
pub const MAX_HELD: usize = 10_000;

/// Read `after + 1 ..= upto` of a room from the database, then hand the messages back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    pub after: i64,
    pub upto: i64,
}

/// A committed message as it goes out: its frame, then what follows from it.
#[derive(Debug, Clone)]
pub struct Posting {
    pub frame: Outgoing,
    pub then: Vec<Followup>,
}

/// A frame that follows a message, once the message itself went out.
#[derive(Debug, Clone)]
pub enum Followup {
    /// To every follower of the room, its sender's connection too (the count of the
    /// message it answers).
    Room(Outgoing),
    /// To this user's multiplexed connections following the room (a mention).
    User(UserId, Outgoing),
}

/// A message ready for the room's followers, but `skip` (its sender's connection).
pub type Release = (Posting, Option<ConnId>);

/// See the module docs.
#[derive(Debug, Default)]
pub struct Order {
    /// Every seq up to here went out. Unknown until the first follower's connect
    /// names the room's head, or (following a room mid-session) the first message.
    cursor: Option<i64>,
    /// Messages past a gap, by seq.
    held: BTreeMap<i64, Release>,
    /// The highest seq a fill was asked for, so one gap is asked for once.
    asked: i64,
}

impl Order {
    /// A room whose followers have everything up to `head`, if known.
    pub fn new(head: Option<i64>) -> Self {
        Self {
            cursor: head,
            held: BTreeMap::new(),
            asked: head.unwrap_or(0),
        }
    }

    /// Learns the head when the room was followed without one.
    pub fn know_head(&mut self, head: i64) {
        if self.cursor.is_none() {
            self.cursor = Some(head);
            self.asked = self.asked.max(head);
        }
    }

    pub fn cursor(&self) -> Option<i64> {
        self.cursor
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// A committed message: what may go out now, in order, and the gap to read if
    /// this one came early.
    pub fn message(
        &mut self,
        seq: i64,
        frame: Posting,
        skip: Option<ConnId>,
    ) -> (Vec<Release>, Option<Fill>) {
        let cursor = *self.cursor.get_or_insert(seq - 1);
        if seq <= cursor {
            return (Vec::new(), None);
        }
        if seq == cursor + 1 && self.held.is_empty() {
            // The common case, one message after another: nothing to hold.
            self.cursor = Some(seq);
            self.asked = self.asked.max(seq);
            return (vec![(frame, skip)], None);
        }
        self.held.insert(seq, (frame, skip));
        let mut out = Vec::new();
        let mut cursor = cursor;
        while let Some(release) = self.held.remove(&(cursor + 1)) {
            cursor += 1;
            out.push(release);
        }
        self.cursor = Some(cursor);
        self.asked = self.asked.max(cursor);
        let first_held = self.held.first_key_value().map(|(&seq, _)| seq);
        let fill = first_held.and_then(|first| self.ask(first - 1));
        (out, fill)
    }

    /// Another node committed `from..=upto`: the gap to read, if not already asked.
    /// A room followed without a head starts at `from`.
    pub fn notice(&mut self, from: i64, upto: i64) -> Option<Fill> {
        if self.cursor.is_none() {
            self.know_head(from - 1);
        }
        self.ask(upto)
    }

    /// A fill came back short of what was asked (or failed): ask again next time.
    pub fn fill_ended(&mut self) {
        self.asked = self.cursor.unwrap_or(0);
    }

    fn ask(&mut self, upto: i64) -> Option<Fill> {
        let cursor = self.cursor?;
        if upto <= self.asked || upto <= cursor {
            return None;
        }
        let fill = Fill {
            after: self.asked.max(cursor),
            upto,
        };
        self.asked = upto;
        Some(fill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::session::Kind;

    fn frame(seq: i64) -> Posting {
        Posting {
            frame: Outgoing {
                text: seq.to_string().into(),
                kind: Kind::Reliable,
            },
            then: Vec::new(),
        }
    }

    fn seqs(out: &[Release]) -> Vec<String> {
        out.iter().map(|(p, _)| p.frame.text.to_string()).collect()
    }

    #[test]
    fn in_order_messages_go_straight_out() {
        let mut order = Order::new(Some(0));
        for seq in 1..=3 {
            let (out, fill) = order.message(seq, frame(seq), None);
            assert_eq!(seqs(&out), [seq.to_string()]);
            assert_eq!(fill, None);
        }
        assert_eq!(order.message(2, frame(2), None).0.len(), 0, "not twice");
    }

    #[test]
    fn a_message_past_a_gap_waits_for_the_gap_to_be_read() {
        let mut order = Order::new(Some(9));
        let (out, fill) = order.message(11, frame(11), None);
        assert!(out.is_empty());
        assert_eq!(fill, Some(Fill { after: 9, upto: 10 }));
        // The same gap is asked for once.
        assert_eq!(order.message(12, frame(12), None).1, None);
        let (out, _) = order.message(10, frame(10), None);
        assert_eq!(seqs(&out), ["10", "11", "12"]);
        assert_eq!(order.cursor(), Some(12));
    }

    #[test]
    fn a_notice_asks_for_what_was_not_seen_once() {
        let mut order = Order::new(Some(5));
        assert_eq!(order.notice(6, 8), Some(Fill { after: 5, upto: 8 }));
        assert_eq!(order.notice(6, 8), None);
        assert_eq!(order.notice(9, 10), Some(Fill { after: 8, upto: 10 }));
        assert_eq!(order.notice(4, 4), None);
        order.fill_ended();
        assert_eq!(order.notice(9, 10), Some(Fill { after: 5, upto: 10 }));
    }

    #[test]
    fn without_a_head_the_first_message_or_notice_starts_the_count() {
        let mut order = Order::new(None);
        let (out, fill) = order.message(7, frame(7), None);
        assert_eq!(seqs(&out), ["7"]);
        assert_eq!(fill, None);
        let mut order = Order::new(None);
        assert_eq!(order.notice(3, 4), Some(Fill { after: 2, upto: 4 }));
    }
}
