//! Replies, mentions and who deleted a message (DESIGN §8).
//!
//! `messages` gains `reply_to_id` (the message answered, same room), `reply_position`
//! (how many replies that message had once this one was stored), `reply_count`,
//! `mentions` (a JSON array of the user ids mentioned, as the message object shows
//! them) and `deleted_by`. `mentions` rows (one per mentioned user) count unread
//! mentions per room with an index on `(user_id, room_id, seq)`.
//!
//! No foreign keys on the new columns of `messages`: SQLite cannot add them to an
//! existing table. A reply and its parent live in the same room and go together when
//! it is deleted; `deleted_by` names whoever it was, and is left dangling only if that
//! account is deleted, which papo never does.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut reply_count = big_integer(Messages::ReplyCount);
        reply_count.default(0);
        for mut column in [
            uuid_null(Messages::ReplyToId),
            big_integer_null(Messages::ReplyPosition),
            reply_count,
            text_null(Messages::Mentions),
            uuid_null(Messages::DeletedBy),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_reply_to_seq")
                    .table(Messages::Table)
                    .col(Messages::ReplyToId)
                    .col(Messages::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Mentions::Table)
                    .col(uuid(Mentions::MessageId))
                    .col(uuid(Mentions::UserId))
                    .col(uuid(Mentions::RoomId))
                    .col(big_integer(Mentions::Seq))
                    .primary_key(
                        Index::create()
                            .col(Mentions::MessageId)
                            .col(Mentions::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentions_message")
                            .from(Mentions::Table, Mentions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentions_user")
                            .from(Mentions::Table, Mentions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentions_user_room_seq")
                    .table(Mentions::Table)
                    .col(Mentions::UserId)
                    .col(Mentions::RoomId)
                    .col(Mentions::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mentions::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_messages_reply_to_seq")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Messages::ReplyToId,
            Messages::ReplyPosition,
            Messages::ReplyCount,
            Messages::Mentions,
            Messages::DeletedBy,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    Seq,
    ReplyToId,
    ReplyPosition,
    ReplyCount,
    Mentions,
    DeletedBy,
}

#[derive(DeriveIden)]
enum Mentions {
    Table,
    MessageId,
    UserId,
    RoomId,
    Seq,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
