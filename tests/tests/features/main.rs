//! Black-box tests of the conversation features of DESIGN §8: replies, reactions,
//! mentions, search and moderation, each rule and each refusal, on real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mentions;
mod migrations;
mod moderation;
mod privacy;
mod reactions;
mod replies;
mod search;

use papo_tests::{TestApp, TestUser, ws::WsClient};
use serde_json::{Value, json};

/// A multiplexed socket handled up to a pong.
pub async fn all(app: &TestApp, user: &TestUser) -> WsClient {
    let mut socket = app.ws(&format!("/api/v1/ws?token={}", user.token)).await;
    socket.send(json!({"type": "ping"})).await;
    socket.next_of("pong").await;
    socket
}

/// A room's socket past its opening history.
pub async fn in_room(app: &TestApp, user: &TestUser, room: &str) -> WsClient {
    let mut socket = app.chat(room, &user.token).await;
    socket.next_of("history").await;
    socket
}

/// The newest page of a room's history as `user` reads it.
pub async fn newest(app: &TestApp, user: &TestUser, room: &str) -> Vec<Value> {
    let page = app.history(user, room, "?limit=50").await;
    page.assert_status(200);
    page.body["messages"].as_array().unwrap().clone()
}

pub fn message_path(message: &Value) -> String {
    format!("/api/v1/messages/{}", message["id"].as_str().unwrap())
}
