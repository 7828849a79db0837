//! Lookalike keys: `users.username_skeleton` and `rooms.name_skeleton` hold the
//! case-folded Unicode TS #39 confusable skeleton of the name, unique, so `аlice`
//! (Cyrillic а), `ａｌｉｃｅ` or `alıce` cannot register beside `alice`.
//!
//! Existing rows are backfilled here. Should two existing names already share a
//! skeleton, the older keeps it and the newer gets none (NULLs do not collide): this
//! migration must never fail on data it did not create.

use std::collections::HashSet;

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, Statement},
};
use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The key as of this migration (frozen here on purpose; the domain's
/// `text::lookalike_key` computes the same for new names).
fn lookalike_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).collect();
    skeleton(&folded).flat_map(char::to_lowercase).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (Key::Users, Key::UsernameSkeleton),
            (Key::Rooms, Key::NameSkeleton),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        backfill(manager, "users", "username", "username_skeleton", "").await?;
        backfill(
            manager,
            "rooms",
            "name",
            "name_skeleton",
            " WHERE visibility <> 'direct'",
        )
        .await?;
        for (name, table, column) in indexes() {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table.clone()).to_owned())
                .await?;
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The unique indexes this migration adds: (name, table, column).
fn indexes() -> [(&'static str, Key, Key); 2] {
    [
        (
            "idx_users_username_skeleton",
            Key::Users,
            Key::UsernameSkeleton,
        ),
        ("idx_rooms_name_skeleton", Key::Rooms, Key::NameSkeleton),
    ]
}

/// Sets `column` to the key of `source` for every row, oldest first, skipping keys
/// already taken.
async fn backfill(
    manager: &SchemaManager<'_>,
    table: &str,
    source: &str,
    column: &str,
    filter: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, {source} FROM {table}{filter} ORDER BY created_at, id"),
        ))
        .await?;
    let placeholders = match backend {
        sea_orm_migration::sea_orm::DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let mut taken = HashSet::new();
    for row in rows {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", source)?;
        let key = lookalike_key(&name);
        if !taken.insert(key.clone()) {
            continue;
        }
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE {table} SET {column} = {} WHERE id = {}",
                placeholders.0, placeholders.1
            ),
            [key.into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}

#[derive(DeriveIden, Clone)]
enum Key {
    Users,
    UsernameSkeleton,
    Rooms,
    NameSkeleton,
}
