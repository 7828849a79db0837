//! The JSON shapes of the REST contract (DESIGN §3), one module per resource, beside
//! `routes/`; request bodies live with their handlers.

mod messages;
mod rooms;
mod users;

pub use messages::{HistoryOut, MessageOut, RepliesOut, SearchOut, SearchResultOut};
pub use rooms::{BanList, MemberList, MemberOut, RoleIn, RoomList, RoomOut, VisibilityIn};
pub use users::{UserList, UserOut, UserStatusOut};
