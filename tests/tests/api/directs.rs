//! Direct rooms name the other member, so a client titles them with a person's name.
use papo_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_direct_room_names_the_other_member_for_each_of_them() {
    let app = spawn_app().await;
    let alice = app.signup("alice").await;
    let bob = app.signup("bob").await;
    let lobby = app.create_room(&alice, "lobby", "public").await;

    let opened = app
        .post(
            "/api/v1/dms",
            Some(&alice.token),
            json!({"user_id": bob.id}),
        )
        .await;
    opened.assert_status(201);
    let dm = opened.body["id"].as_str().unwrap().to_owned();
    let got = app
        .get(&format!("/api/v1/rooms/{dm}"), Some(&bob.token))
        .await;
    let listed = app.listed_room(&bob, &dm).await.unwrap();
    let again = app
        .post(
            "/api/v1/dms",
            Some(&bob.token),
            json!({"user_id": alice.id}),
        )
        .await;
    let public = app.listed_room(&bob, &lobby).await.unwrap();

    assert_eq!(opened.body["peer"]["username"], "bob", "{}", opened.body);
    assert_eq!(opened.body["peer"]["name"], "Bob");
    got.assert_status(200);
    assert_eq!(got.body["peer"]["id"], alice.id.as_str(), "{}", got.body);
    assert_eq!(listed["peer"]["username"], "alice", "{listed}");
    again.assert_status(200);
    assert_eq!(again.body["peer"]["username"], "alice", "{}", again.body);
    assert!(public["peer"].is_null(), "{public}");
    assert_eq!(public["joined"], false, "bob is not in lobby");
    assert_eq!(listed["joined"], true);
}
