//! The writing half of a connection: the initial history, then the queue, pings, and
//! the closing frame.

use papo_protocol::CloseCode;
use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use domain::{
    Error, RoomId,
    message::{HistoryQuery, Message},
};
use futures_util::{SinkExt, stream::SplitSink};
use poem::web::websocket::{Message as WsMessage, WebSocketStream};

use super::{
    connection::{Activity, Admitted, RECENT},
    frames::{self, ErrorCode, ServerFrame},
    hub::{Control, Ending, Hub, Kind, Outgoing, Scope},
};

/// Most queued frames written with one flush.
const WRITE_BATCH: usize = 64;

/// Messages per `history` frame when replaying a resume.
const RESUME_PAGE: u64 = 100;

/// See the module docs.
pub struct Writer {
    sink: SplitSink<WebSocketStream, WsMessage>,
    /// The last seq written per room: skips duplicates at the resume seam, and names
    /// the resume point when the connection is cut for being slow.
    last_sent: HashMap<RoomId, i64>,
    send_timeout: Duration,
}

impl Writer {
    pub fn new(sink: SplitSink<WebSocketStream, WsMessage>, send_timeout: Duration) -> Self {
        Self {
            sink,
            last_sent: HashMap::new(),
            send_timeout,
        }
    }

    /// Writes one text frame; false when the peer is gone or too slow to take it.
    /// Writes queued frames with one flush, skipping messages already sent; false
    /// when the peer is gone or too slow to take them.
    async fn write_batch(&mut self, batch: Vec<Outgoing>) -> bool {
        let mut texts = Vec::with_capacity(batch.len());
        for frame in batch {
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
            texts.push(frame.text);
        }
        let sink = &mut self.sink;
        let write = async move {
            for text in texts {
                sink.feed(WsMessage::Text(text.to_string())).await?;
            }
            sink.flush().await
        };
        matches!(
            tokio::time::timeout(self.send_timeout, write).await,
            Ok(Ok(()))
        )
    }

    async fn write(&mut self, text: &str) -> bool {
        let send = self.sink.send(WsMessage::Text(text.to_owned()));
        matches!(
            tokio::time::timeout(self.send_timeout, send).await,
            Ok(Ok(()))
        )
    }

    pub async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = WsMessage::close_with(code.as_u16(), reason.to_owned());
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
        let frame = frames::history(room, messages, has_more);
        self.write(&frames::to_text(&frame)).await
    }

    fn record(&mut self, room: RoomId, seq: i64) {
        let last = self.last_sent.entry(room).or_insert(0);
        *last = (*last).max(seq);
    }

    /// On connect: every message after `since` for the rooms named, else (on
    /// `/chat`) the last 50.
    pub async fn initial_history(&mut self, hub: &Hub, admitted: &Admitted) -> bool {
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
    pub async fn run(
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
                    // Everything already queued goes out in one write: under load a
                    // syscall per frame is what the profile showed the server doing.
                    let mut batch = vec![frame];
                    while batch.len() < WRITE_BATCH {
                        match queue.try_recv() {
                            Ok(frame) => batch.push(frame),
                            Err(_) => break,
                        }
                    }
                    if !self.write_batch(batch).await {
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
            None => self.close(CloseCode::Normal, "").await,
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
            code: ErrorCode::SlowConsumer,
            message: "Too slow to keep up; reconnect with `since` to resume.".into(),
            temp_id: None,
            resume: Some(resume),
        };
        if self.write(&frames::to_text(&frame)).await {
            self.close(CloseCode::SlowConsumer, &reason).await;
        }
    }
}
