//! Bans (DESIGN §8): who may not come back into a room, why, and who said so.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Bans::Table)
                    .col(uuid(Bans::RoomId))
                    .col(uuid(Bans::UserId))
                    .col(text_null(Bans::Reason))
                    .col(uuid_null(Bans::BannedBy))
                    .col(timestamp_with_time_zone(Bans::CreatedAt))
                    .primary_key(Index::create().col(Bans::RoomId).col(Bans::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bans_room")
                            .from(Bans::Table, Bans::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bans_user")
                            .from(Bans::Table, Bans::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bans_banned_by")
                            .from(Bans::Table, Bans::BannedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Bans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Bans {
    Table,
    RoomId,
    UserId,
    Reason,
    BannedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
