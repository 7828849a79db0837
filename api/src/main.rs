//! `papo`: the server binary.

use anyhow::Context;
use clap::Parser;
use papo_api::{
    Application,
    cli::{Cli, Command},
    settings::{DatabaseSettings, LogSettings, Settings},
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal; a malformed one is worth failing on.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        return Err(err).context("reading .env");
    }
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.settings).await,
        Some(Command::Serve { settings }) => serve(*settings).await,
        Some(Command::Migrate {
            down,
            database,
            log,
        }) => migrate(&database, &log, down).await,
        Some(Command::Chat(args)) => papo_tui::chat::run(args).await,
        Some(Command::Send(args)) => {
            let text = papo_tui::send::text_of(&args)?;
            let sent = papo_tui::send::send(&args, &text).await?;
            println!("sent: #{} in {}", sent.message.seq, sent.room);
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(&settings.log);
    // Each socket is a descriptor, and the soft limit is often 1,024: take what the
    // hard limit allows, as Go's runtime does for every server.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open file limit"),
        Err(err) => tracing::warn!(error = %err, "could not raise the open file limit"),
    }
    let host = settings.server.bind.ip();
    let app = Application::build(settings).await?;
    let base = format!("http://{}:{}", format_host(host), app.port());
    tracing::info!("papo is listening on {base}");
    tracing::info!("chat in the browser: {base}/");
    tracing::info!("API docs: {base}/docs");
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("papo stopped");
    Ok(())
}

/// An IP as it goes in a URL (IPv6 in brackets).
fn format_host(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

async fn migrate(
    database: &DatabaseSettings,
    log: &LogSettings,
    down: Option<u32>,
) -> anyhow::Result<()> {
    telemetry::init(log);
    let db = infra::db::connect(&database.url)
        .await
        .context("connecting to the database")?;
    match down {
        Some(steps) => {
            infra::db::rollback(&db, steps).await?;
            tracing::info!(steps, "reverted migrations");
        }
        None => {
            infra::db::migrate(&db).await?;
            tracing::info!("database is up to date");
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
