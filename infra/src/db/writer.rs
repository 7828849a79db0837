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

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Error, ErrorCode, MessageId, Result, RoomId,
    events::Event,
    message::{Appended, Message, MessageBody, NewMessage},
    ports::{EventBus, MessageRepository, PendingAppend},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::{SqlMessages, WriteHealth, db_error, entity::message, messages::to_message};

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<Result<Appended>>,
}

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
    done: Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl GroupWriter {
    /// Starts the writer task. `max_batch` caps messages per transaction; 1 turns
    /// group commit off (one commit per message), for measuring the difference.
    pub fn start(db: DatabaseConnection, bus: Arc<dyn EventBus>, max_batch: usize) -> Self {
        let (jobs, rx) = mpsc::channel(max_batch.max(1) * 4);
        let reads = SqlMessages::new(db.clone());
        let health = WriteHealth::default();
        let task = tokio::spawn(run(db, bus, health.clone(), rx, max_batch.max(1)));
        Self {
            jobs,
            reads,
            health,
            done: Arc::new(tokio::sync::Mutex::new(Some(task))),
        }
    }

    /// Whether the last commit failed for want of storage (read by `/health`).
    pub(crate) fn health(&self) -> WriteHealth {
        self.health.clone()
    }

    /// Waits until every post queued so far is committed (or failed) and stops the
    /// writer. Later posts fail with `Unavailable`.
    pub async fn shutdown(&self) {
        let task = self.done.lock().await.take();
        if let Some(task) = task {
            // Clones of the sender live in every request handler, so the channel
            // cannot be closed by dropping them: ask the task to stop after draining.
            let _ = self.jobs.send(Command::Stop).await;
            let _ = task.await;
        }
    }
}

async fn run(
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    health: WriteHealth,
    mut rx: mpsc::Receiver<Command>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        let mut stopping = false;
        match first {
            Command::Post(job) => batch.push(job),
            Command::Stop => stopping = true,
        }
        while !stopping && batch.len() < max_batch {
            match rx.try_recv() {
                Ok(Command::Post(job)) => batch.push(job),
                Ok(Command::Stop) => stopping = true,
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&db, bus.as_ref(), &health, std::mem::take(&mut batch)).await;
        }
        if stopping {
            rx.close();
            while let Ok(command) = rx.try_recv() {
                if let Command::Post(job) = command {
                    let _ = job.reply.send(Err(shutting_down()));
                }
            }
            break;
        }
    }
}

fn shutting_down() -> Error {
    Error::Unavailable("the server is shutting down".into())
}

/// Stores a batch in one transaction and answers every job.
///
/// The common case reads nothing first: the batch is inserted optimistically, and
/// `unique(user_id, temp_id)` catches a retry of a post stored earlier. Then (or if
/// the batch fails for any other reason, such as a deleted room) the transaction
/// rolls back, seqs included, and each post is settled alone, with a look-up, so one
/// bad post cannot sink the others.
async fn commit_batch(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    health: &WriteHealth,
    jobs: Vec<Job>,
) {
    let (fresh, twins) = split_twins(jobs);
    let inserted = insert_all(db, &fresh).await;
    health.record(&inserted);
    match inserted {
        Ok(stored) => {
            for (twin, original) in twins {
                let outcome = match stored.get(original) {
                    Some(message) if same_post(&twin.message, message) => {
                        Ok(Appended::Existing(message.clone()))
                    }
                    Some(_) => Err(temp_id_conflict(&temp_id_of(&twin))),
                    None => Err(Error::Internal("retry without original".into())),
                };
                let _ = twin.reply.send(outcome);
            }
            let events = fresh
                .iter()
                .zip(&stored)
                .map(|(job, message)| Event::MessagePosted {
                    message: message.clone(),
                    origin: job.message.origin,
                })
                .collect();
            bus.publish_batch(events);
            for (job, message) in fresh.into_iter().zip(stored) {
                let _ = job.reply.send(Ok(Appended::Created(message)));
            }
        }
        Err(_) => {
            let mut all: Vec<Job> = fresh;
            all.extend(twins.into_iter().map(|(twin, _)| twin));
            for job in all {
                settle_alone(db, bus, health, job).await;
            }
        }
    }
}

