//! Notices through PostgreSQL: `NOTIFY` on the main pool, `LISTEN` on a connection
//! of its own (`application_name = papo-listen`), which sqlx re-establishes when it
//! breaks.

use std::{str::FromStr, sync::Arc, time::Duration};

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement,
    sqlx::{
        self,
        postgres::{PgConnectOptions, PgListener, PgPoolOptions},
    },
};
use tokio::sync::mpsc;

use super::{
    notice::{self, Remote},
    shared::{Node, Outbound, next_round},
};

/// The channel every node of one database listens on.
const CHANNEL: &str = "papo_events";

/// Starts sending `pending` and listening.
///
/// Fails when `url` is not a PostgreSQL URL sqlx understands.
pub(super) fn start(
    url: &str,
    db: DatabaseConnection,
    node: Arc<Node>,
    pending: mpsc::Receiver<Outbound>,
    inbox: mpsc::Sender<Remote>,
) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(url)?.application_name("papo-listen");
    tokio::spawn(send(db, node.id, pending));
    tokio::spawn(listen(options, node, inbox));
    Ok(())
}

/// Sends queued notices in order, packed: one `NOTIFY` for as many as fit.
async fn send(db: DatabaseConnection, node: uuid::Uuid, mut pending: mpsc::Receiver<Outbound>) {
    while let Some((bodies, flushes)) = next_round(&mut pending).await {
        let count = bodies.len() as u64;
        for payload in notice::pack(node, bodies) {
            let statement = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            );
            match db.execute_raw(statement).await {
                Ok(_) => metrics::counter!("papo_bus_payloads_sent_total").increment(1),
                Err(err) => {
                    metrics::counter!("papo_bus_notices_dropped_total").increment(1);
                    tracing::warn!(error = %err, "sending notices to the other nodes failed");
                }
            }
        }
        metrics::counter!("papo_bus_notices_sent_total").increment(count);
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// Listens until the realtime layer is gone.
async fn listen(options: PgConnectOptions, node: Arc<Node>, inbox: mpsc::Sender<Remote>) {
    let mut listener = loop {
        match connect(&options).await {
            Ok(listener) => {
                node.listening();
                break listener;
            }
            Err(err) => {
                tracing::warn!(error = %err, "listening for other nodes failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        let remotes = match listener.try_recv().await {
            Ok(Some(notification)) => node.receive(notification.payload()),
            // Reconnected (and listening again): notices may have been missed.
            Ok(None) => vec![node.reconnected()],
            Err(err) => {
                tracing::warn!(error = %err, "listening for other nodes failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for remote in remotes {
            if inbox.send(remote).await.is_err() {
                return;
            }
        }
    }
}

async fn connect(options: &PgConnectOptions) -> Result<PgListener, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
