//! # papo-tests
//!
//! Black-box tests: each test starts the real server on port 0 with a fresh database
//! and talks HTTP to it like any client would.
//!
//! The database is a new SQLite file per test, or, when `PAPO_TEST_DATABASE_URL`
//! points at a PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432`), a new
//! database with a random name that is dropped when the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod disk;
pub mod ws;

use std::path::PathBuf;

use papo_api::{
    Application,
    settings::{
        AuthSettings, DatabaseSettings, Environment, LogFormat, LogSettings, RealtimeSettings,
        Secret, ServerSettings, Settings,
    },
};
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
    stop: StopHandle,
}

/// Stops the server (as SIGTERM would).
#[derive(Clone)]
pub struct StopHandle(std::sync::Arc<std::sync::Mutex<Option<oneshot::Sender<()>>>>);

impl StopHandle {
    pub fn stop(&self) {
        if let Some(stop) = self.0.lock().unwrap().take() {
            let _ = stop.send(());
        }
    }
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Made and removed by the test itself.
    Provided,
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

    /// The `field`s named in a 422 problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors[] in {}", self.text))
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Asserts a 422 `validation_failed` problem whose `errors` name `field`.
    #[track_caller]
    pub fn assert_invalid_field(&self, field: &str) -> &Self {
        self.assert_problem(422, "validation_failed");
        let fields = self.error_fields();
        assert!(
            fields.iter().any(|f| f == field),
            "expected an error for {field}, got {fields:?}: {}",
            self.text
        );
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
    start(database_url, db, configure).await
}

/// Starts a server on a database the test made itself (and cleans up itself).
pub async fn spawn_app_on(database_url: &str) -> TestApp {
    start(database_url.to_owned(), TestDb::Provided, |_| {}).await
}

async fn start(database_url: String, db: TestDb, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings(database_url.clone());
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
        stop: StopHandle(std::sync::Arc::new(std::sync::Mutex::new(Some(stop)))),
    }
}

/// `postgres://user@host:port` when `PAPO_TEST_DATABASE_URL` names a PostgreSQL server.
pub fn postgres_base() -> Option<String> {
    std::env::var("PAPO_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| server_base(&url))
}

/// Runs `work` to completion on a runtime of its own: `Drop` runs inside the test's
/// runtime, which cannot block on itself.
pub(crate) fn block_on_fresh_runtime(work: impl std::future::Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work);
    })
    .join();
}

/// A server on port 0 with the defaults of `papo serve` and a fixed JWT secret.
pub fn test_settings(database_url: String) -> Settings {
    Settings {
        server: ServerSettings {
            bind: ([127, 0, 0, 1], 0).into(),
            environment: Environment::Development,
            max_body_bytes: 1024 * 1024,
            demo: false,
        },
        database: DatabaseSettings { url: database_url },
        auth: AuthSettings {
            jwt_secret: Some(Secret::new("test-secret-test-secret-test-secret!")),
            access_token_expire_minutes: 15,
            refresh_token_expire_days: 30,
        },
        realtime: RealtimeSettings {
            group_commit_max: 256,
            ws_queue: 1024,
            ws_ping_secs: 30,
            typing_ttl_ms: 5000,
        },
        log: LogSettings {
            filter: "warn".into(),
            format: LogFormat::Pretty,
        },
    }
}

async fn fresh_database() -> (String, TestDb) {
    match postgres_base() {
        Some(base) => {
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
        None => {
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
            TestDb::Provided => {}
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                block_on_fresh_runtime(async move {
                    if let Ok(admin) = Database::connect(admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = admin.execute_unprepared(&sql).await;
                        let _ = admin.close().await;
                    }
                });
            }
        }
    }
}

impl TestApp {
    /// A handle that shuts the server down gracefully.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Drops the server's PostgreSQL database from under it. Returns false on SQLite,
    /// where an open file cannot be taken away like that.
    pub async fn break_database(&self) -> bool {
        let TestDb::Postgres { admin_url, name } = &self.db else {
            return false;
        };
        let admin = Database::connect(admin_url.clone()).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
        admin.close().await.ok();
        true
    }

    /// The seqs stored for `room`, read straight from the database.
    pub async fn stored_seqs(&self, room: &str) -> Vec<i64> {
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
        let db = Database::connect(self.database_url.clone()).await.unwrap();
        let query = Query::select()
            .column(Alias::new("seq"))
            .from(Alias::new("messages"))
            .and_where(Expr::col(Alias::new("room_id")).eq(Uuid::parse_str(room).unwrap()))
            .to_owned();
        let rows = db.query_all(&query).await.unwrap();
        let seqs = rows
            .iter()
            .map(|r| r.try_get::<i64>("", "seq").unwrap())
            .collect();
        db.close().await.ok();
        seqs
    }

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

    /// Sends a request built by the caller (custom headers, form bodies, methods).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        read(request.send().await.expect("request sent")).await
    }

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
