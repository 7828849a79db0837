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
                let text = err.to_string().to_lowercase();
                if text.contains("too long") || text.contains("size") {
                    ctx.control.end(Ending::Close(
                        CloseCode::TooBig,
                        "Frame too large (limit 64 KiB).".into(),
                    ));
                }
                return;
            }
        }
    }
}
