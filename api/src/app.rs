//! The server: built once from settings, run until a shutdown signal.

use papo_protocol::CloseCode;
use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use infra::{
    Infra,
    db::{GroupWriter, PoolProbe},
};
use poem::{
    Endpoint, EndpointExt, IntoEndpoint, Route, Server,
    endpoint::BoxEndpoint,
    get,
    http::header,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    middleware::{CatchPanic, Cors, NormalizePath, SetHeader, TrailingSlash},
};
use poem_openapi::OpenApiService;

use crate::{
    client_ip::TrustedProxies,
    connections::{ConnectionLimits, GuardedAcceptor},
    observe::Observe,
    rate::{SignupLimiter, UserBuckets},
    routes,
    settings::Settings,
    throttle::LoginThrottle,
    ws::{Ending, Hub, HubSettings, Realtime},
};

/// A bound, ready-to-run papo server.
pub struct Application {
    acceptor: GuardedAcceptor<TcpAcceptor>,
    port: u16,
    endpoint: BoxEndpoint<'static>,
    hub: Arc<Hub>,
    writer: GroupWriter,
    /// The bus shared with other nodes: told goodbye when stopping.
    cluster: Option<Arc<infra::bus::SharedBus>>,
    /// `/metrics` on its own port (`PAPO_METRICS_BIND`).
    metrics: Option<(TcpAcceptor, BoxEndpoint<'static>)>,
    /// Held while serving a SQLite file: one process per file.
    _node_lock: Option<std::fs::File>,
}

impl Application {
    /// Connects to and migrates the database, wires everything and binds the listener
    /// (port 0 picks a free port, see [`Application::port`]).
    ///
    /// Fails when the database, the JWT secret or the address is unusable.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // Before anything counts: metrics recorded before it would go nowhere.
        crate::metrics::install();
        let node_lock = crate::node_lock::claim(&settings.database.url)?;
        let mut infra = Infra::build(&settings.infra()?).await?;
        let metrics = match settings.server.metrics_bind {
            Some(bind) => {
                let acceptor = TcpListener::bind(bind.to_string())
                    .into_acceptor()
                    .await
                    .with_context(|| format!("binding the metrics address {bind}"))?;
                let probe = PoolProbe::new(infra.db.clone());
                let endpoint = Route::new()
                    .at("/metrics", crate::metrics::endpoint(probe, None))
                    .boxed();
                Some((acceptor, endpoint))
            }
            None => None,
        };
        let bind = settings.server.bind;
        let acceptor = TcpListener::bind(bind.to_string())
            .into_acceptor()
            .await
            .with_context(|| format!("binding {bind}"))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().map(|a| a.port()))
            .context("reading the bound port")?;
        let realtime = &settings.realtime;
        let hub = Hub::new(
            HubSettings {
                queue_capacity: usize::try_from(realtime.ws_queue).unwrap_or(usize::MAX),
                typing_ttl: realtime.typing_ttl(),
                ping_interval: realtime.ping_interval(),
                send_timeout: Duration::from_secs(30),
                sockets_per_user: usize::try_from(realtime.sockets_per_user).unwrap_or(usize::MAX),
                sockets_per_node: usize::try_from(realtime.sockets_per_node).unwrap_or(usize::MAX),
            },
            infra.peers.clone(),
        );
        hub.start(infra.bus.subscribe());
        crate::ws::catchup::start(
            hub.clone(),
            infra.services.clone(),
            infra.remote.take(),
            settings.realtime.bus_check(),
        );
        let writer = infra.writer.clone();
        let cluster = infra.cluster.clone();
        let trusted = Arc::new(
            TrustedProxies::parse(&settings.server.trusted_proxies)
                .map_err(|err| anyhow::anyhow!("PAPO_TRUSTED_PROXIES: {err}"))?,
        );
        let endpoint = endpoint(infra, hub.clone(), &settings, trusted.clone()).boxed();
        // Never shorter than three ping intervals: a healthy socket is pinged more
        // often than that, and must not be taken for an idle one.
        let idle_timeout = Duration::from_secs(settings.server.idle_timeout_secs)
            .max(settings.realtime.ping_interval() * 3);
        Ok(Self {
            acceptor: GuardedAcceptor::new(
                acceptor,
                ConnectionLimits {
                    idle_timeout,
                    per_address: settings.server.connections_per_address,
                    exempt: trusted,
                },
            ),
            port,
            endpoint,
            hub,
            writer,
            cluster,
            metrics,
            _node_lock: node_lock,
        })
    }

    /// The port `/metrics` is served on by itself, when `PAPO_METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        let (acceptor, _) = self.metrics.as_ref()?;
        acceptor
            .local_addr()
            .first()?
            .as_socket_addr()
            .map(|a| a.port())
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The live-connection registry (tests inspect it).
    pub fn hub(&self) -> Arc<Hub> {
        self.hub.clone()
    }

    /// Serves until `shutdown` resolves; then stops accepting, closes every socket
    /// with 1001, lets in-flight requests finish (up to 10 s), commits every post
    /// already handed to the writer, and tells the other nodes it is gone.
    ///
    /// Fails when the listener fails.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let hub = self.hub.clone();
        let signal = async move {
            shutdown.await;
            hub.close_all(Ending::Close(
                CloseCode::GoingAway,
                "The server is shutting down.".into(),
            ));
        };
        let metrics = self.metrics.map(|(acceptor, endpoint)| {
            tokio::spawn(Server::new_with_acceptor(acceptor).run(endpoint))
        });
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.endpoint, signal, Some(Duration::from_secs(10)))
            .await;
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        // poem stops counting a connection once it is upgraded to a WebSocket: wait
        // for the sockets' own tasks to finish their closing handshakes, or the
        // process would exit under them and clients would see a cut connection
        // (1006).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.hub.live_sockets() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.writer.shutdown().await;
        // Last: the notices of the sockets just closed and of the last commit go
        // before it, so the other nodes know at once who left.
        if let Some(cluster) = &self.cluster {
            cluster.leave().await;
        }
        served
    }
}

