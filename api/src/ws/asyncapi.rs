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
    use crate::ws::frames::{self, ClientFrame, ServerFrame};

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
    fn every_client_frame_type_is_documented_and_nothing_else() {
        let mut documented = documented("client");
        let mut types = ClientFrame::types().to_vec();
        documented.sort();
        types.sort();
        assert_eq!(documented, types, "docs/asyncapi.json's client frames");
    }

    #[test]
    fn every_server_frame_type_is_documented_and_nothing_else() {
        let mut documented = documented("server");
        let mut types = ServerFrame::types().to_vec();
        documented.sort();
        types.sort();
        assert_eq!(documented, types, "docs/asyncapi.json's server frames");
    }

    #[test]
    fn a_sample_of_every_server_frame_serializes_with_its_type() {
        let mut seen: Vec<String> = frames::samples()
            .iter()
            .map(|frame| {
                let json: Value = serde_json::from_str(&frames::to_text(frame)).unwrap();
                assert_eq!(json["type"], frame.type_name());
                frame.type_name().to_owned()
            })
            .collect();
        seen.sort();
        seen.dedup();
        let mut types = ServerFrame::types().to_vec();
        types.sort();
        assert_eq!(seen, types);
    }

    #[test]
    fn the_document_is_asyncapi_3() {
        let doc: Value = serde_json::from_str(ASYNCAPI).unwrap();
        assert_eq!(doc["asyncapi"], "3.0.0");
        assert_eq!(doc["channels"]["room"]["address"], "/api/v1/chat/{room_id}");
        assert_eq!(doc["channels"]["all"]["address"], "/api/v1/ws");
    }
}
