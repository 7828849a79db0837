//! One row that `/health` rewrites when the writer has just failed to commit, to learn
//! whether the database takes writes again (a full disk refuses even this).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WriteProbe::Table)
                    .col(small_integer(WriteProbe::Id).primary_key())
                    .col(big_integer(WriteProbe::Writes))
                    .to_owned(),
            )
            .await?;
        let first = Query::insert()
            .into_table(WriteProbe::Table)
            .columns([WriteProbe::Id, WriteProbe::Writes])
            .values([1.into(), 0.into()])
            .map_err(|err| DbErr::Migration(err.to_string()))?
            .to_owned();
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WriteProbe::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WriteProbe {
    Table,
    Id,
    Writes,
}
