//! Every WebSocket frame of DESIGN §4, typed: `papo-protocol`'s, the same the server
//! speaks.

pub use papo_protocol::{
    ClientFrame, CloseCode, ErrorCode, Room, RoomEvent, ServerFrame, SystemEvent, Visibility,
};
