//! Machine-readable error codes: the `code` of an `error` frame and of a REST problem.

use serde::{Deserialize, Serialize};

/// Every error code papo sends. Clients match on these; the human text beside them
/// may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Requests that cannot be read.
    /// 422: fields are missing or break a rule; `errors[]` names them.
    ValidationFailed,
    /// 400: the body is not JSON.
    MalformedJson,
    /// 400: the body could not be read.
    UnreadableBody,
    /// 415: a body in a content type the operation does not take.
    UnsupportedMediaType,
    /// 413: the body is over the size limit.
    PayloadTooLarge,
    /// 405.
    MethodNotAllowed,
    /// 400: anything else the framework refused.
    BadRequest,
    /// 404: no such path or resource.
    NotFound,

    // Accounts and tokens.
    /// 401: no bearer token.
    MissingToken,
    /// 401: a token that is not valid.
    InvalidToken,
    /// 401: an expired access token.
    TokenExpired,
    /// 401: a wrong username or password.
    InvalidCredentials,
    /// 401: an unknown, expired or revoked refresh token.
    InvalidRefreshToken,
    /// 401: a rotated refresh token presented again; its family is revoked.
    RefreshTokenReused,
    /// 401: the access token's session ended (logout, a leaked refresh token, a new
    /// password).
    SessionEnded,
    /// 429: too many failed logins.
    TooManyAttempts,
    /// 429 (or an `error` frame with `retry_after_ms`): posting faster than allowed.
    RateLimited,
    /// 409.
    UsernameTaken,
    /// 404.
    UserNotFound,

    // Rooms.
    /// 409.
    RoomNameTaken,
    /// 404.
    RoomNotFound,
    /// 403: a private or direct room the caller is not in.
    RoomForbidden,
    /// 403: only the owner may do this.
    NotRoomOwner,
    /// 403: only the owner or an admin may do this.
    NotRoomAdmin,
    /// 403: only members may do this.
    NotRoomMember,
    /// 409: an owner deletes their room instead of leaving it.
    OwnerCannotLeave,
    /// 403: direct rooms have fixed membership.
    DirectRoom,
    /// 409: the user is already in as many rooms as one account may be in.
    TooManyRooms,
    /// 403: only the owner or an admin may moderate.
    NotAModerator,
    /// 403: nobody moderates the owner.
    CannotModerateOwner,
    /// 403: an admin does not moderate another admin (the owner does).
    CannotModerateAdmin,
    /// 403: banned from the room.
    Banned,

    // Messages.
    /// 404.
    MessageNotFound,
    /// 409: a deleted message cannot be edited.
    MessageDeleted,
    /// 403: only the author may edit or delete.
    NotMessageAuthor,
    /// 409: a `temp_id` already used for different content.
    TempIdConflict,
    /// 422: a message of another room.
    WrongRoom,
    /// 409: a message has as many different reactions as it may have.
    TooManyReactions,

    // WebSocket frames.
    /// The frame is not JSON.
    InvalidJson,
    /// The frame is JSON but not a valid frame of its type.
    InvalidFrame,
    /// A frame `type` the server does not know.
    UnknownType,
    /// Binary frames carry nothing in this protocol.
    BinaryNotSupported,
    /// A frame this endpoint does not take (`join` on a one-room socket).
    NotSupported,
    /// `/api/v1/ws` needs `room_id` on this frame.
    RoomIdRequired,
    /// The socket does not follow that room.
    NotInRoom,
    /// The client read too slowly; the socket closes with 4008.
    SlowConsumer,

    // The server's side.
    /// 503: the database cannot be reached or cannot store.
    ServiceUnavailable,
    /// 500: a bug; the cause is logged, never sent.
    InternalError,

    /// A code this build does not know (sent by a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code papo sends (all but [`ErrorCode::Unknown`]), for documents and tests.
    pub const ALL: [Self; 48] = [
        Self::ValidationFailed,
        Self::MalformedJson,
        Self::UnreadableBody,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::MethodNotAllowed,
        Self::BadRequest,
        Self::NotFound,
        Self::MissingToken,
        Self::InvalidToken,
        Self::TokenExpired,
        Self::InvalidCredentials,
        Self::InvalidRefreshToken,
        Self::RefreshTokenReused,
        Self::SessionEnded,
        Self::TooManyAttempts,
        Self::RateLimited,
        Self::UsernameTaken,
        Self::UserNotFound,
        Self::RoomNameTaken,
        Self::RoomNotFound,
        Self::RoomForbidden,
        Self::NotRoomOwner,
        Self::NotRoomAdmin,
        Self::NotRoomMember,
        Self::OwnerCannotLeave,
        Self::DirectRoom,
        Self::TooManyRooms,
        Self::NotAModerator,
        Self::CannotModerateOwner,
        Self::CannotModerateAdmin,
        Self::Banned,
        Self::MessageNotFound,
        Self::MessageDeleted,
        Self::NotMessageAuthor,
        Self::TempIdConflict,
        Self::WrongRoom,
        Self::TooManyReactions,
        Self::InvalidJson,
        Self::InvalidFrame,
        Self::UnknownType,
        Self::BinaryNotSupported,
        Self::NotSupported,
        Self::RoomIdRequired,
        Self::NotInRoom,
        Self::SlowConsumer,
        Self::ServiceUnavailable,
        Self::InternalError,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::MalformedJson => "malformed_json",
            Self::UnreadableBody => "unreadable_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::BadRequest => "bad_request",
            Self::NotFound => "not_found",
            Self::MissingToken => "missing_token",
            Self::InvalidToken => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::SessionEnded => "session_ended",
            Self::TooManyAttempts => "too_many_attempts",
            Self::RateLimited => "rate_limited",
            Self::UsernameTaken => "username_taken",
            Self::UserNotFound => "user_not_found",
            Self::RoomNameTaken => "room_name_taken",
            Self::RoomNotFound => "room_not_found",
            Self::RoomForbidden => "room_forbidden",
            Self::NotRoomOwner => "not_room_owner",
            Self::NotRoomAdmin => "not_room_admin",
            Self::NotRoomMember => "not_room_member",
            Self::OwnerCannotLeave => "owner_cannot_leave",
            Self::DirectRoom => "direct_room",
            Self::TooManyRooms => "too_many_rooms",
            Self::NotAModerator => "not_a_moderator",
            Self::CannotModerateOwner => "cannot_moderate_owner",
            Self::CannotModerateAdmin => "cannot_moderate_admin",
            Self::Banned => "banned",
            Self::MessageNotFound => "message_not_found",
            Self::MessageDeleted => "message_deleted",
            Self::NotMessageAuthor => "not_message_author",
            Self::TempIdConflict => "temp_id_conflict",
            Self::WrongRoom => "wrong_room",
            Self::TooManyReactions => "too_many_reactions",
            Self::InvalidJson => "invalid_json",
            Self::InvalidFrame => "invalid_frame",
            Self::UnknownType => "unknown_type",
            Self::BinaryNotSupported => "binary_not_supported",
            Self::NotSupported => "not_supported",
            Self::RoomIdRequired => "room_id_required",
            Self::NotInRoom => "not_in_room",
            Self::SlowConsumer => "slow_consumer",
            Self::ServiceUnavailable => "service_unavailable",
            Self::InternalError => "internal_error",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_is_what_serde_writes_and_reads() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn an_unknown_code_parses_as_unknown() {
        let code: ErrorCode = serde_json::from_str("\"from_the_future\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }
}
