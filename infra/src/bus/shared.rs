//! The bus between nodes of one database, whatever carries the notices: PostgreSQL
//! `NOTIFY` ([`super::pg`]) or NATS ([`super::nats`]). See `docs/architecture.md`,
//! "Several nodes".
//!
//! A notice only says "look": a node that misses one (its listening connection was
//! cut, the outbox was full) finds the gap at the next message, the next notice, or
//! the periodic check, and reads it from the database.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use domain::{
    events::Event,
    ports::{EventBus, Presence},
};
use sea_orm::DatabaseConnection;
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

/// Notices waiting to be sent; past this they are dropped (and counted): the other
/// nodes find what they named by their periodic check.
const OUTBOX: usize = 8192;

/// Remote notices waiting for the realtime layer.
const INBOX: usize = 65_536;

/// What carries the notices.
pub enum Link {
    /// `NOTIFY`/`LISTEN` on the database itself.
    Postgres { url: String, db: DatabaseConnection },
    /// A NATS server (`nats://host:4222`), on a subject named after the database.
    Nats { url: String, subject: String },
}

/// The [`EventBus`] of a node among several: every event goes to this node's
/// subscribers at once and, as a notice, to the other nodes. It also keeps who is
/// online on the others (see [`crate::presence::cluster`]).
pub struct SharedBus {
    local: Arc<LocalBus>,
    node: Arc<Node>,
}

/// This node as the others see it.
pub(super) struct Node {
    pub(super) id: Uuid,
    outbox: mpsc::Sender<Notice>,
    roster: Arc<Mutex<Roster>>,
    presence: Arc<LocalPresence>,
}

impl Node {
    pub(super) fn say(&self, body: Body) {
        let notice = Notice {
            node: self.id,
            body,
        };
        if self.outbox.try_send(notice).is_err() {
            metrics::counter!("papo_bus_notices_dropped_total").increment(1);
        }
    }

    /// What a received payload asks of this node: presence is kept here, the rest
    /// goes to the realtime layer. Own notices and unreadable ones ask nothing.
    pub(super) fn receive(&self, payload: &str) -> Vec<Remote> {
        let notice = match serde_json::from_str::<Notice>(payload) {
            Ok(notice) if notice.node == self.id => return Vec::new(),
            Ok(notice) => notice,
            Err(err) => {
                tracing::warn!(error = %err, "an unreadable notice");
                return Vec::new();
            }
        };
        metrics::counter!("papo_bus_notices_received_total").increment(1);
        if matches!(notice.body, Body::Hello) {
            self.send_roster();
        }
        if notice.body.is_presence() {
            self.roster()
                .apply(notice.node, &notice.body, Instant::now());
            return Vec::new();
        }
        notice::remotes(notice.body)
    }

    /// Notices reach this node from now on: ask every node who is online (the
    /// answers must find it listening).
    pub(super) fn listening(&self) {
        self.say(Body::Hello);
    }

    /// The connection carrying notices was lost and is back: ask every node who is
    /// online, and have the realtime layer check what it missed.
    pub(super) fn reconnected(&self) -> Remote {
        metrics::counter!("papo_bus_reconnects_total").increment(1);
        tracing::warn!("the connection to the other nodes was lost; resyncing");
        self.say(Body::Hello);
        Remote::Resync
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

impl SharedBus {
    /// Connects `link`, starts sending and listening, and says every third of
    /// `node_timeout` that this node is alive; the other nodes' notices come out of
    /// the receiver.
    ///
    /// Fails when the link's URL is unusable (NATS: when the server cannot be reached).
    pub async fn start(
        link: Link,
        local: Arc<LocalBus>,
        presence: Arc<LocalPresence>,
        node_timeout: Duration,
    ) -> anyhow::Result<(Arc<Self>, mpsc::Receiver<Remote>)> {
        let (outbox, pending) = mpsc::channel(OUTBOX);
        let (inbox, remote) = mpsc::channel(INBOX);
        let node = Arc::new(Node {
            id: Uuid::new_v4(),
            outbox,
            roster: Arc::default(),
            presence,
        });
        match link {
            Link::Postgres { url, db } => super::pg::start(&url, db, node.clone(), pending, inbox)?,
            Link::Nats { url, subject } => {
                super::nats::start(&url, subject, node.clone(), pending, inbox).await?;
            }
        }
        tokio::spawn(heartbeat(node.clone(), node_timeout));
        tracing::info!(node = %node.id, "sharing events with the other nodes");
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

impl EventBus for SharedBus {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> (Node, mpsc::Receiver<Notice>) {
        let (outbox, sent) = mpsc::channel(8);
        let node = Node {
            id: Uuid::new_v4(),
            outbox,
            roster: Arc::default(),
            presence: Arc::new(LocalPresence::new()),
        };
        (node, sent)
    }

    #[test]
    fn garbage_and_own_notices_ask_nothing() {
        let (node, _sent) = node();
        assert!(node.receive("not json").is_empty());
        assert!(node.receive(r#"{"node":"x","kind":"posted"}"#).is_empty());
        let own = Notice {
            node: node.id,
            body: Body::Read {
                room: Uuid::new_v4(),
                user: Uuid::new_v4(),
                seq: 1,
            },
        };
        assert!(
            node.receive(&serde_json::to_string(&own).unwrap())
                .is_empty()
        );
    }

    #[test]
    fn a_hello_is_answered_with_the_roster_and_presence_stays_in_the_bus() {
        let (node, mut sent) = node();
        let user = domain::UserId::new();
        node.presence.connect(user);
        let hello = Notice {
            node: Uuid::new_v4(),
            body: Body::Hello,
        };
        assert!(
            node.receive(&serde_json::to_string(&hello).unwrap())
                .is_empty()
        );
        let answer = sent.try_recv().unwrap();
        assert_eq!(
            answer.body,
            Body::Roster {
                reset: true,
                users: vec![user.as_uuid()]
            }
        );
    }
}
