//! The writing half of a connection, a pure frame sink: it writes what replay feeds
//! it, then the live queue, with pings, and the closing frame. It reads nothing from
//! the database.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use domain::RoomId;
use futures_util::{SinkExt, stream::SplitSink};
use papo_protocol::CloseCode;
use poem::web::websocket::{Message as WsMessage, WebSocketStream};
use tokio::sync::mpsc;

use super::{
    frames::{self, ErrorCode, ServerFrame},
    seen::Seen,
    session::{Activity, Control, Ending, Kind, Outgoing},
};

/// Most queued frames written with one flush.
const WRITE_BATCH: usize = 64;

/// See the module docs.
pub struct Writer {
    sink: SplitSink<WebSocketStream, WsMessage>,
    /// What was written per room: skips duplicates at the resume seam and own posts'
    /// echoes, and names the resume point when the connection is cut for being slow.
    seen: HashMap<RoomId, Seen>,
    send_timeout: Duration,
}

/// Where a writer's frames come from.
pub struct Sources {
    /// Replay (history on connect), drained first, until its sender is dropped.
    pub replay: mpsc::Receiver<Outgoing>,
    /// Live events, queued while replay runs.
    pub queue: mpsc::Receiver<Outgoing>,
}

impl Writer {
    /// A writer whose client has already seen each room up to its `since` seq.
    pub fn new(
        sink: SplitSink<WebSocketStream, WsMessage>,
        send_timeout: Duration,
        since: &[(RoomId, i64)],
    ) -> Self {
        Self {
            sink,
            seen: since
                .iter()
                .map(|&(room, seq)| (room, Seen::upto(seq)))
                .collect(),
            send_timeout,
        }
    }

    /// Writes queued frames with one flush, skipping messages already sent; false
    /// when the peer is gone or too slow to take them.
    async fn write_batch(&mut self, batch: Vec<Outgoing>) -> bool {
        let mut texts = Vec::with_capacity(batch.len());
        for frame in batch {
            match frame.kind {
                Kind::Message { room, seq } => {
                    if !self.seen.entry(room).or_default().message(seq) {
                        continue;
                    }
                }
                Kind::Ack { room, seq } => self.seen.entry(room).or_default().ack(seq),
                Kind::History { room, seq } => self.seen.entry(room).or_default().history(seq),
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

    /// Writes one text frame; false when the peer is gone or too slow to take it.
    async fn write(&mut self, text: &str) -> bool {
        let send = self.sink.send(WsMessage::Text(text.to_owned()));
        matches!(
            tokio::time::timeout(self.send_timeout, send).await,
            Ok(Ok(()))
        )
    }

    /// Sends a close frame and closes the socket.
    pub async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = WsMessage::close_with(code.as_u16(), reason.to_owned());
        let _ = tokio::time::timeout(self.send_timeout, self.sink.send(frame)).await;
        let _ = tokio::time::timeout(self.send_timeout, self.sink.close()).await;
    }

    /// Writes replay, then the live queue, until the connection must end.
    pub async fn run(
        mut self,
        mut sources: Sources,
        control: Arc<Control>,
        activity: Activity,
        ping_interval: Duration,
    ) {
        let replayed = tokio::select! {
            biased;
            () = control.ended() => Some(true),
            ok = self.drain(&mut sources.replay) => ok.then_some(false),
        };
        let peer_still_there = match replayed {
            None => false,
            Some(true) => true,
            Some(false) => {
                self.live(sources.queue, &control, &activity, ping_interval)
                    .await
            }
        };
        if !peer_still_there {
            return;
        }
        match control.ending() {
            Some(Ending::Lagged) => self.cut_for_lag().await,
            Some(Ending::Close(code, reason)) => self.close(code, &reason).await,
            None => self.close(CloseCode::Normal, "").await,
        }
    }

    /// Writes everything `source` yields until it closes; false when the peer is gone.
    async fn drain(&mut self, source: &mut mpsc::Receiver<Outgoing>) -> bool {
        while let Some(frame) = source.recv().await {
            if !self.write_batch(vec![frame]).await {
                return false;
            }
        }
        true
    }

    /// Writes the live queue with pings until the connection must end (true) or the
    /// peer is gone or too slow to take a write (false: nothing more is sent).
    async fn live(
        &mut self,
        mut queue: mpsc::Receiver<Outgoing>,
        control: &Control,
        activity: &Activity,
        ping_interval: Duration,
    ) -> bool {
        let mut ticker = tokio::time::interval(ping_interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                biased;
                () = control.ended() => return true,
                frame = queue.recv() => {
                    let Some(frame) = frame else { return true };
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
                        return false;
                    }
                }
                _ = ticker.tick() => {
                    if activity.idle() > ping_interval * 2 {
                        tracing::debug!("dropping a peer that missed two pings");
                        return false;
                    }
                    let ping = self.sink.send(WsMessage::Ping(Vec::new()));
                    if !matches!(tokio::time::timeout(self.send_timeout, ping).await, Ok(Ok(()))) {
                        return false;
                    }
                }
            }
        }
    }

    /// Tells a slow client where to resume from, then closes 4008. The full map goes
    /// in an `error` frame; the close reason (at most 123 bytes) names as many rooms
    /// as fit.
    async fn cut_for_lag(&mut self) {
        metrics::counter!("papo_consumers_cut_total").increment(1);
        let resume: BTreeMap<uuid::Uuid, i64> = self
            .seen
            .iter()
            .filter_map(|(room, seen)| Some((room.as_uuid(), seen.resume_point()?)))
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
            retry_after_ms: None,
        };
        if self.write(&frames::to_text(&frame)).await {
            self.close(CloseCode::SlowConsumer, &reason).await;
        }
    }
}
