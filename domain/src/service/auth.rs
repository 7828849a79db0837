//! Sign-up, login, token refresh with rotation, logout.

use chrono::Utc;
use uuid::Uuid;

use super::{Services, user_not_found};
use crate::{
    Error, ErrorCode, Result, UserId,
    error::Validation,
    events::Event,
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
        if !self.ports.hasher.verify(password, &hash).await {
            return Err(bad_credentials());
        }
        let refresh = self.new_refresh_token(user.id, Uuid::now_v7()).await?;
        self.session(user, Some(refresh))
    }

    /// Exchanges a refresh token for a new session, rotating it: the presented token
    /// stops working. Presenting a token that was already rotated means it leaked, so
    /// its whole family is revoked.
    ///
    /// Fails with `Unauthorized("invalid_refresh_token")` or
    /// `Unauthorized("refresh_token_reused")`.
    pub async fn refresh(&self, secret: &str) -> Result<Session> {
        let hash = self.ports.tokens.hash_refresh_secret(secret);
        let record = self
            .ports
            .refresh_tokens
            .find_by_hash(&hash)
            .await?
            .ok_or_else(bad_refresh_token)?;
        if record.revoked_at.is_some() {
            if record.replaced_by.is_some() {
                return Err(self.reuse_detected(&record).await?);
            }
            return Err(bad_refresh_token());
        }
        if record.expires_at <= Utc::now() {
            return Err(bad_refresh_token());
        }
        let (secret, new) = self.refresh_record(record.user_id, record.family_id);
        if !self.ports.refresh_tokens.rotate(record.id, new).await? {
            // Another request rotated this token between our read and our write.
            return Err(self.reuse_detected(&record).await?);
        }
        let user = self
            .ports
            .users
            .find(record.user_id)
            .await?
            .ok_or_else(bad_refresh_token)?;
        self.session(user, Some(secret))
    }

    async fn reuse_detected(&self, record: &RefreshTokenRecord) -> Result<Error> {
        self.ports
            .refresh_tokens
            .revoke_family(record.family_id)
            .await?;
        Ok(Error::unauthorized(
            ErrorCode::RefreshTokenReused,
            "This refresh token was already used; every session from the same login has been revoked.",
        ))
    }

    /// A fresh access token for the bearer of a valid one (the older clients' refresh).
    ///
    /// Fails with `NotFound` if the account is gone.
    pub async fn refresh_access(&self, claims: &Claims) -> Result<Session> {
        let user = self.me(claims.user_id).await?;
        self.session(user, None)
    }

    /// Revokes the family of `refresh_token` (if it is the caller's), or every refresh
    /// token of the caller when none is given, and closes the caller's live sockets.
    pub async fn logout(&self, user: UserId, refresh_token: Option<&str>) -> Result<()> {
        let tokens = &self.ports.refresh_tokens;
        match refresh_token {
            Some(secret) => {
                let hash = self.ports.tokens.hash_refresh_secret(secret);
                if let Some(record) = tokens.find_by_hash(&hash).await?
                    && record.user_id == user
                {
                    tokens.revoke_family(record.family_id).await?;
                }
            }
            None => tokens.revoke_all(user).await?,
        }
        self.ports.bus.publish(Event::LoggedOut { user_id: user });
        Ok(())
    }

    /// Checks an access token.
    ///
    /// Fails with `Unauthorized` for any token that is not valid now.
    pub fn authenticate(&self, token: &str) -> Result<Claims> {
        self.ports.tokens.verify_access(token)
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

    fn session(&self, user: User, refresh_token: Option<String>) -> Result<Session> {
        let access = self.ports.tokens.issue_access(&user)?;
        Ok(Session {
            user,
            access,
            refresh_token,
        })
    }

    async fn new_refresh_token(&self, user: UserId, family: Uuid) -> Result<String> {
        let (secret, record) = self.refresh_record(user, family);
        self.ports.refresh_tokens.insert(record).await?;
        Ok(secret)
    }

    fn refresh_record(&self, user: UserId, family: Uuid) -> (String, RefreshTokenRecord) {
        let (secret, token_hash) = self.ports.tokens.new_refresh_secret();
        let record = RefreshTokenRecord {
            id: Uuid::now_v7(),
            user_id: user,
            family_id: family,
            token_hash,
            expires_at: Utc::now() + self.ports.tokens.refresh_ttl(),
            revoked_at: None,
            replaced_by: None,
        };
        (secret, record)
    }
}
