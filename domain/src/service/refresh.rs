//! Refresh tokens: issued per login (a family, the session), rotated on every use,
//! a leaked one detected by its reuse.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{Services, auth::Session};
use crate::{
    Error, ErrorCode, Result, UserId,
    events::{Ended, Event},
    ports::{Claims, RefreshTokenRecord},
};

/// How long a just-rotated refresh token still gets its successor instead of counting
/// as reuse: two tabs or a retry after a lost response refresh at nearly the same time,
/// and that must not log the user out.
pub const ROTATION_GRACE: Duration = Duration::seconds(10);

fn bad_refresh_token() -> Error {
    Error::unauthorized(
        ErrorCode::InvalidRefreshToken,
        "The refresh token is invalid, expired or revoked.",
    )
}

impl Services {
    /// Exchanges a refresh token for a new session, rotating it: the presented token
    /// stops working. Presenting a token that was already rotated means it leaked, so
    /// its whole family is revoked, unless it was rotated less than
    /// [`ROTATION_GRACE`] ago and its successor is still unused: then this is the
    /// benign race of two refreshes at once, and it gets the same successor.
    ///
    /// Fails with `Unauthorized("invalid_refresh_token")` or
    /// `Unauthorized("refresh_token_reused")`.
    pub async fn refresh(&self, secret: &str) -> Result<Session> {
        let tokens = &self.ports.refresh_tokens;
        let hash = self.ports.tokens.hash_refresh_secret(secret);
        let record = tokens
            .find_by_hash(&hash)
            .await?
            .ok_or_else(bad_refresh_token)?;
        let successor = self.ports.tokens.successor_secret(secret);
        if let Some(revoked_at) = record.revoked_at {
            if record.replaced_by.is_none() {
                return Err(bad_refresh_token());
            }
            if Utc::now() - revoked_at <= ROTATION_GRACE
                && self.successor_unused(&record, &successor).await?
            {
                return self.open_session(&record, successor).await;
            }
            return Err(self.reuse_detected(&record).await?);
        }
        if record.expires_at <= Utc::now() {
            return Err(bad_refresh_token());
        }
        let new = self.refresh_record(record.user_id, record.family_id, &successor);
        if !tokens.rotate(record.id, new).await? {
            // Another request rotated (or revoked) this token between our read and our
            // write: the same race, answered the same way if it was a rotation.
            let now = tokens
                .find(record.id)
                .await?
                .ok_or_else(bad_refresh_token)?;
            if !self.successor_unused(&now, &successor).await? {
                return Err(bad_refresh_token());
            }
        }
        self.open_session(&record, successor).await
    }

    /// Whether `record` was rotated into the token `successor` and that one is live.
    async fn successor_unused(&self, record: &RefreshTokenRecord, successor: &str) -> Result<bool> {
        let Some(next) = record.replaced_by else {
            return Ok(false);
        };
        let Some(next) = self.ports.refresh_tokens.find(next).await? else {
            return Ok(false);
        };
        Ok(next.revoked_at.is_none()
            && next.expires_at > Utc::now()
            && next.token_hash == self.ports.tokens.hash_refresh_secret(successor))
    }

    async fn open_session(&self, record: &RefreshTokenRecord, secret: String) -> Result<Session> {
        let user = self
            .ports
            .users
            .find(record.user_id)
            .await?
            .ok_or_else(bad_refresh_token)?;
        self.session(user, record.family_id, Some(secret))
    }

    async fn reuse_detected(&self, record: &RefreshTokenRecord) -> Result<Error> {
        self.ports
            .refresh_tokens
            .revoke_family(record.family_id)
            .await?;
        self.ports.bus.publish(Event::SessionsEnded {
            user_id: record.user_id,
            ended: Ended::One(record.family_id),
        });
        Ok(Error::unauthorized(
            ErrorCode::RefreshTokenReused,
            "This refresh token was already used; every session from the same login has been revoked.",
        ))
    }

    /// A fresh access token for the bearer of a valid one (the older clients' refresh),
    /// in the same session: it works only while that session lasts, so chaining these
    /// never outlives the session's refresh token.
    ///
    /// Fails with `NotFound` if the account is gone.
    pub async fn refresh_access(&self, claims: &Claims) -> Result<Session> {
        let user = self.me(claims.user_id).await?;
        self.session(user, claims.session, None)
    }

    pub(super) async fn new_refresh_token(&self, user: UserId, family: Uuid) -> Result<String> {
        let (secret, _) = self.ports.tokens.new_refresh_secret();
        let record = self.refresh_record(user, family, &secret);
        self.ports.refresh_tokens.insert(record).await?;
        Ok(secret)
    }

    fn refresh_record(&self, user: UserId, family: Uuid, secret: &str) -> RefreshTokenRecord {
        let token_hash = self.ports.tokens.hash_refresh_secret(secret);
        RefreshTokenRecord {
            id: Uuid::now_v7(),
            user_id: user,
            family_id: family,
            token_hash,
            expires_at: Utc::now() + self.ports.tokens.refresh_ttl(),
            revoked_at: None,
            replaced_by: None,
        }
    }
}