/// One post in its own transaction, after checking whether it is a retry.
async fn settle_alone(db: &DatabaseConnection, bus: &dyn EventBus, health: &WriteHealth, job: Job) {
    match previous_post(db, &job.message).await {
        Ok(Some(outcome)) => {
            let _ = job.reply.send(outcome);
            return;
        }
        Ok(None) => {}
        Err(err) => {
            let _ = job.reply.send(Err(err));
            return;
        }
    }
    let inserted = insert_all(db, std::slice::from_ref(&job)).await;
    health.record(&inserted);
    match inserted {
        Ok(mut stored) => match stored.pop() {
            Some(message) => publish_and_answer(bus, job, message),
            None => {
                let _ = job
                    .reply
                    .send(Err(Error::Internal("nothing stored".into())));
            }
        },
        Err(err) => {
            let _ = job.reply.send(Err(err));
        }
    }
}

fn publish_and_answer(bus: &dyn EventBus, job: Job, message: Message) {
    bus.publish(Event::MessagePosted {
        message: message.clone(),
        origin: job.message.origin,
    });
    let _ = job.reply.send(Ok(Appended::Created(message)));
}

/// Separates posts that repeat a `temp_id` used earlier in the same batch (with the
/// index of that earlier post), answered once it is stored.
fn split_twins(jobs: Vec<Job>) -> (Vec<Job>, Vec<(Job, usize)>) {
    let mut fresh: Vec<Job> = Vec::with_capacity(jobs.len());
    let mut twins = Vec::new();
    for job in jobs {
        let earlier = job.message.temp_id.as_ref().and_then(|temp_id| {
            fresh.iter().position(|f| {
                f.message.author.id == job.message.author.id
                    && f.message.temp_id.as_ref() == Some(temp_id)
            })
        });
        match earlier {
            Some(index) => twins.push((job, index)),
            None => fresh.push(job),
        }
    }
    (fresh, twins)
}

/// The outcome for a post whose author already used its `temp_id`, if they did.
async fn previous_post(
    db: &DatabaseConnection,
    new: &NewMessage,
) -> Result<Option<Result<Appended>>> {
    let Some(temp_id) = &new.temp_id else {
        return Ok(None);
    };
    let found = message::Entity::find()
        .filter(message::Column::UserId.eq(new.author.id.as_uuid()))
        .filter(message::Column::TempId.eq(temp_id.as_str()))
        .one(db)
        .await
        .map_err(db_error)?;
    Ok(found.map(|previous| judge_retry(new, &previous, temp_id.as_str())))
}

fn same_post(new: &NewMessage, stored: &Message) -> bool {
    stored.room_id == new.room_id && stored.content == new.body.as_str()
}

fn temp_id_of(job: &Job) -> String {
    job.message
        .temp_id
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default()
}

fn judge_retry(new: &NewMessage, previous: &message::Model, temp_id: &str) -> Result<Appended> {
    if previous.room_id != new.room_id.as_uuid() || previous.content != new.body.as_str() {
        return Err(temp_id_conflict(temp_id));
    }
    Ok(Appended::Existing(to_message(
        previous.clone(),
        new.author.clone(),
    )))
}

fn temp_id_conflict(temp_id: &str) -> Error {
    Error::conflict(
        ErrorCode::TempIdConflict,
        format!("temp_id {temp_id} was already used for a different message."),
    )
}

