//! The checks made before a socket is upgraded: who the caller is (the token), which
//! room, and from where to resume. A refused socket is still accepted and then closed
//! with a code, because browsers cannot read the status of a failed upgrade.

use domain::{Error, RoomId, room::Visibility, service::Services, user::UserSummary};
use papo_protocol::{CloseCode, ErrorCode};
use poem::Request;
use uuid::Uuid;

use super::session::{Admitted, Scope};
use crate::auth::bearer_token;

/// The outcome of the checks.
#[derive(Debug, Clone)]
pub enum Admission {
    Admitted(Admitted),
    /// Accept, then close with this code and reason (e.g. 1008 for a bad token).
    Refused {
        code: CloseCode,
        reason: String,
    },
}

fn refused(code: CloseCode, reason: impl Into<String>) -> Admission {
    Admission::Refused {
        code,
        reason: reason.into(),
    }
}

/// The caller and their session, from `?token=` or the bearer header.
async fn caller(
    services: &Services,
    req: &Request,
    token: Option<String>,
) -> Result<(UserSummary, Uuid), Admission> {
    let token = token
        .or_else(|| bearer_token(req).map(str::to_owned))
        .ok_or_else(|| {
            refused(
                CloseCode::PolicyViolation,
                "An access token is required (?token= or Authorization: Bearer).",
            )
        })?;
    let claims = services
        .authenticate(&token)
        .await
        .map_err(|e| match e.code() {
            ErrorCode::TokenExpired => {
                refused(CloseCode::PolicyViolation, "The access token has expired.")
            }
            ErrorCode::SessionEnded => refused(
                CloseCode::PolicyViolation,
                "This session has ended; log in again.",
            ),
            ErrorCode::ServiceUnavailable | ErrorCode::InternalError => refused(
                CloseCode::InternalError,
                "Could not check the access token; try again.",
            ),
            _ => refused(CloseCode::PolicyViolation, "The access token is invalid."),
        })?;
    let user = UserSummary {
        id: claims.user_id,
        name: claims.name,
        username: claims.username,
    };
    Ok((user, claims.session))
}

/// `/api/v1/chat/{room}`: the caller, the room (joining it if public) and `since`.
pub async fn admit_room(
    services: &Services,
    req: &Request,
    token: Option<String>,
    room: &str,
    since: Option<String>,
) -> Admission {
    let (user, session) = match caller(services, req, token).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Ok(room) = uuid::Uuid::parse_str(room).map(RoomId::from_uuid) else {
        return refused(CloseCode::NotFound, "No such room.");
    };
    let since = match since.as_deref().map(str::parse::<i64>) {
        None => Vec::new(),
        Some(Ok(seq)) if seq >= 0 => vec![(room, seq)],
        Some(_) => return refused(CloseCode::BadRequest, "since must be a non-negative seq."),
    };
    match services.visible_room(room, user.id).await {
        Ok((found, membership)) => {
            if membership.is_none()
                && found.visibility == Visibility::Public
                && let Err(err) = services.join_room(room, user.id).await
            {
                tracing::warn!(error = %err, "joining on connect failed");
                return refused(
                    CloseCode::InternalError,
                    "Could not join the room; try again.",
                );
            }
        }
        Err(Error::NotFound { .. }) => return refused(CloseCode::NotFound, "No such room."),
        Err(Error::Forbidden { .. }) => {
            return refused(CloseCode::Forbidden, "This room is private.");
        }
        Err(err) => {
            tracing::warn!(error = %err, "room check failed");
            return refused(
                CloseCode::InternalError,
                "Could not check the room; try again.",
            );
        }
    }
    Admission::Admitted(Admitted {
        user,
        session,
        scope: Scope::Room(room),
        since,
    })
}

/// `/api/v1/ws`: the caller and the `since` map.
pub async fn admit_all(
    services: &Services,
    req: &Request,
    token: Option<String>,
    since: Option<String>,
) -> Admission {
    let (user, session) = match caller(services, req, token).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let since = match parse_since_map(since.as_deref().unwrap_or("")) {
        Some(since) => since,
        None => {
            return refused(
                CloseCode::BadRequest,
                "since must be room_id:seq pairs separated by commas.",
            );
        }
    };
    Admission::Admitted(Admitted {
        user,
        session,
        scope: Scope::All,
        since,
    })
}

/// `room:seq,room:seq`; `None` when malformed.
/// A room named twice resumes from the higher seq (once); more than [`MAX_SINCE`]
/// pairs is malformed.
fn parse_since_map(raw: &str) -> Option<Vec<(RoomId, i64)>> {
    let mut pairs: Vec<(RoomId, i64)> = Vec::new();
    for part in raw.split(',').filter(|part| !part.trim().is_empty()) {
        let (room, seq) = part.trim().split_once(':')?;
        let room = RoomId::from_uuid(uuid::Uuid::parse_str(room).ok()?);
        let seq = seq.parse::<i64>().ok().filter(|s| *s >= 0)?;
        match pairs.iter_mut().find(|(r, _)| *r == room) {
            Some((_, known)) => *known = (*known).max(seq),
            None => pairs.push((room, seq)),
        }
        if pairs.len() > MAX_SINCE {
            return None;
        }
    }
    Some(pairs)
}

/// Most rooms one `since` may name.
const MAX_SINCE: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_maps_parse_pairs_and_reject_garbage() {
        let room = uuid::Uuid::new_v4();
        let parsed = parse_since_map(&format!("{room}:5")).unwrap();
        assert_eq!(parsed, vec![(RoomId::from_uuid(room), 5)]);
        assert_eq!(parse_since_map("").unwrap(), vec![]);
        assert!(parse_since_map("nope").is_none());
        assert!(parse_since_map(&format!("{room}:-1")).is_none());
    }
}
