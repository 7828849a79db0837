//! # papo-client
//!
//! The contract of DESIGN §3 and §4 spelled once on the client side: typed REST calls
//! and a typed WebSocket that resumes with `since`.
//!
//! # Layout
//!
//! - [`Client`]: REST: accounts here (the access token renewed by itself before it
//!   expires, and once more on `token_expired`), rooms and members in `rooms`,
//!   messages, replies, reactions, search and moderation in `features`.
//! - [`types`]: the JSON shapes. [`frames`]: every WebSocket frame as an enum.
//! - [`socket`]: a connection to `/api/v1/ws` or `/api/v1/chat/{room}` that remembers
//!   the last seq per room, so [`socket::Socket::reconnect`] loses nothing.

mod features;
pub mod frames;
mod rooms;
pub mod socket;
pub mod types;

use std::{
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;

pub use frames::{ClientFrame, RoomEvent, ServerFrame, SystemEvent};
pub use socket::Socket;
pub use types::{
    Ban, HistoryPage, Member, Message, Reaction, ReplyRef, Room, RoomListing, SearchPage,
    SearchResult, Session, User, UserRef,
};

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

/// A papo server, optionally logged in. Clones share the session, so a refresh made
/// through one is seen by all.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// A std lock: held to read or replace the session, never across an await.
    session: Arc<RwLock<Option<Session>>>,
}

/// An access token this close to expiring is renewed before a call uses it.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

impl Client {
    /// `base` is like `http://127.0.0.1:8000`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            session: Arc::default(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The logged-in session, if any.
    pub fn session(&self) -> Option<Session> {
        self.session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Uses a session obtained elsewhere (by another client, or kept from before).
    pub fn restore(&self, session: Session) {
        self.keep(session);
    }

    fn keep(&self, session: Session) {
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = Some(session);
    }

    /// The current access token, renewed first when it expires within a minute (a
    /// terminal client left open for hours keeps working).
    async fn token(&self) -> Option<String> {
        let session = self.session()?;
        if session.expires_soon(RENEW_BEFORE)
            && session.refresh_token.is_some()
            && let Ok(renewed) = self.renew().await
        {
            return Some(renewed.access_token);
        }
        Some(session.access_token)
    }

    /// Rotates the refresh token; the new session replaces the old for every clone.
    ///
    /// Fails with `Api` 401 when the refresh token is no longer valid.
    async fn renew(&self) -> Result<Session, Error> {
        let token = self
            .session()
            .and_then(|s| s.refresh_token)
            .ok_or_else(|| Error::Protocol("no refresh token".into()))?;
        let body = json!({"refresh_token": token});
        let session: Session = self
            .call(
                reqwest::Method::POST,
                "/auth/refresh_token",
                Some(&body),
                None,
            )
            .await?;
        self.keep(session.clone());
        Ok(session)
    }

    /// One call with the session's token; an expired token is renewed once and the
    /// call made again.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, Error> {
        let token = self.token().await;
        match self
            .call(method.clone(), path, body, token.as_deref())
            .await
        {
            Err(Error::Api {
                status: 401, code, ..
            }) if code == "token_expired" => {
                let renewed = self.renew().await?;
                self.call(method, path, body, Some(&renewed.access_token))
                    .await
            }
            other => other,
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
        token: Option<&str>,
    ) -> Result<T, Error> {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        if let Some(token) = token {
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
            .call(reqwest::Method::POST, "/auth/login", Some(&body), None)
            .await?;
        self.keep(session.clone());
        Ok(session)
    }

    /// Rotates the refresh token for a new session.
    ///
    /// Fails with `Api` 401 when the refresh token is no longer valid.
    pub async fn refresh(&mut self) -> Result<Session, Error> {
        self.renew().await
    }

    /// Opens `/api/v1/ws` (every room of the user), resuming from `since`.
    ///
    /// Fails when not logged in or the socket cannot be opened.
    pub async fn socket(&self) -> Result<Socket, Error> {
        let token = self
            .token()
            .await
            .ok_or_else(|| Error::Protocol("log in first".into()))?;
        Socket::connect(&self.base, &token, None).await
    }

    /// Opens `/api/v1/chat/{room}`.
    ///
    /// Fails when not logged in or the socket cannot be opened.
    pub async fn room_socket(&self, room: &str) -> Result<Socket, Error> {
        let token = self
            .token()
            .await
            .ok_or_else(|| Error::Protocol("log in first".into()))?;
        Socket::connect(&self.base, &token, Some(room)).await
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
