//! Event buses: [`LocalBus`] for one node; [`SharedBus`] for nodes sharing one
//! database, over PostgreSQL `NOTIFY` or NATS; [`notice`] is what nodes tell each
//! other.

mod local;
mod nats;
pub mod notice;
mod pg;
mod shared;

pub use self::{
    local::LocalBus,
    notice::Remote,
    shared::{Link, SharedBus},
};
