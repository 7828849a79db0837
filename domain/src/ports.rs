//! The traits `infra` implements. Use cases depend on these, never on a database,
//! hasher or token library directly.

use std::{future::Future, pin::Pin};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    MessageId, Result, RoomId, UserId,
    events::{Event, PeerNews},
    message::{Appended, Message, MessageBody, NewMessage, Reactors},
    reaction::Emoji,
    room::{Ban, Member, Membership, NewRoom, Role, Room, RoomChanges, RoomListQuery, RoomPage},
    search::Query,
    user::{NewUser, User},
};

/// Accounts.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Fails with `Conflict("username_taken")` when the name is taken in any case.
    async fn create(&self, user: NewUser) -> Result<User>;
    async fn find(&self, id: UserId) -> Result<Option<User>>;
    /// Looks the name up case-insensitively; returns the user and password hash.
    async fn find_with_hash(&self, username: &str) -> Result<Option<(User, String)>>;
    /// Users whose username or name contains `query`, ordered by username, after the
    /// username `after`.
    async fn search(
        &self,
        query: Option<&str>,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>>;
    async fn find_many(&self, ids: &[UserId]) -> Result<Vec<User>>;
    async fn set_last_seen(&self, id: UserId, at: DateTime<Utc>) -> Result<()>;
    async fn set_password_hash(&self, id: UserId, hash: String) -> Result<()>;
}

/// A stored refresh token (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    /// Every token rotated from one login shares a family; reuse of a rotated token
    /// revokes the family.
    pub family_id: uuid::Uuid,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<uuid::Uuid>,
}

/// Refresh tokens.
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync {
    async fn insert(&self, token: RefreshTokenRecord) -> Result<()>;
    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<RefreshTokenRecord>>;
    /// Revokes `old` in favour of `new` and stores `new`, atomically and only if `old`
    /// is still live. Returns false when another request rotated it first.
    async fn rotate(&self, old: uuid::Uuid, new: RefreshTokenRecord) -> Result<bool>;
    async fn find(&self, id: uuid::Uuid) -> Result<Option<RefreshTokenRecord>>;
    async fn revoke_family(&self, family_id: uuid::Uuid) -> Result<()>;
    /// Revokes every family of `user_id` but `keep`.
    async fn revoke_all(&self, user_id: UserId, keep: Option<uuid::Uuid>) -> Result<()>;
    /// Whether the family (a session) still has a token that is neither revoked nor
    /// expired at `now`: access tokens of a session that ended are refused.
    async fn session_active(&self, family_id: uuid::Uuid, now: DateTime<Utc>) -> Result<bool>;
}

/// Rooms and memberships.
#[async_trait]
pub trait RoomRepository: Send + Sync {
    /// Stores the room and makes its creator the owner. Fails with
    /// `Conflict("room_name_taken")` when the name is taken in any case.
    async fn create(&self, room: NewRoom) -> Result<Room>;
    /// Gets the direct room for `key`, creating it with both users as members.
    /// Returns the room and whether it was created.
    /// The direct room for `key`, if it exists.
    async fn find_direct(&self, key: &str) -> Result<Option<Room>>;
    async fn find_or_create_direct(
        &self,
        key: &str,
        room: NewRoom,
        other: UserId,
    ) -> Result<(Room, bool)>;
    async fn find(&self, id: RoomId) -> Result<Option<Room>>;
    /// A page of the public rooms and the rooms `user` is a member of, with counts.
    async fn list_for(&self, user: UserId, query: RoomListQuery) -> Result<RoomPage>;
    /// Fails with `Conflict("room_name_taken")` on a rename to a taken name.
    async fn update(&self, id: RoomId, changes: RoomChanges) -> Result<Room>;
    async fn delete(&self, id: RoomId) -> Result<()>;
    async fn membership(&self, room: RoomId, user: UserId) -> Result<Option<Membership>>;
    /// Adds a member; returns false when they already were one.
    async fn add_member(&self, room: RoomId, user: UserId, role: Role) -> Result<bool>;
    /// Removes a member; returns false when they were not one.
    async fn remove_member(&self, room: RoomId, user: UserId) -> Result<bool>;
    /// The rooms `user` is a member of.
    async fn member_rooms(&self, user: UserId) -> Result<Vec<RoomId>>;
    /// Each existing room's newest seq (`last_seq`), for the rooms named.
    async fn heads(&self, rooms: &[RoomId]) -> Result<Vec<(RoomId, i64)>>;
    /// Members with their roles (`online` is filled in by the caller).
    async fn members(&self, room: RoomId) -> Result<Vec<Member>>;
    /// The members of `room` whose username keys (case-folded) are among `keys`.
    async fn members_named(&self, room: RoomId, keys: &[String]) -> Result<Vec<UserId>>;
    /// Changes a member's role; returns false when they are not a member.
    async fn set_role(&self, room: RoomId, user: UserId, role: Role) -> Result<bool>;
    /// Moves a read marker forward (never back, never past the last message).
    /// Returns the new marker when it moved.
    async fn mark_read(&self, room: RoomId, user: UserId, seq: i64) -> Result<Option<i64>>;
}

