//! One WebSocket connection: admission, the initial history, a reader that handles
//! client frames, and a writer that drains the connection's queue.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::{
    Error, RoomId,
    message::{HistoryQuery, Message},
    user::UserSummary,
};
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use poem::web::websocket::{Message as WsMessage, WebSocketStream};

use super::{
    frames::{BadFrame, ClientFrame, ServerFrame},
    hub::{ConnId, Control, Ending, Hub, Kind, Outgoing, Scope},
};

/// Messages per `history` frame when replaying a resume.
const RESUME_PAGE: u64 = 100;
/// Messages in the `history` frame sent on connect without `since`.
const RECENT: u64 = 50;

/// A connection that passed authentication and the room checks.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub user: UserSummary,
    pub scope: Scope,
    /// Rooms to replay from a seq (`since`); on `/chat` without `since`, the last 50.
    pub since: Vec<(RoomId, i64)>,
}

/// The outcome of the checks made before the upgrade.
#[derive(Debug, Clone)]
pub enum Admission {
    Admitted(Admitted),
    /// Accept, then close with this code and reason (e.g. 1008 for a bad token).
    Refused {
        code: u16,
        reason: String,
    },
}

/// Serves one upgraded socket until either side ends it.
pub async fn run(hub: Arc<Hub>, socket: WebSocketStream, admission: Admission) {
    let (sink, stream) = socket.split();
    let mut writer = Writer::new(sink, hub.settings().send_timeout);
    let admitted = match admission {
        Admission::Admitted(admitted) => admitted,
        Admission::Refused { code, reason } => {
            writer.close(code, &reason).await;
            return;
        }
    };
    let registration = hub.register(admitted.user.clone(), admitted.scope);
    let id = registration.id;
    let control = registration.control.clone();
    let rooms = match admitted.scope {
        Scope::Room(room) => Ok(vec![room]),
        Scope::All => hub.services().member_rooms(admitted.user.id).await,
    };
    let ok = match rooms {
        // Following before reading history: what commits meanwhile is both queued
        // and read, and the writer drops the duplicates by seq.
        Ok(rooms) => {
            for room in &rooms {
                hub.subscribe(id, *room);
            }
            writer.initial_history(&hub, &admitted).await
        }
        Err(err) => {
            tracing::warn!(error = %err, "loading the user's rooms failed");
            false
        }
    };
    if !ok {
        control.end(Ending::Close(
            1011,
            "Could not load history; try again.".into(),
        ));
    }
    let activity = Activity::new();
    let mut writer_task = tokio::spawn(writer.run(
        registration.queue,
        control.clone(),
        activity.clone(),
        hub.settings().ping_interval,
    ));
    let reader = Reader {
        hub: hub.clone(),
        id,
        user: admitted.user.clone(),
        scope: admitted.scope,
        control: control.clone(),
        activity,
    };
    let finished = tokio::select! {
        () = reader.run(stream) => false,
        _ = &mut writer_task => true,
    };
    hub.unregister(id).await;
    if !finished {
        control.end(Ending::Close(1000, String::new()));
        let _ = writer_task.await;
    }
}

/// When the peer was last heard from, for the ping timeout.
#[derive(Clone)]
struct Activity {
    start: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

struct Writer {
    sink: SplitSink<WebSocketStream, WsMessage>,
    /// The last seq written per room: skips duplicates at the resume seam, and names
    /// the resume point when the connection is cut for being slow.
    last_sent: HashMap<RoomId, i64>,
    send_timeout: Duration,
}

impl Writer {
    fn new(sink: SplitSink<WebSocketStream, WsMessage>, send_timeout: Duration) -> Self {
        Self {
            sink,
            last_sent: HashMap::new(),
            send_timeout,
        }
    }

    /// Writes one text frame; false when the peer is gone or too slow to take it.
    async fn write(&mut self, text: &str) -> bool {
        let send = self.sink.send(WsMessage::Text(text.to_owned()));
        matches!(
            tokio::time::timeout(self.send_timeout, send).await,
            Ok(Ok(()))
        )
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let frame = WsMessage::close_with(code, reason.to_owned());
        let _ = tokio::time::timeout(self.send_timeout, self.sink.send(frame)).await;
        let _ = tokio::time::timeout(self.send_timeout, self.sink.close()).await;
    }

    async fn write_history(
        &mut self,
        room: RoomId,
        messages: Vec<Message>,
        has_more: bool,
    ) -> bool {
        if let Some(last) = messages.last() {
            self.record(room, last.seq);
        }
        let frame = ServerFrame::history(room, messages, has_more);
        self.write(&frame.to_text()).await
    }

    fn record(&mut self, room: RoomId, seq: i64) {
        let last = self.last_sent.entry(room).or_insert(0);
        *last = (*last).max(seq);
    }

