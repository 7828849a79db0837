//! Prometheus metrics (DESIGN §9), through the `metrics` facade: the code that counts
//! (the hub, the writer in `infra`, the HTTP middleware) calls `metrics::counter!` and
//! friends; this module installs the Prometheus recorder once per process and renders
//! `GET /metrics`, served on `PAPO_METRICS_BIND` or, behind `PAPO_METRICS_TOKEN`, on
//! the public port; with neither, nowhere.
//!
//! Names are prefixed `papo_`, in base units, counters end in `_total`; no label
//! carries a room or a user.

use std::sync::OnceLock;

use infra::db::PoolProbe;
use metrics::Unit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use poem::{
    Endpoint, EndpointExt, IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    web::Data,
};

use crate::settings::Secret;

/// Durations: from a tenth of a millisecond (a cached read) to ten seconds (a
/// database timeout).
const SECONDS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 10.0,
];
/// Group-commit batch sizes, up to `PAPO_GROUP_COMMIT_MAX`'s default.
const BATCH: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder (once per process: every server built in it shares it).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full("papo_commit_batch_size".into()), &BATCH)
            })
            // Fails only for an empty bucket list; summaries would still be exported.
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(
        "papo_sockets_open",
        Unit::Count,
        "WebSockets open on this node."
    );
    describe_counter!(
        "papo_posts_total",
        Unit::Count,
        "Messages stored (committed)."
    );
    describe_counter!(
        "papo_deliveries_total",
        Unit::Count,
        "Message frames queued to sockets (one per recipient)."
    );
    describe_counter!(
        "papo_frames_dropped_total",
        Unit::Count,
        "Typing, presence and read frames dropped for a full socket queue."
    );
    describe_counter!(
        "papo_consumers_cut_total",
        Unit::Count,
        "Sockets closed 4008 for not keeping up."
    );
    describe_histogram!(
        "papo_commit_batch_size",
        Unit::Count,
        "Messages per group-commit transaction."
    );
    describe_histogram!(
        "papo_commit_duration_seconds",
        Unit::Seconds,
        "Time to store one group-commit batch, commit included."
    );
    describe_counter!(
        "papo_commit_failures_total",
        Unit::Count,
        "Group-commit transactions that failed."
    );
    describe_histogram!(
        "papo_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP requests by method, route template and status."
    );
    describe_gauge!(
        "papo_db_pool_connections",
        Unit::Count,
        "Database connections open."
    );
    describe_gauge!(
        "papo_db_pool_in_use",
        Unit::Count,
        "Database connections lent out."
    );
}

/// `GET /metrics`: the Prometheus text format. With a token, only for
/// `Authorization: Bearer <token>`.
pub fn endpoint(pool: PoolProbe, token: Option<Secret>) -> impl Endpoint<Output = Response> {
    render.data(pool).around(move |inner, request: Request| {
        let token = token.clone();
        async move {
            if let Some(token) = &token
                && !bearer_matches(&request, token.expose())
            {
                return Ok(StatusCode::UNAUTHORIZED
                    .with_header(header::WWW_AUTHENTICATE, "Bearer")
                    .into_response());
            }
            inner.call(request).await.map(IntoResponse::into_response)
        }
    })
}

#[handler]
fn render(pool: Data<&PoolProbe>) -> Response {
    if let Some(usage) = pool.usage() {
        let idle = u32::try_from(usage.idle).unwrap_or(u32::MAX);
        metrics::gauge!("papo_db_pool_connections").set(f64::from(usage.open));
        metrics::gauge!("papo_db_pool_in_use").set(f64::from(usage.open.saturating_sub(idle)));
    }
    let handle = install();
    handle.run_upkeep();
    handle
        .render()
        .with_content_type("text/plain; version=0.0.4; charset=utf-8")
        .into_response()
}

/// Compares in time independent of where the first difference is.
fn bearer_matches(request: &Request, token: &str) -> bool {
    let Some(given) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}
