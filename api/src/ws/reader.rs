//! The reading half of a connection: client frames, handled one at a time, so one
//! client's posts keep their order.

use futures_util::{StreamExt, stream::SplitStream};
use papo_protocol::CloseCode;
use poem::web::websocket::{Message as WsMessage, WebSocketStream};

use super::{
    commands::{self, Context},
    frames::{BadFrame, ClientFrame, ErrorCode},
    session::{Activity, Ending},
};

/// Reads until the peer closes or breaks the protocol.
pub async fn run(ctx: Context, activity: Activity, mut stream: SplitStream<WebSocketStream>) {
    while let Some(incoming) = stream.next().await {
        activity.touch();
        match incoming {
            Ok(WsMessage::Text(text)) => match ClientFrame::parse(&text) {
                Ok(frame) => commands::apply(&ctx, frame).await,
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
