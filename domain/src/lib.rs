//! # papo-domain
//!
//! papo's business vocabulary and rules, free of any web, database or crypto crate.
//!
//! # Layout
//!
//! - [`error`]: the one error type every use case returns.
//! - [`ids`], [`user`], [`room`], [`message`]: entities and the value objects that can
//!   only hold valid values (parse, don't validate).
//! - [`ports`]: the traits `infra` implements (repositories, hashing, tokens, event bus,
//!   presence).
//! - [`text`]: which characters names and messages may hold, and when two names
//!   look alike.
//! - [`events`]: what happened, as published on the event bus for fan-out.
//! - [`service`]: the use cases. Every authorization rule (who may read a private room,
//!   who may edit a message) lives here, not in the HTTP layer.

pub mod error;
pub mod events;
pub mod ids;
pub mod mention;
pub mod message;
pub mod ports;
pub mod reaction;
pub mod room;
pub mod search;
pub mod service;
pub mod text;
pub mod user;

pub use error::{Error, ErrorCode, FieldError, Result};
pub use ids::{MessageId, RoomId, UserId};
