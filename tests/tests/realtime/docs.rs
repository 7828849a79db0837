//! The protocol is documented where clients look for it.

use papo_tests::spawn_app;

#[tokio::test]
async fn the_asyncapi_document_is_served() {
    let app = spawn_app().await;
    let reply = app.get("/asyncapi.json", None).await;
    reply.assert_status(200);
    assert_eq!(reply.headers.get_all("content-type").iter().count(), 1);
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(reply.body["asyncapi"], "3.0.0");
    assert!(reply.body["components"]["messages"]["server_ack"].is_object());
}

#[tokio::test]
async fn both_socket_routes_appear_in_the_openapi_document() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json", None).await;
    assert!(
        spec.body["paths"]["/api/v1/chat/{room_id}"]["get"].is_object(),
        "{}",
        spec.text
    );
    assert!(spec.body["paths"]["/api/v1/ws"]["get"].is_object());
}

#[tokio::test]
async fn a_plain_http_get_on_a_socket_route_is_a_problem_not_a_crash() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let reply = app.get("/api/v1/ws", Some(&alice.token)).await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert!(
        reply.content_type().starts_with("application/problem+json"),
        "{}",
        reply.text
    );
}