/// One transaction: reserve each room's seqs with one `UPDATE … RETURNING`, then
/// insert every row. Seqs follow the jobs' order within each room.
async fn insert_all(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Message>> {
    let tx = db.begin().await.map_err(db_error)?;
    let mut per_room: Vec<(RoomId, i64)> = Vec::new();
    for job in jobs {
        match per_room.iter_mut().find(|(r, _)| *r == job.message.room_id) {
            Some((_, n)) => *n += 1,
            None => per_room.push((job.message.room_id, 1)),
        }
    }
    let mut next = reserve(&tx, &per_room).await?;
    let mut models = Vec::with_capacity(jobs.len());
    let mut stored = Vec::with_capacity(jobs.len());
    for job in jobs {
        let m = &job.message;
        let seq = next.get_mut(&m.room_id).map(|s| {
            let seq = *s;
            *s += 1;
            seq
        });
        let Some(seq) = seq else {
            return Err(Error::Internal("no seq reserved".into()));
        };
        let model = message::Model {
            id: m.id.as_uuid(),
            room_id: m.room_id.as_uuid(),
            seq,
            user_id: m.author.id.as_uuid(),
            content: m.body.as_str().to_owned(),
            temp_id: m.temp_id.as_ref().map(|t| t.as_str().to_owned()),
            created_at: m.created_at,
            edited_at: None,
            deleted_at: None,
        };
        stored.push(Message {
            id: m.id,
            room_id: m.room_id,
            seq,
            author: m.author.clone(),
            content: model.content.clone(),
            temp_id: model.temp_id.clone(),
            created_at: m.created_at,
            edited_at: None,
            deleted_at: None,
        });
        models.push(message::ActiveModel::from(model));
    }
    for chunk in wire_sized(models) {
        message::Entity::insert_many(chunk)
            .exec_without_returning(&tx)
            .await
            .map_err(db_error)?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(stored)
}

/// Rows per `INSERT` are limited to about this many bytes on the wire. sqlx does not
/// set `TCP_NODELAY` on PostgreSQL connections, and a large statement then waits for
/// the server's delayed ACK: measured here, a 153-row INSERT took 43 ms where a
/// 103-row one took 2 ms, and PostgreSQL ingest over TCP fell from ~14k to ~4.7k
/// messages/s. Several small statements in one transaction cost far less.
const STATEMENT_BYTES: usize = 16 * 1024;

fn wire_sized(models: Vec<message::ActiveModel>) -> Vec<Vec<message::ActiveModel>> {
    let mut chunks = Vec::new();
    let (mut chunk, mut bytes) = (Vec::new(), 0);
    for model in models {
        // SQL placeholders, ids, seq and timestamps come to ~200 bytes a row.
        let size = 200
            + model.content.as_ref().len()
            + model.temp_id.as_ref().as_ref().map_or(0, String::len);
        if !chunk.is_empty() && bytes + size > STATEMENT_BYTES {
            chunks.push(std::mem::take(&mut chunk));
            bytes = 0;
        }
        bytes += size;
        chunk.push(model);
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

/// Bumps each room's `last_seq` by its count in one statement and returns the first
/// seq reserved per room. The row updates hold the rooms' row locks (PostgreSQL) or
/// the write lock (SQLite) until the commit, so seq order is commit order. One
/// statement for all rooms, not one per room: every round trip inside the
/// transaction delays every post in the batch.
///
/// Fails with `NotFound` if a room is gone (the whole batch is then retried post by
/// post, so only that room's posts fail).
async fn reserve<C: ConnectionTrait>(
    tx: &C,
    counts: &[(RoomId, i64)],
) -> Result<HashMap<RoomId, i64>> {
    let backend = tx.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(counts.len() * 2);
    let mut rows = Vec::with_capacity(counts.len());
    for (i, (room, n)) in counts.iter().enumerate() {
        let (a, b) = match backend {
            DbBackend::Postgres => (format!("${}", 2 * i + 1), format!("${}", 2 * i + 2)),
            _ => ("?".to_owned(), "?".to_owned()),
        };
        rows.push(if i == 0 {
            format!("SELECT {a} AS room, {b} AS n")
        } else {
            format!("SELECT {a}, {b}")
        });
        values.push(room.as_uuid().into());
        values.push((*n).into());
    }
    let sql = format!(
        "UPDATE rooms SET last_seq = last_seq + v.n FROM ({}) AS v \
         WHERE rooms.id = v.room RETURNING id, last_seq",
        rows.join(" UNION ALL ")
    );
    let statement = Statement::from_sql_and_values(backend, sql, values);
    let returned = tx.query_all_raw(statement).await.map_err(db_error)?;
    let mut first = HashMap::with_capacity(counts.len());
    for row in returned {
        let id: uuid::Uuid = row.try_get("", "id").map_err(db_error)?;
        let last: i64 = row.try_get("", "last_seq").map_err(db_error)?;
        let room = RoomId::from_uuid(id);
        if let Some((_, n)) = counts.iter().find(|(r, _)| *r == room) {
            first.insert(room, last - n + 1);
        }
    }
    if let Some((missing, _)) = counts.iter().find(|(r, _)| !first.contains_key(r)) {
        return Err(Error::not_found(
            ErrorCode::RoomNotFound,
            format!("Room {missing} was not found."),
        ));
    }
    Ok(first)
}

#[async_trait]
impl MessageRepository for GroupWriter {
    async fn submit(&self, message: NewMessage) -> Result<PendingAppend> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Command::Post(Job { message, reply }))
            .await
            .map_err(|_| shutting_down())?;
        Ok(PendingAppend::new(async move {
            answer.await.map_err(|_| shutting_down())?
        }))
    }

    async fn range(&self, room: RoomId, low: i64, high: i64) -> Result<Vec<Message>> {
        self.reads.range(room, low, high).await
    }

    async fn find(&self, id: MessageId) -> Result<Option<Message>> {
        self.reads.find(id).await
    }

    async fn edit(&self, id: MessageId, body: MessageBody, at: DateTime<Utc>) -> Result<Message> {
        self.reads.edit(id, body, at).await
    }

    async fn delete(&self, id: MessageId, at: DateTime<Utc>) -> Result<Message> {
        self.reads.delete(id, at).await
    }
}
