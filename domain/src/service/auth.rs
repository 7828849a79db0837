//! Sign-up, login, token refresh with rotation, logout.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{Services, user_not_found};
use crate::{
    Error, ErrorCode, Result, UserId,
    error::Validation,
    events::{Ended, Event},
    ports::{AccessToken, Claims, RefreshTokenRecord},
    user::{DisplayName, NewUser, Password, User, Username},
};

/// What a login or refresh hands the client.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub access: AccessToken,
    /// `None` when the session was refreshed with an access token alone: that path
    /// must not mint long-lived credentials from a short-lived one.
    pub refresh_token: Option<String>,
}

fn bad_credentials() -> Error {
    Error::unauthorized(
        ErrorCode::InvalidCredentials,
        "Incorrect username or password.",
    )
}

/// How long a just-rotated refresh token still gets its successor instead of counting
/// as reuse: two tabs or a retry after a lost response refresh at nearly the same time,
/// and that must not log the user out.
pub const ROTATION_GRACE: Duration = Duration::seconds(10);

fn session_ended() -> Error {
    Error::unauthorized(
        ErrorCode::SessionEnded,
        "This session has ended (logged out, or its refresh token leaked); log in again.",
    )
}

fn bad_refresh_token() -> Error {
    Error::unauthorized(
        ErrorCode::InvalidRefreshToken,
        "The refresh token is invalid, expired or revoked.",
    )
}

impl Services {
    /// Creates an account.
    ///
    /// Fails with `Invalid` listing every bad field, or `Conflict("username_taken")`.
    pub async fn register(&self, name: &str, username: &str, password: &str) -> Result<User> {
        let mut v = Validation::new();
        let name = v.check("name", DisplayName::parse(name));
        let username = v.check("username", Username::parse(username));
        let password = v.check("password", Password::parse(password));
        v.finish()?;
        let (Some(name), Some(username), Some(password)) = (name, username, password) else {
            return Err(Error::Internal("validation passed without values".into()));
        };
        self.create_user(username, name, &password).await
    }

    /// Stores an account whose fields are already valid (sign-up and demo seeding).
    ///
    /// Fails with `Conflict("username_taken")`.
    pub async fn create_user(
        &self,
        username: Username,
        name: DisplayName,
        password: &Password,
    ) -> Result<User> {
        let password_hash = self.ports.hasher.hash(password.expose()).await?;
        self.ports
            .users
            .create(NewUser {
                id: UserId::new(),
                username,
                name,
                password_hash,
                created_at: Utc::now(),
            })
            .await
    }

    /// Checks a username and password and opens a session.
    ///
    /// Fails with `Unauthorized("invalid_credentials")`, saying no more than that.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session> {
        let found = self.ports.users.find_with_hash(username.trim()).await?;
        let Some((user, hash)) = found else {
            return Err(bad_credentials());
        };
        if !self.ports.hasher.verify(password, &hash).await? {
            return Err(bad_credentials());
        }
        let family = Uuid::now_v7();
        let refresh = self.new_refresh_token(user.id, family).await?;
        self.session(user, family, Some(refresh))
    }

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

    /// Ends the session of `refresh_token` (if it is the caller's), or every session
    /// of the caller when none is given: their refresh tokens stop working, their
    /// access tokens are refused, and the sockets opened with them close (4401).
    pub async fn logout(&self, user: UserId, refresh_token: Option<&str>) -> Result<()> {
        let tokens = &self.ports.refresh_tokens;
        let ended = match refresh_token {
            Some(secret) => {
                let hash = self.ports.tokens.hash_refresh_secret(secret);
                match tokens.find_by_hash(&hash).await? {
                    Some(record) if record.user_id == user => {
                        tokens.revoke_family(record.family_id).await?;
                        Ended::One(record.family_id)
                    }
                    _ => return Ok(()),
                }
            }
            None => {
                tokens.revoke_all(user, None).await?;
                Ended::AllBut(None)
            }
        };
        self.ports.bus.publish(Event::SessionsEnded {
            user_id: user,
            ended,
        });
        Ok(())
    }

    /// Changes the caller's password after checking the current one, and ends every
    /// other session (a password change is what someone does who suspects a leak).
    ///
    /// Fails with `Forbidden("invalid_credentials")` for a wrong current password or
    /// `Invalid` for an unacceptable new one.
    pub async fn change_password(&self, claims: &Claims, current: &str, new: &str) -> Result<()> {
        let new =
            Password::parse(new).map_err(|message| Error::invalid("new_password", message))?;
        let user = self.me(claims.user_id).await?;
        let found = self
            .ports
            .users
            .find_with_hash(user.username.as_str())
            .await?;
        let Some((_, hash)) = found else {
            return Err(user_not_found(claims.user_id));
        };
        if !self.ports.hasher.verify(current, &hash).await? {
            // 403, not 401: the caller is authenticated; a 401 would send clients to
            // renew a token that is fine.
            return Err(Error::forbidden(
                ErrorCode::InvalidCredentials,
                "The current password is incorrect.",
            ));
        }
        let hash = self.ports.hasher.hash(new.expose()).await?;
        self.ports.users.set_password_hash(user.id, hash).await?;
        self.ports
            .refresh_tokens
            .revoke_all(user.id, Some(claims.session))
            .await?;
        self.ports.bus.publish(Event::SessionsEnded {
            user_id: user.id,
            ended: Ended::AllBut(Some(claims.session)),
        });
        Ok(())
    }

    /// Checks an access token, and that its session has not ended.
    ///
    /// Fails with `Unauthorized` for any token that is not valid now.
    pub async fn authenticate(&self, token: &str) -> Result<Claims> {
        let claims = self.ports.tokens.verify_access(token)?;
        let active = self
            .ports
            .refresh_tokens
            .session_active(claims.session, Utc::now())
            .await?;
        if !active {
            return Err(session_ended());
        }
        Ok(claims)
    }

    /// The caller's account.
    ///
    /// Fails with `NotFound("user_not_found")` if it no longer exists.
    pub async fn me(&self, user: UserId) -> Result<User> {
        self.ports
            .users
            .find(user)
            .await?
            .ok_or_else(|| user_not_found(user))
    }

    fn session(&self, user: User, family: Uuid, refresh_token: Option<String>) -> Result<Session> {
        let access = self.ports.tokens.issue_access(&user, family)?;
        Ok(Session {
            user,
            access,
            refresh_token,
        })
    }

    async fn new_refresh_token(&self, user: UserId, family: Uuid) -> Result<String> {
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
