//! The HTTP API over plain `ApiRequest`/`ApiResponse` values: routing, CORS, and the one
//! place an `ApiError` becomes a status and a body. The handlers live in submodules:
//! `sign` (POST a signature), `confirm` (POST a confirmation message's token),
//! `withdraw` (POST a request for a withdrawal message), `mailing` (sending those
//! messages, at most one per signer and interval), `counts` (the published counts),
//! `origin` (CORS and the CSRF check), `negotiate` (Accept and Accept-Language),
//! `redirect` (the no-JS answers).
//!
//! Routes:
//! * `POST /api/petitions/{slug}/signatures`
//! * `POST /api/petitions/{slug}/confirmations`
//! * `POST /api/petitions/{slug}/withdrawals`
//! * `GET|HEAD /api/petitions/{slug}/count`
//! * `GET|HEAD /api/counts`
//! * `OPTIONS` on each of them (CORS preflight).

mod checks;
mod confirm;
mod counts;
mod mailing;
mod negotiate;
mod origin;
pub use origin::OriginPolicy;
mod redirect;
mod sign;
mod withdraw;

use serde::Serialize;

use crate::config::ApiConfig;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use crate::mailer::Mailer;
use crate::messages::{message, Lang};
use crate::ratelimit::RateLimiter;
use crate::snapshot::{Published, SnapshotCache};
use crate::store::{KvStore, StoreError};
use crate::turnstile::TurnstileVerifier;
use crate::validate::{read_body, BodyFormat, RawSignRequest};
use petitio_model::manifest::{Manifest, ManifestPetition};
use petitio_model::urls::ApiRoute;

/// Everything a request needs; built per request by the adapter.
pub struct ApiContext<'a, S: KvStore, V: TurnstileVerifier, M: Mailer> {
    pub store: &'a S,
    pub config: &'a ApiConfig,
    pub manifest: &'a Manifest,
    pub limiter: &'a RateLimiter,
    /// The published counts as this isolate last read them.
    pub snapshots: &'a SnapshotCache,
    pub turnstile: &'a V,
    /// Sends confirmation and withdrawal messages (`SIGNATURE_CONFIRMATION=email`).
    pub mailer: &'a M,
    /// The request's arrival time, unix milliseconds.
    pub now_ms: u64,
    /// 32 fresh bytes from the adapter's cryptographic random source (the worker's
    /// `crypto.getRandomValues`, the OS's natively): the receipt secret of a signature this
    /// request issues or records (a request issues at most one). Never stored.
    pub receipt_secret: [u8; 32],
}

impl<S: KvStore, V: TurnstileVerifier, M: Mailer> ApiContext<'_, S, V, M> {
    /// The published counts: this isolate's last read while it is at most
    /// `COUNTS_CACHE_SECONDS` old, else a fresh one.
    pub async fn published(&self) -> Result<std::sync::Arc<Published>, StoreError> {
        let max_age_ms = self.config.counts_cache_seconds.saturating_mul(1000);
        self.snapshots
            .read(self.store, self.now_ms, max_age_ms)
            .await
    }
}

/// Answers one request under `/api/`. Never fails: every problem is an error response.
pub async fn handle<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: ApiRequest,
) -> ApiResponse {
    // Read once, before anything is checked, so that every message can follow its `lang`
    // (`negotiate`); a signature's problems with it are reported in the flow's order.
    let body = read_sign_body(&req);
    let lang = negotiate::message_language(
        body.as_ref().ok(),
        req.header("accept-language"),
        &ctx.manifest.languages,
        &ctx.manifest.default_language,
    );
    let cors_origin = origin::cors_origin(ctx.config, &req);
    let mut response = match ApiRoute::parse(&req.path) {
        None => error_response(&ApiError::RouteNotFound, lang),
        Some(route) if req.method == "OPTIONS" => match &cors_origin {
            Some(_) => preflight(route),
            None => error_response(&ApiError::ForbiddenOrigin, lang),
        },
        Some(route) if !allows(route, &req.method) => error_response(
            &ApiError::MethodNotAllowed {
                allow: allowed_methods(route),
            },
            lang,
        ),
        Some(ApiRoute::Counts) => counts::all(ctx, lang).await,
        Some(ApiRoute::PetitionCount(slug)) => counts::one(ctx, slug, lang).await,
        Some(ApiRoute::Signatures(slug)) => sign::handle(ctx, &req, slug, body, lang).await,
        Some(ApiRoute::Confirmations(slug)) => confirm::handle(ctx, &req, slug, body, lang).await,
        Some(ApiRoute::Withdrawals(slug)) => withdraw::handle(ctx, &req, slug, body, lang).await,
    };
    if req.method == "HEAD" {
        response.body.clear();
    }
    origin::add_cors_headers(&mut response, cors_origin);
    response
}

/// The answer when the API cannot run at all, before a manifest says which languages the
/// site has (the worker misconfigured or without its site, `petitio serve` before a first
/// build): `error`, a 503, from the one error mapping, so the client retries, in the
/// language negotiated among those messages exist in (English when nothing says: without
/// a manifest the site's default is unknown).
pub fn unavailable(error: &ApiError, req: &ApiRequest) -> ApiResponse {
    let body = read_sign_body(req);
    let lang = negotiate::message_language(
        body.as_ref().ok(),
        req.header("accept-language"),
        &Lang::CODES,
        Lang::En.code(),
    );
    error_response(error, lang)
}

