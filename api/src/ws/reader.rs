//! The reading half of a connection: client frames, handled one at a time, so one
//! client's posts keep their order.

use papo_protocol::CloseCode;
use std::sync::Arc;

use domain::{Error, RoomId, message::HistoryQuery, ports::PendingAppend, user::UserSummary};
use futures_util::{StreamExt, stream::SplitStream};
use poem::web::websocket::{Message as WsMessage, WebSocketStream};
use tokio::sync::mpsc;

use super::{
    connection::{Activity, RECENT},
    frames::{self, BadFrame, ClientFrame, ErrorCode, ServerFrame},
    hub::{ConnId, Control, Ending, Hub, Kind, Outgoing, Scope},
};

/// See the module docs.
pub struct Reader {
    /// Posts in flight, in the order they were submitted; see [`forward_acks`].
    pub acks: mpsc::Sender<InFlight>,
    pub hub: Arc<Hub>,
    pub id: ConnId,
    pub user: UserSummary,
    pub scope: Scope,
    pub control: Arc<Control>,
    pub activity: Activity,
}

impl Reader {
    pub async fn run(self, mut stream: SplitStream<WebSocketStream>) {
        while let Some(incoming) = stream.next().await {
            self.activity.touch();
            match incoming {
                Ok(WsMessage::Text(text)) => self.handle_text(&text).await,
                Ok(WsMessage::Binary(_)) => self.reply_error(
                    ErrorCode::BinaryNotSupported,
                    "Frames must be JSON text; binary frames are not supported.",
                    None,
                ),
                Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => {}
                Ok(WsMessage::Close(_)) => return,
                Err(err) => {
                    let too_big = err.to_string().to_lowercase().contains("too long")
                        || err.to_string().to_lowercase().contains("size");
                    if too_big {
                        self.control.end(Ending::Close(
                            CloseCode::TooBig,
                            "Frame too large (limit 64 KiB).".into(),
                        ));
                    }
                    return;
                }
            }
        }
    }

    fn reply(&self, frame: &ServerFrame, kind: Kind) {
        self.hub.send_to(self.id, Outgoing::new(frame, kind));
    }

    fn reply_error(&self, code: ErrorCode, message: &str, temp_id: Option<String>) {
        self.reply(&ServerFrame::error(code, message, temp_id), Kind::Reliable);
    }

    fn reply_domain_error(&self, err: &Error, temp_id: Option<String>) {
        self.reply(&error_frame(err, temp_id), Kind::Reliable);
    }

    async fn handle_text(&self, text: &str) {
        let frame = match ClientFrame::parse(text) {
            Ok(frame) => frame,
            Err(BadFrame {
                code,
                message,
                temp_id,
            }) => return self.reply_error(code, &message, temp_id),
        };
        let temp_id = match &frame {
            ClientFrame::Message { temp_id, .. } => temp_id.clone(),
            _ => None,
        };
        if let ClientFrame::Ping = frame {
            return self.reply(&ServerFrame::Pong, Kind::Reliable);
        }
        if let ClientFrame::Join { room_id } | ClientFrame::Leave { room_id } = frame {
            return self.membership(&frame, RoomId::from_uuid(room_id)).await;
        }
        let Some(room) = self.room_of(&frame, temp_id.clone()) else {
            return;
        };
        let services = self.hub.services();
        match frame {
            ClientFrame::Message { content, .. } => {
                // Submitted in order and acknowledged in order by `forward_acks`, so
                // the next frame is read while this post waits for its commit.
                let submitted = services
                    .submit_as_member(
                        room,
                        &self.user,
                        &content,
                        temp_id.as_deref(),
                        Some(self.id),
                    )
                    .await;
                match submitted {
                    Ok(pending) => {
                        let in_flight = InFlight {
                            room,
                            temp_id,
                            pending,
                        };
                        if self.acks.send(in_flight).await.is_err() {
                            self.control.end(Ending::Close(
                                CloseCode::InternalError,
                                "Lost the ack queue.".into(),
                            ));
                        }
                    }
                    Err(err) => self.reply_domain_error(&err, temp_id),
                }
            }
            ClientFrame::Typing { is_typing, .. } => self.hub.typing(self.id, room, is_typing),
            ClientFrame::Read { seq, .. } => {
                if let Err(err) = services.mark_read(room, self.user.id, seq).await {
                    self.reply_domain_error(&err, None);
                }
            }
            ClientFrame::Who { .. } => self.hub.send_to(self.id, self.hub.presence(room)),
            ClientFrame::History { before, limit, .. } => {
                let query = HistoryQuery::Keyset {
                    before,
                    limit: limit.map_or(RECENT, u64::from),
                };
                match services.history(room, self.user.id, query).await {
                    Ok(page) => {
                        let more = page.next_before.is_some();
                        let frame = frames::history(room, page.messages, more);
                        self.reply(&frame, Kind::Reliable);
                    }
                    Err(err) => self.reply_domain_error(&err, None),
                }
            }
            ClientFrame::Join { .. } | ClientFrame::Leave { .. } | ClientFrame::Ping => {}
        }
    }

