//! `fanout`: R rooms of M listening connections, S senders posting at a fixed total
//! rate. Measures deliveries per second, loss (expected − received) and end-to-end
//! latency from send to receipt. `--baseline` runs the same load against the bare
//! poem broadcast server instead of papo.

mod listener;
mod probe;
mod sender;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use self::{
    listener::{Samples, Tally},
    sender::{Outcomes, Schedule},
};
use crate::{
    rss,
    setup::{Server, Socket},
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
    /// Spread the listening connections over these nodes of one cluster (round
    /// robin); senders use `--url`. Default: `--url` alone.
    #[arg(long = "listen-url")]
    pub listen_urls: Vec<String>,
}

/// Runs the scenario.
///
/// Fails when set-up fails.
pub async fn run(server: &Server, config: &Fanout) -> anyhow::Result<Report> {
    let epoch = Instant::now();
    let (listeners, senders, rss_before_sockets) = connect_all(server, config).await?;
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    let mut all_samples: Vec<Samples> = Vec::new();
    for socket in listeners {
        let samples = Samples::default();
        all_samples.push(samples.clone());
        let senders = config.senders;
        readers.push(tokio::spawn(listener::run(
            socket,
            epoch,
            tally.clone(),
            samples,
            senders,
        )));
    }
    let mut send_tasks = Vec::new();
    let per_sender = Duration::from_secs_f64(config.senders as f64 / config.rate.max(1) as f64);
    let per_room: Arc<Vec<Outcomes>> =
        Arc::new((0..config.rooms).map(|_| Outcomes::default()).collect());
    let rss_before = config.server_pid.and_then(rss::kib);
    let sampler = config
        .server_pid
        .map(|pid| tokio::spawn(rss::sample(pid, stop.clone())));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(config.seconds);
    for (i, (socket, room_index, room_id)) in senders.into_iter().enumerate() {
        let per_room = per_room.clone();
        let schedule = Schedule {
            sender: i as u64,
            period: per_sender,
            offset: per_sender.mul_f64(i as f64 / config.senders.max(1) as f64),
            deadline,
            epoch,
            baseline: config.baseline,
        };
        send_tasks.push(tokio::spawn(async move {
            sender::run(socket, room_id, schedule, &per_room[room_index]).await
        }));
    }
    for task in send_tasks {
        task.await??;
    }
    let sending = started.elapsed().min(Duration::from_secs(config.seconds));
    // papo: every acknowledged post must reach every listener of its room. The
    // baseline acknowledges nothing: everything sent.
    let expected: u64 = per_room
        .iter()
        .map(|room| {
            let delivered = if config.baseline {
                &room.sent
            } else {
                &room.acked
            };
            delivered.load(Ordering::Relaxed) * config.members as u64
        })
        .sum();
    let total = |pick: fn(&Outcomes) -> &AtomicU64| -> u64 {
        per_room
            .iter()
            .map(|room| pick(room).load(Ordering::Relaxed))
            .sum()
    };
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
        .add("sent", total(|room| &room.sent))
        .add("acked", total(|room| &room.acked))
        .add("refused", total(|room| &room.refused))
        .add("expected_deliveries", expected)
        .add("received", received)
        .add("duplicates", tally.duplicates.load(Ordering::Relaxed))
        // New messages per listener: a duplicate cannot hide a lost one.
        .add("loss", expected.saturating_sub(received))
        // Why deliveries went missing, when the server ended listeners.
        .add("listeners_cut_slow", tally.cut_slow.load(Ordering::Relaxed))
        .add("listeners_ended", tally.ended.load(Ordering::Relaxed))
        .add(
            "deliveries_per_s",
            (received as f64 / sending.as_secs_f64()).round(),
        )
        .add("latency", Latency::of(latencies));
    if !config.baseline {
        let acks = per_room
            .iter()
            .flat_map(|room| {
                std::mem::take(
                    &mut *room
                        .ack_latencies
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                )
            })
            .collect();
        report.add("ack_latency", Latency::of(acks));
    }
    if let Some(before) = rss_before {
        if let Some(before_sockets) = rss_before_sockets {
            report.add("server_rss_kib_before_sockets", before_sockets);
        }
        report.add("server_rss_kib_start", before);
        report.add("server_rss_kib_samples", samples);
    }
    Ok(report)
}

/// (listeners, senders with their room index and id, the server's RSS in KiB once its
/// accounts and rooms exist and before any socket opened)
type Connected = (Vec<Socket>, Vec<(Socket, usize, String)>, Option<u64>);

async fn connect_all(server: &Server, config: &Fanout) -> anyhow::Result<Connected> {
    let rooms: Vec<String>;
    let mut accounts = Vec::new();
    if config.baseline {
        rooms = (0..config.rooms).map(|i| format!("room{i}")).collect();
    } else {
        let run = uuid::Uuid::new_v4().simple().to_string();
        let owner = server.account(&format!("fan-{}-owner", &run[..8])).await?;
        rooms = server.rooms(&owner, "fanout", config.rooms).await?;
        for a in 0..config.accounts.max(1) {
            accounts.push(server.account(&format!("fan-{}-{a}", &run[..8])).await?);
        }
        for s in 0..config.senders {
            accounts.push(server.account(&format!("fan-{}-s{s}", &run[..8])).await?);
        }
    }
    let rss_before_sockets = config.server_pid.and_then(rss::kib);
    let listen_servers: Vec<Server> = if config.listen_urls.is_empty() {
        vec![server.clone()]
    } else {
        config
            .listen_urls
            .iter()
            .map(|url| Server::new(url))
            .collect()
    };
    let connect = |server: &Server, room: String, account: Option<crate::setup::Account>| {
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
            let node = &listen_servers[(r * config.members + m) % listen_servers.len()];
            batch.push(connect(node, room.clone(), account));
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
        let socket = connect(server, rooms[room_index].clone(), account).await?;
        senders.push((socket, room_index, rooms[room_index].clone()));
    }
    Ok((listeners, senders, rss_before_sockets))
}
