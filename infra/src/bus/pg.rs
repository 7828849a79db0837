//! The bus between nodes that share one PostgreSQL database: `NOTIFY` after each
//! commit, `LISTEN` on a connection of its own. See `docs/architecture.md`, "Several
//! nodes".
//!
//! A notice only says "look": a node that misses one (its listening connection was
//! cut, the outbox was full) finds the gap at the next message, the next notice, or
//! the periodic check, and reads it from the database.

use std::{
    str::FromStr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use domain::{
    events::Event,
    ports::{EventBus, Presence},
};
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
    notice::{self, Body, Notice, Remote},
};
use crate::presence::{
    LocalPresence,
    cluster::{ROSTER_CHUNK, Roster},
};

/// The channel every node of one database listens on.
pub const CHANNEL: &str = "papo_events";

/// Notices waiting to be sent; past this they are dropped (and counted): the other
/// nodes find what they named by their periodic check.
const OUTBOX: usize = 8192;

/// Remote notices waiting for the realtime layer.
const INBOX: usize = 65_536;

/// The PostgreSQL [`EventBus`]: every event goes to this node's subscribers at once
/// and, as a notice, to the other nodes. It also keeps who is online on the others
/// (see [`crate::presence::cluster`]).
pub struct PgBus {
    local: Arc<LocalBus>,
    node: Arc<Node>,
}

/// This node as the others see it.
struct Node {
    id: Uuid,
    outbox: mpsc::Sender<Notice>,
    roster: Arc<Mutex<Roster>>,
    presence: Arc<LocalPresence>,
}

impl Node {
    fn say(&self, body: Body) {
        let notice = Notice {
            node: self.id,
            body,
        };
        if self.outbox.try_send(notice).is_err() {
            metrics::counter!("papo_bus_notices_dropped_total").increment(1);
        }
    }

    /// Tells every node who is online here, in parts that fit a notice.
    fn send_roster(&self) {
        let users: Vec<Uuid> = self
            .presence
            .online_users()
            .into_iter()
            .map(|u| u.as_uuid())
            .collect();
        let mut parts = users.chunks(ROSTER_CHUNK);
        self.say(Body::Roster {
            reset: true,
            users: parts.next().unwrap_or_default().to_vec(),
        });
        for part in parts {
            self.say(Body::Roster {
                reset: false,
                users: part.to_vec(),
            });
        }
    }

    fn roster(&self) -> std::sync::MutexGuard<'_, Roster> {
        self.roster.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PgBus {
    /// Starts sending notices through `db`, listening on a connection of its own to
    /// `url`, and saying every third of `node_timeout` that this node is alive; the
    /// other nodes' notices come out of the receiver.
    ///
    /// Fails when `url` is not a PostgreSQL URL sqlx understands.
    pub fn start(
        url: &str,
        db: DatabaseConnection,
        local: Arc<LocalBus>,
        presence: Arc<LocalPresence>,
        node_timeout: Duration,
    ) -> anyhow::Result<(Arc<Self>, mpsc::Receiver<Remote>)> {
        let options = PgConnectOptions::from_str(url)?.application_name("papo-listen");
        let (outbox, pending) = mpsc::channel(OUTBOX);
        let (inbox, remote) = mpsc::channel(INBOX);
        let node = Arc::new(Node {
            id: Uuid::new_v4(),
            outbox,
            roster: Arc::default(),
            presence,
        });
        tokio::spawn(send(db, pending));
        tokio::spawn(listen(options, node.clone(), inbox));
        tokio::spawn(heartbeat(node.clone(), node_timeout));
        tracing::info!(node = %node.id, "sharing events with other nodes through PostgreSQL");
        Ok((Arc::new(Self { local, node }), remote))
    }

    /// The other nodes' online users.
    pub fn roster(&self) -> Arc<Mutex<Roster>> {
        self.node.roster.clone()
    }

    /// Tells the other nodes `body`.
    pub fn say(&self, body: Body) {
        self.node.say(body);
    }
}

impl EventBus for PgBus {
    fn publish(&self, event: Event) {
        if let Some(notice) = notice::of_event(self.node.id, &event) {
            self.node.say(notice.body);
        }
        self.local.publish(event);
    }

    fn publish_batch(&self, events: Vec<Event>) {
        for notice in notice::of_batch(self.node.id, &events) {
            self.node.say(notice.body);
        }
        for event in events {
            self.local.publish(event);
        }
    }
}

/// Says this node is alive, and forgets nodes that stopped saying so.
async fn heartbeat(node: Arc<Node>, timeout: Duration) {
    let mut ticker = tokio::time::interval(timeout / 3);
    loop {
        ticker.tick().await;
        node.say(Body::Heartbeat);
        let gone = node.roster().expire(Instant::now(), timeout);
        if gone > 0 {
            metrics::counter!("papo_bus_nodes_lost_total").increment(gone as u64);
            tracing::warn!(gone, "nodes stopped answering; their users are offline");
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
/// connection is re-established, then reported as [`Remote::Resync`] (and every
/// node's roster asked for again).
async fn listen(options: PgConnectOptions, node: Arc<Node>, inbox: mpsc::Sender<Remote>) {
    let mut listener = loop {
        match connect(&options).await {
            Ok(listener) => break listener,
            Err(err) => {
                tracing::warn!(error = %err, "listening for other nodes failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    node.say(Body::Hello);
    loop {
        let remotes = match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) if notice.node == node.id => continue,
                    Ok(notice) => {
                        metrics::counter!("papo_bus_notices_received_total").increment(1);
                        if matches!(notice.body, Body::Hello) {
                            node.send_roster();
                        }
                        if notice.body.is_presence() {
                            node.roster()
                                .apply(notice.node, &notice.body, Instant::now());
                            continue;
                        }
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
                node.say(Body::Hello);
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
