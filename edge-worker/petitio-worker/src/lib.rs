//! Petitio's Cloudflare Worker, the thin wasm shell around `petitio_signatures` (wasm32
//! only; natively this crate is empty): the `fetch` and `scheduled` entry points
//! and the bindings the core runs on. It owns no API logic; it converts requests, supplies
//! storage (`SIGNATURES`, Workers KV), the manifest (`ASSETS`), configuration (vars and
//! secrets), the Turnstile verifier, the mailer (`EMAIL`, Email Service) and the clock, and calls `api::handle` or
//! `tally::run_scheduled`, and serves the transparency logs from KV (`log_files`).
//! Everything it calls is tested natively.
//!
//! What it logs (Workers Logs keeps console output; ARCHITECTURE.md, "Logs", says what
//! else Cloudflare keeps) is for the operator only and never names a signer: a
//! misconfiguration or an unreadable manifest (`console_error`, with the text the
//! operator needs to fix it), a failed or lagging counting job (`console_error`,
//! `console_warn`), a log key that cannot sign for the site (`console_error`, each counting
//! run), each routine counting run's figures (`console_debug`, counts only),
//! and where a panic happened (file and line, never its message, which could quote input).

#![cfg(target_arch = "wasm32")]

mod assets;
mod convert;
mod email;
mod fill;
mod kv;
mod turnstile;

use std::sync::{LazyLock, OnceLock};

use worker::{
    console_debug, console_error, console_warn, event, Context, Env, Method, Request, Response,
};

use petitio_model::urls::API_PATH;
use petitio_signatures::api::{self, ApiContext};
use petitio_signatures::config::ApiConfig;
use petitio_signatures::error::ApiError;
use petitio_signatures::http::ApiRequest;
use petitio_signatures::ratelimit::RateLimiter;
use petitio_signatures::snapshot::SnapshotCache;
use petitio_signatures::tally;
use petitio_signatures::{cosignatures, log_files};

/// The KV namespace binding wrangler.toml declares.
const KV_BINDING: &str = "SIGNATURES";

/// One limiter per isolate: limits hold per location, at no storage cost.
static LIMITER: LazyLock<RateLimiter> = LazyLock::new(RateLimiter::new);
/// The published counts as this isolate last read them.
static SNAPSHOTS: SnapshotCache = SnapshotCache::new();
/// The vars and secrets, read and validated once per isolate: they change only with a
/// deploy (`wrangler deploy`, `wrangler secret put`), which starts fresh isolates.
static CONFIG: OnceLock<Result<ApiConfig, String>> = OnceLock::new();

#[event(start)]
fn start() {
    std::panic::set_hook(Box::new(|panic| {
        let location = panic
            .location()
            .map_or_else(|| "an unknown place".to_owned(), ToString::to_string);
        console_error!(
            "petitio: panic at {location} (its message is not logged: it could quote a request)"
        );
    }));
}

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let path = request.path();
    let is_api = path
        .strip_prefix(API_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !is_api {
        if let Some(response) = serve_log(&request, &env).await? {
            return Ok(response);
        }
        return serve_site(request, &env).await;
    }
    let now_ms = now_ms();
    let api_request = convert::to_api_request(&request).await?;
    let config = match config(&env) {
        Ok(config) => config,
        Err(problem) => return unavailable(&api_request, &problem),
    };
    let manifest = match assets::manifest(&env, now_ms).await {
        Ok(manifest) => manifest,
        Err(problem) => return unavailable(&api_request, &problem),
    };
    let store = kv::WorkersKv::new(env.kv(KV_BINDING)?);
    let context = ApiContext {
        store: &store,
        config,
        manifest: &manifest,
        limiter: &LIMITER,
        snapshots: &SNAPSHOTS,
        turnstile: &turnstile::FetchTurnstile,
        mailer: &email::EmailBinding::from_env(&env),
        now_ms,
        receipt_secret: random_secret(),
    };
    convert::to_worker_response(api::handle(&context, api_request).await)
}

