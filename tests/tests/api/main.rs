//! Black-box tests of the REST API (see the crate docs of `papo-tests`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod connections;
mod directs;
mod docs;
mod edits;
mod errors;
mod history;
mod membership;
mod messages;
mod metrics;
mod ops;
mod privacy;
mod proxy;
mod rooms;
mod rotation;
mod security;
mod sessions;
mod smoke;
mod text;
mod tokens;
mod users;
