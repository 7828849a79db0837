use papo_tests::spawn_app;

#[tokio::test]
async fn health_reports_the_database_as_ok() {
    let app = spawn_app().await;
    let reply = app.get("/health", None).await;
    reply.assert_status(200);
    assert_eq!(reply.body["database"], "ok");
    let reply = app.get("/api/v1/health", None).await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "ok");
}

#[tokio::test]
async fn a_user_can_sign_up_create_a_room_and_post() {
    let app = spawn_app().await;
    let (alice, room) = app.signup_with_room("alice", "general", "public").await;
    let message = app.post_message(&alice, &room, "hello").await;
    assert_eq!(message["seq"], 1);
    let history = app
        .get(&format!("/api/v1/rooms/{room}/history"), Some(&alice.token))
        .await;
    history.assert_status(200);
    assert_eq!(history.body["messages"][0]["content"], "hello");
}
