//! Client frames, one handler per type (as mini-redis's `Command::apply`): each
//! checks the room the frame names, calls one use case, and replies on the
//! connection's queue.

use std::{sync::Arc, time::Instant};

use domain::{
    Error, MessageId, RoomId,
    message::HistoryQuery,
    ports::PendingAppend,
    service::{Post, Services},
    user::UserSummary,
};
use papo_protocol::CloseCode;

use crate::rate::{FrameBudget, UserBuckets};
use tokio::sync::mpsc;

use super::{
    frames::{self, ClientFrame, ErrorCode, ServerFrame},
    hub::Hub,
    replay::history_frame,
    session::{ConnId, Control, Ending, Kind, Outgoing, RECENT, Scope},
};

/// A connection, as its commands see it.
pub struct Context {
    pub hub: Arc<Hub>,
    pub services: Services,
    pub limiter: Arc<UserBuckets>,
    /// This connection's budget for frames other than posts and pings.
    pub frames: FrameBudget,
    pub id: ConnId,
    pub user: UserSummary,
    pub scope: Scope,
    pub control: Arc<Control>,
    /// Posts in flight, in the order they were submitted; see [`forward_acks`].
    pub acks: mpsc::Sender<InFlight>,
}

impl Context {
    pub fn reply(&self, frame: &ServerFrame, kind: Kind) {
        self.hub.send_to(self.id, Outgoing::new(frame, kind));
    }

    pub fn reply_error(&self, code: ErrorCode, message: &str, temp_id: Option<String>) {
        self.reply(&ServerFrame::error(code, message, temp_id), Kind::Reliable);
    }

    fn reply_domain_error(&self, err: &Error, temp_id: Option<String>) {
        self.reply(&error_frame(err, temp_id), Kind::Reliable);
    }

    /// The room a frame acts on: the connection's own on `/chat`; the named one, which
    /// the connection must follow, on `/ws`. Answers an error frame when there is none.
    fn room_of(&self, frame: &ClientFrame, temp_id: Option<String>) -> Option<RoomId> {
        match (self.scope, frame.room_id().map(RoomId::from_uuid)) {
            (Scope::Room(room), None) => Some(room),
            (Scope::Room(room), Some(named)) if named == room => Some(room),
            (Scope::Room(_), Some(_)) => {
                let message = "This connection is for another room.";
                self.reply_error(ErrorCode::WrongRoom, message, temp_id);
                None
            }
            (Scope::All, None) => {
                let message = "Frames on /api/v1/ws need a \"room_id\".";
                self.reply_error(ErrorCode::RoomIdRequired, message, temp_id);
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
}

/// Handles one client frame.
pub async fn apply(ctx: &Context, frame: ClientFrame) {
    let temp_id = match &frame {
        ClientFrame::Message { temp_id, .. } => temp_id.clone(),
        _ => None,
    };
    if !within_frame_budget(ctx, &frame) {
        return;
    }
    match frame {
        ClientFrame::Ping => ctx.reply(&ServerFrame::Pong, Kind::Reliable),
        ClientFrame::Join { room_id } => join(ctx, RoomId::from_uuid(room_id)).await,
        ClientFrame::Leave { room_id } => leave(ctx, RoomId::from_uuid(room_id)).await,
        frame => {
            let Some(room) = ctx.room_of(&frame, temp_id.clone()) else {
                return;
            };
            match frame {
                ClientFrame::Message {
                    content, reply_to, ..
                } => {
                    let post_ = Post {
                        content: &content,
                        temp_id: temp_id.as_deref(),
                        reply_to: reply_to.map(MessageId::from_uuid),
                    };
                    post(ctx, room, post_).await;
                }
                ClientFrame::Typing { is_typing, .. } => ctx.hub.typing(ctx.id, room, is_typing),
                ClientFrame::Read { seq, .. } => read(ctx, room, seq).await,
                ClientFrame::Who { .. } => ctx.hub.send_to(ctx.id, ctx.hub.presence(room)),
                ClientFrame::History { before, limit, .. } => {
                    let limit = limit.map_or(RECENT, u64::from);
                    history(ctx, room, HistoryQuery::Keyset { before, limit }).await;
                }
                ClientFrame::Ping | ClientFrame::Join { .. } | ClientFrame::Leave { .. } => {}
            }
        }
    }
}

/// Typing, read, who, history, join and leave frames come out of the connection's
/// budget (posts have their own, pings are free). Over it, a typing frame is dropped
/// silently and the others are answered `rate_limited` with when to retry.
fn within_frame_budget(ctx: &Context, frame: &ClientFrame) -> bool {
    if matches!(frame, ClientFrame::Message { .. } | ClientFrame::Ping) {
        return true;
    }
    let Err(wait) = ctx.frames.take(Instant::now()) else {
        return true;
    };
    if !matches!(frame, ClientFrame::Typing { .. }) {
        let refused = ServerFrame::Error {
            code: ErrorCode::RateLimited,
            message: "Too many frames; this one was not handled.".into(),
            temp_id: None,
            resume: None,
            retry_after_ms: Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1)),
        };
        ctx.reply(&refused, Kind::Reliable);
    }
    false
}

/// `message`: submitted in order and acknowledged in order by [`forward_acks`], so the
/// next frame is read while this post waits for its commit.
async fn post(ctx: &Context, room: RoomId, post: Post<'_>) {
    let temp_id = post.temp_id.map(str::to_owned);
    if let Err(wait) = ctx.limiter.take(ctx.user.id, Instant::now()) {
        let frame = ServerFrame::Error {
            code: ErrorCode::RateLimited,
            message: "Posting too fast; this message was not stored.".into(),
            temp_id,
            resume: None,
            retry_after_ms: Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1)),
        };
        return ctx.reply(&frame, Kind::Reliable);
    }
    let submitted = ctx
        .services
        .submit_as_member(room, &ctx.user, post, Some(ctx.id))
        .await;
    match submitted {
        Ok(pending) => {
            let in_flight = InFlight {
                room,
                temp_id,
                pending,
            };
            if ctx.acks.send(in_flight).await.is_err() {
                let ending = Ending::Close(CloseCode::InternalError, "Lost the ack queue.".into());
                ctx.control.end(ending);
            }
        }
        Err(err) => ctx.reply_domain_error(&err, temp_id),
    }
}

