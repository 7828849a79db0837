//! # papo-api
//!
//! papo's HTTP surface (poem + poem-openapi) and its composition root.
//!
//! # Layout
//!
//! - [`app`]: [`Application`]: build from settings, bind, run until stopped.
//! - `routes/`: one module per REST resource; handlers are thin (extract, call one
//!   use case, map the result).
//! - `dto`: the JSON shapes of the contract. `payload`: JSON bodies that fail with
//!   400/422 problem details. `problem`: RFC 9457 errors for everything.
//! - `auth`: the bearer scheme. `observe`: request ids, access log, request metrics,
//!   body limit. `connections`: idle timeout, connections per address, accept
//!   back-off. `client_ip`: the client behind trusted proxies. `rate`, `throttle`:
//!   token buckets and the login throttle.
//! - `docs`: `/openapi.json`, Swagger UI, ReDoc. `paths`: the document's path
//!   templates (the 405 `Allow` header, metric labels). `metrics`: `/metrics`.
//! - [`cli`], [`settings`], [`telemetry`]: the binary's command line, typed settings
//!   handed to each layer, and logging.

pub mod app;
mod auth;
pub mod cli;
mod client_ip;
mod connections;
mod docs;
mod dto;
mod metrics;
mod node_lock;
mod observe;
mod paths;
mod payload;
mod problem;
pub mod rate;
mod routes;
pub mod settings;
mod tags;
pub mod telemetry;
mod throttle;
mod web;
pub mod ws;

pub use app::Application;
