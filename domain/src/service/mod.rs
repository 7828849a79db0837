//! The use cases. Each public method is one thing a client can ask for; it checks who
//! may do it, does it through the ports, and publishes what changed.

mod auth;
mod catchup;
mod messages;
mod moderation;
mod posting;
mod reactions;
mod refresh;
pub mod rooms;
mod search;
pub mod users;

use std::sync::Arc;

pub use auth::Session;
pub use posting::Post;
pub use reactions::MAX_EMOJI_PER_MESSAGE;
pub use refresh::ROTATION_GRACE;
pub use search::{Hit, MAX_RESULTS, SearchPage};

use crate::{
    Error, ErrorCode, Result, RoomId, UserId,
    ports::{
        BanRepository, EventBus, HealthProbe, MessageRepository, PasswordHasher, Presence,
        ReactionRepository, RefreshTokenRepository, RoomRepository, SearchIndex, TokenService,
        UserRepository,
    },
    room::{Membership, Room},
};

/// Everything the use cases need, wired once at start-up.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    pub rooms: Arc<dyn RoomRepository>,
    pub messages: Arc<dyn MessageRepository>,
    pub reactions: Arc<dyn ReactionRepository>,
    pub search: Arc<dyn SearchIndex>,
    pub bans: Arc<dyn BanRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenService>,
    pub bus: Arc<dyn EventBus>,
    pub presence: Arc<dyn Presence>,
    pub health: Arc<dyn HealthProbe>,
}

/// Bounds on what one user can make the server hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rooms one user may be a member of (direct rooms included): bounds what a
    /// socket follows, what it is sent on connect, and what others can invite them to.
    pub rooms_per_user: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            rooms_per_user: 500,
        }
    }
}

/// The use cases, cheap to clone and share between requests.
#[derive(Clone)]
pub struct Services {
    ports: Ports,
    limits: Limits,
}

impl Services {
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            limits: Limits::default(),
        }
    }

    /// The same use cases under other limits.
    #[must_use]
    pub fn with_limits(self, limits: Limits) -> Self {
        Self { limits, ..self }
    }

    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    /// Whether the database answers.
    pub async fn database_ok(&self) -> bool {
        self.ports.health.database_ok().await
    }

    /// The room, if `user` may see it, with their membership.
    ///
    /// Fails with `NotFound` when it does not exist, and `Forbidden` when it is private
    /// or direct and `user` is not a member (a non-member cannot read a members-only
    /// room by knowing its id), or `Forbidden("banned")` when `user` is banned from it.
    pub async fn visible_room(
        &self,
        room_id: RoomId,
        user: UserId,
    ) -> Result<(Room, Option<Membership>)> {
        let room = self.room(room_id).await?;
        let membership = self.ports.rooms.membership(room_id, user).await?;
        if membership.is_some() {
            return Ok((room, membership));
        }
        if room.visibility.is_members_only() {
            return Err(Error::forbidden(
                ErrorCode::RoomForbidden,
                format!("You are not a member of room {room_id}."),
            ));
        }
        // A ban ends the membership: only a non-member can be banned.
        if self.ports.bans.is_banned(room_id, user).await? {
            return Err(banned(room_id));
        }
        Ok((room, None))
    }

    /// Fails with `NotFound` when the room does not exist.
    async fn room(&self, room_id: RoomId) -> Result<Room> {
        self.ports
            .rooms
            .find(room_id)
            .await?
            .ok_or_else(|| room_not_found(room_id))
    }
}

fn room_not_found(room_id: RoomId) -> Error {
    Error::not_found(
        ErrorCode::RoomNotFound,
        format!("Room {room_id} was not found."),
    )
}

fn banned(room_id: RoomId) -> Error {
    Error::forbidden(
        ErrorCode::Banned,
        format!("You are banned from room {room_id}."),
    )
}

fn user_not_found(user_id: UserId) -> Error {
    Error::not_found(
        ErrorCode::UserNotFound,
        format!("User {user_id} was not found."),
    )
}
