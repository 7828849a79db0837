//! Stored rows into domain messages: authors, the messages replies answer, who
//! deleted what, mentions, and reactions as one reader sees them. A fixed number of
//! queries for a page, whatever its size (no N+1).

use std::collections::HashMap;

use domain::{
    Error, MessageId, Result, RoomId, UserId,
    message::{Message, Reaction, ReplyRef},
    user::UserSummary,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Alias, Expr, ExprTrait, Func, Query},
};
use uuid::Uuid;

use crate::db::{
    DbResultExt,
    entity::{message, reaction, user},
    users::to_user,
};

/// Whether to read reactions, and for whom `me` is true.
#[derive(Debug, Clone, Copy)]
pub enum Reactions {
    /// Not read (fan-out of new messages: they have none yet).
    Skip,
    /// Read, with `me` for this reader (none: `me` is false throughout).
    For(Option<UserId>),
}

/// The messages of `models`, in their order.
///
/// Fails when the database does, or a row names an author that does not exist.
pub async fn messages<C: ConnectionTrait>(
    db: &C,
    models: Vec<message::Model>,
    reactions: Reactions,
) -> Result<Vec<Message>> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let parent_ids: Vec<Uuid> = models.iter().filter_map(|m| m.reply_to_id).collect();
    let parents: HashMap<Uuid, message::Model> = if parent_ids.is_empty() {
        HashMap::new()
    } else {
        message::Entity::find()
            .filter(message::Column::Id.is_in(parent_ids))
            .all(db)
            .await
            .or_db()?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    let mut people: Vec<Uuid> = models
        .iter()
        .flat_map(|m| [Some(m.user_id), m.deleted_by])
        .chain(parents.values().map(|p| Some(p.user_id)))
        .flatten()
        .collect();
    people.sort_unstable();
    people.dedup();
    let users: HashMap<Uuid, UserSummary> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(db)
        .await
        .or_db()?
        .into_iter()
        .map(|u| (u.id, to_user(u).summary()))
        .collect();
    let mut reacted = match reactions {
        Reactions::Skip => HashMap::new(),
        Reactions::For(reader) => {
            let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
            counts(db, &ids, reader).await?
        }
    };
    models
        .into_iter()
        .map(|m| {
            let reply_to = m
                .reply_to_id
                .and_then(|id| parents.get(&id))
                .map(|parent| {
                    let author = author(&users, parent)?;
                    Ok(ReplyRef::of(&plain(parent.clone(), author)))
                })
                .transpose()?;
            let reactions = reacted.remove(&m.id).unwrap_or_default();
            let deleted_by = m.deleted_by.and_then(|id| users.get(&id).cloned());
            let author = author(&users, &m)?;
            let mut message = plain(m, author);
            message.reply_to = reply_to;
            message.reactions = reactions;
            message.deleted_by = deleted_by;
            Ok(message)
        })
        .collect()
}

fn author(users: &HashMap<Uuid, UserSummary>, m: &message::Model) -> Result<UserSummary> {
    users
        .get(&m.user_id)
        .cloned()
        .ok_or_else(|| Error::Internal(format!("message {} has no author", m.id)))
}

/// A row as a message, without what other rows add (the answered message, reactions,
/// who deleted it).
pub(crate) fn plain(model: message::Model, author: UserSummary) -> Message {
    let mentions = model
        .mentions
        .as_deref()
        .and_then(|json| serde_json::from_str::<Vec<Uuid>>(json).ok())
        .unwrap_or_default()
        .into_iter()
        .map(UserId::from_uuid)
        .collect();
    Message {
        id: MessageId::from_uuid(model.id),
        room_id: RoomId::from_uuid(model.room_id),
        seq: model.seq,
        author,
        content: model.content,
        temp_id: model.temp_id,
        created_at: model.created_at,
        edited_at: model.edited_at,
        deleted_at: model.deleted_at,
        reply_to: None,
        reply_count: model.reply_count,
        thread_position: model.reply_position,
        mentions,
        reactions: Vec::new(),
        deleted_by: None,
    }
}

/// Each message's reactions, emoji by emoji in the order they first came, counted
/// in one grouped query.
async fn counts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    reader: Option<UserId>,
) -> Result<HashMap<Uuid, Vec<Reaction>>> {
    // A reader nobody is (the nil id) when there is none: `me` is then false.
    let reader = reader.map_or(Uuid::nil(), |r| r.as_uuid());
    let mine = Expr::case(Expr::col(reaction::Column::UserId).eq(reader), 1).finally(0);
    let query = Query::select()
        .column(reaction::Column::MessageId)
        .column(reaction::Column::Emoji)
        .expr_as(Expr::col(reaction::Column::UserId).count(), Alias::new("n"))
        .expr_as(Func::sum(mine), Alias::new("mine"))
        .expr_as(
            Func::min(Expr::col(reaction::Column::CreatedAt)),
            Alias::new("first"),
        )
        .from(reaction::Entity)
        .and_where(Expr::col(reaction::Column::MessageId).is_in(ids.iter().copied()))
        .group_by_col(reaction::Column::MessageId)
        .group_by_col(reaction::Column::Emoji)
        .order_by(Alias::new("first"), sea_orm::sea_query::Order::Asc)
        .to_owned();
    let mut out: HashMap<Uuid, Vec<Reaction>> = HashMap::new();
    for row in db.query_all(&query).await.or_db()? {
        let message: Uuid = row.try_get("", "message_id").or_db()?;
        let n: i64 = row.try_get("", "n").or_db()?;
        let mine: i64 = row.try_get("", "mine").or_db()?;
        out.entry(message).or_default().push(Reaction {
            emoji: row.try_get("", "emoji").or_db()?,
            count: u64::try_from(n).unwrap_or(0),
            me: mine > 0,
        });
    }
    Ok(out)
}
