//! `storm`: R rooms of M listening connections, all dropped at once (no close
//! handshake, as when a load balancer or a network goes away), messages posted while
//! they are away, then every listener reconnecting at the same moment with `since`.
//! Measures connects per second, seconds until every listener has every message of
//! its room again, and anything missing or repeated on the way (seqs are gap-free, so
//! a listener checks each one).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    rss,
    setup::{Account, Server, Socket},
    stats::{Latency, Report},
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Storm {
    /// Rooms.
    #[arg(long, default_value_t = 500)]
    pub rooms: usize,
    /// Listening connections per room.
    #[arg(long, default_value_t = 20)]
    pub members: usize,
    /// Distinct accounts behind the listening connections.
    #[arg(long, default_value_t = 200)]
    pub accounts: usize,
    /// Messages posted in each room while its listeners are away.
    #[arg(long, default_value_t = 5)]
    pub missed: usize,
    /// Reconnects in flight at once; 0: every listener at the same moment.
    #[arg(long, default_value_t = 0)]
    pub concurrency: usize,
    /// Give up on listeners not caught up after this long.
    #[arg(long, default_value_t = 120)]
    pub timeout_seconds: u64,
    /// Report this server process's RSS before and after the storm.
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// One listener: who, which room, and the last seq it has.
#[derive(Clone)]
struct Seat {
    account: Account,
    room: usize,
    seen: i64,
}

/// How one reconnect went.
enum Outcome {
    /// Connected after `connected`, had every message by `caught_up`.
    Resumed {
        connected: Duration,
        caught_up: Duration,
        repeated: u64,
    },
    /// Connected but a seq was skipped, or the socket ended first.
    Missing { connected: Duration, missing: u64 },
    /// Could not connect or did not catch up in time.
    Failed,
}

/// Runs the scenario.
///
/// Fails when set-up fails.
pub async fn run(server: &Server, config: &Storm) -> anyhow::Result<Report> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let owner = server
        .account(&format!("storm-{}-owner", &run[..8]))
        .await?;
    let rooms = server.rooms(&owner, "storm", config.rooms).await?;
    let mut accounts = Vec::new();
    for a in 0..config.accounts.max(1) {
        accounts.push(server.account(&format!("storm-{}-{a}", &run[..8])).await?);
    }
    let mut seats = Vec::new();
    for room in 0..rooms.len() {
        for m in 0..config.members {
            let account = accounts[(room * config.members + m) % accounts.len()].clone();
            seats.push(Seat {
                account,
                room,
                seen: 0,
            });
        }
    }
    // Everyone in, caught up with one message per room, then dropped at once.
    let mut sockets = Vec::new();
    for chunk in seats.chunks(100) {
        let opening = chunk
            .iter()
            .map(|seat| server.join_socket(&seat.account, &rooms[seat.room]));
        sockets.extend(futures_util::future::try_join_all(opening).await?);
    }
    let mut last = vec![0_i64; rooms.len()];
    post_in_every_room(&owner, &rooms, 1, &mut last).await?;
    let readers = seats.iter().zip(sockets).map(|(seat, socket)| {
        let target = last[seat.room];
        async move {
            let (mut seat, mut socket) = (seat.clone(), socket);
            read_until(&mut socket, &mut seat, target)
                .await
                .map(|_| (seat, socket))
        }
    });
    let (seats, sockets): (Vec<Seat>, Vec<Socket>) = futures_util::future::join_all(readers)
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()
        .context("a listener did not get the first message")?
        .into_iter()
        .unzip();
    // All dropped together: no close frame, only the end of each TCP connection.
    drop(sockets);
    tokio::time::sleep(Duration::from_secs(1)).await;
    post_in_every_room(&owner, &rooms, config.missed, &mut last).await?;
    let rss_before = config.server_pid.and_then(rss::kib);

    let limit = match config.concurrency {
        0 => seats.len().max(1),
        n => n,
    };
    let gate = Arc::new(Semaphore::new(limit));
    let timeout = Duration::from_secs(config.timeout_seconds);
    let storm = Instant::now();
    let reconnects = seats.into_iter().map(|seat| {
        let (server, gate) = (server.clone(), gate.clone());
        let url = format!(
            "{}/api/v1/chat/{}?token={}&since={}",
            server.ws, rooms[seat.room], seat.account.token, seat.seen
        );
        let target = last[seat.room];
        tokio::spawn(async move {
            let Ok(_permit) = gate.acquire_owned().await else {
                return Outcome::Failed;
            };
            tokio::time::timeout(timeout, resume(url, seat, target, storm))
                .await
                .unwrap_or(Outcome::Failed)
        })
    });
    let outcomes: Vec<Outcome> = futures_util::future::join_all(reconnects)
        .await
        .into_iter()
        .map(|joined| joined.unwrap_or(Outcome::Failed))
        .collect();
    let rss_after = config.server_pid.and_then(rss::kib);
    Ok(report(config, &outcomes, rss_before, rss_after))
}

