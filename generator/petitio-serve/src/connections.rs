//! Accepting and serving connections within the limits of `limits.rs`. `axum::serve`
//! has no read timeouts and no connection cap, so the server drives hyper's HTTP/1
//! connections itself:
//!
//! * a connection is served only while one of `max_connections` slots is free. When none
//!   is and a client is waiting, the connections that have had a request and on which
//!   nothing has moved for `QUIET_BEFORE_CLOSING` are asked to close, again every
//!   `QUIET_BEFORE_CLOSING` until a slot is free: one kept alive between requests closes
//!   at once, one with an answer under way after it. (Clients keep connections open after
//!   an answer; without this, they would hold every slot until the head timeout.) A
//!   connection that has not had a request yet is left to the head timeout: under load
//!   its request may be on its way, and closing it would fail that request (measured:
//!   tens of resets among 1,500 concurrent signers). The waiting client is served as
//!   soon as a slot is free; clients after it wait, unaccepted, in the listen queue;
//! * hyper's header timer closes a connection whose request head has not arrived in
//!   time; the API bounds the body (`api_bridge`); `idle` drops a connection on which
//!   nothing moves;
//! * every request is checked against the allowed hosts (`hosts`) before the router
//!   sees it, and carries its peer's address (`ConnectInfo`) for the API;
//! * on shutdown, the listener closes, idle connections close at once, answers in
//!   progress get `SHUTDOWN_GRACE` to finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower_service::Service;

use crate::hosts::AllowedHosts;
use crate::idle::{Activity, Tracked};
use crate::limits::{ConnectionLimits, QUIET_BEFORE_CLOSING, SHUTDOWN_GRACE};
use crate::terminal;

/// Wait before accepting again after the system refused (too many open files, say).
const ACCEPT_RETRY: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `shutdown` completes, then closes connections
/// gracefully (at most `SHUTDOWN_GRACE`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    hosts: AllowedHosts,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let server = Server {
        slots: Arc::new(Semaphore::new(limits.max_connections)),
        close: watch::channel(CloseRequest::None).0,
        hosts: Arc::new(hosts),
        app,
        http: http_builder(&limits),
        limits,
    };
    tokio::pin!(shutdown);
    loop {
        let (socket, peer, slot) = tokio::select! {
            () = &mut shutdown => break,
            accepted = server.next_connection(&listener) => accepted,
        };
        server.spawn(socket, peer, slot);
    }
    drop(listener);
    server.close.send_replace(CloseRequest::All);
    let every_slot = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    // Past the grace period, what is left is dropped with the runtime.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, server.slots.acquire_many(every_slot)).await;
}

/// hyper's HTTP/1 server with the request head timeout.
fn http_builder(limits: &ConnectionLimits) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.request_head);
    http
}

/// Which connections should close once idle. Every connection sees every request, even
/// one equal to the last (a watch channel counts each send as a change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CloseRequest {
    None,
    /// Every slot is taken and a client waits: those that have had a request and have
    /// been quiet for `QUIET_BEFORE_CLOSING`.
    Quiet,
    /// The server stops: all of them.
    All,
}

/// What every connection shares.
struct Server {
    /// One permit per connection being served.
    slots: Arc<Semaphore>,
    close: watch::Sender<CloseRequest>,
    hosts: Arc<AllowedHosts>,
    app: Router,
    http: http1::Builder,
    limits: ConnectionLimits,
}

impl Server {
    /// The next connection, with the slot it is served in.
    async fn next_connection(
        &self,
        listener: &TcpListener,
    ) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
        let (socket, peer) = accept(listener).await;
        loop {
            if let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() {
                return (socket, peer, slot);
            }
            self.close.send_replace(CloseRequest::Quiet);
            let slot = Arc::clone(&self.slots).acquire_owned();
            if let Ok(slot) = tokio::time::timeout(QUIET_BEFORE_CLOSING, slot).await {
                let slot = slot.expect("the connection slots are never closed");
                return (socket, peer, slot);
            }
        }
    }

    /// Serves one connection on a task of its own, which returns the slot when done.
    fn spawn(&self, socket: TcpStream, peer: SocketAddr, slot: OwnedSemaphorePermit) {
        // The socket is already gone (reset by the client): nothing to serve.
        let Ok(local) = socket.local_addr() else {
            return;
        };
        let activity = Activity::new();
        let io = TokioIo::new(Tracked::new(socket, activity.clone()));
        let app = self.app.clone();
        let hosts = Arc::clone(&self.hosts);
        let had_request = Arc::new(AtomicBool::new(false));
        let requested = Arc::clone(&had_request);
        let service = service_fn(move |mut request: Request<Incoming>| {
            requested.store(true, Ordering::Relaxed);
            let refusal = hosts.refusal(&request, local.ip());
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move {
                match refusal {
                    Some(refused) => Ok::<_, Infallible>(refused),
                    None => app.call(request).await,
                }
            }
        });
        let connection = self.http.serve_connection(io, service);
        let mut close = self.close.subscribe();
        let idle_limit = self.limits.idle;
        tokio::spawn(async move {
            tokio::pin!(connection);
            let idle = activity.idle_for(idle_limit);
            tokio::pin!(idle);
            let mut closing = false;
            loop {
                tokio::select! {
                    // A connection's errors (a timeout, a client gone) concern that
                    // client only.
                    _ = connection.as_mut() => break,
                    () = &mut idle => break,
                    Ok(()) = close.changed(), if !closing => {
                        closing = match *close.borrow_and_update() {
                            CloseRequest::None => false,
                            CloseRequest::Quiet => {
                                had_request.load(Ordering::Relaxed)
                                    && activity.quiet_for(QUIET_BEFORE_CLOSING)
                            }
                            CloseRequest::All => true,
                        };
                        if closing {
                            connection.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            drop(slot);
        });
    }
}

/// The next connection the system hands over.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            // One client's connection failed before it was accepted: take the next.
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                terminal::accept_failed(&error, ACCEPT_RETRY);
                tokio::time::sleep(ACCEPT_RETRY).await;
            }
        }
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}
