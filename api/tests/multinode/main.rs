//! Several `papo serve` processes on one fresh PostgreSQL database, tested from
//! outside: messages cross nodes in seq order with no gap under senders on both, edits,
//! deletes, logout and room deletion reach the other node's sockets, a cut LISTEN
//! connection loses nothing; and a second process on one SQLite file refuses to start.
//!
//! PostgreSQL: `PAPO_TEST_DATABASE_URL`'s server, or 127.0.0.1:5432. When it cannot be
//! reached these tests fail under `CI=true` and say so loudly otherwise.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod cluster;
mod delivery;
mod failover;
mod nats;
mod rooms;
