//! One sending connection: posts at a fixed period until the deadline, then waits for
//! the outcome of every post (papo answers each with an `ack` or an `error`).

use std::{
    collections::VecDeque,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::probe;
use crate::setup::{Socket, send_json};

/// When and how one sender sends.
pub struct Schedule {
    /// This sender's index, for message keys.
    pub sender: u64,
    pub period: Duration,
    pub offset: Duration,
    pub deadline: Instant,
    pub epoch: Instant,
    /// Sending to the bare baseline: frames padded to papo's size, no acks to wait for.
    pub baseline: bool,
}

/// What happened to one room's posts.
#[derive(Default)]
pub struct Outcomes {
    pub sent: AtomicU64,
    /// Acknowledged: stored, so every listener of the room must get it.
    pub acked: AtomicU64,
    /// Answered with an error frame (refused or failed): nobody gets it.
    pub refused: AtomicU64,
    /// From sending each acknowledged post to its ack.
    pub ack_latencies: Mutex<Vec<Duration>>,
}

/// The send times of one sender's posts still waiting for their outcome, oldest
/// first: a connection's acks come in the order of its posts.
struct InFlight<'a> {
    sent_at: VecDeque<Instant>,
    latencies: Vec<Duration>,
    outcomes: &'a Outcomes,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.outcomes
            .ack_latencies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.latencies);
    }
}

/// How long a sender waits for its last posts' outcomes after the deadline.
const SETTLE: Duration = Duration::from_secs(10);

/// Sends on `schedule`, then waits for the outcome of each post (papo) or returns
/// (baseline). Fails when the socket closes.
pub async fn run(
    mut socket: Socket,
    room: String,
    schedule: Schedule,
    outcomes: &Outcomes,
) -> anyhow::Result<()> {
    let Schedule {
        sender,
        period,
        offset,
        deadline,
        epoch,
        baseline,
    } = schedule;
    tokio::time::sleep(offset).await;
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let (mut n, mut settled) = (0_u64, 0_u64);
    let mut in_flight = InFlight {
        sent_at: VecDeque::new(),
        latencies: Vec::new(),
        outcomes,
    };
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if Instant::now() >= deadline {
                    break;
                }
                let micros = epoch.elapsed().as_micros();
                // The baseline relays what it is sent, so its frames are padded to the
                // size of papo's message frames (~270 bytes: ids, user, timestamps):
                // the ratio then compares equal bytes on the wire.
                let content = probe::content(micros, sender, n);
                n += 1;
                let frame = if baseline {
                    json!({"type": "message", "content": content, "pad": probe::PAD})
                } else {
                    json!({"type": "message", "room_id": room, "content": content})
                };
                send_json(&mut socket, &frame).await?;
                in_flight.sent_at.push_back(Instant::now());
                outcomes.sent.fetch_add(1, Ordering::Relaxed);
            }
            incoming = socket.next() => {
                settled += settle(incoming, &mut in_flight)?;
            }
        }
    }
    if baseline {
        return Ok(());
    }
    let waiting = Instant::now() + SETTLE;
    while settled < n {
        match tokio::time::timeout_at(waiting.into(), socket.next()).await {
            Ok(incoming) => settled += settle(incoming, &mut in_flight)?,
            Err(_) => anyhow::bail!("{} posts of sender {sender} got no answer", n - settled),
        }
    }
    Ok(())
}

/// Counts an `ack` or `error` frame; 1 when it settled a post.
fn settle(
    incoming: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    in_flight: &mut InFlight<'_>,
) -> anyhow::Result<u64> {
    let outcomes = in_flight.outcomes;
    let Some(Ok(message)) = incoming else {
        anyhow::bail!("a sender's socket closed");
    };
    let Message::Text(text) = message else {
        return Ok(0);
    };
    // Frames start with their type; no need to parse the (many) message frames.
    if text.starts_with(r#"{"type":"ack""#) {
        outcomes.acked.fetch_add(1, Ordering::Relaxed);
        if let Some(sent_at) = in_flight.sent_at.pop_front() {
            in_flight.latencies.push(sent_at.elapsed());
        }
        Ok(1)
    } else if text.starts_with(r#"{"type":"error""#) && !text.contains("slow_consumer") {
        // The bench sends only posts, so any other error answers one.
        outcomes.refused.fetch_add(1, Ordering::Relaxed);
        in_flight.sent_at.pop_front();
        Ok(1)
    } else {
        Ok(0)
    }
}
