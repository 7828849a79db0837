//! # papo-tests
//!
//! Black-box tests: each test starts the real server on port 0 with a fresh database
//! and talks HTTP to it like any client would.
//!
//! The database is a new SQLite file per test, or, when `PAPO_TEST_DATABASE_URL`
//! points at a PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432`), a new
//! database with a random name that is dropped when the test ends. Set `TEST_LOG=1` to
//! see the servers' logs.
//!
//! # Layout
//!
//! - `app`: [`spawn_app`] and friends, [`TestApp`], [`test_settings`].
//! - `db`: provisioning and inspecting the test's database.
//! - `http`: requests and [`Reply`] assertions. `fixtures`: users, rooms, messages.
//! - [`ws`]: a WebSocket client. [`disk`]: a small disk to fill.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod db;
pub mod disk;
mod fixtures;
mod http;
pub mod ws;

pub use app::{StopHandle, TestApp, spawn_app, spawn_app_on, spawn_app_with, test_settings};
pub(crate) use db::block_on_fresh_runtime;
pub use db::{HeldRows, Outage, postgres_base};
pub use http::Reply;

/// The password every test user gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// A signed-up, logged-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub name: String,
    pub token: String,
    pub refresh_token: String,
}
