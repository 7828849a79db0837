//! A minimal WebSocket test client for papo's protocol.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, protocol::CloseFrame},
};

use crate::TestApp;

/// How long a test waits for a frame it expects.
pub const WAIT: Duration = Duration::from_secs(10);

/// A connected socket.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a socket ended.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl TestApp {
    /// Connects to `path` (e.g. `/api/v1/chat/{room}?token=…`).
    pub async fn ws(&self, path: &str) -> WsClient {
        let url = format!("ws://127.0.0.1:{}{}", self.port, path);
        let (stream, _) = connect_async(url).await.expect("websocket connects");
        WsClient { stream }
    }

    /// Connects with a tiny receive buffer, so that a client that stops reading backs
    /// up into the server quickly instead of into megabytes of kernel buffers.
    pub async fn ws_slow_reader(&self, path: &str) -> WsClient {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .set_recv_buffer_size(4096)
            .expect("small receive buffer");
        let addr = format!("127.0.0.1:{}", self.port).parse().expect("address");
        let tcp = socket.connect(addr).await.expect("tcp connects");
        let url = format!("ws://127.0.0.1:{}{}", self.port, path);
        let (stream, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
            .await
            .expect("websocket connects");
        WsClient { stream }
    }

    /// Connects to one room with a token.
    pub async fn chat(&self, room: &str, token: &str) -> WsClient {
        self.ws(&format!("/api/v1/chat/{room}?token={token}")).await
    }
}

impl WsClient {
    /// Sends a JSON text frame.
    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("frame sent");
    }

    /// Sends `frames`, then a ping, reading (and dropping) whatever arrives meanwhile,
    /// as a client that keeps up does; returns once the pong came, when the server has
    /// handled every frame. A client that only wrote would fill its own queue.
    pub async fn send_reading(self, frames: impl IntoIterator<Item = Value>) -> Self {
        let (mut sink, mut stream) = self.stream.split();
        let reader = tokio::spawn(async move {
            loop {
                let message = tokio::time::timeout(WAIT, stream.next())
                    .await
                    .expect("a frame within the wait")
                    .expect("the socket is open")
                    .expect("a readable frame");
                match message {
                    Message::Text(text) if text.contains(r#""type":"pong""#) => return stream,
                    Message::Close(frame) => panic!("socket closed: {frame:?}"),
                    _ => {}
                }
            }
        });
        let ping = serde_json::json!({"type": "ping"});
        for frame in frames.into_iter().chain([ping]) {
            sink.send(Message::Text(frame.to_string().into()))
                .await
                .expect("frame sent");
        }
        let stream = reader.await.expect("the reader");
        Self {
            stream: sink.reunite(stream).expect("two halves of one socket"),
        }
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.stream.send(message).await.expect("frame sent");
    }

    /// The next JSON frame; panics on close or after [`WAIT`].
    pub async fn next(&mut self) -> Value {
        self.next_within(WAIT).await
    }

    /// The next JSON frame; panics on close or after `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Value {
        loop {
            let message = tokio::time::timeout(wait, self.stream.next())
                .await
                .expect("a frame within the wait")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON frame"),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next JSON frame, or how the socket closed.
    pub async fn next_or_close(&mut self) -> Result<Value, Closed> {
        loop {
            let next = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame or a close within the wait");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("JSON frame"));
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Err(Closed { code, reason });
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => {
                    return Err(Closed {
                        code: 1006,
                        reason: String::new(),
                    });
                }
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Frames until one of `kind` matches `pred`.
    pub async fn until(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next_of(kind).await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// Waits for the server to close the socket, skipping frames.
    pub async fn closed(&mut self) -> Closed {
        read_until_closed(&mut self.stream).await
    }

    /// Keeps sending `frame` as fast as the socket takes it while waiting for the
    /// server to close, as a busy client does when the server ends its connection.
    pub async fn closed_while_sending(self, frame: Value) -> Closed {
        let (mut sink, mut stream) = self.stream.split();
        let text = frame.to_string();
        let sending = tokio::spawn(async move {
            while sink.send(Message::Text(text.clone().into())).await.is_ok() {}
        });
        let closed = read_until_closed(&mut stream).await;
        sending.abort();
        closed
    }

    /// True when no frame of `kind` arrives within `wait` and the socket stays open.
    ///
    /// Panics when the socket closes meanwhile: "nothing arrived" must not pass because
    /// the server hung up.
    pub async fn quiet(&mut self, kind: &str, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return true,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if frame["type"] == kind {
                        return false;
                    }
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    panic!("the socket closed while waiting for quiet: {frame:?}")
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(err))) => panic!("the socket broke while waiting for quiet: {err}"),
                Ok(None) => panic!("the socket ended while waiting for quiet"),
            }
        }
    }

    /// Reads (and so answers pings) for `wait`; panics if the socket closes meanwhile.
    pub async fn stays_open(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Close(frame)))) => panic!("the socket closed: {frame:?}"),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(err))) => panic!("the socket broke: {err}"),
                Ok(None) => panic!("the socket ended"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }

    /// Closes and waits for the server's closing frame: by then the server has
    /// unregistered the socket (and announced a departure, if it was one).
    pub async fn close_and_wait(mut self) {
        let _ = self.stream.close(None).await;
        loop {
            match tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("the server's close within the wait")
            {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The types of the frames that arrive before the answer to a `ping` sent now:
    /// everything the server had queued for this socket when it read the ping.
    pub async fn frames_before_pong(&mut self) -> Vec<String> {
        self.send(serde_json::json!({"type": "ping"})).await;
        let mut types = Vec::new();
        loop {
            let frame = self.next().await;
            if frame["type"] == "pong" {
                return types;
            }
            types.push(frame["type"].as_str().unwrap_or("").to_owned());
        }
    }
}

/// Reads (skipping frames) until the socket closes, and says how: the close frame's
/// code, or 1006 when the connection ended without one.
async fn read_until_closed<S, E>(stream: &mut S) -> Closed
where
    S: futures_util::Stream<Item = Result<Message, E>> + Unpin,
{
    loop {
        let next = tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("closed within the wait");
        match next {
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) = frame
                    .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()))
                    .unwrap_or((1005, String::new()));
                return Closed { code, reason };
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => {
                return Closed {
                    code: 1006,
                    reason: String::new(),
                };
            }
        }
    }
}
