//! Sign-up, login, logout, a password change, and checking access tokens. Refresh
//! tokens and their rotation are in `refresh`.

use chrono::Utc;
use uuid::Uuid;

use super::{Services, user_not_found};
use crate::{
    Error, ErrorCode, Result, UserId,
    error::Validation,
    events::{Ended, Event},
    ports::{AccessToken, Claims},
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

fn session_ended() -> Error {
    Error::unauthorized(
        ErrorCode::SessionEnded,
        "This session has ended (logged out, or its refresh token leaked); log in again.",
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

    pub(super) fn session(
        &self,
        user: User,
        family: Uuid,
        refresh_token: Option<String>,
    ) -> Result<Session> {
        let access = self.ports.tokens.issue_access(&user, family)?;
        Ok(Session {
            user,
            access,
            refresh_token,
        })
    }
}
