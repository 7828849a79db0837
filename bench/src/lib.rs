//! # papo-bench
//!
//! A load generator that speaks papo's public API only (REST to set up, WebSockets to
//! load), so it measures what a client sees.
//!
//! # Layout
//!
//! - [`setup`]: accounts, rooms and sockets through the public API.
//! - [`ingest`]: many senders posting as fast as acks come back.
//! - [`fanout`]: rooms of listeners and senders at a fixed rate; `--baseline` runs it
//!   against [`baseline`], a bare poem broadcast server.
//! - [`conns`]: many idle sockets: memory per connection, idle CPU.
//! - [`history`]: page timings in a room of a million messages.
//! - [`search`]: search timings in a room of a million messages.
//! - [`storm`]: every listener dropped at once and reconnecting with `since`.
//! - [`stats`], [`rss`]: percentiles and reports; a process's memory and CPU.

pub mod baseline;
pub mod conns;
pub mod fanout;
pub mod history;
pub mod ingest;
pub mod rss;
pub mod search;
pub mod setup;
pub mod stats;
pub mod storm;
