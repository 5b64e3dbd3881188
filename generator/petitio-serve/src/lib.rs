//! `petitio serve`: the built site and the signature API on this machine, with no account
//! and no setup. It serves the output folder exactly as a static host would (directory
//! indexes, `/404.html`, the headers of the generated `_headers` file, so the CSP is
//! exercised locally), answers `/api/*` with the same `petitio_signatures` core production runs,
//! on an embedded database (`RedbStore`), runs the counting job in the background, and
//! rebuilds on every change to the sources, telling open pages to reload.
//!
//! It is meant for this machine, and is safe to expose on a LAN or a small server:
//! timeouts and a connection cap (`limits`, `connections`, `idle`), only its own host
//! names answered (`hosts`, against DNS rebinding), and the rate limit counting the TCP
//! peer unless a proxy header is trusted (`client_address`).
//!
//! Module map: `store` (KV on redb), `local_config` (API variables and the local signing
//! key), `site` (manifest, headers and build error of the current build), `static_files`
//! and `error_page` (the site), `api_bridge` (the API), `tally_job` (counting),
//! `livereload` and `watch` (rebuild and reload), `turnstile`, `connections` (accepting
//! and serving connections), `limits`, `idle`, `hosts`, `client_address`, `terminal`
//! (what is printed), `error` (what can fail).

mod api_bridge;
mod client_address;
mod connections;
mod error;
mod error_page;
mod fill;
mod headers;
mod hosts;
mod idle;
mod incremental;
mod limits;
mod livereload;
mod local_config;
mod mail;
mod site;
mod static_files;
pub mod store;
mod tally_job;
mod terminal;
mod turnstile;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{any, get};
use axum::Router;
use petitio_signatures::ratelimit::RateLimiter;
use petitio_signatures::snapshot::SnapshotCache;
use tokio::net::TcpSocket;
use tokio::sync::watch as signal_channel;

pub use client_address::ClientAddress;
pub use error::{HeadersProblem, ServeError, TurnstileFailure};
pub use headers::HeaderRules;
pub use hosts::AllowedHost;
pub use incremental::Incremental;
pub use limits::{ConnectionLimits, DEFAULT_LIMITS};
pub use store::RedbStore;

use api_bridge::SignatureApi;
use hosts::AllowedHosts;
use limits::LISTEN_QUEUE;
use livereload::Reloader;
use local_config::LocalSettings;
use petitio_render::BuildOptions;
use site::{LiveSite, SiteState};
use static_files::StaticSite;
use watch::{Builder, RebuildTargets, SourceWatcher};

/// Port used when none is given (the CLI's default too).
pub const DEFAULT_PORT: u16 = 8080;

/// How to run the dev server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What to build, and where (`build.out` is the folder served).
    pub build: BuildOptions,
    /// The address to listen on (`0.0.0.0`: every interface).
    pub host: IpAddr,
    /// 0 picks a free port (the URL printed says which).
    pub port: u16,
    /// Signatures and the local signing key.
    pub data_dir: PathBuf,
    /// Host names and addresses answered besides the local ones (`--allowed-host`).
    pub allowed_hosts: Vec<AllowedHost>,
    /// Where the rate limit's client address comes from (`--trust-proxy-header`).
    pub client_address: ClientAddress,
    /// Where confirmation messages go without `smtp`: `<root>/.petitio/outbox`.
    pub outbox_dir: PathBuf,
    /// `--smtp URL`: send confirmation messages to this SMTP server instead.
    pub smtp: Option<String>,
}

impl ServeOptions {
    /// The defaults: 127.0.0.1, port 8080, data in `<root>/.petitio/data`, only the local
    /// host names, the TCP peer as the client's address.
    pub fn new(build: BuildOptions) -> Self {
        let data_dir = build.root.join(".petitio").join("data");
        let outbox_dir = build.root.join(".petitio").join("outbox");
        Self {
            outbox_dir,
            smtp: None,
            build,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            data_dir,
            allowed_hosts: Vec::new(),
            client_address: ClientAddress::Peer,
        }
    }
}

