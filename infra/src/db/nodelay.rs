//! `TCP_NODELAY` on the PostgreSQL pool's connections, which sqlx 0.9.0 stopped
//! setting (sqlx issue #4335; the fix, #4336, is merged but not released).
//!
//! Without it, a statement larger than the socket's send buffer leaves a tail that
//! Nagle's algorithm holds until the server's delayed ACK, ~40 ms: the writer's
//! commits then waited ~45 ms each and PostgreSQL ingest fell to ~3,500 messages/s.
//! sqlx gives no access to its socket, so after each connect this finds the
//! process's TCP sockets to the database's port and sets the option on them. A socket
//! is reached through a duplicate of its descriptor taken with `pidfd_getfd` (Linux
//! 5.6), which is safe Rust: the duplicate shares the socket and closes on drop.
//! Remove this module once sqlx sets the option again.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the option could be set on the last connection opened; until one is, the
/// writer keeps its statements small enough to go out in one segment.
static ON: AtomicBool = AtomicBool::new(false);

/// Whether PostgreSQL connections have `TCP_NODELAY` (see the module's comment).
pub(crate) fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Records that connections go over a Unix socket, which has no Nagle's algorithm.
pub(crate) fn set_by_unix_socket() {
    ON.store(true, Ordering::Relaxed);
}

/// Sets `TCP_NODELAY` on every TCP socket of this process whose peer listens on
/// `port` and does not have it yet. Runs on a blocking thread: with many thousands of
/// client sockets open, looking at each descriptor takes milliseconds.
pub(crate) async fn set_on_connections_to(port: u16) {
    let outcome = tokio::task::spawn_blocking(move || sockets_to(port)).await;
    match outcome {
        Ok(Ok(())) => ON.store(true, Ordering::Relaxed),
        Ok(Err(err)) => {
            if ON.swap(false, Ordering::Relaxed) {
                tracing::warn!(%err, "could not set TCP_NODELAY on a database connection");
            } else {
                tracing::debug!(%err, "could not set TCP_NODELAY on a database connection");
            }
        }
        Err(err) => tracing::warn!(%err, "the TCP_NODELAY task failed"),
    }
}

#[cfg(target_os = "linux")]
fn sockets_to(port: u16) -> std::io::Result<()> {
    use std::{net::TcpStream, os::unix::ffi::OsStrExt};

    use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};

    let me = pidfd_open(getpid(), PidfdFlags::empty())?;
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let Ok(entry) = entry else { continue };
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        // Files and pipes are not worth a duplicate.
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.as_os_str().as_bytes().starts_with(b"socket:"));
        if !is_socket {
            continue;
        }
        // The descriptor may have closed since the directory was read.
        let Ok(duplicate) = pidfd_getfd(&me, fd, PidfdGetfdFlags::empty()) else {
            continue;
        };
        let socket = TcpStream::from(duplicate);
        let to_database = socket.peer_addr().is_ok_and(|peer| peer.port() == port);
        if to_database && !socket.nodelay().unwrap_or(true) {
            socket.set_nodelay(true)?;
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn sockets_to(_port: u16) -> std::io::Result<()> {
    Err(std::io::Error::other("only implemented on Linux"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn sets_the_option_on_sockets_to_the_port_and_no_others() {
        let database = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_database = TcpStream::connect(database.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_database.nodelay().unwrap());

        super::sockets_to(database.local_addr().unwrap().port()).unwrap();

        assert!(to_database.nodelay().unwrap());
        assert!(!to_other.nodelay().unwrap());
    }
}
