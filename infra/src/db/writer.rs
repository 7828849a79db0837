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
    Error, MessageId, Result, RoomId,
    events::Event,
    message::{Appended, Message, MessageBody, NewMessage},
    ports::{EventBus, MessageRepository, PendingAppend},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, ExprTrait, Query},
};
use tokio::sync::{mpsc, oneshot};

use super::{SqlMessages, db_error, entity::message, entity::room, messages::to_message};

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
    done: Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl GroupWriter {
    /// Starts the writer task. `max_batch` caps messages per transaction; 1 turns
    /// group commit off (one commit per message), for measuring the difference.
    pub fn start(db: DatabaseConnection, bus: Arc<dyn EventBus>, max_batch: usize) -> Self {
        let (jobs, rx) = mpsc::channel(max_batch.max(1) * 4);
        let reads = SqlMessages::new(db.clone());
        let task = tokio::spawn(run(db, bus, rx, max_batch.max(1)));
        Self {
            jobs,
            reads,
            done: Arc::new(tokio::sync::Mutex::new(Some(task))),
        }
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
            commit_batch(&db, bus.as_ref(), std::mem::take(&mut batch)).await;
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

/// Stores a batch in one transaction and answers every job. If the transaction fails
/// as a whole, each job is retried alone so one bad post cannot sink the others.
async fn commit_batch(db: &DatabaseConnection, bus: &dyn EventBus, jobs: Vec<Job>) {
    let (fresh, answered, twins) = match split_retries(db, jobs).await {
        Ok(split) => split,
        Err((jobs, err)) => {
            for job in jobs {
                let _ = job.reply.send(Err(err.clone()));
            }
            return;
        }
    };
    for (job, outcome) in answered {
        let _ = job.reply.send(outcome);
    }
    if fresh.is_empty() {
        return;
    }
    match insert_all(db, &fresh).await {
        Ok(stored) => {
            for (twin, original) in twins {
                let outcome = stored
                    .get(original)
                    .cloned()
                    .map(Appended::Existing)
                    .ok_or_else(|| Error::Internal("retry without original".into()));
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
        Err(_) if fresh.len() > 1 => {
            for (twin, _) in twins {
                let _ = twin.reply.send(Err(Error::conflict(
                    "temp_id_in_flight",
                    "The original post with this temp_id failed; retry it.",
                )));
            }
            for job in fresh {
                match insert_all(db, std::slice::from_ref(&job)).await {
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
        }
        Err(err) => {
            for job in fresh.into_iter().chain(twins.into_iter().map(|(t, _)| t)) {
                let _ = job.reply.send(Err(err.clone()));
            }
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

/// New posts; retries answered already; retries of a post earlier in this batch (with
/// the index of that post among the new ones), answered once it is stored.
type Split = (Vec<Job>, Vec<(Job, Result<Appended>)>, Vec<(Job, usize)>);

/// Separates retries (a `temp_id` this author already used, in storage or earlier in
/// this batch) from new posts, answering the retries of stored posts.
async fn split_retries(
    db: &DatabaseConnection,
    jobs: Vec<Job>,
) -> std::result::Result<Split, (Vec<Job>, Error)> {
    let keyed: Vec<(uuid::Uuid, String)> = jobs
        .iter()
        .filter_map(|j| {
            let temp_id = j.message.temp_id.as_ref()?;
            Some((j.message.author.id.as_uuid(), temp_id.as_str().to_owned()))
        })
        .collect();
    let mut stored: HashMap<(uuid::Uuid, String), message::Model> = HashMap::new();
    if !keyed.is_empty() {
        // `user_id IN … AND temp_id IN …` is a superset of the pairs, filtered below:
        // unlike an OR of pairs it stays an index lookup on (user_id, temp_id) whatever
        // the planner's statistics say.
        let users: Vec<uuid::Uuid> = keyed.iter().map(|(u, _)| *u).collect();
        let temp_ids: Vec<&str> = keyed.iter().map(|(_, t)| t.as_str()).collect();
        let found = message::Entity::find()
            .filter(message::Column::UserId.is_in(users))
            .filter(message::Column::TempId.is_in(temp_ids))
            .all(db)
            .await;
        match found {
            Ok(models) => {
                for m in models {
                    if let Some(t) = m.temp_id.clone()
                        && keyed.contains(&(m.user_id, t.clone()))
                    {
                        stored.insert((m.user_id, t), m);
                    }
                }
            }
            Err(err) => return Err((jobs, db_error(err))),
        }
    }
    let mut fresh: Vec<Job> = Vec::with_capacity(jobs.len());
    let mut answered = Vec::new();
    let mut twins = Vec::new();
    for job in jobs {
        let Some(temp_id) = job.message.temp_id.as_ref().map(|t| t.as_str().to_owned()) else {
            fresh.push(job);
            continue;
        };
        let key = (job.message.author.id.as_uuid(), temp_id.clone());
        if let Some(previous) = stored.get(&key) {
            let outcome = judge_retry(&job.message, previous, &temp_id);
            answered.push((job, outcome));
        } else if let Some(index) = fresh.iter().position(|f| {
            f.message.author.id == job.message.author.id
                && f.message.temp_id.as_ref().map(|t| t.as_str()) == Some(temp_id.as_str())
        }) {
            // The same temp_id twice in one batch: the earlier post is the original.
            let earlier = &fresh[index].message;
            if earlier.room_id == job.message.room_id && earlier.body == job.message.body {
                twins.push((job, index));
            } else {
                answered.push((job, Err(temp_id_conflict(&temp_id))));
            }
        } else {
            fresh.push(job);
        }
    }
    Ok((fresh, answered, twins))
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
        "temp_id_conflict",
        format!("temp_id {temp_id} was already used for a different message."),
    )
}

/// One transaction: per room, reserve `n` seqs with one `UPDATE … RETURNING`, then
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
    let mut next: HashMap<RoomId, i64> = HashMap::with_capacity(per_room.len());
    for (room_id, n) in per_room {
        let last = reserve(&tx, room_id, n).await?;
        next.insert(room_id, last - n + 1);
    }
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

/// Bumps the room's `last_seq` by `n`, returning the new value. The row update holds
/// the room's row lock (PostgreSQL) or the write lock (SQLite) to the commit, so seq
/// order is commit order.
async fn reserve<C: ConnectionTrait>(tx: &C, room_id: RoomId, n: i64) -> Result<i64> {
    let bump = Query::update()
        .table(room::Entity)
        .value(
            room::Column::LastSeq,
            Expr::col(room::Column::LastSeq).add(n),
        )
        .and_where(Expr::col(room::Column::Id).eq(room_id.as_uuid()))
        .returning_col(room::Column::LastSeq)
        .to_owned();
    let row = tx
        .query_one(&bump)
        .await
        .map_err(db_error)?
        .ok_or_else(|| {
            Error::not_found("room_not_found", format!("Room {room_id} was not found."))
        })?;
    row.try_get("", "last_seq").map_err(db_error)
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
