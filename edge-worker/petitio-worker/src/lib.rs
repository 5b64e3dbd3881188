//! Petitio's Cloudflare Worker, the thin wasm shell around `petitio_signatures` (wasm32
//! only; natively this crate is empty): the `fetch` and `scheduled` entry points
//! and the bindings the core runs on. It owns no API logic; it converts requests, supplies
//! storage (`SIGNATURES`, Workers KV), the manifest (`ASSETS`), configuration (vars and
//! secrets), the Turnstile verifier, the mailer (`EMAIL`, Email Service) and the clock, and calls `api::handle` or
//! `tally::run_scheduled`. Everything it calls is tested natively.
//!
//! What it logs (Workers Logs keeps console output; ARCHITECTURE.md, "Logs", says what
//! else Cloudflare keeps) is for the operator only and never names a signer: a
//! misconfiguration or an unreadable manifest (`console_error`, with the text the
//! operator needs to fix it), a failed or lagging counting job (`console_error`,
//! `console_warn`), each routine counting run's figures (`console_debug`, counts only),
//! and where a panic happened (file and line, never its message, which could quote input).

#![cfg(target_arch = "wasm32")]

mod assets;
mod convert;
mod email;
mod kv;
mod turnstile;

use std::sync::{LazyLock, OnceLock};

use worker::{console_debug, console_error, console_warn, event, Context, Env, Request, Response};

use petitio_model::urls::API_PATH;
use petitio_signatures::api::{self, ApiContext};
use petitio_signatures::config::ApiConfig;
use petitio_signatures::error::ApiError;
use petitio_signatures::http::ApiRequest;
use petitio_signatures::ratelimit::RateLimiter;
use petitio_signatures::snapshot::SnapshotCache;
use petitio_signatures::tally;

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
        // wrangler.toml routes only /api/* to the worker first; anything else that reaches
        // it (a direct call, a misrouted path) is still the site's.
        return env
            .assets(assets::ASSETS_BINDING)?
            .fetch_request(request)
            .await;
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
    };
    convert::to_worker_response(api::handle(&context, api_request).await)
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
