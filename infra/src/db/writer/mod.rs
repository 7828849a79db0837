//! Group commit: every post goes through one writer task that stores whatever has
//! queued up while the previous commit was in flight in a single transaction.
//!
//! A commit costs an fsync (~3 ms on PostgreSQL here), so one commit per message caps
//! ingest in the low thousands per second; a batch of 100 costs about the same as one.
//! The writer adds no waiting of its own: it takes the first post that arrives, then
//! everything already queued (up to `max_batch`), and commits. Under light load a
//! batch is one message; under heavy load batches grow by themselves.
//!
//! Because it is the only writer of messages, it is also where commit order is known:
//! it publishes `MessagePosted` on the bus right after each commit, in seq order, which
//! is what lets every connection see a room's messages in seq order.
//!
//! This module is the task and its handle; `batch` is the pure logic (twins in one
//! batch, retries, statement sizes), `sql` the statements.

mod batch;
mod pg;
mod settle;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Error, MessageId, Result, RoomId, UserId,
    message::{Appended, Message, MessageBody, NewMessage},
    ports::{EventBus, MessageRepository, PendingAppend},
};
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::{SqlMessages, WriteHealth};

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<Appended>>,
}

// A `Stop` is sent once; boxing every post to shrink it would allocate on the hot
// path for nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    Post(Job),
    /// Commit what is queued before this, then stop.
    Stop,
}

/// [`MessageRepository`] whose appends are group-committed by a writer task; reads go
/// straight to the database.
#[derive(Clone)]
pub struct GroupWriter {
    jobs: mpsc::Sender<Command>,
    reads: SqlMessages,
    health: WriteHealth,
    /// Answers once the writer has stopped.
    done: Arc<tokio::sync::Mutex<Option<oneshot::Receiver<()>>>>,
}

impl GroupWriter {
    /// Starts the writer on a thread of its own with its own connections to `url`;
    /// reads go through `db`. `max_batch` caps messages per transaction; 1 turns group
    /// commit off (one commit per message), for measuring the difference.
    ///
    /// Why a thread: a commit is five round trips to the database, and on the server's
    /// runtime each one waited behind every socket task ready to run. With 11,000
    /// sockets busy, commits took ~80 ms instead of ~10, and the writer, which commits
    /// one batch at a time, became the ceiling of the whole server.
    ///
    /// Fails when the writer's connections cannot be opened.
    pub async fn start(
        url: &str,
        db: DatabaseConnection,
        bus: Arc<dyn EventBus>,
        max_batch: usize,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        let (jobs, rx) = mpsc::channel(max_batch.max(1) * 4);
        let health = WriteHealth::default();
        let (opened_tx, opened) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        let (url, writer_health) = (url.to_owned(), health.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| sea_orm::DbErr::Custom(format!("the writer's runtime: {e}")))?;
        std::thread::Builder::new()
            .name("papo-writer".into())
            .spawn(move || {
                runtime.block_on(async move {
                    // One connection commits; the other looks up retried posts.
                    match super::connect_with(&url, 2).await {
                        Ok(own) => {
                            let _ = opened_tx.send(Ok(()));
                            // SQLite has no wire to fit a batch on; PostgreSQL
                            // only a small one while Nagle's algorithm is on.
                            let max_bytes = if super::is_sqlite(&url) {
                                usize::MAX
                            } else if super::nodelay::is_on() {
                                batch::BATCH_BYTES
                            } else {
                                batch::BATCH_BYTES_WITH_NAGLE
                            };
                            let limits = Limits {
                                posts: max_batch.max(1),
                                bytes: max_bytes,
                            };
                            run(own, bus, writer_health, rx, limits).await;
                        }
                        Err(err) => {
                            let _ = opened_tx.send(Err(err));
                        }
                    }
                });
                let _ = done_tx.send(());
            })
            .map_err(|e| sea_orm::DbErr::Custom(format!("the writer's thread: {e}")))?;
        opened
            .await
            .map_err(|_| sea_orm::DbErr::Custom("the writer's thread ended".into()))??;
        Ok(Self {
            jobs,
            reads: SqlMessages::new(db),
            health,
            done: Arc::new(tokio::sync::Mutex::new(Some(done))),
        })
    }

    /// The reads, for the ports they also serve (reactions, search).
    pub fn reads(&self) -> SqlMessages {
        self.reads.clone()
    }

    /// Whether the last commit failed for want of storage (read by `/health`).
    pub(crate) fn health(&self) -> WriteHealth {
        self.health.clone()
    }

    /// Waits until every post queued so far is committed (or failed) and stops the
    /// writer. Later posts fail with `Unavailable`.
    pub async fn shutdown(&self) {
        let done = self.done.lock().await.take();
        if let Some(done) = done {
            // Clones of the sender live in every request handler, so the channel
            // cannot be closed by dropping them: ask the task to stop after draining.
            let _ = self.jobs.send(Command::Stop).await;
            let _ = done.await;
        }
    }
}

/// How big a batch may grow.
#[derive(Debug, Clone, Copy)]
struct Limits {
    posts: usize,
    /// Estimated by [`batch::post_bytes`].
    bytes: usize,
}

