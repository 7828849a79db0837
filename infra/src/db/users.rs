//! Accounts in SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Error, ErrorCode, Result, UserId,
    ports::UserRepository,
    user::{DisplayName, NewUser, User, Username},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use super::{DbResultExt, entity::user};

/// [`UserRepository`] on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlUsers {
    db: DatabaseConnection,
}

impl SqlUsers {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

pub(crate) fn to_user(model: user::Model) -> User {
    User {
        id: UserId::from_uuid(model.id),
        username: Username::from_trusted(model.username),
        name: DisplayName::from_trusted(model.name),
        created_at: model.created_at,
        last_seen_at: model.last_seen_at,
    }
}

/// `%query%` with LIKE's wildcards in `query` taken literally.
pub(crate) fn contains_pattern(query: &str) -> LikeExpr {
    let escaped = query
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

#[async_trait]
impl UserRepository for SqlUsers {
    async fn create(&self, new: NewUser) -> Result<User> {
        let model = user::ActiveModel {
            id: Set(new.id.as_uuid()),
            username: Set(new.username.as_str().to_owned()),
            username_key: Set(new.username.key()),
            username_skeleton: Set(Some(new.username.lookalike_key())),
            name: Set(new.name.as_str().to_owned()),
            password_hash: Set(new.password_hash),
            created_at: Set(new.created_at),
            last_seen_at: Set(None),
        };
        user::Entity::insert(model)
            .exec_without_returning(&self.db)
            .await
            .on_unique(|| {
                Error::conflict(
                    ErrorCode::UsernameTaken,
                    format!("The username {} is already taken.", new.username.as_str()),
                )
            })?;
        Ok(User {
            id: new.id,
            username: new.username,
            name: new.name,
            created_at: new.created_at,
            last_seen_at: None,
        })
    }

    async fn find(&self, id: UserId) -> Result<Option<User>> {
        let found = user::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await
            .or_db()?;
        Ok(found.map(to_user))
    }

    async fn find_with_hash(&self, username: &str) -> Result<Option<(User, String)>> {
        let found = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(username.to_lowercase()))
            .one(&self.db)
            .await
            .or_db()?;
        Ok(found.map(|m| {
            let hash = m.password_hash.clone();
            (to_user(m), hash)
        }))
    }

    async fn search(
        &self,
        query: Option<&str>,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<User>> {
        let mut select = user::Entity::find();
        if let Some(query) = query {
            let name = Expr::expr(Func::lower(Expr::col(user::Column::Name)));
            select = select.filter(
                user::Column::UsernameKey
                    .like(contains_pattern(query))
                    .or(name.like(contains_pattern(query))),
            );
        }
        if let Some(after) = after {
            select = select.filter(user::Column::UsernameKey.gt(after));
        }
        let models = select
            .order_by_asc(user::Column::UsernameKey)
            .limit(limit)
            .all(&self.db)
            .await
            .or_db()?;
        Ok(models.into_iter().map(to_user).collect())
    }

    async fn find_many(&self, ids: &[UserId]) -> Result<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let models = user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().map(UserId::as_uuid)))
            .all(&self.db)
            .await
            .or_db()?;
        Ok(models.into_iter().map(to_user).collect())
    }

    async fn set_last_seen(&self, id: UserId, at: DateTime<Utc>) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::LastSeenAt, Expr::value(at))
            .filter(user::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(())
    }

    async fn set_password_hash(&self, id: UserId, hash: String) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Id.eq(id.as_uuid()))
            .exec(&self.db)
            .await
            .or_db()?;
        Ok(())
    }
}
