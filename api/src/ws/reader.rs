//! The reading half of a connection. Client frames are handled one at a time, in
//! order, so one client's posts keep their order; but a `ping` is answered as it is
//! read, not after the database calls of the frames before it (during an outage those
//! wait seconds each, and a client whose pings go unanswered reconnects for nothing).

use futures_util::{StreamExt, stream::SplitStream};
use papo_protocol::CloseCode;
use poem::web::websocket::{Message as WsMessage, WebSocketStream};
use tokio::sync::mpsc;

use super::{
    commands::{self, Context},
    frames::{BadFrame, ClientFrame, ErrorCode, ServerFrame},
    session::{Activity, Ending, Kind},
};

/// Frames read but not yet handled; past this the reader waits (and so does the
/// client, through TCP), pings included.
const WAITING_FRAMES: usize = 64;

/// Frames wait boxed: the channel allocates its first block of 32 slots up front, for
/// every socket, idle or not: 32 pointers are 256 bytes, 32 frames (72 bytes each)
/// 2.3 KiB, a seventh of what an idle socket costs in all.
type Waiting = Box<ClientFrame>;

/// Reads until the peer closes or breaks the protocol, then lets the frames already
/// read be handled.
pub async fn run(ctx: Context, activity: Activity, stream: SplitStream<WebSocketStream>) {
    let (frames, mut waiting) = mpsc::channel::<Waiting>(WAITING_FRAMES);
    let handle = async {
        while let Some(frame) = waiting.recv().await {
            commands::apply(&ctx, *frame).await;
        }
    };
    tokio::join!(read(&ctx, &activity, stream, frames), handle);
}

async fn read(
    ctx: &Context,
    activity: &Activity,
    mut stream: SplitStream<WebSocketStream>,
    frames: mpsc::Sender<Waiting>,
) {
    while let Some(incoming) = stream.next().await {
        activity.touch();
        if ctx.control.is_ended() {
            // Closing: what the peer sends now is read only to reach its close
            // frame, never acted on (it gets no answer either).
            if matches!(incoming, Ok(WsMessage::Close(_)) | Err(_)) {
                return;
            }
            continue;
        }
        match incoming {
            Ok(WsMessage::Text(text)) => match ClientFrame::parse(&text) {
                Ok(ClientFrame::Ping) => ctx.reply(&ServerFrame::Pong, Kind::Reliable),
                Ok(frame) => {
                    if frames.send(Box::new(frame)).await.is_err() {
                        return;
                    }
                }
                Err(BadFrame {
                    code,
                    message,
                    temp_id,
                }) => ctx.reply_error(code, &message, temp_id),
            },
            Ok(WsMessage::Binary(_)) => ctx.reply_error(
                ErrorCode::BinaryNotSupported,
                "Frames must be JSON text; binary frames are not supported.",
                None,
            ),
            Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => {}
            Ok(WsMessage::Close(_)) => return,
            Err(err) => {
                if let Some(ending) = violation(&err.to_string()) {
                    ctx.control.end(ending);
                }
                return;
            }
        }
    }
}

/// How to close a socket whose peer broke the WebSocket protocol, from the error the
/// WebSocket layer reported (it reaches us as text): 1009 for an oversized frame, 1007
/// for text that is not UTF-8, 1002 for any other violation. `None` for a connection
/// that simply broke, which has no one left to tell.
fn violation(error: &str) -> Option<Ending> {
    let error = error.to_lowercase();
    if error.contains("too long") || error.contains("size") {
        Some(Ending::Close(
            CloseCode::TooBig,
            "Frame too large (limit 64 KiB).".into(),
        ))
    } else if error.contains("utf-8") || error.contains("utf8") {
        Some(Ending::Close(
            CloseCode::InvalidPayload,
            "Text frames must be UTF-8.".into(),
        ))
    } else if error.contains("protocol") {
        Some(Ending::Close(
            CloseCode::ProtocolError,
            "WebSocket protocol violation.".into(),
        ))
    } else {
        None
    }
}