/// Messages.
#[async_trait]
pub trait MessageRepository: Send + Sync {
    /// Stores a post, assigning the room's next seq in the same transaction, and once it
    /// is committed publishes `MessagePosted`: only the store knows commit order, and
    /// publishing in that order is what keeps every connection's view in seq order.
    /// A post whose `temp_id` the author already used returns the stored message
    /// (publishing nothing), or fails with `Conflict("temp_id_conflict")` when its
    /// content or room differs.
    async fn append(&self, message: NewMessage) -> Result<Appended> {
        self.submit(message).await?.outcome().await
    }

    /// Queues a post for storage and returns at once with its pending outcome. Posts
    /// submitted one after another are stored in that order, so a connection can keep
    /// many in flight without reordering them.
    ///
    /// Fails with `Unavailable` when the store no longer accepts posts.
    async fn submit(&self, message: NewMessage) -> Result<PendingAppend>;
    /// Messages with `low <= seq <= high`, oldest first, with their reactions as
    /// `reader` sees them.
    async fn range(
        &self,
        room: RoomId,
        low: i64,
        high: i64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>>;
    /// The `limit` replies to `parent` (a message of `room`) just below seq `before`,
    /// or the newest, oldest first, as `reader` sees them.
    async fn replies(
        &self,
        room: RoomId,
        parent: MessageId,
        before: Option<i64>,
        limit: u64,
        reader: Option<UserId>,
    ) -> Result<Vec<Message>>;
    /// For each `(room, low, high)`, the messages with `low <= seq <= high`, in one
    /// read: ordered by room as given, then by seq.
    async fn ranges(&self, ranges: &[(RoomId, i64, i64)]) -> Result<Vec<Message>>;
    async fn find(&self, id: MessageId) -> Result<Option<Message>>;
    /// Replaces the content and the mentions, in one transaction.
    async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        mentions: &[UserId],
        at: DateTime<Utc>,
    ) -> Result<Message>;
    /// Empties the message and drops its reactions and mentions, in one transaction;
    /// `by` deleted it.
    async fn delete(&self, id: MessageId, by: UserId, at: DateTime<Utc>) -> Result<Message>;
}

/// Reactions to messages.
#[async_trait]
pub trait ReactionRepository: Send + Sync {
    /// Adds `user`'s `emoji` to `message`; returns false when it was there. Fails with
    /// `Conflict("too_many_reactions")` when the emoji is new to the message and it
    /// already has `max_emoji` different ones.
    async fn add(
        &self,
        message: &Message,
        user: UserId,
        emoji: &Emoji,
        max_emoji: usize,
    ) -> Result<bool>;
    /// Takes `user`'s `emoji` from `message`; returns false when it was not there.
    async fn remove(&self, message: MessageId, user: UserId, emoji: &Emoji) -> Result<bool>;
    /// Who reacted to `message` with what, emoji in the order they first came.
    async fn reactors(&self, message: MessageId) -> Result<Reactors>;
}

/// What a search reads.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: Query,
    /// The reader: only public rooms and their own rooms are searched.
    pub reader: UserId,
    /// Only this room (one the reader may read).
    pub room: Option<RoomId>,
    /// Only messages older than this one (the previous page's last).
    pub before: Option<MessageId>,
    pub limit: u64,
}

/// Full-text search over messages, kept in step with every post, edit and delete in
/// the same transaction.
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Messages holding every word of the query (as whole words or their start),
    /// newest first, never deleted ones, with reactions as the reader sees them.
    async fn search(&self, request: &SearchRequest) -> Result<Vec<Message>>;
}

