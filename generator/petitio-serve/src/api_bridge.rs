//! `/api/*`: converts axum requests into the signature API's plain `ApiRequest`, runs
//! `petitio_signatures::api::handle` on the local `RedbStore`, and converts the answer back.
//! Production's Worker does the same conversion for the Workers runtime, so the API is
//! exercised locally exactly as deployed. Two things are the dev server's own: the
//! client's address comes from `ClientAddress` (the peer, unless a proxy header is
//! trusted), and the whole body must arrive within `body_timeout`, else 408.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::CONNECTION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use petitio_signatures::api::{self, handle, ApiContext};
use petitio_signatures::config::ApiConfig;
use petitio_signatures::error::ApiError;
use petitio_signatures::http::{ApiRequest, ApiResponse};
use petitio_signatures::ratelimit::RateLimiter;
use petitio_signatures::snapshot::SnapshotCache;
use petitio_signatures::validate::MAX_BODY_BYTES;

use crate::client_address::ClientAddress;
use crate::error::{body_too_slow, invalid_api_response};
use crate::mail::LocalMailer;
use crate::site::LiveSite;
use crate::store::RedbStore;
use crate::turnstile::LocalTurnstile;

/// The body is read up to one byte past the API's limit: enough for the API to refuse
/// it with its own (translated) message, without reading an arbitrarily large body.
const BODY_READ_LIMIT: usize = MAX_BODY_BYTES + 1;

/// Everything the signature API needs, shared by all requests.
#[derive(Debug)]
pub struct SignatureApi {
    pub store: RedbStore,
    pub config: ApiConfig,
    pub limiter: RateLimiter,
    pub snapshots: SnapshotCache,
    pub turnstile: LocalTurnstile,
    /// The outbox, or the SMTP server of `--smtp`.
    pub mailer: LocalMailer,
    pub site: Arc<LiveSite>,
    /// Where the rate limit's client address comes from.
    pub client_address: ClientAddress,
    /// How long the whole body may take to arrive.
    pub body_timeout: Duration,
}

/// Any request under `/api/`.
pub async fn serve(
    State(api): State<Arc<SignatureApi>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let Some(request) = to_api_request(&api, request, peer).await else {
        return body_too_slow_response(api.body_timeout);
    };
    let site = api.site.current();
    let Some(manifest) = &site.manifest else {
        return from_api_response(api::unavailable(&ApiError::SiteNotBuilt, &request));
    };
    let context = ApiContext {
        store: &api.store,
        config: &api.config,
        manifest,
        limiter: &api.limiter,
        snapshots: &api.snapshots,
        turnstile: &api.turnstile,
        mailer: &api.mailer,
        now_ms: unix_millis_now(),
        receipt_secret: match fresh_secret() {
            Some(secret) => secret,
            None => {
                let error = ApiError::StorageUnavailable;
                return from_api_response(api::unavailable(&error, &request));
            }
        },
    };
    from_api_response(handle(&context, request).await)
}

/// The request as the API takes it; `None` when its body does not arrive in time.
async fn to_api_request(
    api: &SignatureApi,
    request: Request,
    peer: SocketAddr,
) -> Option<ApiRequest> {
    let (parts, body) = request.into_parts();
    let body = tokio::time::timeout(api.body_timeout, read_body(body, BODY_READ_LIMIT))
        .await
        .ok()?;
    let client_ip = api.client_address.of(&parts.headers, peer.ip());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Some(ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        client_ip: Some(client_ip.to_string()),
    })
}

/// At most `limit` bytes of the body. A body cut short by a broken connection is passed
/// on as it is: the API finds it malformed and says so.
pub(crate) async fn read_body(body: Body, limit: usize) -> Vec<u8> {
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    while read.len() < limit {
        match chunks.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(_)) | None => break,
        }
    }
    read.truncate(limit);
    read
}

/// 408, closing the connection: what is left of the body will not be read.
pub(crate) fn body_too_slow_response(limit: Duration) -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        [(CONNECTION, "close")],
        body_too_slow(limit),
    )
        .into_response()
}

pub(crate) fn from_api_response(answer: ApiResponse) -> Response {
    let mut builder = Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Body::from(answer.body))
        .unwrap_or_else(|error| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                invalid_api_response(&error),
            )
                .into_response()
        })
}

pub(super) fn unix_millis_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// 32 bytes of the OS's randomness for a receipt; `None` if it has none to give (the
/// request is then answered 503, as when storage fails: nothing is recorded).
fn fresh_secret() -> Option<[u8; 32]> {
    let mut secret = [0; 32];
    getrandom::fill(&mut secret).ok()?;
    Some(secret)
}
