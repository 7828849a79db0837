//! `fanout`: R rooms of M listening connections, S senders posting at a fixed total
//! rate. Measures deliveries per second, loss (expected − received) and end-to-end
//! latency from send to receipt. `--baseline` runs the same load against the bare
//! poem broadcast server instead of papo.

mod probe;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    rss,
    setup::{Server, Socket, send_json},
    stats::{Latency, Report},
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Fanout {
    /// Rooms.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Listening connections per room.
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Sending connections in all (spread over the rooms).
    #[arg(long, default_value_t = 5)]
    pub senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 250)]
    pub rate: u64,
    /// How long to send.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Distinct accounts behind the listening connections (papo only).
    #[arg(long, default_value_t = 50)]
    pub accounts: usize,
    /// Load the bare broadcast server at `--url` (see `baseline-server`) instead.
    #[arg(long)]
    pub baseline: bool,
    /// Sample this server process's RSS every second (a soak).
    #[arg(long)]
    pub server_pid: Option<u32>,
}

struct Tally {
    /// New messages received, summed over listeners.
    received: AtomicU64,
    /// Messages a listener received again, or out of its sender's order.
    duplicates: AtomicU64,
}

/// One listener's latencies, behind its own lock so listeners never contend; read
/// after the run while the listener may still be blocked on its socket.
type Samples = Arc<std::sync::Mutex<Vec<Duration>>>;

