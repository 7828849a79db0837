//! Setting up a load through the public API: accounts, rooms, sockets.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
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
        let signup = self
            .client
            .post(format!("{}/api/v1/users", self.http))
            .json(&json!({"name": username, "username": username, "password": PASSWORD}))
            .send()
            .await
            .context("sign-up request")?;
        if !(signup.status().is_success() || signup.status().as_u16() == 409) {
            bail!("sign-up of {username} failed: {}", signup.status());
        }
        let login: Value = self
            .client
            .post(format!("{}/api/v1/auth/login", self.http))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Account {
            id: login["id"].as_str().unwrap_or_default().to_owned(),
            token: login["access_token"]
                .as_str()
                .context("no access token")?
                .to_owned(),
        })
    }

    /// Creates a public room with a unique name and returns its id.
    ///
    /// Fails when the server refuses.
    pub async fn room(&self, owner: &Account, prefix: &str) -> anyhow::Result<String> {
        let name = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
        let room: Value = self
            .client
            .post(format!("{}/api/v1/rooms", self.http))
            .bearer_auth(&owner.token)
            .json(&json!({"name": name}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(room["id"].as_str().context("no room id")?.to_owned())
    }

    /// Posts a message over REST (for filling rooms).
    ///
    /// Fails when the server refuses.
    pub async fn post(&self, who: &Account, room: &str, content: &str) -> anyhow::Result<()> {
        self.client
            .post(format!("{}/api/v1/rooms/{room}/messages", self.http))
            .bearer_auth(&who.token)
            .json(&json!({"content": content}))
            .send()
            .await?
            .error_for_status()?;
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