/// Who may not come back into a room.
#[async_trait]
pub trait BanRepository: Send + Sync {
    /// Bans `user` (again: the reason is replaced) and ends their membership, in one
    /// transaction; returns whether they were a member.
    async fn ban(
        &self,
        room: RoomId,
        user: UserId,
        by: UserId,
        reason: Option<&str>,
    ) -> Result<bool>;
    /// Lifts a ban; returns false when there was none.
    async fn unban(&self, room: RoomId, user: UserId) -> Result<bool>;
    async fn is_banned(&self, room: RoomId, user: UserId) -> Result<bool>;
    /// The room's bans, newest first.
    async fn bans(&self, room: RoomId) -> Result<Vec<Ban>>;
}

/// The outcome of a submitted post, once its transaction has committed (or failed).
pub struct PendingAppend(Pin<Box<dyn Future<Output = Result<Appended>> + Send>>);

impl PendingAppend {
    pub fn new(outcome: impl Future<Output = Result<Appended>> + Send + 'static) -> Self {
        Self(Box::pin(outcome))
    }

    /// Waits for the commit.
    ///
    /// Fails as [`MessageRepository::append`] does.
    pub async fn outcome(self) -> Result<Appended> {
        self.0.await
    }
}

impl std::fmt::Debug for PendingAppend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingAppend")
    }
}

/// Password hashing (argon2id in production). Hashing is slow on purpose, so
/// implementations must not block the async runtime.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &str) -> Result<String>;
    /// True when `password` matches `hash`; false for a wrong password or an unreadable
    /// hash.
    ///
    /// Fails with `Unavailable` when too many hashes are already waiting (hashing is
    /// bounded to the machine's cores).
    async fn verify(&self, password: &str, hash: &str) -> Result<bool>;
}

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_id: UserId,
    pub username: String,
    pub name: String,
    /// The session (refresh-token family) the token was issued to; logging out of it,
    /// or reuse of one of its refresh tokens, ends it and every access token with it.
    pub session: uuid::Uuid,
    pub expires_at: DateTime<Utc>,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_in_secs: i64,
}

/// Access tokens (JWT) and refresh-token secrets.
pub trait TokenService: Send + Sync {
    /// An access token for `user` in `session`. Fails only if signing fails (a bug).
    fn issue_access(&self, user: &User, session: uuid::Uuid) -> Result<AccessToken>;
    /// Fails with `Unauthorized` for a bad signature, algorithm, shape or expiry.
    fn verify_access(&self, token: &str) -> Result<Claims>;
    /// A new random refresh token: `(secret for the client, hash to store)`.
    fn new_refresh_secret(&self) -> (String, String);
    fn hash_refresh_secret(&self, secret: &str) -> String;
    /// The refresh secret that replaces `secret` when it is rotated, derived from it
    /// with the server's key: the same for every rotation of the same token, so two
    /// refreshes racing with one token get the same successor.
    fn successor_secret(&self, secret: &str) -> String;
    /// How long a refresh token lives.
    fn refresh_ttl(&self) -> chrono::Duration;
}

/// Fan-out of events to every interested connection (in-process now; a shared bus
/// when several nodes serve one database).
pub trait EventBus: Send + Sync {
    fn publish(&self, event: Event);

    /// Publishes what one transaction committed, in order. A bus shared between
    /// nodes sends it as one notification (PostgreSQL serializes every transaction
    /// that NOTIFYs, so one per batch, never one per message).
    fn publish_batch(&self, events: Vec<Event>) {
        for event in events {
            self.publish(event);
        }
    }
}

/// The other nodes of a cluster, told what this node's sockets do in rooms (a single
/// node has nobody to tell). Never blocks: news that cannot be sent is dropped and
/// counted, and the nodes correct themselves at the next roster.
pub trait Peers: Send + Sync {
    fn tell(&self, news: PeerNews);
}

/// A node alone: nobody to tell.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoPeers;

impl Peers for NoPeers {
    fn tell(&self, _news: PeerNews) {}
}

/// Who has a live connection.
pub trait Presence: Send + Sync {
    fn is_online(&self, user: UserId) -> bool;
    fn online_users(&self) -> Vec<UserId>;
    /// Counts a new connection; true when it is the user's first (they came online).
    fn connect(&self, user: UserId) -> bool;
    /// Counts a closed connection; true when it was the user's last.
    fn disconnect(&self, user: UserId) -> bool;
}

/// Whether the storage answers, for health checks.
#[async_trait]
pub trait HealthProbe: Send + Sync {
    async fn database_ok(&self) -> bool;
}
