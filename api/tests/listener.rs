//! The accept loop at the file descriptor limit: a `papo serve` process started with
//! a small limit is sent more connections than it can hold. It must rest instead of
//! spinning on `accept` (poem retried at once, at 100% of a core), and serve again
//! once connections close.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const PAPO: &str = env!("CARGO_BIN_EXE_papo");

/// Descriptors the server may open: enough to start, few enough to run out.
const FILE_LIMIT: u32 = 128;

struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_server() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("papo-fd-{port}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // `ulimit -n` sets the hard limit too, so the server cannot raise it again.
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {FILE_LIMIT} && exec \"$0\" serve"))
        .arg(PAPO)
        .env("PAPO_BIND", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/papo.db", dir.display()),
        )
        .env("PAPO_CONNECTIONS_PER_ADDRESS", "0")
        .env("RUST_LOG", "warn")
        .env_remove("JWT_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port, dir };
    assert!(
        wait_for(Duration::from_secs(20), || healthy(port)),
        "the server started"
    );
    server
}

fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Whether `GET /health` answers 200 within a second.
fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
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

/// CPU time the process has used (user and system), from `/proc`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on every Linux the kernel ABI allows.
    Duration::from_millis(ticks * 10)
}

#[test]
fn out_of_descriptors_the_server_rests_and_recovers() {
    let server = start_server();
    let pid = server.child.id();

    // More than the server can accept, fewer than its listen queue (128) can hold
    // beyond that.
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let held: Vec<TcpStream> = (0..FILE_LIMIT + 64)
        .map(|_| TcpStream::connect_timeout(&address, Duration::from_secs(5)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_time(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_time(pid) - before;
    drop(held);
    let recovered = wait_for(Duration::from_secs(10), || healthy(server.port));

    assert!(
        spent < Duration::from_millis(500),
        "the server spent {spent:?} of CPU in 2 s with nothing to do but wait"
    );
    assert!(recovered, "the server serves again once connections close");
}
