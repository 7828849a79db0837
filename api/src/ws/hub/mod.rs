//! The hub: which connection is in which room, and fan-out of events to them.
//!
//! Every event reaches the hub from the event bus, is serialized once, and is pushed
//! as shared bytes into each recipient's bounded queue with `try_send`: a slow
//! connection never delays the others. When a queue is full, typing, presence and
//! read frames are dropped; anything else marks the connection as lagging, and its
//! writer closes it with 4008 so the client resumes from the database.

use papo_protocol::CloseCode;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::{RoomId, UserId, events::Event, service::Services, user::UserSummary};
use tokio::sync::{broadcast, mpsc};

mod dispatch;

pub use super::queue::{Control, Ending, Kind, Outgoing};
use super::{
    frames::{self, SystemEvent},
    typing::Typing,
};

/// Identifies one WebSocket connection.
pub type ConnId = u64;

/// Which rooms a connection follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `/api/v1/chat/{room_id}`: that room only.
    Room(RoomId),
    /// `/api/v1/ws`: every room the user is a member of, as membership changes.
    All,
}

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
}

/// What a new connection gets from [`Hub::register`].
pub struct Registration {
    pub id: ConnId,
    pub queue: mpsc::Receiver<Outgoing>,
    pub control: Arc<Control>,
}

struct Conn {
    user: UserSummary,
    scope: Scope,
    queue: mpsc::Sender<Outgoing>,
    control: Arc<Control>,
    rooms: HashSet<RoomId>,
}

#[derive(Default)]
struct RoomState {
    conns: HashSet<ConnId>,
    /// Users with a live connection here, with how many.
    online: Vec<(UserSummary, usize)>,
    typing: Typing,
}

#[derive(Default)]
struct State {
    conns: HashMap<ConnId, Conn>,
    rooms: HashMap<RoomId, RoomState>,
    users: HashMap<UserId, HashSet<ConnId>>,
}

/// See the module docs.
pub struct Hub {
    services: Services,
    settings: HubSettings,
    /// A std mutex: held for map updates and non-blocking `try_send`s only, never
    /// across an await.
    state: Mutex<State>,
    next_id: AtomicU64,
    closing: AtomicBool,
}

