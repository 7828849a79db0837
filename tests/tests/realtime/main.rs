//! Black-box tests of the WebSocket protocol (DESIGN §4) on real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admission;
mod delivery;
mod docs;
mod failures;
mod frames;
mod limits;
mod membership;
mod presence;
mod replay_bounds;
mod resume;
mod rooms;
mod sessions;
