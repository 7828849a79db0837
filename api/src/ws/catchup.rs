//! The hub's reader of the database, for what it did not see committed: gaps in a
//! room's seqs (another node's commit announced late, or not at all), notices from
//! other nodes, and, with a shared bus, a periodic check of every followed room.
//! See `docs/architecture.md`, "Several nodes".

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use domain::{RoomId, message::Message, service::Services};
use infra::bus::Remote;
use tokio::sync::mpsc;

use super::hub::{Fill, FillRequest, Hub};

/// Most messages read per room and query while closing a gap.
const FILL_PAGE: i64 = 500;

/// Most rooms read in one query.
const MAX_ROOMS_PER_READ: usize = 200;

/// Starts the reader. `remote` carries other nodes' notices (none on a single node);
/// with it, followed rooms are also checked every `check`.
pub fn start(
    hub: Arc<Hub>,
    services: Services,
    remote: Option<mpsc::Receiver<Remote>>,
    check: Duration,
) {
    let Some(fills) = hub.take_fill_requests() else {
        return;
    };
    tokio::spawn(run(Catchup { hub, services }, fills, remote, check));
}

struct Catchup {
    hub: Arc<Hub>,
    services: Services,
}

async fn run(
    catchup: Catchup,
    mut fills: mpsc::Receiver<FillRequest>,
    remote: Option<mpsc::Receiver<Remote>>,
    check: Duration,
) {
    let shared = remote.is_some();
    let mut remote = remote;
    let mut ticker = tokio::time::interval(check);
    ticker.tick().await;
    loop {
        tokio::select! {
            request = fills.recv() => match request {
                Some(first) => {
                    // Every gap asked for by now goes into one read.
                    let mut requests = vec![first];
                    while requests.len() < MAX_ROOMS_PER_READ {
                        match fills.try_recv() {
                            Ok(request) => requests.push(request),
                            Err(_) => break,
                        }
                    }
                    catchup.fill(requests).await;
                }
                None => return,
            },
            notice = next(&mut remote) => match notice {
                Some(notice) => {
                    catchup.remote(notice).await;
                    // The rest of what arrived, so that its gaps are read together.
                    while let Some(notice) = remote.as_mut().and_then(|r| r.try_recv().ok()) {
                        catchup.remote(notice).await;
                    }
                }
                None => remote = None,
            },
            _ = ticker.tick(), if shared => catchup.check().await,
        }
    }
}

/// The next notice, or never when there is no shared bus.
async fn next(remote: &mut Option<mpsc::Receiver<Remote>>) -> Option<Remote> {
    match remote {
        Some(remote) => remote.recv().await,
        None => std::future::pending().await,
    }
}

impl Catchup {
    async fn remote(&self, notice: Remote) {
        match notice {
            Remote::Posted { room, from, upto } => self.hub.notice(room, from, upto),
            Remote::Changed { message } => match self.services.message_change(message).await {
                Ok(Some(event)) => self.hub.dispatch(event),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "reading a changed message failed"),
            },
            Remote::Event(event) => self.hub.dispatch(*event),
            Remote::Resync => self.check().await,
            Remote::Peer { node, news } => self.hub.peer_news(node, news),
            Remote::Hello => self.hub.tell_roster(),
            Remote::NodeGone(node) => self.hub.peer_gone(node),
        }
    }

    /// Reads gaps, several rooms per query and at most [`FILL_PAGE`] messages per
    /// room each time, and hands the messages to the hub, which sends them on in
    /// order.
    async fn fill(&self, requests: Vec<FillRequest>) {
        let mut wanted: BTreeMap<RoomId, Fill> = BTreeMap::new();
        for (room, fill) in requests {
            let merged = wanted.entry(room).or_insert(fill);
            merged.after = merged.after.min(fill.after);
            merged.upto = merged.upto.max(fill.upto);
        }
        while !wanted.is_empty() {
            metrics::counter!("papo_catchup_reads_total").increment(1);
            let ranges: Vec<(RoomId, i64, i64)> = wanted
                .iter()
                .map(|(&room, fill)| (room, fill.after + 1, fill.upto.min(fill.after + FILL_PAGE)))
                .collect();
            let messages = match self.services.committed_ranges(&ranges).await {
                Ok(messages) => messages,
                Err(err) => {
                    tracing::warn!(error = %err, "reading gaps failed");
                    for room in wanted.keys() {
                        self.hub.fill_failed(*room);
                    }
                    return;
                }
            };
            metrics::counter!("papo_catchup_messages_total").increment(messages.len() as u64);
            let mut by_room: BTreeMap<RoomId, Vec<Message>> = BTreeMap::new();
            for message in messages {
                by_room.entry(message.room_id).or_default().push(message);
            }
            for (room, _, high) in ranges {
                let read = by_room.remove(&room).unwrap_or_default();
                let reached = read.last().is_some_and(|m| m.seq >= high);
                self.hub.fetched(room, read, high);
                match wanted.get_mut(&room) {
                    // More than a page behind: the rest in the next round.
                    Some(fill) if reached && high < fill.upto => fill.after = high,
                    _ => {
                        wanted.remove(&room);
                    }
                }
            }
        }
    }

    /// Compares every followed room with its head in the database.
    async fn check(&self) {
        let cursors = self.hub.cursors();
        if cursors.is_empty() {
            return;
        }
        let rooms: Vec<RoomId> = cursors.iter().map(|(room, _)| *room).collect();
        match self.services.room_heads(&rooms).await {
            Ok(heads) => {
                for (room, head) in heads {
                    // Every followed room checked has a cursor: `from` is not used.
                    self.hub.notice(room, head, head);
                }
            }
            Err(err) => tracing::warn!(error = %err, "checking followed rooms failed"),
        }
    }
}
