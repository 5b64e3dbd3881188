//! Live reload: after each rebuild, browsers with a page open are told to reload through
//! Server-Sent Events at `/_petitio/livereload`. The client is a file,
//! `/_petitio/livereload.js`, added to pages through `BuildOptions::extra_body_scripts`
//! (no inline script: the site's CSP forbids it).
//!
//! A stream stays open as long as its page, so two limits apply (`limits.rs`): it sends a
//! keep-alive comment often enough that the idle timeout never closes it, and only so
//! many streams may be open at once, so open tabs never take every connection.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use tokio::sync::{broadcast, watch, Semaphore};

use crate::error::too_many_live_reload_streams;
use crate::limits::ConnectionLimits;

/// Where pages load the client from.
pub const SCRIPT_PATH: &str = "/_petitio/livereload.js";

/// The event stream the client listens to.
pub const EVENTS_PATH: &str = "/_petitio/livereload";

/// Name of the event telling the page to reload.
pub const RELOAD_EVENT: &str = "reload";

/// Text of the comment sent while there is nothing to say.
const KEEP_ALIVE_COMMENT: &str = "keep-alive";

const SCRIPT: &str = include_str!("livereload.js");

/// Fans a reload out to every connected browser; streams end when the server stops, so
/// open pages do not hold up a clean shutdown.
#[derive(Debug, Clone)]
pub struct Reloader {
    sender: broadcast::Sender<()>,
    stopping: watch::Receiver<bool>,
    /// One permit per stream that may be open.
    streams: Arc<Semaphore>,
    max_streams: usize,
    keep_alive: Duration,
}

impl Reloader {
    /// `stopping` turns true when the server shuts down.
    pub fn new(stopping: watch::Receiver<bool>, limits: &ConnectionLimits) -> Self {
        let (sender, _) = broadcast::channel(16);
        let max_streams = limits.live_reload_streams();
        Self {
            sender,
            stopping,
            streams: Arc::new(Semaphore::new(max_streams)),
            max_streams,
            keep_alive: limits.keep_alive_interval(),
        }
    }

    /// Tells every connected page to reload.
    pub fn reload(&self) {
        // An error only means no page is open right now.
        let _ = self.sender.send(());
    }

    /// One browser's event stream: a `connected` comment, then a `reload` event per rebuild.
    fn events(&self) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        let greeting = futures::stream::once(async { Ok(Event::default().comment("connected")) });
        let reloads = futures::stream::unfold(self.sender.subscribe(), |mut receiver| async move {
            match receiver.recv().await {
                // Missing some reloads while lagging still means one reload is due.
                Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    let event = Event::default().event(RELOAD_EVENT).data("rebuilt");
                    Some((Ok(event), receiver))
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        });
        let mut stopping = self.stopping.clone();
        let stopped = async move {
            // An error means the server is gone, which also ends the stream.
            let _ = stopping.wait_for(|stopping| *stopping).await;
        };
        greeting.chain(reloads).take_until(stopped)
    }
}

/// `GET /_petitio/livereload`: the stream, or 503 when all the streams allowed are open.
pub async fn events(State(reloader): State<Reloader>) -> Response {
    let Ok(permit) = Arc::clone(&reloader.streams).try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            too_many_live_reload_streams(reloader.max_streams),
        )
            .into_response();
    };
    // The permit goes with the stream, and is returned when the stream is dropped.
    let events = reloader.events().map(move |event| {
        let _open = &permit;
        event
    });
    let keep_alive = KeepAlive::new()
        .interval(reloader.keep_alive)
        .text(KEEP_ALIVE_COMMENT);
    Sse::new(events).keep_alive(keep_alive).into_response()
}

/// `GET /_petitio/livereload.js`.
pub async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}