/// Builds the site, then serves it until Ctrl-C (or SIGTERM), rebuilding on changes.
/// A content error, even in the first build, does not stop it: pages show the error
/// until an edit fixes it. Returns once stopped cleanly; an error means the server could
/// not start or failed.
pub fn run(opts: ServeOptions) -> Result<(), ServeError> {
    let ServeOptions {
        mut build,
        host,
        port,
        data_dir,
        allowed_hosts,
        client_address,
        outbox_dir,
        smtp,
    } = opts;
    // Everything that can refuse to start is checked before the (longer) first build.
    let limits = ConnectionLimits::from_env(|name| std::env::var(name).ok())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let (listener, bound) = {
        let _in_runtime = runtime.enter();
        bind(SocketAddr::new(host, port))?
    };
    let origins = local_origins(bound);
    let hosts = AllowedHosts::new(bound.ip(), &allowed_hosts);
    let store = RedbStore::open(&data_dir)?;
    let settings = LocalSettings::load(&data_dir, &origins, |name| std::env::var(name).ok())?;
    let mailer = match &smtp {
        Some(url) => mail::LocalMailer::smtp(url)?,
        None => mail::LocalMailer::outbox(outbox_dir),
    };

    build
        .extra_body_scripts
        .push(livereload::SCRIPT_PATH.to_owned());
    // Local pages publish the key that signs here (see `local_config`).
    if let Some(key) = &settings.log_key {
        terminal::local_log_key(key);
        build.log_key = Some(key.clone());
    }
    let root = build.root.clone();
    let out = build.out.clone();
    let (builder, first_state) = first_build(build)?;
    let site = Arc::new(LiveSite::new(first_state));
    let api = Arc::new(SignatureApi {
        store,
        config: settings.api,
        limiter: RateLimiter::new(),
        snapshots: SnapshotCache::new(),
        turnstile: turnstile::LocalTurnstile,
        mailer,
        site: Arc::clone(&site),
        client_address,
        body_timeout: limits.request_body,
    });
    let (stop, stopping) = signal_channel::channel(false);
    let reloader = Reloader::new(stopping, &limits);
    let watcher = SourceWatcher::start(
        &root,
        builder,
        RebuildTargets {
            out: out.clone(),
            site: Arc::clone(&site),
            reloader: reloader.clone(),
        },
    )?;
    let app = routes(
        Arc::clone(&api),
        reloader,
        StaticSite::new(&root, &out, site, Arc::clone(&api)),
    );

    let served = runtime.block_on(async move {
        let shutdown = shutdown_signal(stop)?;
        tokio::spawn(tally_job::run_every(api, settings.tally_interval));
        terminal::serving(&format!("{}/", origins[0]), &data_dir);
        if bound.ip().is_unspecified() {
            terminal::reachable_from_other_machines(bound.port());
        }
        connections::serve(listener, app, hosts, limits, shutdown).await;
        Ok::<(), ServeError>(())
    });
    runtime.shutdown_background();
    watcher.stop();
    served?;
    terminal::stopped();
    Ok(())
}

/// A listener on `address` with a listen queue of `LISTEN_QUEUE`, and the address it got
/// (port 0 picks one). Must run in the runtime's context.
fn bind(address: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), ServeError> {
    let bind_error = |source| ServeError::Bind {
        addr: address,
        source,
    };
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(bind_error)?;
    // As the standard library's listeners do: a restart may reuse the port at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(bind_error)?;
    socket.bind(address).map_err(bind_error)?;
    let listener = socket.listen(LISTEN_QUEUE).map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;
    Ok((listener, bound))
}

/// The first full build. A content error is served (and retried on the next change);
/// a folder that is not a site, or a disk that refuses, stops `serve`: no edit fixes those.
fn first_build(build: BuildOptions) -> Result<(Builder, SiteState), ServeError> {
    match Incremental::new(build.clone()) {
        Ok((incremental, report)) => {
            terminal::built(&report);
            Ok((
                Builder::Ready(Box::new(incremental)),
                SiteState::load(&build.out)?,
            ))
        }
        Err(
            error @ petitio_render::Error::Site(
                petitio_site::Error::NotASite { .. } | petitio_site::Error::Io { .. },
            ),
        ) => Err(error.into()),
        Err(error) => {
            terminal::first_build_failed(&error);
            let state = SiteState::first_build_failed(&build.out, error.to_string());
            Ok((Builder::Unbuilt(build), state))
        }
    }
}

/// `/api/*` to the signature API, the live-reload endpoints, and everything else to the
/// built site.
fn routes(api: Arc<SignatureApi>, reloader: Reloader, site: StaticSite) -> Router {
    Router::new()
        .route("/api/{*rest}", any(api_bridge::serve).with_state(api))
        .route(
            livereload::EVENTS_PATH,
            get(livereload::events).with_state(reloader),
        )
        .route(livereload::SCRIPT_PATH, get(livereload::script))
        .fallback(static_files::serve)
        .with_state(site)
}

/// The origins a browser may use to reach a server bound to `bound`, the one to print
/// first.
fn local_origins(bound: SocketAddr) -> Vec<String> {
    let port = bound.port();
    let shown = match bound.ip() {
        ip if ip.is_unspecified() => format!("127.0.0.1:{port}"),
        ip => SocketAddr::new(ip, port).to_string(),
    };
    let mut origins = vec![format!("http://{shown}")];
    for local in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        if !origins.contains(&local) {
            origins.push(local);
        }
    }
    origins
}

/// Resolves on Ctrl-C or SIGTERM, after telling open event streams to end (they would
/// otherwise hold the graceful shutdown open forever).
fn shutdown_signal(
    stop: signal_channel::Sender<bool>,
) -> Result<impl std::future::Future<Output = ()>, ServeError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(ServeError::Signals)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(ServeError::Signals)?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            // No receiver left only means no page is open.
            let _ = stop.send(true);
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            let _ = stop.send(true);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_server_accepts_both_local_names() {
        assert_eq!(
            local_origins("127.0.0.1:8080".parse().unwrap()),
            ["http://127.0.0.1:8080", "http://localhost:8080"]
        );
    }

    #[test]
    fn a_server_on_every_interface_is_shown_on_loopback() {
        assert_eq!(
            local_origins("0.0.0.0:9000".parse().unwrap()),
            ["http://127.0.0.1:9000", "http://localhost:9000"]
        );
    }

    #[test]
    fn an_ipv6_address_is_bracketed() {
        assert_eq!(
            local_origins("[::1]:8080".parse().unwrap()),
            [
                "http://[::1]:8080",
                "http://127.0.0.1:8080",
                "http://localhost:8080"
            ]
        );
    }
}
