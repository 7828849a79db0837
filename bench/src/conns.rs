//! `conns`: open many idle sockets and measure what each costs the server: connects
//! per second, resident memory per connection, CPU while idle.
//!
//! Sockets are spread over several 127.0.0.x source addresses so that more of them
//! fit than one address has ephemeral ports.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

use tokio_tungstenite::MaybeTlsStream;

use crate::{
    rss,
    setup::{Server, Socket},
    stats::Report,
};

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Conns {
    /// Sockets to open.
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Source addresses 127.0.0.1 … 127.0.0.N to spread them over.
    #[arg(long, default_value_t = 8)]
    pub source_addresses: u8,
    /// Sockets opening at once.
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
    /// How long to hold them idle while measuring CPU.
    #[arg(long, default_value_t = 10)]
    pub hold_seconds: u64,
    /// The server's process id, to read its memory and CPU from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// Runs the scenario.
///
/// Fails when set-up fails or a socket cannot be opened.
pub async fn run(server: &Server, config: &Conns) -> anyhow::Result<Report> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    // A user in no room: an idle `/api/v1/ws` follows nothing and is sent nothing.
    let user = server.account(&format!("conns-{}", &run[..8])).await?;
    let url = format!("{}/api/v1/ws?token={}", server.ws, user.token);
    let port = server
        .ws
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
        .unwrap_or(8000);
    let rss_before = config.server_pid.and_then(rss::kib);
    let started = Instant::now();
    let mut sockets: Vec<Socket> = Vec::with_capacity(config.count);
    let mut pending = Vec::new();
    for i in 0..config.count {
        let source = Ipv4Addr::new(
            127,
            0,
            0,
            1 + (i % usize::from(config.source_addresses.max(1))) as u8,
        );
        pending.push(open(url.clone(), source, port));
        if pending.len() == config.parallel.max(1) {
            sockets.extend(futures_util::future::try_join_all(pending.drain(..)).await?);
        }
    }
    sockets.extend(futures_util::future::try_join_all(pending).await?);
    let connecting = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut report = Report::new("conns");
    report.add("connections", sockets.len()).add(
        "connects_per_s",
        (sockets.len() as f64 / connecting.as_secs_f64()).round(),
    );
    if let Some(pid) = config.server_pid {
        let rss_after = rss::kib(pid).unwrap_or(0);
        let before = rss_before.unwrap_or(0);
        let per_conn = (rss_after.saturating_sub(before)) as f64 / sockets.len().max(1) as f64;
        let cpu_start = rss::cpu_seconds(pid).unwrap_or(0.0);
        tokio::time::sleep(Duration::from_secs(config.hold_seconds)).await;
        let cpu_used = rss::cpu_seconds(pid).unwrap_or(0.0) - cpu_start;
        report
            .add("server_rss_kib_before", before)
            .add("server_rss_kib_after", rss_after)
            .add(
                "server_rss_kib_per_connection",
                (per_conn * 100.0).round() / 100.0,
            )
            .add(
                "server_idle_cpu_percent",
                (cpu_used / config.hold_seconds.max(1) as f64 * 10000.0).round() / 100.0,
            );
    }
    drop(sockets);
    Ok(report)
}

async fn open(url: String, source: Ipv4Addr, port: u16) -> anyhow::Result<Socket> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0))?;
    let tcp = socket
        .connect(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
        .await?;
    let (stream, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp)).await?;
    Ok(stream)
}
