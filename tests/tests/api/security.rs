//! What a browser on another site can do: frame the client, read the API, or post a
//! form to it.

use papo_tests::{PASSWORD, spawn_app, spawn_app_with};
use reqwest::Method;

#[tokio::test]
async fn the_web_client_is_served_with_a_content_security_policy_and_never_framed() {
    let app = spawn_app().await;

    let page = app.get("/", None).await;
    let api = app.get("/health", None).await;

    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(api.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn cross_origin_reads_are_refused_unless_the_origin_is_configured() {
    let closed = spawn_app().await;
    let open =
        spawn_app_with(|s| s.server.cors_origins = vec!["https://chat.example".into()]).await;
    let preflight = |app: &papo_tests::TestApp, origin: &str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/v1/rooms"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
    };

    let evil = closed
        .send(preflight(&closed, "https://evil.example"))
        .await;
    let friend = open.send(preflight(&open, "https://chat.example")).await;
    let stranger = open.send(preflight(&open, "https://evil.example")).await;

    assert!(
        !evil.headers.contains_key("access-control-allow-origin"),
        "{:?}",
        evil.headers
    );
    assert_eq!(
        friend.headers["access-control-allow-origin"],
        "https://chat.example"
    );
    assert!(!stranger.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_but_a_missing_content_type_is_not() {
    let app = spawn_app().await;
    let body = |name: &str| {
        format!(r#"{{"name":"N","username":"{name}","password":"{PASSWORD}"}}"#).into_bytes()
    };

    let plain = app
        .post_raw("/api/v1/users", None, "text/plain", body("plain"))
        .await;
    let form = app
        .post_raw(
            "/api/v1/users",
            None,
            "application/x-www-form-urlencoded",
            body("form"),
        )
        .await;
    let bare = app
        .send(app.client.post(app.url("/api/v1/users")).body(body("bare")))
        .await;
    let charset = app
        .post_raw(
            "/api/v1/users",
            None,
            "application/json; charset=utf-8",
            body("utf8"),
        )
        .await;

    plain.assert_problem(415, "unsupported_media_type");
    form.assert_problem(415, "unsupported_media_type");
    bare.assert_status(201);
    charset.assert_status(201);
}
