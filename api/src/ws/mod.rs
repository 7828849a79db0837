//! The realtime API (DESIGN §4): `GET /api/v1/chat/{room_id}` for one room and
//! `GET /api/v1/ws` for all of a user's rooms, one protocol.
//!
//! Checks happen before the upgrade; a refused socket is still accepted and then
//! closed with a code (1008 bad token, 4404 unknown room, 4403 private room, 4400 bad
//! parameter), because browsers cannot read the status of a failed upgrade.
//!
//! # Layout (imports run down this list, never up)
//!
//! - this module: the two endpoints. [`admission`]: the checks before the upgrade.
//! - `connection`: one socket's life; it runs a `reader`, whose frames `commands`
//!   handles one type at a time, and a `writer`, a pure sink fed by `replay` (history
//!   owed on connect) and then by the hub.
//! - `hub`: this node's registry of connections and rooms, and the fan-out router.
//! - `session`: the types all of them share; `frames`: protocol frames built from
//!   domain values; `typing`: typing indicators with expiry.

mod admission;
pub mod asyncapi;
pub mod catchup;
mod commands;
mod connection;
pub mod frames;
mod hub;
mod reader;
mod replay;
mod seen;
mod session;
mod typing;
mod writer;

use std::sync::Arc;

use domain::service::Services;
use poem::{
    Request,
    web::{
        Data,
        websocket::{BoxWebSocketUpgraded, WebSocket, WebSocketConfig},
    },
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    registry::{MetaResponses, Registry},
};

pub use hub::{Hub, HubSettings};
pub use session::Ending;

use self::admission::{Admission, admit_all, admit_room};
use crate::tags::Tag;

/// What the socket endpoints need, registered once as request data.
#[derive(Clone)]
pub struct Realtime {
    pub hub: Arc<Hub>,
    pub services: Services,
    /// Posts per user, shared with REST.
    pub limiter: Arc<crate::rate::UserBuckets>,
    /// Socket connects per user: a client that reconnects in a loop would flood its
    /// rooms with presence changes.
    pub connects: Arc<crate::rate::UserBuckets>,
    /// Other frames per connection: (per second, burst).
    pub frame_rate: (u32, u32),
}

/// Largest client frame; larger ones close the connection with 1009.
const MAX_FRAME: usize = 64 * 1024;

/// Small buffers: tungstenite's default 128 KiB read buffer per connection would
/// dominate memory with thousands of idle sockets. Frames collect in the write buffer
/// up to 8 KiB between flushes (the writer flushes after each batch, so nothing
/// waits); the cap must still hold the largest frame we send, a full history page
/// (100 messages of up to 4000 characters, JSON-escaped).
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(8 * 1024 * 1024)
        .max_message_size(Some(MAX_FRAME))
        .max_frame_size(Some(MAX_FRAME))
}

pub struct RealtimeApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Realtime")]
impl RealtimeApi {
    /// One room's WebSocket
    ///
    /// Upgrade to the chat protocol for one room (see docs/protocol.md and
    /// /asyncapi.json). Connecting to a public room joins it. On connect the server
    /// sends a `history` frame (the last 50 messages, or with `since=<seq>` every
    /// message after that seq), then `presence`, then live events.
    #[oai(
        path = "/chat/:room_id",
        method = "get",
        operation_id = "connectRoomSocket"
    )]
    async fn chat(
        &self,
        ws: WebSocket,
        realtime: Data<&Realtime>,
        req: &Request,
        /// The room to join.
        room_id: Path<String>,
        /// An access token (or send `Authorization: Bearer`).
        token: Query<Option<String>>,
        /// Resume: replay every message with a greater seq.
        since: Query<Option<String>>,
    ) -> Upgrade {
        let admission = admit_room(&realtime.services, req, token.0, &room_id.0, since.0).await;
        upgrade(ws, realtime.0.clone(), admission)
    }

    /// All of the user's rooms on one WebSocket
    ///
    /// Receives the events of every room the user is a member of; frames that act on
    /// a room carry `room_id`; `join`/`leave` frames change membership. Resume with
    /// `since=<room_id>:<seq>,<room_id>:<seq>…`.
    #[oai(path = "/ws", method = "get", operation_id = "connectSocket")]
    async fn all(
        &self,
        ws: WebSocket,
        realtime: Data<&Realtime>,
        req: &Request,
        /// An access token (or send `Authorization: Bearer`).
        token: Query<Option<String>>,
        /// Resume points: `room_id:seq` pairs separated by commas.
        since: Query<Option<String>>,
    ) -> Upgrade {
        let admission = admit_all(&realtime.services, req, token.0, since.0).await;
        upgrade(ws, realtime.0.clone(), admission)
    }
}

fn upgrade(ws: WebSocket, realtime: Realtime, admission: Admission) -> Upgrade {
    Upgrade(
        ws.config(socket_config())
            .on_upgrade(move |socket| connection::run(realtime, socket, admission))
            .boxed(),
    )
}

/// A WebSocket upgrade (101), documented with the 400 problem that a request which
/// is not an upgrade gets (poem's extractor answers it before the handler runs).
pub struct Upgrade(BoxWebSocketUpgraded);

impl poem::IntoResponse for Upgrade {
    fn into_response(self) -> poem::Response {
        self.0.into_response()
    }
}

impl ApiResponse for Upgrade {
    fn meta() -> MetaResponses {
        let mut meta = BoxWebSocketUpgraded::meta();
        meta.responses.push(crate::problem::openapi::response(
            400,
            "Not a WebSocket upgrade request.",
        ));
        meta
    }

    fn register(registry: &mut Registry) {
        BoxWebSocketUpgraded::register(registry);
        crate::problem::Problem::register(registry);
    }
}
