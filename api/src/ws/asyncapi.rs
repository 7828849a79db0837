//! The machine-readable protocol: `docs/asyncapi.json` (AsyncAPI 3), served at
//! `/asyncapi.json`.

use poem::{Response, handler};

/// The document, compiled in so the binary serves what the repository documents.
pub const ASYNCAPI: &str = include_str!("../../../docs/asyncapi.json");

/// `GET /asyncapi.json`
#[handler]
pub fn asyncapi() -> Response {
    Response::builder()
        .content_type("application/json")
        .body(ASYNCAPI)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::ws::frames::{CLIENT_FRAME_TYPES, SERVER_FRAME_TYPES, ServerFrame};

    fn documented(side: &str) -> Vec<String> {
        let doc: Value = serde_json::from_str(ASYNCAPI).unwrap();
        doc["components"]["messages"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(key, _)| key.starts_with(&format!("{side}_")))
            .map(|(_, m)| m["name"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_client_frame_type_is_documented() {
        let documented = documented("client");
        for kind in CLIENT_FRAME_TYPES {
            assert!(
                documented.contains(&kind.to_owned()),
                "client frame {kind} is not in docs/asyncapi.json"
            );
        }
    }

    #[test]
    fn every_server_frame_type_is_documented() {
        let documented = documented("server");
        for frame in ServerFrame::samples() {
            let kind = frame.type_name();
            assert!(
                documented.contains(&kind.to_owned()),
                "server frame {kind} is not in docs/asyncapi.json"
            );
            let json: Value = serde_json::from_str(&frame.to_text()).unwrap();
            assert_eq!(json["type"], kind, "type_name matches the serialized type");
            assert!(SERVER_FRAME_TYPES.contains(&kind));
        }
        assert_eq!(ServerFrame::samples().len(), SERVER_FRAME_TYPES.len());
    }

    #[test]
    fn the_document_is_asyncapi_3() {
        let doc: Value = serde_json::from_str(ASYNCAPI).unwrap();
        assert_eq!(doc["asyncapi"], "3.0.0");
        assert_eq!(doc["channels"]["room"]["address"], "/api/v1/chat/{room_id}");
        assert_eq!(doc["channels"]["all"]["address"], "/api/v1/ws");
    }
}
