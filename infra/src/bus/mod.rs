//! Event buses: [`LocalBus`] for one node, [`PgBus`] for nodes sharing one
//! PostgreSQL database; [`notice`] is what nodes tell each other.

mod local;
pub mod notice;
mod pg;

pub use self::{
    local::LocalBus,
    notice::Remote,
    pg::{CHANNEL, PgBus},
};
