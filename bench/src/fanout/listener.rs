//! One listening connection: counts new message frames and their latency, and how the
//! connection ended if the server ended it, so that missing deliveries are explained.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::probe;
use crate::setup::Socket;

/// What all listeners saw.
#[derive(Default)]
pub struct Tally {
    /// New messages received, summed over listeners.
    pub received: AtomicU64,
    /// Messages a listener received again, or out of its sender's order.
    pub duplicates: AtomicU64,
    /// Listeners the server cut as too slow (close 4008).
    pub cut_slow: AtomicU64,
    /// Listeners whose connection ended otherwise during the run.
    pub ended: AtomicU64,
}

/// One listener's latencies, behind its own lock so listeners never contend; read
/// after the run while the listener may still be blocked on its socket.
pub type Samples = Arc<std::sync::Mutex<Vec<Duration>>>;

/// Counts new message frames and their latency (see [`probe`]). papo delivers each
/// sender's messages in order, so a message is new when it is later than the last one
/// seen from its sender; anything else is a repeat (or out of order) and counted as a
/// duplicate. One array slot per sender: a hash set per listener cost the load
/// generator enough CPU at 2 million deliveries a second to lose deliveries itself.
pub async fn run(
    mut socket: Socket,
    epoch: Instant,
    tally: Arc<Tally>,
    samples: Samples,
    senders: usize,
) {
    // Per sender: 1 + the count of its latest message seen, 0 for none yet.
    let mut next = vec![0_u64; senders];
    loop {
        let message = match socket.next().await {
            Some(Ok(message)) => message,
            Some(Err(_)) | None => {
                tally.ended.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        match message {
            Message::Text(text) => {
                let Some((sent, key)) = probe::read(&text) else {
                    continue;
                };
                let (sender, n) = probe::split(key);
                match next.get_mut(sender) {
                    Some(seen) if n < *seen => {
                        tally.duplicates.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Some(seen) => *seen = n + 1,
                    None => {}
                }
                let now = epoch.elapsed().as_micros() as u64;
                samples
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(Duration::from_micros(now.saturating_sub(sent)));
                tally.received.fetch_add(1, Ordering::Relaxed);
            }
            Message::Close(frame) => {
                let code = frame.map(|f| u16::from(f.code));
                let counter = if code == Some(4008) {
                    &tally.cut_slow
                } else {
                    &tally.ended
                };
                counter.fetch_add(1, Ordering::Relaxed);
                return;
            }
            _ => {}
        }
    }
}
