//! # papo-bench
//!
//! A load generator that speaks papo's public API only (REST to set up, WebSockets to
//! load), so it measures what a client sees.
//!
//! # Layout
//!
//! - [`setup`]: accounts, rooms and sockets through the public API.
//! - [`ingest`]: many senders posting as fast as acks come back.
//! - [`stats`]: latency percentiles and the report printed as a table or JSON.

pub mod ingest;
pub mod setup;
pub mod stats;
