//! What the listener lets in: connections that go quiet are cut, half a request
//! included; one client address holds a bounded number at once; and running out of
//! file descriptors slows the accept loop down instead of spinning it.
//!
//! poem's own idle timeout shuts a connection down gracefully, which waits for the
//! request being read to finish: a client that sends half its headers and stops
//! ("slowloris") was held 400 s and more. Here the connection's reads fail once nothing
//! has been read or written for the timeout, and hyper drops it at once.
//!
//! poem's accept loop retries a failed `accept` at once; at the descriptor limit
//! (EMFILE) every retry fails the same way and the loop spun a core at 100%.

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use crate::client_ip::TrustedProxies;
use poem::{
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::{Instant, Sleep},
};

/// How long the accept loop rests after the system refused a descriptor.
const EXHAUSTED_PAUSE: Duration = Duration::from_millis(100);

/// What the listener allows.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A connection with no traffic either way this long is cut.
    pub idle_timeout: Duration,
    /// Connections one client address may hold open; 0: no limit.
    pub per_address: u32,
    /// Peers not counted per address: trusted reverse proxies, through which every
    /// client connects.
    pub exempt: Arc<TrustedProxies>,
}

/// An [`Acceptor`] that applies [`ConnectionLimits`].
pub struct GuardedAcceptor<A> {
    inner: A,
    limits: ConnectionLimits,
    open: Arc<OpenPerAddress>,
    exhausted_since: Option<Instant>,
}

impl<A> GuardedAcceptor<A> {
    pub fn new(inner: A, limits: ConnectionLimits) -> Self {
        Self {
            inner,
            limits,
            open: Arc::default(),
            exhausted_since: None,
        }
    }
}

impl<A: Acceptor> Acceptor for GuardedAcceptor<A> {
    type Io = GuardedIo<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    /// Never fails: errors are waited out here, where they can be told apart.
    async fn accept(
        &mut self,
    ) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        loop {
            let (io, local, remote, scheme) = match self.inner.accept().await {
                Ok(accepted) => accepted,
                Err(err) => {
                    self.rest_if_exhausted(&err).await;
                    continue;
                }
            };
            if let Some(since) = self.exhausted_since.take() {
                tracing::info!(after = ?since.elapsed(), "accepting connections again");
            }
            let address = remote
                .as_socket_addr()
                .map(|addr| addr.ip())
                .filter(|&ip| !self.limits.exempt.trusts(ip));
            let ticket = match address {
                Some(address) => match self.open.admit(address, self.limits.per_address) {
                    Some(ticket) => Some(ticket),
                    None => {
                        // Dropping the stream closes it: the cheapest refusal there is.
                        tracing::debug!(%address, "too many connections from one address");
                        continue;
                    }
                },
                None => None,
            };
            let io = GuardedIo::new(io, self.limits.idle_timeout, ticket);
            return Ok((io, local, remote, scheme));
        }
    }
}

impl<A> GuardedAcceptor<A> {
    /// Out of descriptors (or memory for one): every retry would fail at once until a
    /// connection closes, so rest before the next. Other errors concern one connection
    /// (the peer reset it before it was accepted, say) and the loop goes straight on.
    async fn rest_if_exhausted(&mut self, err: &io::Error) {
        const EMFILE: i32 = 24;
        const ENFILE: i32 = 23;
        const ENOBUFS: i32 = 105;
        const ENOMEM: i32 = 12;
        if !matches!(err.raw_os_error(), Some(EMFILE | ENFILE | ENOBUFS | ENOMEM)) {
            tracing::debug!(error = %err, "accept failed");
            return;
        }
        if self.exhausted_since.is_none() {
            self.exhausted_since = Some(Instant::now());
            tracing::warn!(error = %err, "cannot accept connections; retrying every 100 ms");
        }
        tokio::time::sleep(EXHAUSTED_PAUSE).await;
    }
}

/// Open connections per client address; an address with none has no entry, so the
/// map is never larger than the number of open connections.
#[derive(Default)]
struct OpenPerAddress(Mutex<HashMap<IpAddr, u32>>);

impl OpenPerAddress {
    /// A ticket for one more connection from `address`, unless it holds `limit`.
    fn admit(self: &Arc<Self>, address: IpAddr, limit: u32) -> Option<Ticket> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(address).or_insert(0);
        if limit != 0 && *count >= limit {
            return None;
        }
        *count += 1;
        Some(Ticket {
            open: self.clone(),
            address,
        })
    }
}

/// One open connection, counted against its address until dropped.
struct Ticket {
    open: Arc<OpenPerAddress>,
    address: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self
            .open
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// A connection that fails its reads after `timeout` without traffic either way, and
/// counts against its address while open.
pub struct GuardedIo<T> {
    inner: T,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    _ticket: Option<Ticket>,
}

impl<T> GuardedIo<T> {
    fn new(inner: T, timeout: Duration, ticket: Option<Ticket>) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            _ticket: ticket,
        }
    }

    fn touch(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.timeout);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.touch();
                }
                Poll::Ready(result)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was idle too long",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
