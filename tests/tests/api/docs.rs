//! The API documents itself, and demo mode seeds a usable server.
use papo_tests::{spawn_app, spawn_app_with};
use serde_json::json;

/// Every operation of the contract (DESIGN §3, §4), with its operationId.
const OPERATIONS: [(&str, &str, &str); 35] = [
    ("post", "/api/v1/users", "signUp"),
    ("get", "/api/v1/users", "listUsers"),
    ("post", "/api/v1/auth/login", "logIn"),
    ("post", "/api/v1/auth/refresh_token", "refreshToken"),
    ("post", "/api/v1/auth/logout", "logOut"),
    ("get", "/api/v1/users/me", "getMe"),
    ("put", "/api/v1/users/me/password", "changePassword"),
    ("get", "/api/v1/users/online", "listOnlineUsers"),
    ("get", "/api/v1/users/{id}/status", "getUserStatus"),
    ("post", "/api/v1/rooms", "createRoom"),
    ("get", "/api/v1/rooms", "listRooms"),
    ("get", "/api/v1/rooms/{id}", "getRoom"),
    ("patch", "/api/v1/rooms/{id}", "updateRoom"),
    ("delete", "/api/v1/rooms/{id}", "deleteRoom"),
    ("post", "/api/v1/rooms/{id}/join", "joinRoom"),
    ("post", "/api/v1/rooms/{id}/leave", "leaveRoom"),
    ("post", "/api/v1/rooms/{id}/members", "inviteMember"),
    ("get", "/api/v1/rooms/{id}/members", "listMembers"),
    ("post", "/api/v1/dms", "openDirectRoom"),
    ("get", "/api/v1/rooms/{id}/history", "getHistory"),
    ("post", "/api/v1/rooms/{id}/messages", "postMessage"),
    ("patch", "/api/v1/messages/{id}", "editMessage"),
    ("delete", "/api/v1/messages/{id}", "deleteMessage"),
    ("get", "/api/v1/messages/{id}/replies", "listReplies"),
    (
        "put",
        "/api/v1/messages/{id}/reactions/{emoji}",
        "addReaction",
    ),
    (
        "delete",
        "/api/v1/messages/{id}/reactions/{emoji}",
        "removeReaction",
    ),
    (
        "patch",
        "/api/v1/rooms/{id}/members/{user_id}",
        "setMemberRole",
    ),
    (
        "delete",
        "/api/v1/rooms/{id}/members/{user_id}",
        "removeMember",
    ),
    ("put", "/api/v1/rooms/{id}/bans/{user_id}", "banMember"),
    ("delete", "/api/v1/rooms/{id}/bans/{user_id}", "unbanMember"),
    ("get", "/api/v1/rooms/{id}/bans", "listBans"),
    ("get", "/api/v1/search", "searchMessages"),
    ("get", "/api/v1/health", "getHealth"),
    ("get", "/api/v1/chat/{room_id}", "connectRoomSocket"),
    ("get", "/api/v1/ws", "connectSocket"),
];

#[tokio::test]
async fn the_openapi_document_names_every_operation_of_the_contract_once() {
    let app = spawn_app().await;

    let reply = app.get("/openapi.json", None).await;

    reply.assert_status(200);
    assert!(reply.content_type().starts_with("application/json"));
    // Parsed strictly: a key twice (two API structs serving one path) hid sign-up
    // from every JSON parser that keeps the last one.
    let spec = strict_json::parse(&reply.text).unwrap_or_else(|e| panic!("{e}"));
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or("");
            documented.push((method.clone(), path.clone(), id.to_owned()));
        }
    }
    documented.sort();
    let mut expected: Vec<_> = OPERATIONS
        .iter()
        .map(|(m, p, id)| ((*m).to_owned(), (*p).to_owned(), (*id).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);
}

#[tokio::test]
async fn every_optional_field_in_the_openapi_document_may_be_null() {
    // The server sends absent values as null: a schema that does not say so makes
    // validating clients reject real responses.
    let app = spawn_app().await;

    let spec = app.get("/openapi.json", None).await.body;

    let mut not_nullable = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            if !required.contains(&field.as_str()) && property["nullable"] != true {
                not_nullable.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        not_nullable.is_empty(),
        "optional but not nullable: {not_nullable:?}"
    );
}