/// The whole HTTP surface: REST and WebSocket under `/api/v1`, docs, health.
fn endpoint(
    infra: Infra,
    hub: Arc<Hub>,
    settings: &Settings,
    trusted: Arc<TrustedProxies>,
) -> impl Endpoint<Output = poem::Response> + 'static {
    let api = OpenApiService::new(
        (routes::api(), crate::ws::RealtimeApi),
        "papo",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Room-based real-time chat: accounts, rooms, history and messages over REST, \
             live events over WebSocket (protocol: /asyncapi.json). Errors are RFC 9457 \
             problem details. Use Authorize to log in, then try the protected operations.",
    )
    .license(poem_openapi::LicenseObject::new("MIT"));
    let limiter = Arc::new(UserBuckets::new(
        settings.realtime.post_rate,
        settings.realtime.post_burst,
    ));
    let paths = Arc::new(crate::paths::ApiPaths::from_spec(&api.spec()));
    let mut route = crate::docs::add(Route::new(), &api);
    if let Some(token) = &settings.server.metrics_token {
        let probe = PoolProbe::new(infra.db.clone());
        route = route.at(
            "/metrics",
            crate::metrics::endpoint(probe, Some(token.clone())),
        );
    }
    let route = route
        .nest_no_strip("/api/v1", api.into_endpoint())
        .at("/health", get(routes::health_endpoint))
        .at("/asyncapi.json", get(crate::ws::asyncapi::asyncapi))
        .nest("/", crate::web::routes());
    route
        .with(NormalizePath::new(TrailingSlash::Trim))
        .with_if(
            !settings.server.cors_origins.is_empty(),
            Cors::new().allow_origins(settings.server.cors_origins.iter().map(String::as_str)),
        )
        .with(SetHeader::new().overriding(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .with(CatchPanic::new())
        .data(Realtime {
            hub,
            services: infra.services.clone(),
            limiter: limiter.clone(),
            connects: Arc::new(UserBuckets::new(
                settings.realtime.connect_rate,
                settings.realtime.connect_burst,
            )),
            frame_rate: (settings.realtime.frame_rate, settings.realtime.frame_burst),
        })
        .data(limiter)
        .data(Arc::new(SignupLimiter::new(
            settings.server.signups_per_hour,
            Duration::from_secs(3600),
        )))
        .data(infra.services)
        .data(Arc::new(LoginThrottle::new(
            10,
            100,
            Duration::from_secs(300),
        )))
        .catch_all_error(crate::problem::catch_all)
        .around({
            let paths = paths.clone();
            move |inner, request| crate::paths::add_allow_header(inner, request, paths.clone())
        })
        .with(Observe {
            max_body_bytes: settings.server.max_body_bytes,
            paths,
            trusted,
        })
}
