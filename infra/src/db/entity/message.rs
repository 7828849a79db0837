use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub room_id: Uuid,
    pub seq: i64,
    pub user_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub temp_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub reply_to_id: Option<Uuid>,
    pub reply_position: Option<i64>,
    pub reply_count: i64,
    /// A JSON array of the mentioned users' ids.
    #[sea_orm(column_type = "Text", nullable)]
    pub mentions: Option<String>,
    pub deleted_by: Option<Uuid>,
    /// The words search finds the message by (`domain::search::indexed`).
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