#[tokio::test]
async fn swaggers_example_post_can_be_executed_twice() {
    // An example temp_id would make the second "Execute" a 409 (same key, and the
    // user edits the content): the example has none.
    let app = spawn_app().await;

    let spec = app.get("/openapi.json", None).await.body;

    let example = &spec["components"]["schemas"]["PostBody"]["example"];
    assert!(example["content"].is_string(), "{example}");
    assert!(example["temp_id"].is_null(), "{example}");
}

/// JSON parsing that refuses a key repeated within one object.
mod strict_json {
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        deserializer.deserialize_any(Strict)
    }

    struct Strict;

    impl<'de> de::DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(Strict)
        }
    }

    impl<'de> Visitor<'de> for Strict {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Strict)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(Strict)?;
                if object.insert(key.clone(), value).is_some() {
                    return Err(de::Error::custom(format!("the key {key:?} appears twice")));
                }
            }
            Ok(Value::Object(object))
        }
    }
}

#[tokio::test]
async fn the_openapi_document_offers_the_oauth2_password_flow_of_login() {
    let app = spawn_app().await;

    let spec = app.get("/openapi.json", None).await.body;

    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    let password_flow = schemes
        .values()
        .find(|s| s["type"] == "oauth2")
        .map(|s| &s["flows"]["password"])
        .unwrap_or_else(|| panic!("no oauth2 scheme in {schemes:?}"));
    assert_eq!(password_flow["tokenUrl"], "/api/v1/auth/login");
    // OpenAPI requires the object, even for a flow with nothing to choose.
    assert!(password_flow["scopes"].is_object(), "{password_flow}");
}

#[tokio::test]
async fn swagger_ui_and_redoc_are_served_as_html() {
    let app = spawn_app().await;

    for (path, viewer) in [("/docs", "swagger"), ("/redoc", "redoc")] {
        let reply = app.get(path, None).await;

        reply.assert_status(200);
        assert!(reply.content_type().starts_with("text/html"), "{path}");
        let page = reply.text.to_lowercase();
        assert!(page.contains(viewer), "{path} does not load {viewer}");
        // Nothing fetched from elsewhere: the docs work offline.
        assert!(
            !page.contains("fonts.googleapis.com"),
            "{path} loads Google Fonts"
        );
    }
}

#[tokio::test]
async fn the_root_serves_the_browser_client_and_its_assets() {
    let app = spawn_app().await;

    let page = app.get("/", None).await;
    let script = app.get("/static/app.js", None).await;
    let socket = app.get("/static/js/socket.js", None).await;
    let style = app.get("/static/style.css", None).await;

    page.assert_status(200);
    assert_eq!(page.headers.get_all("content-type").iter().count(), 1);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("/static/app.js") && page.text.contains("login-form"));
    script.assert_status(200);
    assert!(script.content_type().starts_with("text/javascript"));
    assert!(script.text.contains("./js/"), "modules under /static/js");
    socket.assert_status(200);
    assert!(socket.content_type().starts_with("text/javascript"));
    assert!(
        socket.text.contains("/api/v1/ws"),
        "the client uses the multiplexed socket"
    );
    style.assert_status(200);
    assert!(style.content_type().starts_with("text/css"));
    app.get("/static/missing.js", None)
        .await
        .assert_problem(404, "not_found");
    let icon = app.get("/favicon.ico", None).await;
    icon.assert_status(200);
    assert!(icon.content_type().starts_with("image/svg+xml"));
    // The page is served at `/` only, where its security headers go with it.
    app.get("/static/index.html", None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn demo_mode_seeds_three_users_and_a_general_room() {
    let app = spawn_app_with(|s| s.server.demo = true).await;

    let mut tokens = Vec::new();
    for (username, password) in [
        ("alice", "alice123"),
        ("bob", "bob123"),
        ("carol", "carol123"),
    ] {
        let body = json!({"username": username, "password": password});
        let reply = app.post("/api/v1/auth/login", None, body).await;
        reply.assert_status(200);
        tokens.push(reply.body["access_token"].as_str().unwrap().to_owned());
    }

    let rooms = app.get("/api/v1/rooms", Some(&tokens[1])).await;
    let general = rooms.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "general")
        .cloned();
    assert_eq!(general.unwrap()["visibility"], "public");
}

#[tokio::test]
async fn without_demo_mode_there_are_no_demo_users() {
    let app = spawn_app().await;

    let body = json!({"username": "alice", "password": "alice123"});
    let reply = app.post("/api/v1/auth/login", None, body).await;

    reply.assert_problem(401, "invalid_credentials");
}