    /// On connect: every message after `since` for the rooms named, else (on
    /// `/chat`) the last 50.
    async fn initial_history(&mut self, hub: &Hub, admitted: &Admitted) -> bool {
        let services = hub.services();
        let user = admitted.user.id;
        if let (Scope::Room(room), true) = (admitted.scope, admitted.since.is_empty()) {
            let query = HistoryQuery::Keyset {
                before: None,
                limit: RECENT,
            };
            return match services.history(room, user, query).await {
                Ok(page) => {
                    let more = page.next_before.is_some();
                    self.write_history(room, page.messages, more).await
                }
                Err(_) => false,
            };
        }
        for &(room, since) in &admitted.since {
            let mut after = since;
            loop {
                let page = match services
                    .messages_after(room, user, after, RESUME_PAGE)
                    .await
                {
                    Ok(page) => page,
                    Err(Error::Forbidden { .. } | Error::NotFound { .. }) => break,
                    Err(_) => return false,
                };
                let Some(last) = page.last().map(|m| m.seq) else {
                    // Nothing newer: still tell the client where the room stands.
                    self.record(room, after);
                    break;
                };
                let more = page.first().is_some_and(|m| m.seq > 1);
                let full = page.len() as u64 == RESUME_PAGE;
                if !self.write_history(room, page, more).await {
                    return false;
                }
                after = last;
                if !full {
                    break;
                }
            }
        }
        true
    }

    /// Drains the queue until the connection must end.
    async fn run(
        mut self,
        mut queue: tokio::sync::mpsc::Receiver<Outgoing>,
        control: Arc<Control>,
        activity: Activity,
        ping_interval: Duration,
    ) {
        let mut ticker = tokio::time::interval(ping_interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                biased;
                () = control.ended() => break,
                frame = queue.recv() => {
                    let Some(frame) = frame else { break };
                    match frame.kind {
                        Kind::Message { room, seq } => {
                            if self.last_sent.get(&room).is_some_and(|&last| seq <= last) {
                                continue;
                            }
                            self.record(room, seq);
                        }
                        Kind::Ack { room, seq } => self.record(room, seq),
                        Kind::Droppable | Kind::Reliable => {}
                    }
                    if !self.write(&frame.text).await {
                        return;
                    }
                }
                _ = ticker.tick() => {
                    if activity.idle() > ping_interval * 2 {
                        tracing::debug!("dropping a peer that missed two pings");
                        return;
                    }
                    let ping = self.sink.send(WsMessage::Ping(Vec::new()));
                    if !matches!(tokio::time::timeout(self.send_timeout, ping).await, Ok(Ok(()))) {
                        return;
                    }
                }
            }
        }
        match control.ending() {
            Some(Ending::Lagged) => self.cut_for_lag().await,
            Some(Ending::Close(code, reason)) => self.close(code, &reason).await,
            None => self.close(1000, "").await,
        }
    }

    /// Tells a slow client where to resume from, then closes 4008. The full map goes
    /// in an `error` frame; the close reason (at most 123 bytes) names as many rooms
    /// as fit.
    async fn cut_for_lag(&mut self) {
        let resume: BTreeMap<uuid::Uuid, i64> = self
            .last_sent
            .iter()
            .map(|(room, seq)| (room.as_uuid(), *seq))
            .collect();
        let mut reason = String::from("{");
        for (room, seq) in &resume {
            let entry = format!(
                "{}\"{room}\":{seq}",
                if reason.len() > 1 { "," } else { "" }
            );
            if reason.len() + entry.len() + 1 > 123 {
                break;
            }
            reason.push_str(&entry);
        }
        reason.push('}');
        let frame = ServerFrame::Error {
            code: "slow_consumer".into(),
            message: "Too slow to keep up; reconnect with `since` to resume.".into(),
            temp_id: None,
            resume: Some(resume),
        };
        if self.write(&frame.to_text()).await {
            self.close(4008, &reason).await;
        }
    }
}

struct Reader {
    hub: Arc<Hub>,
    id: ConnId,
    user: UserSummary,
    scope: Scope,
    control: Arc<Control>,
    activity: Activity,
}

impl Reader {
    async fn run(self, mut stream: SplitStream<WebSocketStream>) {
        while let Some(incoming) = stream.next().await {
            self.activity.touch();
            match incoming {
                Ok(WsMessage::Text(text)) => self.handle_text(&text).await,
                Ok(WsMessage::Binary(_)) => self.reply_error(
                    "binary_not_supported",
                    "Frames must be JSON text; binary frames are not supported.",
                    None,
                ),
                Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => {}
                Ok(WsMessage::Close(_)) => return,
                Err(err) => {
                    let too_big = err.to_string().to_lowercase().contains("too long")
                        || err.to_string().to_lowercase().contains("size");
                    if too_big {
                        self.control.end(Ending::Close(
                            1009,
                            "Frame too large (limit 64 KiB).".into(),
                        ));
                    }
                    return;
                }
            }
        }
    }

    fn reply(&self, frame: &ServerFrame, kind: Kind) {
        self.hub.send_to(self.id, Outgoing::new(frame, kind));
    }

    fn reply_error(&self, code: &str, message: &str, temp_id: Option<String>) {
        self.reply(&ServerFrame::error(code, message, temp_id), Kind::Reliable);
    }

