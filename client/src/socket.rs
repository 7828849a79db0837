//! A WebSocket to papo that remembers the last seq per room, so reconnecting resumes
//! exactly where it stopped.

use std::collections::BTreeMap;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message as WsMessage};
use uuid::Uuid;

use crate::{
    Error,
    frames::{ClientFrame, ServerFrame},
};

/// A live connection.
pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    base: String,
    token: String,
    room: Option<String>,
    /// The resume point per room: the highest seq seen in history, message and ack
    /// frames.
    last_seq: BTreeMap<Uuid, i64>,
}

/// How a socket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl Socket {
    /// Connects to `/api/v1/chat/{room}` or, without a room, `/api/v1/ws`.
    ///
    /// Fails when the socket cannot be opened.
    pub async fn connect(base: &str, token: &str, room: Option<&str>) -> Result<Self, Error> {
        let mut socket = Self {
            stream: open(base, token, room, &BTreeMap::new()).await?,
            base: base.to_owned(),
            token: token.to_owned(),
            room: room.map(str::to_owned),
            last_seq: BTreeMap::new(),
        };
        socket.last_seq.clear();
        Ok(socket)
    }

    /// Opens a new connection that resumes every room from its last seen seq.
    ///
    /// Fails when the socket cannot be opened.
    pub async fn reconnect(&mut self) -> Result<(), Error> {
        self.stream = open(
            &self.base,
            &self.token,
            self.room.as_deref(),
            &self.last_seq,
        )
        .await?;
        Ok(())
    }

    /// Resumes on another server of the same cluster (this one died, or a load
    /// balancer sends the client elsewhere): the token works on every node.
    ///
    /// Fails when the socket cannot be opened.
    pub async fn reconnect_to(&mut self, base: &str) -> Result<(), Error> {
        base.clone_into(&mut self.base);
        self.reconnect().await
    }

    /// Closes the connection (as a client going away would); [`Socket::reconnect`]
    /// resumes it.
    pub async fn disconnect(&mut self) {
        let _ = self.stream.close(None).await;
        // Drain until the server's close arrives, so the old connection is gone.
        while let Some(Ok(_)) = self.stream.next().await {}
    }

    /// Uses a new access token from the next reconnect on.
    pub fn set_token(&mut self, token: &str) {
        token.clone_into(&mut self.token);
    }

    /// Sends a frame.
    ///
    /// Fails when the connection is gone.
    pub async fn send(&mut self, frame: &ClientFrame) -> Result<(), Error> {
        let text = serde_json::to_string(frame).map_err(|e| Error::Protocol(e.to_string()))?;
        self.stream
            .send(WsMessage::Text(text.into()))
            .await
            .map_err(|e| Error::Transport(e.to_string()))
    }

    /// The next frame, or how the socket closed.
    ///
    /// Fails with `Protocol` for a frame this client does not understand.
    pub async fn next(&mut self) -> Result<Result<ServerFrame, Closed>, Error> {
        loop {
            match self.stream.next().await {
                Some(Ok(WsMessage::Text(text))) => {
                    let frame: ServerFrame = serde_json::from_str(&text)
                        .map_err(|e| Error::Protocol(format!("{e} in {text}")))?;
                    if let Some((room, seq)) = frame.last_seq() {
                        let last = self.last_seq.entry(room).or_insert(0);
                        *last = (*last).max(seq);
                    }
                    return Ok(Ok(frame));
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Ok(Err(Closed { code, reason }));
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(Error::Transport(err.to_string())),
                None => {
                    return Ok(Err(Closed {
                        code: 1006,
                        reason: String::new(),
                    }));
                }
            }
        }
    }

    /// The resume point per room.
    pub fn last_seq(&self) -> &BTreeMap<Uuid, i64> {
        &self.last_seq
    }
}

async fn open(
    base: &str,
    token: &str,
    room: Option<&str>,
    since: &BTreeMap<Uuid, i64>,
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, Error> {
    let ws = base.replacen("http", "ws", 1);
    let url = match room {
        Some(room) => {
            let since = room
                .parse::<Uuid>()
                .ok()
                .and_then(|r| since.get(&r))
                .map(|s| format!("&since={s}"))
                .unwrap_or_default();
            format!("{ws}/api/v1/chat/{room}?token={token}{since}")
        }
        None => {
            let pairs: Vec<String> = since.iter().map(|(r, s)| format!("{r}:{s}")).collect();
            let since = if pairs.is_empty() {
                String::new()
            } else {
                format!("&since={}", pairs.join(","))
            };
            format!("{ws}/api/v1/ws?token={token}{since}")
        }
    };
    let (stream, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| Error::Transport(e.to_string()))?;
    Ok(stream)
}
