//! A server per test: started on port 0 with test settings, stopped as SIGTERM would.

use papo_api::{
    Application,
    settings::{
        AuthSettings, DatabaseSettings, Environment, LogFormat, LogSettings, RealtimeSettings,
        Secret, ServerSettings, Settings,
    },
};
use tokio::sync::oneshot;

use crate::db::{TestDb, fresh_database};

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub port: u16,
    /// Where `/metrics` is served by itself (`metrics_bind` set).
    pub metrics_port: Option<u16>,
    pub client: reqwest::Client,
    /// The database the server uses.
    pub database_url: String,
    pub(crate) db: TestDb,
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

/// Starts a server with default test settings on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server on a fresh database after `configure` adjusts the settings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, db) = fresh_database().await;
    start(database_url, db, configure).await
}

/// Starts a server on a database the test made itself (and cleans up itself), after
/// `configure` adjusts the settings.
pub async fn spawn_app_on(database_url: &str, configure: impl FnOnce(&mut Settings)) -> TestApp {
    start(database_url.to_owned(), TestDb::Provided, configure).await
}

async fn start(database_url: String, db: TestDb, configure: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_log();
    let mut settings = test_settings(database_url.clone());
    configure(&mut settings);
    let app = Application::build(settings).await.expect("server builds");
    let port = app.port();
    let metrics_port = app.metrics_port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        metrics_port,
        client: reqwest::Client::new(),
        database_url,
        db,
        stop: StopHandle(std::sync::Arc::new(std::sync::Mutex::new(Some(stop)))),
    }
}

/// A server on port 0 with the defaults of `papo serve` and a fixed JWT secret.
pub fn test_settings(database_url: String) -> Settings {
    Settings {
        server: ServerSettings {
            bind: ([127, 0, 0, 1], 0).into(),
            environment: Environment::Development,
            idle_timeout_secs: 90,
            connections_per_address: 1000,
            trusted_proxies: Vec::new(),
            metrics_bind: None,
            metrics_token: None,
            max_body_bytes: 1024 * 1024,
            cors_origins: Vec::new(),
            // Tests sign many users up from one address; the limit has its own test.
            signups_per_hour: 0,
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
            post_rate: 20,
            post_burst: 100,
            frame_rate: 20,
            frame_burst: 60,
            sockets_per_user: 32,
            sockets_per_node: 20_000,
            connect_rate: 1,
            connect_burst: 30,
            rooms_per_user: 500,
            bus: None,
            bus_check_secs: 5,
            node_timeout_secs: 30,
        },
        log: LogSettings {
            filter: "warn".into(),
            format: LogFormat::Pretty,
        },
    }
}

impl TestApp {
    /// A handle that shuts the server down gracefully.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }
}

/// With `TEST_LOG` set, the servers' logs go to stderr (filtered by `RUST_LOG`, `info`
/// by default), as zero-to-production's tests do; otherwise tests stay quiet.
fn init_test_log() {
    if std::env::var_os("TEST_LOG").is_some() {
        papo_api::telemetry::init(&LogSettings {
            filter: std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            format: LogFormat::Pretty,
        });
    }
}
