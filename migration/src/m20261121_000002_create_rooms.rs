//! Rooms. `name_key` (lower-cased name) is unique among public and private rooms;
//! direct rooms have none and are unique by `dm_key` (the two user ids, sorted), which
//! makes "get or create the direct room" a single conflict-safe insert. `last_seq` is
//! the room's message counter, bumped in the inserting transaction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rooms::Table)
                    .col(uuid(Rooms::Id).primary_key())
                    .col(string(Rooms::Name))
                    .col(string_null(Rooms::NameKey).unique_key())
                    .col(string_null(Rooms::DmKey).unique_key())
                    .col(text_null(Rooms::Description))
                    .col(uuid(Rooms::CreatorId))
                    .col(string(Rooms::Visibility))
                    .col(big_integer(Rooms::LastSeq).default(0))
                    .col(timestamp_with_time_zone(Rooms::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rooms_creator")
                            .from(Rooms::Table, Rooms::CreatorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Rooms::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
    Name,
    NameKey,
    DmKey,
    Description,
    CreatorId,
    Visibility,
    LastSeq,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
