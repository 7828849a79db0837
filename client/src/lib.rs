//! # papo-client
//!
//! The contract of DESIGN §3 and §4 spelled once on the client side: typed REST calls
//! and a typed WebSocket that resumes with `since`.
//!
//! # Layout
//!
//! - [`Client`]: REST (accounts, rooms, history, posting).
//! - [`types`]: the JSON shapes. [`frames`]: every WebSocket frame as an enum.
//! - [`socket`]: a connection to `/api/v1/ws` or `/api/v1/chat/{room}` that remembers
//!   the last seq per room, so [`socket::Socket::reconnect`] loses nothing.

pub mod frames;
pub mod socket;
pub mod types;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;

pub use frames::{ClientFrame, RoomEvent, ServerFrame, SystemEvent};
pub use socket::Socket;
pub use types::{HistoryPage, Message, Room, RoomListing, Session, User, UserRef};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a problem (RFC 9457).
    #[error("{status} {code}: {detail}")]
    Api {
        status: u16,
        code: String,
        detail: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("transport: {0}")]
    Transport(String),
    /// The server sent something this client does not understand.
    #[error("protocol: {0}")]
    Protocol(String),
}

impl From<reqwest::Error> for Error {
    fn from(err: reqwest::Error) -> Self {
        Self::Transport(err.to_string())
    }
}

/// A papo server, optionally logged in.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    session: Option<Session>,
}

impl Client {
    /// `base` is like `http://127.0.0.1:8000`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            session: None,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The logged-in session, if any.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.access_token.as_str())
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, Error> {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        if let Some(token) = self.token() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            let problem: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            return Err(Error::Api {
                status: status.as_u16(),
                code: problem["code"].as_str().unwrap_or("unknown").to_owned(),
                detail: problem["detail"].as_str().unwrap_or(&text).to_owned(),
            });
        }
        let text = if text.is_empty() { "null" } else { &text };
        serde_json::from_str(text).map_err(|e| Error::Protocol(format!("{e} in {text}")))
    }

    /// Creates an account.
    ///
    /// Fails with `Api` 409 when the username is taken, 422 when a field is invalid.
    pub async fn register(
        &self,
        name: &str,
        username: &str,
        password: &str,
    ) -> Result<User, Error> {
        let body = json!({"name": name, "username": username, "password": password});
        self.send(reqwest::Method::POST, "/users", Some(&body))
            .await
    }

    /// Logs in and keeps the session for later calls.
    ///
    /// Fails with `Api` 401 on wrong credentials.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<Session, Error> {
        let body = json!({"username": username, "password": password});
        let session: Session = self
            .send(reqwest::Method::POST, "/auth/login", Some(&body))
            .await?;
        self.session = Some(session.clone());
        Ok(session)
    }

    /// Rotates the refresh token for a new session.
    ///
    /// Fails with `Api` 401 when the refresh token is no longer valid.
    pub async fn refresh(&mut self) -> Result<Session, Error> {
        let token = self
            .session
            .as_ref()
            .and_then(|s| s.refresh_token.clone())
            .ok_or_else(|| Error::Protocol("no refresh token".into()))?;
        let body = json!({"refresh_token": token});
        let session: Session = self
            .send(reqwest::Method::POST, "/auth/refresh_token", Some(&body))
            .await?;
        self.session = Some(session.clone());
        Ok(session)
    }

    /// Public rooms and the caller's private and direct rooms, every page.
    ///
    /// Fails as any call does.
    pub async fn rooms(&self) -> Result<Vec<RoomListing>, Error> {
        #[derive(serde::Deserialize)]
        struct Page {
            rooms: Vec<RoomListing>,
            next_cursor: Option<String>,
        }
        let mut rooms = Vec::new();
        let mut path = "/rooms?limit=500".to_owned();
        loop {
            let page: Page = self.send(reqwest::Method::GET, &path, None::<&()>).await?;
            rooms.extend(page.rooms);
            match page.next_cursor {
                Some(cursor) => path = format!("/rooms?limit=500&cursor={cursor}"),
                None => return Ok(rooms),
            }
        }
    }

    /// The room named `name` (any letter case) among those the caller can see.
    ///
    /// Fails with `Api` 404 `room_not_found` when there is none.
    pub async fn room_named(&self, name: &str) -> Result<RoomListing, Error> {
        self.rooms()
            .await?
            .into_iter()
            .find(|r| r.name.to_lowercase() == name.to_lowercase())
            .ok_or_else(|| Error::Api {
                status: 404,
                code: "room_not_found".into(),
                detail: format!("No room named {name}."),
            })
    }

    /// Creates a room.
    ///
    /// Fails with `Api` 409 when the name is taken.
    pub async fn create_room(&self, name: &str, private: bool) -> Result<Room, Error> {
        let visibility = if private { "private" } else { "public" };
        let body = json!({"name": name, "visibility": visibility});
        self.send(reqwest::Method::POST, "/rooms", Some(&body))
            .await
    }

    /// Joins a public room.
    ///
    /// Fails with `Api` 403 for a private room without an invite.
    pub async fn join(&self, room: &str) -> Result<(), Error> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::POST,
                &format!("/rooms/{room}/join"),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// The `limit` messages below seq `before` (or the newest), oldest first.
    ///
    /// Fails with `Api` 403/404 for a room the caller cannot read.
    pub async fn history(
        &self,
        room: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<HistoryPage, Error> {
        let before = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let path = format!("/rooms/{room}/history?limit={limit}{before}");
        self.send(reqwest::Method::GET, &path, None::<&()>).await
    }

    /// Posts a message over REST (stored and broadcast like a socket post).
    ///
    /// Fails with `Api` 422 for empty or over-long content, 409 for a reused temp_id.
    pub async fn post(
        &self,
        room: &str,
        content: &str,
        temp_id: Option<&str>,
    ) -> Result<Message, Error> {
        let body = json!({"content": content, "temp_id": temp_id});
        self.send(
            reqwest::Method::POST,
            &format!("/rooms/{room}/messages"),
            Some(&body),
        )
        .await
    }

    /// The direct room with `user` (created on first use).
    ///
    /// Fails with `Api` 404 for an unknown user.
    pub async fn open_direct(&self, user: uuid::Uuid) -> Result<Room, Error> {
        let body = json!({"user_id": user});
        self.send(reqwest::Method::POST, "/dms", Some(&body)).await
    }

    /// Users whose username or name contains `query`.
    ///
    /// Fails as any call does.
    pub async fn users(&self, query: &str) -> Result<Vec<User>, Error> {
        #[derive(serde::Deserialize)]
        struct Users {
            users: Vec<User>,
        }
        let path = format!("/users?limit=100&q={}", urlencode(query));
        let users: Users = self.send(reqwest::Method::GET, &path, None::<&()>).await?;
        Ok(users.users)
    }

    /// Opens `/api/v1/ws` (every room of the user), resuming from `since`.
    ///
    /// Fails when not logged in or the socket cannot be opened.
    pub async fn socket(&self) -> Result<Socket, Error> {
        let token = self
            .token()
            .ok_or_else(|| Error::Protocol("log in first".into()))?;
        Socket::connect(&self.base, token, None).await
    }

    /// Opens `/api/v1/chat/{room}`.
    ///
    /// Fails when not logged in or the socket cannot be opened.
    pub async fn room_socket(&self, room: &str) -> Result<Socket, Error> {
        let token = self
            .token()
            .ok_or_else(|| Error::Protocol("log in first".into()))?;
        Socket::connect(&self.base, token, Some(room)).await
    }
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
