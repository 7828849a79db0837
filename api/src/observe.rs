//! The outermost middleware: a request id, one access-log line and one duration
//! sample (`papo_http_request_duration_seconds`, by method, route template and status) per
//! request, and the request-body size limit.
//!
//! poem's own `Tracing` middleware logs the full URI; WebSocket clients put their
//! access token in the query string, so this one logs the path only.

use papo_protocol::ErrorCode;
use std::{sync::Arc, time::Instant};

use poem::{
    Body, Endpoint, IntoResponse, Middleware, Request, Response, Result, error::ReadBodyError,
    http::HeaderValue,
};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    client_ip::{ClientAddress, TrustedProxies},
    paths::ApiPaths,
    problem::{Problem, too_large},
    throttle::peer_address,
};

const REQUEST_ID: &str = "x-request-id";

/// See the module docs.
pub struct Observe {
    pub max_body_bytes: usize,
    pub paths: Arc<ApiPaths>,
    pub trusted: Arc<TrustedProxies>,
}

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ObserveEndpoint {
            inner,
            max_body_bytes: self.max_body_bytes,
            paths: self.paths.clone(),
            trusted: self.trusted.clone(),
        }
    }
}

pub struct ObserveEndpoint<E> {
    inner: E,
    max_body_bytes: usize,
    paths: Arc<ApiPaths>,
    trusted: Arc<TrustedProxies>,
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let request_id = incoming_id(&req).unwrap_or_else(|| Uuid::new_v4().to_string());
        let route = self.paths.route(req.uri().path()).to_owned();
        let method = req.method().to_string();
        let client = self.trusted.client_of(peer_address(&req), req.headers());
        req.extensions_mut().insert(ClientAddress(client));
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            client = %client,
            method = %req.method(),
            path = %req.uri().path(),
        );
        async move {
            let started = Instant::now();
            let mut response = match limit_body(&mut req, self.max_body_bytes).await {
                // Errors are already problems (`catch_all_error` inside this layer).
                Ok(()) => match self.inner.call(req).await {
                    Ok(output) => output.into_response(),
                    Err(err) => err.into_response(),
                },
                Err(problem) => poem::error::ResponseError::as_response(&problem),
            };
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            let status = response.status().as_u16();
            let elapsed = started.elapsed();
            metrics::histogram!(
                "papo_http_request_duration_seconds",
                "method" => method,
                "route" => route,
                "status" => status.to_string(),
            )
            .record(elapsed.as_secs_f64());
            let micros = elapsed.as_micros();
            if status >= 500 {
                tracing::error!(status, micros, "request failed");
            } else {
                tracing::info!(status, micros, "request");
            }
            Ok(response)
        }
        .instrument(span)
        .await
    }
}

/// A caller-supplied id is kept when it is short and printable, so ids can be traced
/// across services without letting clients inject log lines.
fn incoming_id(req: &Request) -> Option<String> {
    let id = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    ok.then(|| id.to_owned())
}

/// Reads the body up to `max` bytes (a declared or actual larger body is a 413) and
/// puts it back for the handler.
async fn limit_body(req: &mut Request, max: usize) -> std::result::Result<(), Problem> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    if declared == Some(0) || (declared.is_none() && !has_streamed_body(req)) {
        return Ok(());
    }
    match req.take_body().into_bytes_limit(max).await {
        Ok(bytes) => {
            req.set_body(Body::from_bytes(bytes));
            Ok(())
        }
        Err(ReadBodyError::PayloadTooLarge) => Err(too_large()),
        Err(err) => Err(Problem::new(
            poem::http::StatusCode::BAD_REQUEST,
            ErrorCode::UnreadableBody,
            format!("The request body could not be read: {err}."),
        )),
    }
}

fn has_streamed_body(req: &Request) -> bool {
    req.headers()
        .get(poem::http::header::TRANSFER_ENCODING)
        .is_some()
}
