//! `ingest`: many senders in many rooms, each keeping a window of posts in flight and
//! sending more as acks come back. Measures durable messages per second (an ack means
//! committed) and ack latency.

use std::{collections::HashMap, time::Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    setup::{Server, send_json},
    stats::{Latency, Report},
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Ingest {
    /// Sending connections (each its own user).
    #[arg(long, default_value_t = 50)]
    pub senders: usize,
    /// Rooms the senders are spread over.
    #[arg(long, default_value_t = 10)]
    pub rooms: usize,
    /// Messages each sender posts.
    #[arg(long, default_value_t = 400)]
    pub messages: usize,
    /// Posts each sender keeps in flight.
    #[arg(long, default_value_t = 16)]
    pub window: usize,
}

/// Runs the scenario against `server`.
///
/// Fails when set-up fails or a socket breaks.
pub async fn run(server: &Server, config: &Ingest) -> anyhow::Result<Report> {
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let owner = server
        .account(&format!("bench-owner-{}", &run_id[..8]))
        .await?;
    let rooms = server.rooms(&owner, "ingest", config.rooms.max(1)).await?;
    let (latencies, elapsed) = pump(
        server,
        &rooms,
        config.senders,
        config.messages,
        config.window,
    )
    .await?;
    let total = latencies.len();
    let mut report = Report::new("ingest");
    report
        .add("senders", config.senders)
        .add("rooms", config.rooms)
        .add("window", config.window)
        .add("messages_acked", total)
        .add("seconds", (elapsed.as_secs_f64() * 100.0).round() / 100.0)
        .add(
            "durable_msgs_per_s",
            (total as f64 / elapsed.as_secs_f64()).round(),
        )
        .add("ack_latency", Latency::of(latencies));
    Ok(report)
}

/// `senders` sockets spread over `rooms` each post `messages`, keeping `window` in
/// flight; returns every ack's latency and how long the posting took (accounts and
/// sockets are set up before the clock starts).
///
/// Fails when an account, a socket or a post fails.
pub async fn pump(
    server: &Server,
    rooms: &[String],
    senders: usize,
    messages: usize,
    window: usize,
) -> anyhow::Result<(Vec<std::time::Duration>, std::time::Duration)> {
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let mut sockets = Vec::new();
    for i in 0..senders {
        let user = server
            .account(&format!("bench-{}-{i}", &run_id[..8]))
            .await?;
        let room = rooms[i % rooms.len().max(1)].clone();
        sockets.push((server.join_socket(&user, &room).await?, room));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (mut socket, room) in sockets {
        let window = window.max(1);
        tasks.push(tokio::spawn(async move {
            let mut sent_at = HashMap::with_capacity(window);
            let mut latencies = Vec::with_capacity(messages);
            let mut sent = 0;
            while latencies.len() < messages {
                while sent < messages && sent_at.len() < window {
                    let temp_id = format!("t{sent}");
                    let frame = json!({"type": "message", "room_id": room, "content": format!("ingest {sent}"), "temp_id": temp_id});
                    send_json(&mut socket, &frame).await?;
                    sent_at.insert(temp_id, Instant::now());
                    sent += 1;
                }
                let Some(message) = socket.next().await else {
                    anyhow::bail!("socket ended");
                };
                if let Message::Text(text) = message? {
                    let frame: serde_json::Value = serde_json::from_str(&text)?;
                    match frame["type"].as_str() {
                        Some("ack") => {
                            let temp_id = frame["temp_id"].as_str().unwrap_or_default();
                            if let Some(at) = sent_at.remove(temp_id) {
                                latencies.push(at.elapsed());
                            }
                        }
                        Some("error") => anyhow::bail!("server error frame: {frame}"),
                        _ => {}
                    }
                }
            }
            let _ = socket.close(None).await;
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok((latencies, started.elapsed()))
}