async fn read(ctx: &Context, room: RoomId, seq: i64) {
    if let Err(err) = ctx.services.mark_read(room, ctx.user.id, seq).await {
        ctx.reply_domain_error(&err, None);
    }
}

async fn history(ctx: &Context, room: RoomId, query: HistoryQuery) {
    match ctx.services.history(room, ctx.user.id, query).await {
        Ok(page) => {
            let more = page.next_before.is_some();
            let frame = frames::history(room, page.messages, more);
            ctx.reply(&frame, Kind::Reliable);
        }
        Err(err) => ctx.reply_domain_error(&err, None),
    }
}

/// `join`, on `/api/v1/ws` only: become a member, follow, and get the recent history.
async fn join(ctx: &Context, room: RoomId) {
    if !multiplexed(ctx) {
        return;
    }
    if let Err(err) = ctx.services.join_room(room, ctx.user.id).await {
        return ctx.reply_domain_error(&err, None);
    }
    // Follow first, then read history: the same seam rule as on connect.
    ctx.hub.subscribe(ctx.id, room);
    let query = HistoryQuery::Keyset {
        before: None,
        limit: RECENT,
    };
    match ctx.services.history(room, ctx.user.id, query).await {
        Ok(page) => {
            let more = page.next_before.is_some();
            ctx.hub
                .send_to(ctx.id, history_frame(room, page.messages, more));
        }
        Err(err) => ctx.reply_domain_error(&err, None),
    }
}

/// `leave`, on `/api/v1/ws` only.
async fn leave(ctx: &Context, room: RoomId) {
    if !multiplexed(ctx) {
        return;
    }
    if let Err(err) = ctx.services.leave_room(room, ctx.user.id).await {
        return ctx.reply_domain_error(&err, None);
    }
    ctx.hub.unsubscribe(ctx.id, room);
}

/// Whether this is the multiplexed socket; answers an error frame when it is not.
fn multiplexed(ctx: &Context) -> bool {
    if ctx.scope == Scope::All {
        return true;
    }
    ctx.reply_error(
        ErrorCode::NotSupported,
        "join and leave frames are for /api/v1/ws; this connection is for one room.",
        None,
    );
    false
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