    /// The room a frame acts on: the connection's own on `/chat`; the named one, which
    /// the connection must follow, on `/ws`. Answers an error frame when there is none.
    fn room_of(&self, frame: &ClientFrame, temp_id: Option<String>) -> Option<RoomId> {
        match (self.scope, frame.room_id().map(RoomId::from_uuid)) {
            (Scope::Room(room), None) => Some(room),
            (Scope::Room(room), Some(named)) if named == room => Some(room),
            (Scope::Room(_), Some(_)) => {
                self.reply_error(
                    ErrorCode::WrongRoom,
                    "This connection is for another room.",
                    temp_id,
                );
                None
            }
            (Scope::All, None) => {
                self.reply_error(
                    ErrorCode::RoomIdRequired,
                    "Frames on /api/v1/ws need a \"room_id\".",
                    temp_id,
                );
                None
            }
            (Scope::All, Some(room)) if self.hub.follows(self.id, room) => Some(room),
            (Scope::All, Some(room)) => {
                let message = format!("You are not in room {room}; send a join frame first.");
                self.reply_error(ErrorCode::NotInRoom, &message, temp_id);
                None
            }
        }
    }

    /// `join` and `leave`, on `/api/v1/ws` only.
    async fn membership(&self, frame: &ClientFrame, room: RoomId) {
        if self.scope != Scope::All {
            return self.reply_error(
                ErrorCode::NotSupported,
                "join and leave frames are for /api/v1/ws; this connection is for one room.",
                None,
            );
        }
        let services = self.hub.services();
        if let ClientFrame::Leave { .. } = frame {
            if let Err(err) = services.leave_room(room, self.user.id).await {
                return self.reply_domain_error(&err, None);
            }
            self.hub.unsubscribe(self.id, room);
            return;
        }
        if let Err(err) = services.join_room(room, self.user.id).await {
            return self.reply_domain_error(&err, None);
        }
        // Follow first, then read history: the same seam rule as on connect.
        self.hub.subscribe(self.id, room);
        let query = HistoryQuery::Keyset {
            before: None,
            limit: RECENT,
        };
        match services.history(room, self.user.id, query).await {
            Ok(page) => {
                let more = page.next_before.is_some();
                let kind = match page.messages.last() {
                    Some(last) => Kind::Ack {
                        room,
                        seq: last.seq,
                    },
                    None => Kind::Reliable,
                };
                self.reply(&frames::history(room, page.messages, more), kind);
            }
            Err(err) => self.reply_domain_error(&err, None),
        }
    }
}

/// A post waiting for its commit.
pub struct InFlight {
    room: RoomId,
    temp_id: Option<String>,
    pending: PendingAppend,
}

/// Sends each in-flight post's `ack` (or `error`) once it commits, in submission order.
/// Ends when the reader is gone and every pending post has an outcome.
pub async fn forward_acks(hub: Arc<Hub>, id: ConnId, mut in_flight: mpsc::Receiver<InFlight>) {
    while let Some(post) = in_flight.recv().await {
        let (frame, kind) = match post.pending.outcome().await {
            Ok(appended) => {
                let seq = appended.message().seq;
                let kind = Kind::Ack {
                    room: post.room,
                    seq,
                };
                (frames::ack(&appended, post.temp_id), kind)
            }
            Err(err) => (error_frame(&err, post.temp_id), Kind::Reliable),
        };
        hub.send_to(id, Outgoing::new(&frame, kind));
    }
}

/// The `error` frame for a refused action; internal causes stay in the log.
fn error_frame(err: &Error, temp_id: Option<String>) -> ServerFrame {
    let message = match err {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Internal(cause) | Error::Unavailable(cause) => {
            tracing::warn!(%cause, "a socket action failed");
            "The server could not do this now; try again.".into()
        }
        other => other.to_string(),
    };
    ServerFrame::error(err.code(), message, temp_id)
}
