//! A `papo serve` process for tests that need the real binary: signals, descriptor
//! limits, a terminal. Fresh SQLite file; killed and cleaned up on drop.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub const PAPO: &str = env!("CARGO_BIN_EXE_papo");

pub struct Server {
    pub child: Child,
    pub port: u16,
    pub url: String,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How to start one.
#[derive(Default)]
pub struct Options<'a> {
    /// Variables beside the bind address and database.
    pub env: &'a [(&'a str, &'a str)],
    /// `ulimit -n` for the process (soft and hard).
    pub file_limit: Option<u32>,
    /// Reuse this directory's database (a restart) instead of a fresh one.
    pub dir: Option<PathBuf>,
    /// Keep what the server prints in `server.log` in its directory.
    pub keep_log: bool,
    /// Listen on this port (a restart at the same address) instead of a free one.
    pub port: Option<u16>,
    /// This database instead of a fresh SQLite file (several nodes share one).
    pub database_url: Option<String>,
}

impl Server {
    /// Starts a server on a free port and waits until `/health` answers.
    pub fn start(options: Options<'_>) -> Self {
        let port = options.port.unwrap_or_else(|| {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let dir = options.dir.unwrap_or_else(|| {
            let dir = std::env::temp_dir().join(format!(
                "papo-bin-{port}-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        });
        let mut command = match options.file_limit {
            // `ulimit -n` sets the hard limit too, so the server cannot raise it again.
            Some(limit) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" serve"))
                    .arg(PAPO);
                sh
            }
            None => {
                let mut papo = Command::new(PAPO);
                papo.arg("serve");
                papo
            }
        };
        command
            .env("PAPO_BIND", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                options
                    .database_url
                    .unwrap_or_else(|| format!("sqlite://{}/papo.db", dir.display())),
            )
            .env("RUST_LOG", "warn")
            .env_remove("JWT_SECRET")
            .envs(options.env.iter().copied());
        if options.keep_log {
            let log = std::fs::File::create(dir.join("server.log")).unwrap();
            command.stdout(log.try_clone().unwrap()).stderr(log);
        } else {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let child = command.spawn().unwrap();
        let server = Server {
            child,
            port,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        assert!(
            wait_for(Duration::from_secs(30), || server.healthy()),
            "the server started"
        );
        server
    }

    /// Whether `GET /health` answers 200 within a second.
    pub fn healthy(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let request = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    }

    /// Sends SIGTERM, as a process manager stopping the service does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM ran");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn exited_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// `sqlite://…` of this server's database.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}/papo.db", self.dir.display())
    }

    /// What the server printed (with `keep_log`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The database directory, kept for a restart: this server no longer removes it.
    pub fn keep_dir(&mut self) -> PathBuf {
        std::mem::replace(&mut self.dir, PathBuf::from("/nonexistent-papo-test-dir"))
    }
}

pub fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}