/// Runs the scenario.
///
/// Fails when set-up fails.
pub async fn run(server: &Server, config: &Fanout) -> anyhow::Result<Report> {
    let epoch = Instant::now();
    let (listeners, senders) = connect_all(server, config).await?;
    let tally = Arc::new(Tally {
        received: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    let mut all_samples: Vec<Samples> = Vec::new();
    for socket in listeners {
        let samples = Samples::default();
        all_samples.push(samples.clone());
        let senders = config.senders;
        readers.push(tokio::spawn(listen(
            socket,
            epoch,
            tally.clone(),
            samples,
            senders,
        )));
    }
    // Senders read too (papo sends them others' messages): drain without counting.
    let mut send_tasks = Vec::new();
    let per_sender = Duration::from_secs_f64(config.senders as f64 / config.rate.max(1) as f64);
    let sent = Arc::new(AtomicU64::new(0));
    let sent_per_room: Arc<Vec<AtomicU64>> =
        Arc::new((0..config.rooms).map(|_| AtomicU64::new(0)).collect());
    let rss_before = config.server_pid.and_then(rss::kib);
    let sampler = config
        .server_pid
        .map(|pid| tokio::spawn(rss::sample(pid, stop.clone())));
    let started = Instant::now();
    for (i, (socket, room_index, room_id)) in senders.into_iter().enumerate() {
        let (sent, sent_per_room) = (sent.clone(), sent_per_room.clone());
        let deadline = started + Duration::from_secs(config.seconds);
        let offset = per_sender.mul_f64(i as f64 / config.senders.max(1) as f64);
        let pad = config.baseline;
        send_tasks.push(tokio::spawn(async move {
            let schedule = Schedule {
                sender: i as u64,
                period: per_sender,
                offset,
                deadline,
                epoch,
                pad,
            };
            send_at_rate(socket, room_id, schedule, || {
                sent.fetch_add(1, Ordering::Relaxed);
                sent_per_room[room_index].fetch_add(1, Ordering::Relaxed);
            })
            .await
        }));
    }
    for task in send_tasks {
        task.await??;
    }
    let sending = started.elapsed();
    let expected: u64 = sent_per_room
        .iter()
        .map(|n| n.load(Ordering::Relaxed) * config.members as u64)
        .sum();
    // Let in-flight deliveries land, up to 5 s.
    let grace = Instant::now();
    while tally.received.load(Ordering::Relaxed) < expected
        && grace.elapsed() < Duration::from_secs(5)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let received = tally.received.load(Ordering::Relaxed);
    for reader in readers {
        reader.abort();
    }
    let samples = match sampler {
        Some(task) => task.await.unwrap_or_default(),
        None => Vec::new(),
    };
    let mut latencies = Vec::new();
    for samples in all_samples {
        latencies.append(
            &mut samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }
    let mut report = Report::new(if config.baseline {
        "fanout (bare baseline)"
    } else {
        "fanout"
    });
    report
        .add("rooms", config.rooms)
        .add("members_per_room", config.members)
        .add("senders", config.senders)
        .add("target_rate", config.rate)
        .add("sent", sent.load(Ordering::Relaxed))
        .add("expected_deliveries", expected)
        .add("received", received)
        .add("duplicates", tally.duplicates.load(Ordering::Relaxed))
        // New messages per listener: a duplicate cannot hide a lost one.
        .add("loss", expected.saturating_sub(received))
        .add(
            "deliveries_per_s",
            (received as f64 / sending.as_secs_f64()).round(),
        )
        .add("latency", Latency::of(latencies));
    if let Some(before) = rss_before {
        report.add("server_rss_kib_start", before);
        report.add("server_rss_kib_samples", samples);
    }
    Ok(report)
}

/// (listeners, senders with their room index and id)
type Connected = (Vec<Socket>, Vec<(Socket, usize, String)>);

async fn connect_all(server: &Server, config: &Fanout) -> anyhow::Result<Connected> {
    let rooms: Vec<String>;
    let mut accounts = Vec::new();
    if config.baseline {
        rooms = (0..config.rooms).map(|i| format!("room{i}")).collect();
    } else {
        let run = uuid::Uuid::new_v4().simple().to_string();
        let owner = server.account(&format!("fan-{}-owner", &run[..8])).await?;
        let mut ids = Vec::new();
        for _ in 0..config.rooms {
            ids.push(server.room(&owner, "fanout").await?);
        }
        rooms = ids;
        for a in 0..config.accounts.max(1) {
            accounts.push(server.account(&format!("fan-{}-{a}", &run[..8])).await?);
        }
        for s in 0..config.senders {
            accounts.push(server.account(&format!("fan-{}-s{s}", &run[..8])).await?);
        }
    }
    let connect = |room: String, account: Option<crate::setup::Account>| {
        let server = server.clone();
        let baseline = config.baseline;
        async move {
            if baseline {
                let url = format!("{}/ws/{room}", server.ws);
                Ok::<_, anyhow::Error>(tokio_tungstenite::connect_async(url).await?.0)
            } else {
                let account = account.ok_or_else(|| anyhow::anyhow!("no account"))?;
                server.join_socket(&account, &room).await
            }
        }
    };
    let mut listeners = Vec::new();
    for (r, room) in rooms.iter().enumerate() {
        let mut batch = Vec::new();
        for m in 0..config.members {
            let account = accounts
                .get((r * config.members + m) % config.accounts.max(1))
                .cloned();
            batch.push(connect(room.clone(), account));
            if batch.len() == 100 {
                listeners.extend(futures_util::future::try_join_all(batch.drain(..)).await?);
            }
        }
        listeners.extend(futures_util::future::try_join_all(batch).await?);
    }
    let mut senders = Vec::new();
    for s in 0..config.senders {
        let room_index = s % rooms.len().max(1);
        let account = accounts.get(config.accounts.max(1) + s).cloned();
        let socket = connect(rooms[room_index].clone(), account).await?;
        senders.push((socket, room_index, rooms[room_index].clone()));
    }
    Ok((listeners, senders))
}

/// When and how one sender sends.
struct Schedule {
    /// This sender's index, for message keys.
    sender: u64,
    period: Duration,
    offset: Duration,
    deadline: Instant,
    epoch: Instant,
    /// Pad frames to papo's size (for the baseline).
    pad: bool,
}

async fn send_at_rate(
    mut socket: Socket,
    room: String,
    schedule: Schedule,
    mut on_sent: impl FnMut(),
) -> anyhow::Result<()> {
    let Schedule {
        sender,
        period,
        offset,
        deadline,
        epoch,
        pad,
    } = schedule;
    tokio::time::sleep(offset).await;
    let mut ticker = tokio::time::interval(period);
    let mut n = 0_u64;
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if Instant::now() >= deadline {
                    return Ok(());
                }
                let micros = epoch.elapsed().as_micros();
                // The baseline relays what it is sent, so its frames are padded to the
                // size of papo's message frames (~270 bytes: ids, user, timestamps):
                // the ratio then compares equal bytes on the wire.
                let content = probe::content(micros, sender, n);
                n += 1;
                let frame = if pad {
                    json!({"type": "message", "content": content, "pad": probe::PAD})
                } else {
                    json!({"type": "message", "room_id": room, "content": content})
                };
                send_json(&mut socket, &frame).await?;
                on_sent();
            }
            incoming = socket.next() => {
                if incoming.is_none() {
                    anyhow::bail!("a sender's socket closed");
                }
            }
        }
    }
}

/// Counts new message frames and their latency (see [`probe`]). papo delivers each
/// sender's messages in order, so a message is new when it is later than the last one
/// seen from its sender; anything else is a repeat (or out of order) and counted as a
/// duplicate. One array slot per sender: a hash set per listener cost the load
/// generator enough CPU at 2 million deliveries a second to lose deliveries itself.
async fn listen(
    mut socket: Socket,
    epoch: Instant,
    tally: Arc<Tally>,
    samples: Samples,
    senders: usize,
) {
    // Per sender: 1 + the count of its latest message seen, 0 for none yet.
    let mut next = vec![0_u64; senders];
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message
            && let Some((sent, key)) = probe::read(&text)
        {
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
    }
}
