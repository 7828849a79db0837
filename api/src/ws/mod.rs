//! The realtime API (DESIGN §4): `GET /api/v1/chat/{room_id}` for one room and
//! `GET /api/v1/ws` for all of a user's rooms, one protocol.
//!
//! Checks happen before the upgrade; a refused socket is still accepted and then
//! closed with a code (1008 bad token, 4404 unknown room, 4403 private room, 4400 bad
//! parameter), because browsers cannot read the status of a failed upgrade.

pub mod asyncapi;
mod connection;
pub mod frames;
mod hub;
mod queue;
mod reader;
mod typing;
mod writer;

use papo_protocol::{CloseCode, ErrorCode};
use std::sync::Arc;

use domain::{Error, RoomId, room::Visibility, service::Services, user::UserSummary};
use poem::{
    Request,
    web::{
        Data,
        websocket::{BoxWebSocketUpgraded, WebSocket, WebSocketConfig},
    },
};
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
};

pub use hub::{Ending, Hub, HubSettings};

use self::{
    connection::{Admission, Admitted},
    hub::Scope,
};
use crate::{auth::bearer_token, routes::Tag};

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
    #[oai(path = "/chat/:room_id", method = "get")]
    async fn chat(
        &self,
        ws: WebSocket,
        hub: Data<&Arc<Hub>>,
        req: &Request,
        /// The room to join.
        room_id: Path<String>,
        /// An access token (or send `Authorization: Bearer`).
        token: Query<Option<String>>,
        /// Resume: replay every message with a greater seq.
        since: Query<Option<String>>,
    ) -> BoxWebSocketUpgraded {
        let admission = admit_room(hub.services(), req, token.0, &room_id.0, since.0).await;
        upgrade(ws, hub.0.clone(), admission)
    }

    /// All of the user's rooms on one WebSocket
    ///
    /// Receives the events of every room the user is a member of; frames that act on
    /// a room carry `room_id`; `join`/`leave` frames change membership. Resume with
    /// `since=<room_id>:<seq>,<room_id>:<seq>…`.
    #[oai(path = "/ws", method = "get")]
    async fn all(
        &self,
        ws: WebSocket,
        hub: Data<&Arc<Hub>>,
        req: &Request,
        /// An access token (or send `Authorization: Bearer`).
        token: Query<Option<String>>,
        /// Resume points: `room_id:seq` pairs separated by commas.
        since: Query<Option<String>>,
    ) -> BoxWebSocketUpgraded {
        let admission = admit_all(hub.services(), req, token.0, since.0);
        upgrade(ws, hub.0.clone(), admission)
    }
}

fn upgrade(ws: WebSocket, hub: Arc<Hub>, admission: Admission) -> BoxWebSocketUpgraded {
    ws.config(socket_config())
        .on_upgrade(move |socket| connection::run(hub, socket, admission))
        .boxed()
}

fn refused(code: CloseCode, reason: impl Into<String>) -> Admission {
    Admission::Refused {
        code,
        reason: reason.into(),
    }
}

/// The caller, from `?token=` or the bearer header.
fn caller(
    services: &Services,
    req: &Request,
    token: Option<String>,
) -> Result<UserSummary, Admission> {
    let token = token
        .or_else(|| bearer_token(req).map(str::to_owned))
        .ok_or_else(|| {
            refused(
                CloseCode::PolicyViolation,
                "An access token is required (?token= or Authorization: Bearer).",
            )
        })?;
    let claims = services.authenticate(&token).map_err(|e| match e.code() {
        ErrorCode::TokenExpired => {
            refused(CloseCode::PolicyViolation, "The access token has expired.")
        }
        _ => refused(CloseCode::PolicyViolation, "The access token is invalid."),
    })?;
    Ok(UserSummary {
        id: claims.user_id,
        name: claims.name,
        username: claims.username,
    })
}

async fn admit_room(
    services: &Services,
    req: &Request,
    token: Option<String>,
    room: &str,
    since: Option<String>,
) -> Admission {
    let user = match caller(services, req, token) {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    let Ok(room) = uuid::Uuid::parse_str(room).map(RoomId::from_uuid) else {
        return refused(CloseCode::NotFound, "No such room.");
    };
    let since = match since.as_deref().map(str::parse::<i64>) {
        None => Vec::new(),
        Some(Ok(seq)) if seq >= 0 => vec![(room, seq)],
        Some(_) => return refused(CloseCode::BadRequest, "since must be a non-negative seq."),
    };
    match services.visible_room(room, user.id).await {
        Ok((found, membership)) => {
            if membership.is_none()
                && found.visibility == Visibility::Public
                && let Err(err) = services.join_room(room, user.id).await
            {
                tracing::warn!(error = %err, "joining on connect failed");
                return refused(
                    CloseCode::InternalError,
                    "Could not join the room; try again.",
                );
            }
        }
        Err(Error::NotFound { .. }) => return refused(CloseCode::NotFound, "No such room."),
        Err(Error::Forbidden { .. }) => {
            return refused(CloseCode::Forbidden, "This room is private.");
        }
        Err(err) => {
            tracing::warn!(error = %err, "room check failed");
            return refused(
                CloseCode::InternalError,
                "Could not check the room; try again.",
            );
        }
    }
    Admission::Admitted(Admitted {
        user,
        scope: Scope::Room(room),
        since,
    })
}

fn admit_all(
    services: &Services,
    req: &Request,
    token: Option<String>,
    since: Option<String>,
) -> Admission {
    let user = match caller(services, req, token) {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    let since = match parse_since_map(since.as_deref().unwrap_or("")) {
        Some(since) => since,
        None => {
            return refused(
                CloseCode::BadRequest,
                "since must be room_id:seq pairs separated by commas.",
            );
        }
    };
    Admission::Admitted(Admitted {
        user,
        scope: Scope::All,
        since,
    })
}

/// `room:seq,room:seq`; `None` when malformed.
fn parse_since_map(raw: &str) -> Option<Vec<(RoomId, i64)>> {
    raw.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (room, seq) = part.trim().split_once(':')?;
            let room = uuid::Uuid::parse_str(room).ok()?;
            let seq = seq.parse::<i64>().ok().filter(|s| *s >= 0)?;
            Some((RoomId::from_uuid(room), seq))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_maps_parse_pairs_and_reject_garbage() {
        let room = uuid::Uuid::new_v4();
        let parsed = parse_since_map(&format!("{room}:5")).unwrap();
        assert_eq!(parsed, vec![(RoomId::from_uuid(room), 5)]);
        assert_eq!(parse_since_map("").unwrap(), vec![]);
        assert!(parse_since_map("nope").is_none());
        assert!(parse_since_map(&format!("{room}:-1")).is_none());
    }
}
