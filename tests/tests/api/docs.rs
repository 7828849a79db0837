//! The API documents itself, and demo mode seeds a usable server.
use papo_tests::{spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;

    let reply = app.get("/openapi.json", None).await;

    reply.assert_status(200);
    assert!(reply.content_type().starts_with("application/json"));
    let spec = &reply.body;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh_token",
        "/api/v1/rooms",
        "/api/v1/rooms/{id}",
        "/api/v1/rooms/{id}/history",
        "/api/v1/rooms/{id}/messages",
        "/api/v1/dms",
        "/api/v1/messages/{id}",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} is not documented"
        );
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
    }
}

#[tokio::test]
async fn the_root_serves_the_browser_client_and_its_assets() {
    let app = spawn_app().await;

    let page = app.get("/", None).await;
    let script = app.get("/static/app.js", None).await;
    let style = app.get("/static/style.css", None).await;

    page.assert_status(200);
    assert_eq!(page.headers.get_all("content-type").iter().count(), 1);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("/static/app.js") && page.text.contains("login-form"));
    script.assert_status(200);
    assert!(script.content_type().starts_with("text/javascript"));
    assert!(
        script.text.contains("/api/v1/ws"),
        "the client uses the multiplexed socket"
    );
    style.assert_status(200);
    assert!(style.content_type().starts_with("text/css"));
    app.get("/static/missing.js", None)
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
