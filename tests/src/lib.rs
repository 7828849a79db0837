//! # papo-tests
//!
//! Black-box tests: each test starts the real server on port 0 with a fresh database
//! and talks HTTP to it like any client would.
//!
//! The database is a new SQLite file per test, or, when `PAPO_TEST_DATABASE_URL`
//! points at a PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432`), a new
//! database with a random name that is dropped when the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use infra::Settings;
use papo_api::Application;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

/// The password every test user gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    /// The database the server uses.
    pub database_url: String,
    db: TestDb,
    _stop: oneshot::Sender<()>,
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A signed-up, logged-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub name: String,
    pub token: String,
    pub refresh_token: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The `code` of a problem-details body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        self.assert_status(status);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "content type {} for {}",
            self.content_type(),
            self.text
        );
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert_eq!(self.code(), code, "{}", self.text);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        self
    }
}

/// Starts a server with default test settings on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server on a fresh database after `configure` adjusts the settings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, db) = fresh_database().await;
    let mut settings = Settings::for_tests(database_url.clone());
    configure(&mut settings);
    let app = Application::build(settings).await.expect("server builds");
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        database_url,
        db,
        _stop: stop,
    }
}

async fn fresh_database() -> (String, TestDb) {
    match std::env::var("PAPO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let base = server_base(&url);
            let name = format!("papo_test_{}", Uuid::new_v4().simple());
            let admin_url = format!("{base}/postgres");
            let admin = Database::connect(admin_url.clone())
                .await
                .expect("PAPO_TEST_DATABASE_URL is reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("test database created");
            admin.close().await.ok();
            (
                format!("{base}/{name}"),
                TestDb::Postgres { admin_url, name },
            )
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("papo-test-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}/papo.db", dir.display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

/// `postgres://user@host:port` without a database path or query.
fn server_base(url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.trim_end_matches('/').to_owned(),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.db {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime, which cannot block on itself.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = admin.execute_unprepared(&sql).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        read(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// A POST without a body.
    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::POST, path, token, None).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Sends raw bytes with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .client
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        read(req.send().await.expect("request sent")).await
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

async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