impl Hub {
    pub fn new(services: Services, settings: HubSettings) -> Arc<Self> {
        Arc::new(Self {
            services,
            settings,
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            closing: AtomicBool::new(false),
        })
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn settings(&self) -> &HubSettings {
        &self.settings
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the tasks that feed the hub: the event dispatcher and the typing sweeper.
    pub fn start(self: &Arc<Self>, events: broadcast::Receiver<Event>) {
        tokio::spawn(Arc::clone(self).dispatch_events(events));
        tokio::spawn(Arc::clone(self).sweep_typing());
    }

    /// Adds a connection (following no room yet) and counts the user as online.
    pub fn register(&self, user: UserSummary, scope: Scope) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (queue, rx) = mpsc::channel(self.settings.queue_capacity.max(1));
        let control = Arc::new(Control::default());
        self.services.ports().presence.connect(user.id);
        {
            let mut state = self.lock();
            state.users.entry(user.id).or_default().insert(id);
            state.conns.insert(
                id,
                Conn {
                    user,
                    scope,
                    queue,
                    control: control.clone(),
                    rooms: HashSet::new(),
                },
            );
        }
        if self.closing.load(Ordering::Acquire) {
            control.end(Ending::Close(
                CloseCode::GoingAway,
                "The server is shutting down.".into(),
            ));
        }
        Registration {
            id,
            queue: rx,
            control,
        }
    }

    /// Removes a connection from every room. On the user's last connection it first
    /// records when they were last seen, so that by the time the room hears they
    /// left, their status already says so.
    pub async fn unregister(&self, id: ConnId) {
        let Some(user) = self.lock().conns.get(&id).map(|c| c.user.id) else {
            return;
        };
        if self.services.ports().presence.disconnect(user)
            && let Err(err) = self.services.went_offline(user).await
        {
            tracing::warn!(error = %err, "recording last_seen failed");
        }
        let rooms: Vec<RoomId> = {
            let state = self.lock();
            state
                .conns
                .get(&id)
                .map(|c| c.rooms.iter().copied().collect())
                .unwrap_or_default()
        };
        for room in rooms {
            self.unsubscribe(id, room);
        }
        let mut state = self.lock();
        if state.conns.remove(&id).is_some()
            && let Some(ids) = state.users.get_mut(&user)
        {
            ids.remove(&id);
            if ids.is_empty() {
                state.users.remove(&user);
            }
        }
    }

    /// Makes connection `id` follow `room`. The user's first connection there
    /// announces them (system join, presence to all); a further one just gets the
    /// presence list.
    pub fn subscribe(&self, id: ConnId, room: RoomId) {
        let mut state = self.lock();
        let Some(conn) = state.conns.get_mut(&id) else {
            return;
        };
        if !conn.rooms.insert(room) {
            return;
        }
        let user = conn.user.clone();
        let entry = state.rooms.entry(room).or_default();
        entry.conns.insert(id);
        let first = match entry.online.iter_mut().find(|(u, _)| u.id == user.id) {
            Some((_, n)) => {
                *n += 1;
                false
            }
            None => {
                entry.online.push((user.clone(), 1));
                true
            }
        };
        let presence = presence_frame(room, entry);
        if first {
            let join = frames::system(room, SystemEvent::Join, &user);
            deliver(&state, room, &Outgoing::new(&join, Kind::Reliable), None);
            deliver(&state, room, &presence, None);
        } else {
            send(&state, id, presence);
        }
    }

    /// Stops connection `id` following `room`; the user's last connection there
    /// announces their leaving and clears their typing indicator.
    pub fn unsubscribe(&self, id: ConnId, room: RoomId) {
        let mut state = self.lock();
        let Some(conn) = state.conns.get_mut(&id) else {
            return;
        };
        if !conn.rooms.remove(&room) {
            return;
        }
        let user = conn.user.clone();
        let Some(entry) = state.rooms.get_mut(&room) else {
            return;
        };
        entry.conns.remove(&id);
        let mut last = false;
        if let Some(i) = entry.online.iter().position(|(u, _)| u.id == user.id) {
            entry.online[i].1 -= 1;
            if entry.online[i].1 == 0 {
                entry.online.remove(i);
                last = true;
            }
        }
        if entry.conns.is_empty() {
            state.rooms.remove(&room);
            return;
        }
        if last {
            let typing_changed = entry
                .typing
                .set(user.id, false, Instant::now(), Duration::ZERO);
            let typing = typing_changed.then(|| typing_frame(room, entry));
            let presence = presence_frame(room, entry);
            let leave = frames::system(room, SystemEvent::Leave, &user);
            deliver(&state, room, &Outgoing::new(&leave, Kind::Reliable), None);
            deliver(&state, room, &presence, None);
            if let Some(typing) = typing {
                deliver(&state, room, &typing, None);
            }
        }
    }

    /// Whether connection `id` follows `room`.
    pub fn follows(&self, id: ConnId, room: RoomId) -> bool {
        self.lock()
            .conns
            .get(&id)
            .is_some_and(|c| c.rooms.contains(&room))
    }

    /// Queues a frame for one connection (a reply); a full queue cuts it as lagging.
    pub fn send_to(&self, id: ConnId, frame: Outgoing) {
        let state = self.lock();
        send(&state, id, frame);
    }

    /// The presence frame of `room`, for a `who`.
    pub fn presence(&self, room: RoomId) -> Outgoing {
        let state = self.lock();
        match state.rooms.get(&room) {
            Some(entry) => presence_frame(room, entry),
            None => Outgoing::new(&frames::users(room, Vec::new(), false), Kind::Droppable),
        }
    }

    /// Records a typing frame from connection `id` and tells the room if the set of
    /// typing users changed.
    pub fn typing(&self, id: ConnId, room: RoomId, is_typing: bool) {
        let mut state = self.lock();
        let Some(user) = state.conns.get(&id).map(|c| c.user.id) else {
            return;
        };
        let ttl = self.settings.typing_ttl;
        let Some(entry) = state.rooms.get_mut(&room) else {
            return;
        };
        if entry.typing.set(user, is_typing, Instant::now(), ttl) {
            let frame = typing_frame(room, entry);
            deliver(&state, room, &frame, None);
        }
    }

    /// Ends every connection of `user`.
    fn close_user(&self, user: UserId, ending: &Ending) {
        let state = self.lock();
        for id in state.users.get(&user).into_iter().flatten() {
            if let Some(conn) = state.conns.get(id) {
                conn.control.end(ending.clone());
            }
        }
    }

    /// Ends every connection (server shutdown: 1001) and refuses new ones.
    pub fn close_all(&self, ending: Ending) {
        self.closing.store(true, Ordering::Release);
        let state = self.lock();
        for conn in state.conns.values() {
            conn.control.end(ending.clone());
        }
    }

    /// The number of live connections.
    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }
}

fn presence_frame(room: RoomId, entry: &RoomState) -> Outgoing {
    let online = entry.online.iter().map(|(u, _)| u.clone()).collect();
    Outgoing::new(&frames::users(room, online, false), Kind::Droppable)
}

fn typing_frame(room: RoomId, entry: &RoomState) -> Outgoing {
    let users = entry
        .typing
        .users()
        .filter_map(|id| entry.online.iter().find(|(u, _)| u.id == id))
        .map(|(u, _)| u.clone())
        .collect();
    Outgoing::new(&frames::users(room, users, true), Kind::Droppable)
}

/// Queues `frame` for every follower of `room` but `skip` (the sender's connection).
fn deliver(state: &State, room: RoomId, frame: &Outgoing, skip: Option<ConnId>) {
    let Some(entry) = state.rooms.get(&room) else {
        return;
    };
    for id in &entry.conns {
        if Some(*id) != skip {
            send(state, *id, frame.clone());
        }
    }
}

fn send(state: &State, id: ConnId, frame: Outgoing) {
    let Some(conn) = state.conns.get(&id) else {
        return;
    };
    let droppable = matches!(frame.kind, Kind::Droppable);
    match conn.queue.try_send(frame) {
        Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
        Err(mpsc::error::TrySendError::Full(_)) if droppable => {}
        Err(mpsc::error::TrySendError::Full(_)) => conn.control.end(Ending::Lagged),
    }
}
