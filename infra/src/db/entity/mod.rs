//! SeaORM entities: the tables as `infra` reads and writes them. Relations are not
//! declared: repositories load related rows in one extra batched query instead of
//! joins through the ORM, which keeps every query visible where it is issued.

pub mod ban;
pub mod membership;
pub mod mention;
pub mod message;
pub mod reaction;
pub mod refresh_token;
pub mod room;
pub mod user;
