//! The hub: a registry of this node's connections and the rooms they follow, and the
//! router that fans events out to them. It knows no database and no use case.
//!
//! Every event reaches the hub from the event bus, is serialized once, and is pushed
//! as shared bytes into each recipient's bounded queue with `try_send`: a slow
//! connection never delays the others. When a queue is full, typing, presence and
//! read frames are dropped; anything else marks the connection as lagging, and its
//! writer closes it with 4008 so the client resumes from the database.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use domain::{
    RoomId,
    events::{Event, PeerNews},
    ports::Peers,
    user::UserSummary,
};
use papo_protocol::CloseCode;
use tokio::sync::{broadcast, mpsc};

mod dispatch;
mod registry;

use self::registry::{Conn, Registry};
pub use self::registry::{elsewhere::NodeId, order::Fill};
use super::session::{ConnId, Control, Ending, Outgoing, Scope};

/// Tunables of the realtime layer.
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// Frames a connection may have waiting before it counts as too slow.
    pub queue_capacity: usize,
    /// How long a typing indicator lasts without being renewed.
    pub typing_ttl: Duration,
    /// Server ping interval; a peer silent for two intervals is dropped.
    pub ping_interval: Duration,
    /// Longest a single socket write may take before the peer is dropped.
    pub send_timeout: Duration,
    /// Sockets one user may have open on this node.
    pub sockets_per_user: usize,
    /// Sockets this node keeps open in all.
    pub sockets_per_node: usize,
}

/// What a new connection gets from [`Hub::register`].
pub struct Registration {
    pub id: ConnId,
    pub queue: mpsc::Receiver<Outgoing>,
    pub control: Arc<Control>,
}

/// A gap in a room's messages, to read from the database.
pub type FillRequest = (RoomId, Fill);

/// Gaps waiting to be read; past this the periodic check finds them again.
const FILLS_QUEUED: usize = 4096;

/// See the module docs.
pub struct Hub {
    settings: HubSettings,
    fills: mpsc::Sender<FillRequest>,
    fill_requests: Mutex<Option<mpsc::Receiver<FillRequest>>>,
    /// A std mutex: held for map updates and non-blocking `try_send`s only, never
    /// across an await.
    registry: Mutex<Registry>,
    /// The other nodes, told what this node's sockets do in rooms.
    peers: Arc<dyn Peers>,
    next_id: AtomicU64,
    closing: AtomicBool,
    /// Socket tasks still running, closing handshakes included.
    live: AtomicUsize,
}

/// Counts one socket task as running until dropped (see [`Hub::live_sockets`]).
pub struct LiveSocket(Arc<Hub>);

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The registry, locked; the news its changes made goes to the other nodes when the
/// lock is let go, in the order it happened.
struct Locked<'a> {
    registry: std::sync::MutexGuard<'a, Registry>,
    peers: &'a dyn Peers,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Registry;

    fn deref(&self) -> &Registry {
        &self.registry
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        for news in self.registry.take_news() {
            self.peers.tell(news);
        }
    }
}

impl Hub {
    pub fn new(settings: HubSettings, peers: Arc<dyn Peers>) -> Arc<Self> {
        let (fills, fill_requests) = mpsc::channel(FILLS_QUEUED);
        Arc::new(Self {
            settings,
            fills,
            fill_requests: Mutex::new(Some(fill_requests)),
            registry: Mutex::new(Registry::default()),
            peers,
            next_id: AtomicU64::new(1),
            closing: AtomicBool::new(false),
            live: AtomicUsize::new(0),
        })
    }

    pub fn settings(&self) -> &HubSettings {
        &self.settings
    }