/// Posts `count` messages in every room over REST, keeping each room's last seq.
async fn post_in_every_room(
    owner: &Account,
    rooms: &[String],
    count: usize,
    last: &mut [i64],
) -> anyhow::Result<()> {
    for n in 0..count {
        let content = format!("storm {n}");
        for chunk in rooms.chunks(50).zip(last.chunks_mut(50)) {
            let (ids, seqs) = chunk;
            let posts = ids
                .iter()
                .map(|room| owner.client.post(room, &content, None));
            for (message, seq) in futures_util::future::try_join_all(posts)
                .await?
                .into_iter()
                .zip(seqs.iter_mut())
            {
                *seq = message.seq;
            }
        }
    }
    Ok(())
}

/// Reconnects with `since` and reads until the room's last seq.
async fn resume(url: String, mut seat: Seat, target: i64, storm: Instant) -> Outcome {
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url).await else {
        return Outcome::Failed;
    };
    let connected = storm.elapsed();
    let before = seat.seen;
    match read_until(&mut socket, &mut seat, target).await {
        Ok(repeated) => Outcome::Resumed {
            connected,
            caught_up: storm.elapsed(),
            repeated,
        },
        Err(_) => Outcome::Missing {
            connected,
            missing: u64::try_from(target - before.max(seat.seen)).unwrap_or(0),
        },
    }
}

/// Reads `history` and `message` frames until `seat` has seq `target`; returns how
/// many messages came again. Fails when a seq is skipped or the socket ends.
async fn read_until(socket: &mut Socket, seat: &mut Seat, target: i64) -> anyhow::Result<u64> {
    let mut repeated = 0;
    while seat.seen < target {
        let text = match socket.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => anyhow::bail!("closed: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(err)) => return Err(err.into()),
            None => anyhow::bail!("the socket ended"),
        };
        let frame: Value = serde_json::from_str(&text)?;
        let messages = match frame["type"].as_str() {
            Some("history") => frame["messages"].as_array().cloned().unwrap_or_default(),
            Some("message") => vec![frame],
            _ => continue,
        };
        for message in messages {
            let seq = message["seq"].as_i64().unwrap_or(0);
            if seq <= seat.seen {
                repeated += 1;
            } else if seq == seat.seen + 1 || seat.seen == 0 {
                seat.seen = seq;
            } else {
                anyhow::bail!("seq {} skipped to {seq}", seat.seen + 1);
            }
        }
    }
    Ok(repeated)
}

fn report(
    config: &Storm,
    outcomes: &[Outcome],
    rss_before: Option<u64>,
    rss_after: Option<u64>,
) -> Report {
    let (mut connects, mut recoveries) = (Vec::new(), Vec::new());
    let (mut resumed, mut missing, mut repeated, mut failed) = (0_u64, 0_u64, 0_u64, 0_u64);
    for outcome in outcomes {
        match outcome {
            Outcome::Resumed {
                connected,
                caught_up,
                repeated: again,
            } => {
                connects.push(*connected);
                recoveries.push(*caught_up);
                resumed += 1;
                repeated += again;
            }
            Outcome::Missing {
                connected,
                missing: lost,
            } => {
                connects.push(*connected);
                missing += lost;
            }
            Outcome::Failed => failed += 1,
        }
    }
    let all_connected = connects.iter().max().copied().unwrap_or_default();
    let recovered = recoveries.iter().max().copied().unwrap_or_default();
    let mut report = Report::new("storm");
    report
        .add("sockets", outcomes.len())
        .add("missed_per_room", config.missed)
        .add("resumed", resumed)
        .add("missing", missing)
        .add("repeated", repeated)
        .add("failed", failed)
        .add(
            "connects_per_s",
            (connects.len() as f64 / all_connected.as_secs_f64().max(1e-3)).round(),
        )
        .add(
            "seconds_to_all_connected",
            (all_connected.as_secs_f64() * 1000.0).round() / 1000.0,
        )
        .add(
            "seconds_to_full_recovery",
            (recovered.as_secs_f64() * 1000.0).round() / 1000.0,
        )
        .add("connect_latency", Latency::of(connects))
        .add("recovery_latency", Latency::of(recoveries));
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        report.add("server_rss_kib_before", before);
        report.add("server_rss_kib_after", after);
    }
    report
}