/// The request's body read as a sign request (`validate::read_body`).
fn read_sign_body(req: &ApiRequest) -> Result<RawSignRequest, ApiError> {
    read_body(
        req.header("content-type"),
        req.header("content-length"),
        &req.body,
    )
}

fn allowed_methods(route: ApiRoute<'_>) -> &'static str {
    match route {
        ApiRoute::Counts | ApiRoute::PetitionCount(_) => "GET, HEAD, OPTIONS",
        ApiRoute::Signatures(_) | ApiRoute::Confirmations(_) | ApiRoute::Withdrawals(_) => {
            "POST, OPTIONS"
        }
    }
}

fn allows(route: ApiRoute<'_>, method: &str) -> bool {
    allowed_methods(route)
        .split(", ")
        .any(|allowed| allowed == method)
}

fn preflight(route: ApiRoute<'_>) -> ApiResponse {
    ApiResponse {
        status: 204,
        headers: vec![
            (
                "Access-Control-Allow-Methods".into(),
                allowed_methods(route).into(),
            ),
            ("Access-Control-Allow-Headers".into(), "Content-Type".into()),
            ("Access-Control-Max-Age".into(), "86400".into()),
        ],
        body: Vec::new(),
    }
}

/// A request naming a petition: found (with where to send a no-JS answer), or answered
/// already (404, or the no-JS redirect to the home page saying so).
enum PetitionRequest<'m, 'c> {
    Found(&'m ManifestPetition, Option<redirect::RedirectTarget<'c>>),
    Answered(ApiResponse),
}

/// The petition `slug` names, and whether the answer is a redirect (`negotiate`).
fn petition_request<'m, S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'m, S, V, M>,
    req: &ApiRequest,
    slug: &str,
    lang: &str,
) -> PetitionRequest<'m, 'm> {
    let body_is_form = BodyFormat::from_content_type(req.header("content-type"))
        .is_ok_and(|format| format == BodyFormat::Form);
    let redirect = negotiate::wants_redirect(req.header("accept"), body_is_form)
        .then(|| redirect::RedirectTarget::for_request(ctx.config, ctx.manifest, req));
    match find_petition(ctx.manifest, slug) {
        Some(petition) => PetitionRequest::Found(petition, redirect),
        None => PetitionRequest::Answered(match redirect {
            Some(target) => target.petition_not_found(lang),
            None => error_response(&ApiError::PetitionNotFound, lang),
        }),
    }
}

fn find_petition<'m>(manifest: &'m Manifest, slug: &str) -> Option<&'m ManifestPetition> {
    manifest
        .petitions
        .iter()
        .find(|petition| petition.slug == slug)
}

/// How long a response may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caching {
    NoStore,
    /// Counts: `public, max-age=30`.
    Public30,
}

pub(crate) fn json_response(status: u16, body: &impl Serialize, caching: Caching) -> ApiResponse {
    let body = serde_json::to_vec(body).expect("response bodies always serialise");
    json_bytes_response(status, body, caching)
}

/// A response whose body is already JSON.
fn json_bytes_response(status: u16, body: Vec<u8>, caching: Caching) -> ApiResponse {
    let cache_control = match caching {
        Caching::NoStore => "no-store",
        Caching::Public30 => "public, max-age=30",
    };
    ApiResponse {
        status,
        headers: vec![
            (
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ),
            ("Cache-Control".into(), cache_control.into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ],
        body,
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    field: Option<&'a str>,
}

/// The one mapping of an error to a response:
/// `{"error":{"code":"...","message":"...","field":"..."|null}}` with its status, plus
/// `Retry-After` for 429 and 503 and `Allow` for 405. `lang` is a site language code.
pub fn error_response(error: &ApiError, lang: &str) -> ApiResponse {
    let body = ErrorBody {
        error: ErrorDetail {
            code: error.code(),
            message: message(error, Lang::for_code(lang)),
            field: error.field().map(|field| field.as_str()),
        },
    };
    let mut response = json_response(error.status(), &body, Caching::NoStore);
    match error {
        ApiError::RateLimited {
            retry_after_seconds,
        }
        | ApiError::MailRateLimited {
            retry_after_seconds,
        } => response
            .headers
            .push(("Retry-After".into(), retry_after_seconds.to_string())),
        ApiError::StorageUnavailable
        | ApiError::ChallengeUnavailable
        | ApiError::SiteNotBuilt
        | ApiError::MailUnavailable => response
            .headers
            .push(("Retry-After".into(), RETRY_AFTER_UNAVAILABLE_SECONDS.into())),
        ApiError::MethodNotAllowed { allow } => {
            response.headers.push(("Allow".into(), (*allow).into()))
        }
        _ => {}
    }
    response
}

/// Suggested wait after a storage or Turnstile outage.
const RETRY_AFTER_UNAVAILABLE_SECONDS: &str = "10";