async fn run(
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    health: WriteHealth,
    mut rx: mpsc::Receiver<Command>,
    limits: Limits,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(limits.posts);
    // A job taken from the queue that did not fit the batch before: the next begins
    // with it.
    let mut carried: Option<Job> = None;
    loop {
        let mut stopping = false;
        let mut bytes = 0;
        let first = match carried.take() {
            Some(job) => Command::Post(job),
            None => match rx.recv().await {
                Some(command) => command,
                None => break,
            },
        };
        match first {
            Command::Post(job) => {
                bytes += batch::post_bytes(&job.message);
                batch.push(job);
            }
            Command::Stop => stopping = true,
        }
        while !stopping && batch.len() < limits.posts {
            match rx.try_recv() {
                Ok(Command::Post(job)) => {
                    let size = batch::post_bytes(&job.message);
                    if bytes + size > limits.bytes {
                        carried = Some(job);
                        break;
                    }
                    bytes += size;
                    batch.push(job);
                }
                Ok(Command::Stop) => stopping = true,
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let stored = commit_batch(&db, bus.as_ref(), &health, std::mem::take(&mut batch)).await;
            if !stored {
                // The database could not store anything: what queued meanwhile would
                // fail the same way, one timeout at a time. Fail it now.
                if let Some(job) = carried.take() {
                    let _ = job.reply.send(Err(storage_down()));
                }
                while let Ok(command) = rx.try_recv() {
                    match command {
                        Command::Post(job) => {
                            let _ = job.reply.send(Err(storage_down()));
                        }
                        Command::Stop => stopping = true,
                    }
                }
            }
        }
        if stopping {
            rx.close();
            if let Some(job) = carried.take() {
                let _ = job.reply.send(Err(shutting_down()));
            }
            while let Ok(command) = rx.try_recv() {
                if let Command::Post(job) = command {
                    let _ = job.reply.send(Err(shutting_down()));
                }
            }
            break;
        }
    }
}

fn storage_down() -> Error {
    Error::Unavailable("the database could not store the previous batch".into())
}

fn shutting_down() -> Error {
    Error::Unavailable("the server is shutting down".into())
}

/// Stores a batch in one transaction and answers every job. Returns false when the
/// database could not store anything (down, full, read-only): every job has then
/// been failed at once, and the caller fails what is queued behind them too, instead
/// of letting each wait out the database's timeout in turn.
///
/// The common case reads nothing first: the batch is inserted optimistically, and
/// `unique(user_id, temp_id)` catches a retry of a post stored earlier. Then (or if
/// the batch fails for any other reason, such as a deleted room) the transaction
/// rolls back, seqs included, and the batch is retried by halves down to single
/// posts, so one bad post costs about 2·log2(n) transactions instead of n and cannot
/// sink the others.
async fn commit_batch(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    health: &WriteHealth,
    jobs: Vec<Job>,
) -> bool {
    let (fresh, twins) = batch::split_twins(jobs, |job| &job.message);
    let messages: Vec<&NewMessage> = fresh.iter().map(|job| &job.message).collect();
    let inserted = sql::insert_all(db, &messages).await;
    health.record(&inserted);
    match inserted {
        Ok(stored) => {
            for (twin, original) in twins {
                let outcome = match stored.get(original) {
                    Some(message) => batch::judge_twin(&twin.message, message),
                    None => Err(Error::Internal("retry without original".into())),
                };
                let _ = twin.reply.send(outcome);
            }
            settle::publish_and_answer_all(bus, fresh, stored);
            true
        }
        Err(err @ Error::Unavailable(_)) => {
            let twins = twins.into_iter().map(|(twin, _)| twin);
            for job in fresh.into_iter().chain(twins) {
                let _ = job.reply.send(Err(err.clone()));
            }
            false
        }
        Err(_) => {
            settle::settle_in_halves(db, bus, health, fresh).await;
            for (twin, _) in twins {
                settle::settle_alone(db, bus, health, twin).await;
            }
            true
        }
    }
}

/// Longest a post waits for a place in the writer's queue. The queue is full when
/// commits have stalled (a locked or unreachable database): past this the post is
/// refused, never stored, rather than left waiting for as long as the stall lasts.
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

#[async_trait]
impl MessageRepository for GroupWriter {
    async fn submit(&self, message: NewMessage) -> Result<PendingAppend> {
        let (reply, answer) = oneshot::channel();
        let queued = self
            .jobs
            .send_timeout(Command::Post(Job { message, reply }), QUEUE_WAIT)
            .await;
        match queued {
            Ok(()) => {}
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => {
                return Err(Error::Unavailable(
                    "the database is not keeping up; the post was not stored".into(),
                ));
            }
            Err(mpsc::error::SendTimeoutError::Closed(_)) => return Err(shutting_down()),
        }
        Ok(PendingAppend::new(async move {
            answer.await.map_err(|_| shutting_down())?
        }))
    }

    async fn range(
        &self,
        room: RoomId,
        low: i64,
        high: i64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>> {
        self.reads.range(room, low, high, reader).await
    }

    async fn replies(
        &self,
        room: RoomId,
        parent: MessageId,
        before: Option<i64>,
        limit: u64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>> {
        self.reads
            .replies(room, parent, before, limit, reader)
            .await
    }

    async fn ranges(&self, ranges: &[(RoomId, i64, i64)]) -> Result<Vec<Message>> {
        self.reads.ranges(ranges).await
    }

    async fn find(&self, id: MessageId) -> Result<Option<Message>> {
        self.reads.find(id).await
    }

    async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        mentions: &[UserId],
        at: DateTime<Utc>,
    ) -> Result<Message> {
        self.reads.edit(id, body, mentions, at).await
    }

    async fn delete(&self, id: MessageId, by: UserId, at: DateTime<Utc>) -> Result<Message> {
        self.reads.delete(id, by, at).await
    }
}
