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
    events::{Event, PeerNews},
    ports::{EventBus, Peers, Presence},
};
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{
    LocalBus,
    notice::{self, Body, Remote},
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

/// Notices taken from the outbox for one round of sending (a few payloads).
pub(super) const ROUND: usize = 256;

/// A node not known here that speaks makes this node ask for rosters, at most this
/// often (a node taken for dead that was only slow comes back whole).
const HELLO_AGAIN: Duration = Duration::from_secs(10);

/// How long a stopping node waits for its last notices to leave.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// What carries the notices.
pub enum Link {
    /// `NOTIFY`/`LISTEN` on the database itself.
    Postgres { url: String, db: DatabaseConnection },
    /// A NATS server (`nats://host:4222`), on a subject named after the database.
    Nats { url: String, subject: String },
}

/// What the sending task takes from the outbox.
pub(super) enum Outbound {
    /// Boxed: a notice about a room carries the room, and most notices are small.
    Say(Box<Body>),
    /// Answered once everything queued before it was sent.
    Flush(oneshot::Sender<()>),
}

/// Takes up to [`ROUND`] of what is queued (waiting for the first): the notices in
/// order, and the flushes to answer once they are sent. `None` when the bus is gone.
pub(super) async fn next_round(
    pending: &mut mpsc::Receiver<Outbound>,
) -> Option<(Vec<Body>, Vec<oneshot::Sender<()>>)> {
    let mut bodies = Vec::new();
    let mut flushes = Vec::new();
    let mut next = Some(pending.recv().await?);
    while let Some(item) = next {
        match item {
            Outbound::Say(body) => bodies.push(*body),
            Outbound::Flush(done) => flushes.push(done),
        }
        next = if bodies.len() < ROUND {
            pending.try_recv().ok()
        } else {
            None
        };
    }
    Some((bodies, flushes))
}

/// The [`EventBus`] of a node among several: every event goes to this node's
/// subscribers at once and, as a notice, to the other nodes. It also keeps who is
/// online on the others (see [`crate::presence::cluster`]), and carries what this
/// node's sockets do in rooms ([`Peers`]).
pub struct SharedBus {
    local: Arc<LocalBus>,
    node: Arc<Node>,
}

/// This node as the others see it.
pub(super) struct Node {
    pub(super) id: Uuid,
    outbox: mpsc::Sender<Outbound>,
    roster: Arc<Mutex<Roster>>,
    presence: Arc<LocalPresence>,
    /// When this node last asked every node for its rosters.
    hello_said: Mutex<Option<Instant>>,
}

impl Node {
    pub(super) fn say(&self, body: Body) {
        if self.outbox.try_send(Outbound::Say(Box::new(body))).is_err() {
            metrics::counter!("papo_bus_notices_dropped_total").increment(1);
        }
    }

    /// Asks every node who is online and who follows which room (they answer with
    /// their rosters), unless this node asked moments ago.
    fn hello(&self, now: Instant) {
        let mut said = self
            .hello_said
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if said.is_some_and(|at| now.duration_since(at) < HELLO_AGAIN) {
            return;
        }
        *said = Some(now);
        drop(said);
        self.say(Body::Hello);
    }

    /// What a received payload asks of this node: presence of users is kept here,
    /// the rest goes to the realtime layer. Own payloads and unreadable ones ask
    /// nothing.
    pub(super) fn receive(&self, payload: &str) -> Vec<Remote> {
        let (from, bodies) = match notice::unpack(payload) {
            Some((from, _)) if from == self.id => return Vec::new(),
            Some(notice) => notice,
            None => {
                tracing::warn!("an unreadable notice");
                return Vec::new();
            }
        };
        let now = Instant::now();
        let known = self.roster().touch(from, now);
        let mut remotes = Vec::new();
        for body in bodies {
            metrics::counter!("papo_bus_notices_received_total").increment(1);
            match body {
                Body::Hello => {
                    self.send_roster();
                    remotes.push(Remote::Hello);
                }
                Body::Gone => {
                    self.roster().apply(from, &Body::Gone, now);
                    remotes.push(Remote::NodeGone(from));
                }
                // A node this one forgot (silent too long) speaks again.
                body if body.is_presence() => {
                    if !known && !matches!(body, Body::Roster { .. }) {
                        self.hello(now);
                    }
                    self.roster().apply(from, &body, now);
                }
                body => {
                    if !known {
                        self.hello(now);
                    }
                    remotes.extend(notice::remotes(from, body));
                }
            }
        }
        remotes
    }

    /// Notices reach this node from now on: ask every node who is online (the
    /// answers must find it listening).
    pub(super) fn listening(&self) {
        self.hello(Instant::now());
    }

    /// The connection carrying notices was lost and is back: ask every node who is
    /// online, and have the realtime layer check what it missed.
    pub(super) fn reconnected(&self) -> Remote {
        metrics::counter!("papo_bus_reconnects_total").increment(1);
        tracing::warn!("the connection to the other nodes was lost; resyncing");
        self.hello(Instant::now());
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
            hello_said: Mutex::new(None),
        });
        match link {
            Link::Postgres { url, db } => {
                super::pg::start(&url, db, node.clone(), pending, inbox.clone())?;
            }
            Link::Nats { url, subject } => {
                super::nats::start(&url, subject, node.clone(), pending, inbox.clone()).await?;
            }
        }
        tokio::spawn(heartbeat(node.clone(), node_timeout, inbox));
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

    /// Tells the other nodes this one is stopping (so its users leave their rooms at
    /// once, not after the node timeout), and waits up to 2 s for every notice
    /// queued before to be sent.
    pub async fn leave(&self) {
        self.say(Body::Gone);
        let (done, sent) = oneshot::channel();
        if self.node.outbox.try_send(Outbound::Flush(done)).is_ok() {
            let _ = tokio::time::timeout(FLUSH_WAIT, sent).await;
        }
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

impl Peers for SharedBus {
    fn tell(&self, news: PeerNews) {
        for body in notice::bodies_of(news) {
            self.node.say(body);
        }
    }
}

/// Says this node is alive, and forgets nodes that stopped saying so (the realtime
/// layer forgets what they said about rooms).
async fn heartbeat(node: Arc<Node>, timeout: Duration, inbox: mpsc::Sender<Remote>) {
    let mut ticker = tokio::time::interval(timeout / 3);
    loop {
        ticker.tick().await;
        node.say(Body::Heartbeat);
        let gone = node.roster().expire(Instant::now(), timeout);
        if gone.is_empty() {
            continue;
        }
        metrics::counter!("papo_bus_nodes_lost_total").increment(gone.len() as u64);
        tracing::warn!(
            gone = gone.len(),
            "nodes stopped answering; their users are offline"
        );
        for node in gone {
            if inbox.send(Remote::NodeGone(node)).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bus::notice::Notice;

    fn node() -> (Node, mpsc::Receiver<Outbound>) {
        let (outbox, sent) = mpsc::channel(8);
        let node = Node {
            id: Uuid::new_v4(),
            outbox,
            roster: Arc::default(),
            presence: Arc::new(LocalPresence::new()),
            hello_said: Mutex::new(None),
        };
        (node, sent)
    }

    fn said(sent: &mut mpsc::Receiver<Outbound>) -> Body {
        match sent.try_recv().unwrap() {
            Outbound::Say(body) => *body,
            Outbound::Flush(_) => panic!("a flush"),
        }
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
        assert_eq!(
            node.receive(&serde_json::to_string(&hello).unwrap()),
            vec![Remote::Hello],
            "the realtime layer answers with its rooms"
        );
        assert_eq!(
            said(&mut sent),
            Body::Roster {
                reset: true,
                users: vec![user.as_uuid()]
            }
        );
    }

    #[test]
    fn a_node_not_known_here_that_speaks_makes_this_node_ask_for_rosters_once() {
        let (node, mut sent) = node();
        let beat = |from| {
            serde_json::to_string(&Notice {
                node: from,
                body: Body::Heartbeat,
            })
            .unwrap()
        };

        node.receive(&beat(Uuid::new_v4()));
        let asked = said(&mut sent);
        node.receive(&beat(Uuid::new_v4()));

        assert_eq!(asked, Body::Hello);
        assert!(sent.try_recv().is_err(), "it asked moments ago");
    }

    #[test]
    fn a_goodbye_forgets_the_nodes_users_and_tells_the_realtime_layer() {
        let (node, _sent) = node();
        let (other, user) = (Uuid::new_v4(), domain::UserId::new());
        let say = |body| serde_json::to_string(&Notice { node: other, body }).unwrap();
        node.receive(&say(Body::Online {
            user: user.as_uuid(),
        }));
        assert!(node.roster().is_online(user));

        let remotes = node.receive(&say(Body::Gone));

        assert_eq!(remotes, vec![Remote::NodeGone(other)]);
        assert!(!node.roster().is_online(user));
    }
}
