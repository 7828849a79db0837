//! # papo-migration
//!
//! The schema of DESIGN §5, one migration per file, each with a `down`. Table and
//! column names come from a `DeriveIden` enum local to each file, so a migration never
//! changes when the entities do. They run on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_users;
mod m20261121_000002_create_rooms;
mod m20261121_000003_create_memberships;
mod m20261121_000004_create_messages;
mod m20261121_000005_create_refresh_tokens;
mod m20261122_000006_create_write_probe;
mod m20261122_000007_add_lookalike_keys;
mod m20261203_000008_add_replies_and_mentions;
mod m20261203_000009_create_reactions;
mod m20261203_000010_create_bans;
mod m20261203_000011_add_search;
mod m20261204_000012_search_prefix_lengths;

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_users::Migration),
            Box::new(m20261121_000002_create_rooms::Migration),
            Box::new(m20261121_000003_create_memberships::Migration),
            Box::new(m20261121_000004_create_messages::Migration),
            Box::new(m20261121_000005_create_refresh_tokens::Migration),
            Box::new(m20261122_000006_create_write_probe::Migration),
            Box::new(m20261122_000007_add_lookalike_keys::Migration),
            Box::new(m20261203_000008_add_replies_and_mentions::Migration),
            Box::new(m20261203_000009_create_reactions::Migration),
            Box::new(m20261203_000010_create_bans::Migration),
            Box::new(m20261203_000011_add_search::Migration),
            Box::new(m20261204_000012_search_prefix_lengths::Migration),
        ]
    }
}
