//! Refresh tokens in SQL (hashes only).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Result, UserId,
    ports::{RefreshTokenRecord, RefreshTokenRepository},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{DbResultExt, entity::refresh_token};

/// [`RefreshTokenRepository`] on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlRefreshTokens {
    db: DatabaseConnection,
}

impl SqlRefreshTokens {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_record(m: refresh_token::Model) -> RefreshTokenRecord {
    RefreshTokenRecord {
        id: m.id,
        user_id: UserId::from_uuid(m.user_id),
        family_id: m.family_id,
        token_hash: m.token_hash,
        expires_at: m.expires_at,
        revoked_at: m.revoked_at,
        replaced_by: m.replaced_by,
    }
}

fn to_active(record: RefreshTokenRecord) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        id: Set(record.id),
        user_id: Set(record.user_id.as_uuid()),
        family_id: Set(record.family_id),
        token_hash: Set(record.token_hash),
        expires_at: Set(record.expires_at),
        revoked_at: Set(record.revoked_at),
        replaced_by: Set(record.replaced_by),
    }
}

#[async_trait]
impl RefreshTokenRepository for SqlRefreshTokens {
    async fn insert(&self, record: RefreshTokenRecord) -> Result<()> {
        refresh_token::Entity::insert(to_active(record))
            .exec_without_returning(&self.db)
            .await
            .or_db()?;
        Ok(())
    }

    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<RefreshTokenRecord>> {
        let found = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await
            .or_db()?;
        Ok(found.map(to_record))
    }

    async fn find(&self, id: Uuid) -> Result<Option<RefreshTokenRecord>> {
        let found = refresh_token::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .or_db()?;
        Ok(found.map(to_record))
    }

    async fn rotate(&self, old: Uuid, new: RefreshTokenRecord) -> Result<bool> {
        let tx = self.db.begin().await.or_db()?;
        // The `revoked_at IS NULL` guard makes the rotation a compare-and-swap: of two
        // concurrent refreshes with the same token, exactly one updates a row.
        let updated = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .col_expr(refresh_token::Column::ReplacedBy, Expr::value(new.id))
            .filter(refresh_token::Column::Id.eq(old))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&tx)
            .await
            .or_db()?;
        if updated.rows_affected != 1 {
            return Ok(false);
        }
        refresh_token::Entity::insert(to_active(new))
            .exec_without_returning(&tx)
            .await
            .or_db()?;
        tx.commit().await.or_db()?;
        Ok(true)
    }

    async fn revoke_family(&self, family_id: Uuid) -> Result<()> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(())
    }

    async fn revoke_all(&self, user_id: UserId, keep: Option<Uuid>) -> Result<()> {
        let mut update = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::UserId.eq(user_id.as_uuid()))
            .filter(refresh_token::Column::RevokedAt.is_null());
        if let Some(family) = keep {
            update = update.filter(refresh_token::Column::FamilyId.ne(family));
        }
        update.exec(&self.db).await.or_db()?;
        Ok(())
    }

    async fn session_active(&self, family_id: Uuid, now: DateTime<Utc>) -> Result<bool> {
        let live = refresh_token::Entity::find()
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .filter(refresh_token::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await
            .or_db()?;
        Ok(live.is_some())
    }
}
