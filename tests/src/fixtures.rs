//! The steps most tests start with: users, rooms, messages.

use serde_json::{Value, json};

use crate::{PASSWORD, TestApp, TestUser, http::Reply};

impl TestApp {
    /// Registers an account without logging in and returns the raw reply.
    pub async fn register(&self, name: &str, username: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/users",
            None,
            json!({"name": name, "username": username, "password": password}),
        )
        .await
    }

    /// Joins `room_id` as `user` and asserts 204.
    pub async fn join(&self, user: &TestUser, room_id: &str) {
        self.post_empty(&format!("/api/v1/rooms/{room_id}/join"), Some(&user.token))
            .await
            .assert_status(204);
    }

    /// `owner` adds `user` to `room_id` (the way into a private room); asserts 204.
    pub async fn invite(&self, owner: &TestUser, room_id: &str, user: &TestUser) {
        self.post(
            &format!("/api/v1/rooms/{room_id}/members"),
            Some(&owner.token),
            json!({"user_id": user.id}),
        )
        .await
        .assert_status(204);
    }

    /// Posts `content` answering `parent` (a message object) and returns the reply.
    pub async fn reply_to(
        &self,
        user: &TestUser,
        room_id: &str,
        parent: &Value,
        content: &str,
    ) -> Value {
        let reply = self
            .post(
                &format!("/api/v1/rooms/{room_id}/messages"),
                Some(&user.token),
                json!({"content": content, "reply_to": parent["id"]}),
            )
            .await;
        reply.assert_status(201);
        reply.body
    }

    /// Reads a room's history with a query string such as `?page=2&size=5` (or "").
    pub async fn history(&self, user: &TestUser, room_id: &str, query: &str) -> Reply {
        self.get(
            &format!("/api/v1/rooms/{room_id}/history{query}"),
            Some(&user.token),
        )
        .await
    }

    /// The caller's entry for `room_id` in `GET /api/v1/rooms`, if listed.
    pub async fn listed_room(&self, user: &TestUser, room_id: &str) -> Option<Value> {
        let reply = self.get("/api/v1/rooms", Some(&user.token)).await;
        reply.assert_status(200);
        reply.body["rooms"]
            .as_array()
            .expect("rooms is an array")
            .iter()
            .find(|room| room["id"] == room_id)
            .cloned()
    }

    /// Registers `username` (display name: the username capitalised) and logs in.
    pub async fn signup(&self, username: &str) -> TestUser {
        let name = capitalise(username);
        self.post(
            "/api/v1/users",
            None,
            json!({"name": name, "username": username, "password": PASSWORD}),
        )
        .await
        .assert_status(201);
        self.login(username).await
    }

    /// Logs `username` in, signing them up first if they are new.
    pub async fn login_or_signup(&self, username: &str) -> TestUser {
        let name = capitalise(username);
        let reply = self.register(&name, username, PASSWORD).await;
        assert!(
            [201, 409].contains(&reply.status.as_u16()),
            "{}",
            reply.text
        );
        self.login(username).await
    }

    /// Logs in with [`PASSWORD`].
    pub async fn login(&self, username: &str) -> TestUser {
        let reply = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
            )
            .await;
        reply.assert_status(200);
        TestUser {
            id: reply.body["id"].as_str().unwrap().to_owned(),
            username: reply.body["username"].as_str().unwrap().to_owned(),
            name: reply.body["name"].as_str().unwrap().to_owned(),
            token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Signs `username` up and has them create a room: most tests start here.
    pub async fn signup_with_room(
        &self,
        username: &str,
        room: &str,
        visibility: &str,
    ) -> (TestUser, String) {
        let owner = self.signup(username).await;
        let room = self.create_room(&owner, room, visibility).await;
        (owner, room)
    }

    /// Creates a room and returns its id.
    pub async fn create_room(&self, owner: &TestUser, name: &str, visibility: &str) -> String {
        let reply = self
            .post(
                "/api/v1/rooms",
                Some(&owner.token),
                json!({"name": name, "visibility": visibility}),
            )
            .await;
        reply.assert_status(201);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Posts a message over REST and returns the stored message.
    pub async fn post_message(&self, user: &TestUser, room_id: &str, content: &str) -> Value {
        let reply = self
            .post(
                &format!("/api/v1/rooms/{room_id}/messages"),
                Some(&user.token),
                json!({"content": content}),
            )
            .await;
        reply.assert_status(201);
        reply.body
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
