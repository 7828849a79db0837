//! # papo-protocol
//!
//! papo's wire vocabulary, written once and used by the server, `papo-client`, the
//! terminal client, the tests and the bench tool (as mini-redis shares its `frame.rs`
//! between server and client). Only serde and the types the JSON carries.
//!
//! # Layout
//!
//! - [`frames`]: every WebSocket frame of DESIGN §4, both directions, and the lenient
//!   parse the server applies to client frames.
//! - [`types`]: the JSON objects frames carry (a message, a user, a room).
//! - [`CloseCode`]: every WebSocket close code papo sends.
//! - [`ErrorCode`]: every machine-readable error code, for `error` frames and REST
//!   problem details alike.

mod close;
mod error;
pub mod frames;
pub mod types;

pub use close::CloseCode;
pub use error::ErrorCode;
pub use frames::{
    BadFrame, ClientFrame, Departure, MemberRole, RoomEvent, ServerFrame, SystemEvent,
};
pub use types::{Message, Reaction, ReplyRef, Room, UserRef, Visibility};
