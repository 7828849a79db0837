//! The hub's reader of the database, for what it did not see committed: gaps in a
//! room's seqs (another node's commit announced late, or not at all), notices from
//! other nodes, and, with a shared bus, a periodic check of every followed room.
//! See `docs/architecture.md`, "Several nodes".

use std::{sync::Arc, time::Duration};

use domain::{RoomId, service::Services};
use infra::bus::Remote;
use tokio::sync::mpsc;

use super::hub::{Fill, FillRequest, Hub};

/// Most messages read per query while closing a gap.
const FILL_PAGE: i64 = 500;

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
                Some((room, fill)) => catchup.fill(room, fill).await,
                None => return,
            },
            notice = next(&mut remote) => match notice {
                Some(notice) => catchup.remote(notice).await,
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
            Remote::Changed { message } => match self.services.stored_message(message).await {
                Ok(Some(message)) => self.hub.dispatch(if message.is_deleted() {
                    domain::events::Event::MessageDeleted(message)
                } else {
                    domain::events::Event::MessageEdited(message)
                }),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "reading a changed message failed"),
            },
            Remote::Event(event) => self.hub.dispatch(event),
            Remote::Resync => self.check().await,
        }
    }

    /// Reads a gap in pages and hands the messages to the hub, which sends them on
    /// in order.
    async fn fill(&self, room: RoomId, fill: Fill) {
        metrics::counter!("papo_catchup_reads_total").increment(1);
        let mut after = fill.after;
        while after < fill.upto {
            let high = fill.upto.min(after + FILL_PAGE);
            match self.services.committed(room, after + 1, high).await {
                Ok(messages) => {
                    let read = messages.last().map(|m| m.seq);
                    metrics::counter!("papo_catchup_messages_total")
                        .increment(messages.len() as u64);
                    self.hub.fetched(room, messages, high);
                    match read {
                        Some(seq) if seq >= high => after = high,
                        _ => return,
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, %room, "reading a gap failed");
                    self.hub.fill_failed(room);
                    return;
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
