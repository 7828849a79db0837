//! WebSocket close codes (RFC 6455 §7.4 and papo's 4xxx range).

/// Why papo closed a socket. Clients act on the code: 4008 and 1001 mean "resume with
/// `since`", 4401 and 1008 "log in again", 4403 and 4404 "stop following the room".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 1000: the client said goodbye, or the socket simply ended.
    Normal,
    /// 1001: the server is shutting down; reconnect (to another node) and resume.
    GoingAway,
    /// 1002: the client broke the WebSocket protocol itself.
    ProtocolError,
    /// 1007: a text frame that is not UTF-8.
    InvalidPayload,
    /// 1008: a missing, invalid or expired access token.
    PolicyViolation,
    /// 1009: a frame over the size limit.
    TooBig,
    /// 1011: the server could not do what the socket needed; try again.
    InternalError,
    /// 4008: the client read too slowly; resume with `since` from the seqs given.
    SlowConsumer,
    /// 4400: a malformed query (e.g. `since`).
    BadRequest,
    /// 4401: the user logged out; the session is over.
    LoggedOut,
    /// 4403: not (or no longer) allowed in the room.
    Forbidden,
    /// 4404: no such room, or it was deleted.
    NotFound,
    /// 4429: the user has too many sockets open (on this node).
    TooManySockets,
}

impl CloseCode {
    /// Every code, for documents and tests.
    pub const ALL: [Self; 13] = [
        Self::Normal,
        Self::GoingAway,
        Self::ProtocolError,
        Self::InvalidPayload,
        Self::PolicyViolation,
        Self::TooBig,
        Self::InternalError,
        Self::SlowConsumer,
        Self::BadRequest,
        Self::LoggedOut,
        Self::Forbidden,
        Self::NotFound,
        Self::TooManySockets,
    ];

    /// The number on the wire.
    pub const fn as_u16(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
            Self::ProtocolError => 1002,
            Self::InvalidPayload => 1007,
            Self::PolicyViolation => 1008,
            Self::TooBig => 1009,
            Self::InternalError => 1011,
            Self::SlowConsumer => 4008,
            Self::BadRequest => 4400,
            Self::LoggedOut => 4401,
            Self::Forbidden => 4403,
            Self::NotFound => 4404,
            Self::TooManySockets => 4429,
        }
    }

    /// The code for a number on the wire, if papo sends it.
    pub fn from_u16(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_u16() == code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.as_u16()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_number() {
        for code in CloseCode::ALL {
            assert_eq!(CloseCode::from_u16(code.as_u16()), Some(code));
        }
        assert_eq!(CloseCode::from_u16(1234), None);
    }
}
