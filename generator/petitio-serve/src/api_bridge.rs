//! `/api/*`: converts axum requests into the signature API's plain `ApiRequest`, runs
//! `petitio_signatures::api::handle` on the local `RedbStore`, and converts the answer back.
//! Production's Worker does the same conversion for the Workers runtime, so the API is
//! exercised locally exactly as deployed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
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

use crate::error::invalid_api_response;
use crate::site::LiveSite;
use crate::store::RedbStore;
use crate::turnstile::LocalTurnstile;

/// The body is read up to one byte past the API's limit: enough for the API to refuse
/// it with its own (translated) message, without reading an arbitrarily large body.
const BODY_READ_LIMIT: usize = MAX_BODY_BYTES + 1;

/// Header a CDN in front of the server sets to the visitor's address.
const CLIENT_IP_HEADER: &str = "cf-connecting-ip";

/// Everything the signature API needs, shared by all requests.
#[derive(Debug)]
pub struct SignatureApi {
    pub store: RedbStore,
    pub config: ApiConfig,
    pub limiter: RateLimiter,
    pub snapshots: SnapshotCache,
    pub turnstile: LocalTurnstile,
    pub site: Arc<LiveSite>,
}

/// Any request under `/api/`.
pub async fn serve(
    State(api): State<Arc<SignatureApi>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let site = api.site.current();
    let Some(manifest) = &site.manifest else {
        let accept_language = request
            .headers()
            .get("accept-language")
            .and_then(|value| value.to_str().ok());
        return from_api_response(api::unavailable(&ApiError::SiteNotBuilt, accept_language));
    };
    let request = to_api_request(request, peer).await;
    let context = ApiContext {
        store: &api.store,
        config: &api.config,
        manifest,
        limiter: &api.limiter,
        snapshots: &api.snapshots,
        turnstile: &api.turnstile,
        now_ms: unix_millis_now(),
    };
    from_api_response(handle(&context, request).await)
}

async fn to_api_request(request: Request, peer: SocketAddr) -> ApiRequest {
    let (parts, body) = request.into_parts();
    let body = read_body(body).await;
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
    let client_ip = headers
        .iter()
        .find(|(name, _)| name == CLIENT_IP_HEADER)
        .map(|(_, address)| address.clone())
        .unwrap_or_else(|| peer.ip().to_string());
    ApiRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        client_ip: Some(client_ip),
    }
}

/// At most `BODY_READ_LIMIT` bytes of the body. A body cut short by a broken connection
/// is passed on as it is: the API finds it malformed and says so.
async fn read_body(body: Body) -> Vec<u8> {
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    while read.len() < BODY_READ_LIMIT {
        match chunks.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(_)) | None => break,
        }
    }
    read.truncate(BODY_READ_LIMIT);
    read
}

fn from_api_response(answer: ApiResponse) -> Response {
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
