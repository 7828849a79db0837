//! What an unauthenticated client can make the server spend: password guesses, CPU
//! and memory for hashing, memory for throttle keys. (Memory is read from this test
//! process, where the server runs; tests that measure it take turns.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod login;
mod memory;