    fn lock(&self) -> Locked<'_> {
        Locked {
            registry: self.registry.lock().unwrap_or_else(PoisonError::into_inner),
            peers: self.peers.as_ref(),
        }
    }

    /// Starts the tasks that feed the hub: the event dispatcher and the typing sweeper.
    pub fn start(self: &Arc<Self>, events: broadcast::Receiver<Event>) {
        tokio::spawn(Arc::clone(self).dispatch_events(events));
        tokio::spawn(Arc::clone(self).sweep_typing());
    }

    /// Adds a connection of `user` in `session`, following no room yet; refused (with
    /// the reason for the 4429 close) when the user already has
    /// [`HubSettings::sockets_per_user`] sockets here, or the node
    /// [`HubSettings::sockets_per_node`].
    pub fn register(
        &self,
        user: UserSummary,
        session: uuid::Uuid,
        scope: Scope,
    ) -> Result<Registration, &'static str> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (queue, rx) = mpsc::channel(self.settings.queue_capacity.max(1));
        let control = Arc::new(Control::default());
        {
            let mut registry = self.lock();
            if registry.len() >= self.settings.sockets_per_node {
                return Err("This server has as many sockets open as it takes; try another.");
            }
            if registry.user_conns(user.id, |_| true).len() >= self.settings.sockets_per_user {
                return Err("Too many sockets open for this user.");
            }
            registry.add(id, Conn::new(user, session, scope, queue, control.clone()));
        }
        metrics::gauge!("papo_sockets_open").increment(1.0);
        if self.closing.load(Ordering::Acquire) {
            control.end(Ending::Close(
                CloseCode::GoingAway,
                "The server is shutting down.".into(),
            ));
        }
        Ok(Registration {
            id,
            queue: rx,
            control,
        })
    }

    /// Removes a connection from every room, announcing where it was the user's last.
    pub fn unregister(&self, id: ConnId) {
        let mut registry = self.lock();
        let left = registry.remove(id);
        registry.route(left);
        metrics::gauge!("papo_sockets_open").decrement(1.0);
    }

    /// Makes connection `id` follow `room`.
    pub fn subscribe(&self, id: ConnId, room: RoomId) {
        let mut registry = self.lock();
        let joined = registry.subscribe(id, room, false, None);
        registry.route(joined);
    }

    /// Makes connection `id` follow `rooms` without sending it anything (on connect;
    /// see [`registry::Registry::subscribe`]); each with the room's newest seq, read
    /// before.
    pub fn subscribe_quietly(&self, id: ConnId, rooms: &[(RoomId, Option<i64>)]) {
        let mut registry = self.lock();
        for &(room, head) in rooms {
            let joined = registry.subscribe(id, room, true, head);
            registry.route(joined);
        }
    }

    /// Stops connection `id` following `room`.
    pub fn unsubscribe(&self, id: ConnId, room: RoomId) {
        let mut registry = self.lock();
        let left = registry.unsubscribe(id, room);
        registry.route(left);
    }

    /// Whether connection `id` follows `room`.
    pub fn follows(&self, id: ConnId, room: RoomId) -> bool {
        self.lock().follows(id, room)
    }

    /// Queues a frame for one connection (a reply); a full queue cuts it as lagging.
    pub fn send_to(&self, id: ConnId, frame: Outgoing) {
        self.lock().send(id, frame);
    }

    /// The presence frame of `room`, for a `who`.
    pub fn presence(&self, room: RoomId) -> Outgoing {
        self.lock().presence(room)
    }

    /// Records a typing frame from connection `id` and tells the room if the set of
    /// typing users changed.
    pub fn typing(&self, id: ConnId, room: RoomId, is_typing: bool) {
        let mut registry = self.lock();
        let changed = registry.typing(
            id,
            room,
            is_typing,
            Instant::now(),
            self.settings.typing_ttl,
        );
        registry.route(changed);
    }

    /// Ends every connection (server shutdown: 1001) and refuses new ones.
    pub fn close_all(&self, ending: Ending) {
        self.closing.store(true, Ordering::Release);
        self.lock().end_where(|_| true, &ending);
    }

    /// The gaps the hub asks to be read, for the one reader of them (taken once).
    pub fn take_fill_requests(&self) -> Option<mpsc::Receiver<FillRequest>> {
        self.fill_requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn ask(&self, room: RoomId, fill: Option<Fill>) {
        if let Some(fill) = fill
            && self.fills.try_send((room, fill)).is_err()
        {
            // Forgotten: the room asks again on its next notice or check.
            self.lock().fill_ended(room);
        }
    }

    /// Another node committed `from..=upto` of `room`; the gap, if any, is read.
    pub fn notice(&self, room: RoomId, from: i64, upto: i64) {
        let fill = self.lock().notice(room, from, upto);
        self.ask(room, fill);
    }

    /// Messages read to close a gap of `room` (`upto` is what was asked for).
    pub fn fetched(&self, room: RoomId, messages: Vec<domain::message::Message>, upto: i64) {
        let complete = messages.last().is_some_and(|m| m.seq >= upto);
        for message in messages {
            self.dispatch(Event::MessagePosted {
                message,
                origin: None,
            });
        }
        if !complete {
            self.lock().fill_ended(room);
        }
    }

    /// A fill of `room` could not be read.
    pub fn fill_failed(&self, room: RoomId) {
        self.lock().fill_ended(room);
    }

    /// The followed rooms with their cursors, for the periodic check.
    pub fn cursors(&self) -> Vec<(RoomId, i64)> {
        self.lock().cursors()
    }

    /// News from another node about its sockets.
    pub fn peer_news(&self, node: NodeId, news: PeerNews) {
        let mut registry = self.lock();
        let changed = registry.peer_news(node, news, Instant::now(), self.settings.typing_ttl);
        registry.route(changed);
    }

    /// Another node stopped, or went silent for too long: forget what it said.
    pub fn peer_gone(&self, node: NodeId) {
        let mut registry = self.lock();
        let changed = registry.peer_gone(node);
        registry.route(changed);
    }

    /// A node asked who follows which room here.
    pub fn tell_roster(&self) {
        let roster = self.lock().roster();
        self.peers.tell(roster);
    }

    /// Counts a socket task as running until the guard is dropped: a closed socket
    /// still reads for its peer's close after it left the registry.
    pub fn live_socket(self: &Arc<Self>) -> LiveSocket {
        self.live.fetch_add(1, Ordering::AcqRel);
        LiveSocket(Arc::clone(self))
    }

    /// Socket tasks still running (shutdown waits for them).
    pub fn live_sockets(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }
}
