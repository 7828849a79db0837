//! Setting up a load through the public API: accounts, rooms, sockets.

use anyhow::bail;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

/// The password of every bench account.
const PASSWORD: &str = "bench-password-1";

/// A socket to papo.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A papo server seen through its API.
#[derive(Clone)]
pub struct Server {
    pub http: String,
    pub ws: String,
    client: reqwest::Client,
}

/// A logged-in bench account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub token: String,
    /// The typed client, logged in as this account (REST set-up goes through it).
    pub client: papo_client::Client,
}

impl Server {
    /// `base` is like `http://127.0.0.1:8000`.
    pub fn new(base: &str) -> Self {
        let http = base.trim_end_matches('/').to_owned();
        let ws = http.replacen("http", "ws", 1);
        Self {
            http,
            ws,
            client: reqwest::Client::new(),
        }
    }

    /// Signs up (if needed) and logs in `username`.
    ///
    /// Fails when the server refuses.
    pub async fn account(&self, username: &str) -> anyhow::Result<Account> {
        let mut client = papo_client::Client::new(&self.http);
        match client.register(username, username, PASSWORD).await {
            Ok(_) | Err(papo_client::Error::Api { status: 409, .. }) => {}
            Err(err) => bail!("sign-up of {username} failed: {err}"),
        }
        let session = client.login(username, PASSWORD).await?;
        Ok(Account {
            id: session.id.to_string(),
            token: session.access_token,
            client,
        })
    }

    /// Creates a public room with a unique name and returns its id.
    ///
    /// Fails when the server refuses.
    pub async fn room(&self, owner: &Account, prefix: &str) -> anyhow::Result<String> {
        let name = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
        Ok(owner.client.create_room(&name, false).await?.id.to_string())
    }

    /// Creates `count` public rooms of `owner`, in order (see [`Server::room`]).
    ///
    /// Fails when the server refuses.
    pub async fn rooms(
        &self,
        owner: &Account,
        prefix: &str,
        count: usize,
    ) -> anyhow::Result<Vec<String>> {
        let mut rooms = Vec::with_capacity(count);
        for _ in 0..count {
            rooms.push(self.room(owner, prefix).await?);
        }
        Ok(rooms)
    }

    /// Posts a message over REST (for filling rooms).
    ///
    /// Fails when the server refuses.
    pub async fn post(&self, who: &Account, room: &str, content: &str) -> anyhow::Result<()> {
        who.client.post(room, content, None).await?;
        Ok(())
    }

    /// GETs a path and returns the JSON body.
    ///
    /// Fails when the server refuses.
    pub async fn get(&self, who: &Account, path: &str) -> anyhow::Result<Value> {
        Ok(self
            .client
            .get(format!("{}{path}", self.http))
            .bearer_auth(&who.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Opens `/api/v1/chat/{room}` and waits for its first `history` frame.
    ///
    /// Fails when the socket cannot be opened.
    pub async fn join_socket(&self, who: &Account, room: &str) -> anyhow::Result<Socket> {
        let url = format!("{}/api/v1/chat/{room}?token={}", self.ws, who.token);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
        loop {
            let frame = next_json(&mut socket).await?;
            if frame["type"] == "history" {
                return Ok(socket);
            }
        }
    }
}

/// The next JSON text frame.
///
/// Fails when the socket closes or sends something else.
pub async fn next_json(socket: &mut Socket) -> anyhow::Result<Value> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text)?),
            Some(Ok(Message::Close(frame))) => bail!("socket closed: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(err)) => return Err(err.into()),
            None => bail!("socket ended"),
        }
    }
}

/// Sends a JSON frame.
///
/// Fails when the socket is gone.
pub async fn send_json(socket: &mut Socket, frame: &Value) -> anyhow::Result<()> {
    socket.send(Message::Text(frame.to_string().into())).await?;
    Ok(())
}