/// A file of a petition's transparency log (`<base path>log/...`), from KV, or a
/// witness's cosignature posted to it (`log_files::handle`); `None` for any other path (or
/// when the manifest cannot be read: the assets answer, with a 404).
async fn serve_log(request: &Request, env: &Env) -> worker::Result<Option<Response>> {
    let path = request.path();
    let Ok(manifest) = assets::manifest(env, now_ms()).await else {
        return Ok(None);
    };
    let Some(site_path) = path
        .strip_prefix(manifest.base_path.as_str())
        .filter(|site_path| log_files::is_log_path(site_path))
    else {
        return Ok(None);
    };
    let method = request.method().to_string();
    let body = if method == "POST" {
        convert::read_body_capped(request, cosignatures::MAX_COSIGNATURE_BYTES + 1).await?
    } else {
        Vec::new()
    };
    let store = kv::WorkersKv::new(env.kv(KV_BINDING)?);
    let answer = log_files::handle(&store, &manifest, &method, site_path, &body).await;
    convert::to_worker_response(answer).map(Some)
}

/// A file of the site: pages, badges and open data (what wrangler.toml's
/// `run_worker_first` sends here besides /api/*) with the published counts and the
/// request's values (a confirmation link's token) filled in (`fill`); anything else, or
/// anything that cannot be filled now (no counts yet, a misconfiguration, KV unreadable),
/// as built.
async fn serve_site(request: Request, env: &Env) -> worker::Result<Response> {
    let fillable = matches!(request.method(), Method::Get | Method::Head);
    let path = request.path();
    let query = request.url()?.query().map(str::to_owned);
    let built = env
        .assets(assets::ASSETS_BINDING)?
        .fetch_request(request)
        .await?;
    if !fillable || built.status_code() != 200 {
        return Ok(built);
    }
    let now_ms = now_ms();
    let (Ok(config), Ok(manifest)) = (config(env), assets::manifest(env, now_ms).await) else {
        return Ok(built);
    };
    let Some(site_path) = path.strip_prefix(manifest.base_path.as_str()) else {
        return Ok(built);
    };
    let site_path = site_path.to_owned();
    let store = kv::WorkersKv::new(env.kv(KV_BINDING)?);
    let max_age_ms = config.counts_cache_seconds.saturating_mul(1000);
    let published = SNAPSHOTS.read(&store, now_ms, max_age_ms).await.ok();
    fill::live_response(built, &site_path, manifest, published, query.as_deref()).await
}

#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    if let Err(message) = run_scheduled(&env).await {
        console_error!("petitio: the counting job failed: {message}");
    }
}

async fn run_scheduled(env: &Env) -> Result<(), String> {
    let now_ms = now_ms();
    let config = config(env)?;
    let manifest = assets::manifest(env, now_ms).await?;
    let namespace = env
        .kv(KV_BINDING)
        .map_err(|e| format!("the {KV_BINDING} KV binding is missing ({e}): see wrangler.toml"))?;
    let store = kv::WorkersKv::new(namespace);
    let report = tally::run_scheduled(&store, &manifest, config, now_ms)
        .await
        .map_err(|e| e.to_string())?;
    // A routine run is debug output; one that left sealed buckets unfolded (a backlog it
    // works through over the next runs, publishing nothing meanwhile) is worth a warning.
    if report.caught_up {
        console_debug!("petitio: counting job: {report}");
    } else {
        console_warn!("petitio: counting job: {report}");
    }
    // The log key cannot sign for this site (unset, malformed, or not the published key):
    // counting went on above; the operator learns why notes are not signed.
    if let Err(problem) = config.log_signing_key.signer_for(manifest.log_key.as_ref()) {
        console_error!("petitio: {problem}");
    }
    Ok(())
}

/// The worker's vars and secrets (both are strings on `env`), validated; read on the
/// isolate's first request only.
fn config(env: &Env) -> Result<&'static ApiConfig, String> {
    CONFIG
        .get_or_init(|| {
            ApiConfig::from_lookup(|name| env.var(name).ok().map(|value| value.to_string()))
                .map_err(|e| format!("the worker is misconfigured: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The runtime's cryptographically secure random source (Web Crypto), filling `bytes`.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &mut [u8]);
}

/// 32 bytes from Web Crypto: a receipt's secret (`ApiContext::receipt_secret`).
fn random_secret() -> [u8; 32] {
    let mut secret = [0; 32];
    get_random_values(&mut secret);
    secret
}

fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// The operator's problem, not the client's: logged in full for the operator; the client
/// gets the API's own 503 (`api::unavailable`: the one error body) in its language and
/// retries later.
fn unavailable(request: &ApiRequest, problem: &str) -> worker::Result<Response> {
    console_error!("petitio: {problem}");
    convert::to_worker_response(api::unavailable(&ApiError::StorageUnavailable, request))
}
