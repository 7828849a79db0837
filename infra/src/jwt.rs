//! Access tokens as HS256 JWTs, and refresh-token secrets.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use domain::{
    Error, ErrorCode, Result, UserId,
    ports::{AccessToken, Claims, TokenService},
    user::User,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The claims papo puts in an access token.
#[derive(Debug, Serialize, Deserialize)]
struct JwtClaims {
    sub: Uuid,
    exp: i64,
    iat: i64,
    jti: Uuid,
    name: String,
    username: String,
    /// The session (refresh-token family).
    sid: Uuid,
}

/// [`TokenService`] with an HMAC secret.
pub struct JwtTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Pinned to HS256: a token naming `none` or any other algorithm is refused
    /// before its signature is even looked at.
    validation: Validation,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl JwtTokens {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    /// Signs a token for `user` in `session`, valid from `now`; tests use it to make
    /// expired ones.
    ///
    /// Fails only if signing fails.
    pub fn issue_at(&self, user: &User, session: Uuid, now: DateTime<Utc>) -> Result<AccessToken> {
        let claims = JwtClaims {
            sid: session,
            sub: user.id.as_uuid(),
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
            jti: Uuid::new_v4(),
            name: user.name.as_str().to_owned(),
            username: user.username.as_str().to_owned(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("jwt encode: {e}")))?;
        Ok(AccessToken {
            token,
            expires_in_secs: self.access_ttl.num_seconds(),
        })
    }
}

impl TokenService for JwtTokens {
    fn issue_access(&self, user: &User, session: Uuid) -> Result<AccessToken> {
        self.issue_at(user, session, Utc::now())
    }

    fn verify_access(&self, token: &str) -> Result<Claims> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            decode::<JwtClaims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => Error::unauthorized(
                        ErrorCode::TokenExpired,
                        "The access token has expired.",
                    ),
                    _ => {
                        Error::unauthorized(ErrorCode::InvalidToken, "The access token is invalid.")
                    }
                }
            })?;
        let claims = data.claims;
        // Issued in the future (beyond the clock-skew leeway): not a token we signed
        // with this clock, or one signed to outlive its stated lifetime.
        if claims.iat > Utc::now().timestamp() + 5 {
            return Err(Error::unauthorized(
                ErrorCode::InvalidToken,
                "The access token is invalid.",
            ));
        }
        Ok(Claims {
            session: claims.sid,
            user_id: UserId::from_uuid(claims.sub),
            username: claims.username,
            name: claims.name,
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_default(),
        })
    }

    fn new_refresh_secret(&self) -> (String, String) {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        let hash = self.hash_refresh_secret(&secret);
        (secret, hash)
    }

    fn hash_refresh_secret(&self, secret: &str) -> String {
        // A fast hash is right here: the secret has 256 bits of entropy, so unlike a
        // password it cannot be guessed from its hash.
        URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
    }

    fn successor_secret(&self, secret: &str) -> String {
        // HMAC-SHA256 with the server's key: unpredictable without the key, and the
        // same for every rotation of the same token (see `Services::refresh`).
        let message = format!("papo-refresh-successor:{secret}");
        jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, Algorithm::HS256)
            .unwrap_or_else(|_| self.new_refresh_secret().0)
    }

    fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }
}

#[cfg(test)]
mod tests {
    use domain::user::{DisplayName, Username};

    use super::*;

    fn tokens() -> JwtTokens {
        JwtTokens::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::minutes(15),
            Duration::days(30),
        )
    }

    fn alice() -> User {
        User {
            id: UserId::new(),
            username: Username::parse("alice").unwrap(),
            name: DisplayName::parse("Alice").unwrap(),
            created_at: Utc::now(),
            last_seen_at: None,
        }
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let (tokens, user) = (tokens(), alice());
        let token = tokens.issue_access(&user, Uuid::new_v4()).unwrap();
        let claims = tokens.verify_access(&token.token).unwrap();
        assert_eq!(claims.user_id, user.id);
        assert_eq!(claims.name, "Alice");
        assert_eq!(token.expires_in_secs, 900);
    }

    #[test]
    fn an_expired_token_is_refused_as_expired() {
        let (tokens, user) = (tokens(), alice());
        let old = tokens
            .issue_at(&user, Uuid::new_v4(), Utc::now() - Duration::hours(1))
            .unwrap();
        let err = tokens.verify_access(&old.token).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TokenExpired);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = JwtTokens::new(
            b"another-secret-another-secret-xx",
            Duration::minutes(15),
            Duration::days(1),
        );
        let token = other.issue_access(&alice(), Uuid::new_v4()).unwrap();
        assert_eq!(
            tokens().verify_access(&token.token).unwrap_err().code(),
            ErrorCode::InvalidToken
        );
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let user = alice();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","exp":{},"iat":0,"jti":"{}","name":"x","username":"x"}}"#,
            user.id,
            Utc::now().timestamp() + 600,
            Uuid::new_v4()
        ));
        let forged = format!("{header}.{body}.");
        assert!(tokens().verify_access(&forged).is_err());
    }

    #[test]
    fn refresh_secrets_are_random_and_hash_consistently() {
        let tokens = tokens();
        let (a, hash_a) = tokens.new_refresh_secret();
        let (b, _) = tokens.new_refresh_secret();
        assert_ne!(a, b);
        assert_eq!(tokens.hash_refresh_secret(&a), hash_a);
        assert_ne!(hash_a, a);
    }
}
