//! The bus between nodes that share one PostgreSQL database: `NOTIFY` after each
//! commit, `LISTEN` on a connection of its own. See `docs/architecture.md`, "Several
//! nodes".
//!
//! A notice only says "look": a node that misses one (its listening connection was
//! cut, the outbox was full) finds the gap at the next message, the next notice, or
//! the periodic check, and reads it from the database.

use std::{str::FromStr, sync::Arc, time::Duration};

use domain::{events::Event, ports::EventBus};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement,
    sqlx::{
        self,
        postgres::{PgConnectOptions, PgListener, PgPoolOptions},
    },
};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    LocalBus,
    notice::{self, Notice, Remote},
};

/// The channel every node of one database listens on.
pub const CHANNEL: &str = "papo_events";

/// Notices waiting to be sent; past this they are dropped (and counted): the other
/// nodes find what they named by their periodic check.
const OUTBOX: usize = 8192;

/// Remote notices waiting for the realtime layer.
const INBOX: usize = 65_536;

/// The PostgreSQL [`EventBus`]: every event goes to this node's subscribers at once
/// and, as a notice, to the other nodes.
pub struct PgBus {
    local: Arc<LocalBus>,
    node: Uuid,
    outbox: mpsc::Sender<Notice>,
}

impl PgBus {
    /// Starts sending notices through `db` and listening on a connection of its own
    /// to `url`; the other nodes' notices come out of the receiver.
    ///
    /// Fails when `url` is not a PostgreSQL URL sqlx understands.
    pub fn start(
        url: &str,
        db: DatabaseConnection,
        local: Arc<LocalBus>,
    ) -> anyhow::Result<(Arc<Self>, mpsc::Receiver<Remote>)> {
        let node = Uuid::new_v4();
        let options = PgConnectOptions::from_str(url)?.application_name("papo-listen");
        let (outbox, pending) = mpsc::channel(OUTBOX);
        let (inbox, remote) = mpsc::channel(INBOX);
        tokio::spawn(send(db, pending));
        tokio::spawn(listen(options, node, inbox));
        tracing::info!(%node, "sharing events with other nodes through PostgreSQL");
        Ok((
            Arc::new(Self {
                local,
                node,
                outbox,
            }),
            remote,
        ))
    }

    fn queue(&self, notice: Notice) {
        if self.outbox.try_send(notice).is_err() {
            metrics::counter!("papo_bus_notices_dropped_total").increment(1);
        }
    }
}

impl EventBus for PgBus {
    fn publish(&self, event: Event) {
        if let Some(notice) = notice::of_event(self.node, &event) {
            self.queue(notice);
        }
        self.local.publish(event);
    }

    fn publish_batch(&self, events: Vec<Event>) {
        for notice in notice::of_batch(self.node, &events) {
            self.queue(notice);
        }
        for event in events {
            self.local.publish(event);
        }
    }
}

/// Sends queued notices, one `NOTIFY` each, in order.
async fn send(db: DatabaseConnection, mut pending: mpsc::Receiver<Notice>) {
    while let Some(notice) = pending.recv().await {
        let Ok(payload) = serde_json::to_string(&notice) else {
            continue;
        };
        let statement = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        match db.execute_raw(statement).await {
            Ok(_) => metrics::counter!("papo_bus_notices_sent_total").increment(1),
            Err(err) => {
                metrics::counter!("papo_bus_notices_dropped_total").increment(1);
                tracing::warn!(error = %err, "sending a notice to the other nodes failed");
            }
        }
    }
}

/// Listens for the other nodes' notices until the realtime layer is gone. A lost
/// connection is re-established, then reported as [`Remote::Resync`].
async fn listen(options: PgConnectOptions, node: Uuid, inbox: mpsc::Sender<Remote>) {
    let mut listener = loop {
        match connect(&options).await {
            Ok(listener) => break listener,
            Err(err) => {
                tracing::warn!(error = %err, "listening for other nodes failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        let remotes = match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) if notice.node == node => continue,
                    Ok(notice) => {
                        metrics::counter!("papo_bus_notices_received_total").increment(1);
                        notice::remotes(notice.body)
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "an unreadable notice");
                        continue;
                    }
                }
            }
            // Reconnected (and listening again): notices may have been missed.
            Ok(None) => {
                metrics::counter!("papo_bus_reconnects_total").increment(1);
                tracing::warn!("the connection listening for other nodes was lost; resyncing");
                vec![Remote::Resync]
            }
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