    fn reply_domain_error(&self, err: &Error, temp_id: Option<String>) {
        let message = match err {
            Error::Invalid(fields) => fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            Error::Internal(_) | Error::Unavailable(_) => {
                "The server could not do this now; try again.".into()
            }
            other => other.to_string(),
        };
        self.reply_error(err.code(), &message, temp_id);
    }

    async fn handle_text(&self, text: &str) {
        let frame = match ClientFrame::parse(text) {
            Ok(frame) => frame,
            Err(BadFrame {
                code,
                message,
                temp_id,
            }) => return self.reply_error(code, &message, temp_id),
        };
        let temp_id = match &frame {
            ClientFrame::Message { temp_id, .. } => temp_id.clone(),
            _ => None,
        };
        if let ClientFrame::Ping {} = frame {
            return self.reply(&ServerFrame::Pong, Kind::Reliable);
        }
        if let ClientFrame::Join { room_id } | ClientFrame::Leave { room_id } = frame {
            return self.membership(&frame, RoomId::from_uuid(room_id)).await;
        }
        let Some(room) = self.room_of(&frame, temp_id.clone()) else {
            return;
        };
        let services = self.hub.services();
        match frame {
            ClientFrame::Message { content, .. } => {
                let posted = services
                    .post_as_member(
                        room,
                        &self.user,
                        &content,
                        temp_id.as_deref(),
                        Some(self.id),
                    )
                    .await;
                match posted {
                    Ok(appended) => {
                        let seq = appended.message().seq;
                        self.reply(
                            &ServerFrame::ack(&appended, temp_id),
                            Kind::Ack { room, seq },
                        );
                    }
                    Err(err) => self.reply_domain_error(&err, temp_id),
                }
            }
            ClientFrame::Typing { is_typing, .. } => self.hub.typing(self.id, room, is_typing),
            ClientFrame::Read { seq, .. } => {
                if let Err(err) = services.mark_read(room, self.user.id, seq).await {
                    self.reply_domain_error(&err, None);
                }
            }
            ClientFrame::Who { .. } => self.hub.send_to(self.id, self.hub.presence(room)),
            ClientFrame::History { before, limit, .. } => {
                let query = HistoryQuery::Keyset {
                    before,
                    limit: limit.unwrap_or(RECENT),
                };
                match services.history(room, self.user.id, query).await {
                    Ok(page) => {
                        let more = page.next_before.is_some();
                        let frame = ServerFrame::history(room, page.messages, more);
                        self.reply(&frame, Kind::Reliable);
                    }
                    Err(err) => self.reply_domain_error(&err, None),
                }
            }
            ClientFrame::Join { .. } | ClientFrame::Leave { .. } | ClientFrame::Ping {} => {}
        }
    }

    /// The room a frame acts on: the connection's own on `/chat`; the named one, which
    /// the connection must follow, on `/ws`. Answers an error frame when there is none.
    fn room_of(&self, frame: &ClientFrame, temp_id: Option<String>) -> Option<RoomId> {
        match (self.scope, frame.room_id()) {
            (Scope::Room(room), None) => Some(room),
            (Scope::Room(room), Some(named)) if named == room => Some(room),
            (Scope::Room(_), Some(_)) => {
                self.reply_error(
                    "wrong_room",
                    "This connection is for another room.",
                    temp_id,
                );
                None
            }
            (Scope::All, None) => {
                self.reply_error(
                    "room_id_required",
                    "Frames on /api/v1/ws need a \"room_id\".",
                    temp_id,
                );
                None
            }
            (Scope::All, Some(room)) if self.hub.follows(self.id, room) => Some(room),
            (Scope::All, Some(room)) => {
                let message = format!("You are not in room {room}; send a join frame first.");
                self.reply_error("not_in_room", &message, temp_id);
                None
            }
        }
    }

    /// `join` and `leave`, on `/api/v1/ws` only.
    async fn membership(&self, frame: &ClientFrame, room: RoomId) {
        if self.scope != Scope::All {
            return self.reply_error(
                "not_supported",
                "join and leave frames are for /api/v1/ws; this connection is for one room.",
                None,
            );
        }
        let services = self.hub.services();
        if let ClientFrame::Leave { .. } = frame {
            if let Err(err) = services.leave_room(room, self.user.id).await {
                return self.reply_domain_error(&err, None);
            }
            self.hub.unsubscribe(self.id, room);
            return;
        }
        if let Err(err) = services.join_room(room, self.user.id).await {
            return self.reply_domain_error(&err, None);
        }
        // Follow first, then read history: the same seam rule as on connect.
        self.hub.subscribe(self.id, room);
        let query = HistoryQuery::Keyset {
            before: None,
            limit: RECENT,
        };
        match services.history(room, self.user.id, query).await {
            Ok(page) => {
                let more = page.next_before.is_some();
                let kind = match page.messages.last() {
                    Some(last) => Kind::Ack {
                        room,
                        seq: last.seq,
                    },
                    None => Kind::Reliable,
                };
                self.reply(&ServerFrame::history(room, page.messages, more), kind);
            }
            Err(err) => self.reply_domain_error(&err, None),
        }
    }
}
