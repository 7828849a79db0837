//! The accept loop at the file descriptor limit: a `papo serve` process started with
//! a small limit is sent more connections than it can hold. It must rest instead of
//! spinning on `accept` (poem retried at once, at 100% of a core), and serve again
//! once connections close.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{net::TcpStream, time::Duration};

use support::{Options, Server, wait_for};

/// Descriptors the server may open: enough to start, few enough to run out.
const FILE_LIMIT: u32 = 128;

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
    let server = Server::start(Options {
        env: &[("PAPO_CONNECTIONS_PER_ADDRESS", "0")],
        file_limit: Some(FILE_LIMIT),
        ..Options::default()
    });
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
    let recovered = wait_for(Duration::from_secs(10), || server.healthy());

    assert!(
        spent < Duration::from_millis(500),
        "the server spent {spent:?} of CPU in 2 s with nothing to do but wait"
    );
    assert!(recovered, "the server serves again once connections close");
}
