//! Reactions (DESIGN §8): one row per user, message and emoji; the key is also the
//! index a message's reactions are read by.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(uuid(Reactions::MessageId))
                    .col(string_len(Reactions::Emoji, 64))
                    .col(uuid(Reactions::UserId))
                    .col(timestamp_with_time_zone(Reactions::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Reactions::MessageId)
                            .col(Reactions::Emoji)
                            .col(Reactions::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reactions_message")
                            .from(Reactions::Table, Reactions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reactions_user")
                            .from(Reactions::Table, Reactions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reactions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    MessageId,
    Emoji,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
