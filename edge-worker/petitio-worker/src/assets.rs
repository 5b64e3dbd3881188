//! The petitions manifest, read from the deployed site through the `ASSETS` binding and
//! cached per isolate for 60 s. Site and worker ship in one deploy, so the manifest
//! changes only with a deploy (which starts fresh isolates); the expiry bounds the
//! staleness anyway, at one asset read per isolate per minute.

use std::cell::RefCell;
use std::rc::Rc;

use petitio_model::manifest::{Manifest, MANIFEST_PATH, MANIFEST_VERSION};
use worker::Env;

/// The binding wrangler.toml's `[assets]` section declares.
pub const ASSETS_BINDING: &str = "ASSETS";
/// How long an isolate keeps a manifest it has read.
const CACHE_MILLIS: u64 = 60_000;
/// The binding serves by path; the host is never looked at.
const ASSET_ORIGIN: &str = "https://assets.invalid";

thread_local! {
    static CACHED: RefCell<Option<(u64, Rc<Manifest>)>> = const { RefCell::new(None) };
}

/// The manifest, from this isolate's cache when it is under a minute old.
pub async fn manifest(env: &Env, now_ms: u64) -> Result<Rc<Manifest>, String> {
    let cached = CACHED.with(|cache| {
        cache
            .borrow()
            .as_ref()
            .filter(|(read_at, _)| now_ms.saturating_sub(*read_at) < CACHE_MILLIS)
            .map(|(_, manifest)| Rc::clone(manifest))
    });
    if let Some(manifest) = cached {
        return Ok(manifest);
    }
    let manifest = Rc::new(fetch_manifest(env).await?);
    CACHED.with(|cache| *cache.borrow_mut() = Some((now_ms, Rc::clone(&manifest))));
    Ok(manifest)
}

async fn fetch_manifest(env: &Env) -> Result<Manifest, String> {
    let assets = env.assets(ASSETS_BINDING).map_err(|e| {
        format!(
            "the {ASSETS_BINDING} binding is missing ({e}): wrangler.toml needs \
             [assets] directory = \"../dist\" and binding = \"{ASSETS_BINDING}\""
        )
    })?;
    let url = format!("{ASSET_ORIGIN}/{MANIFEST_PATH}");
    let mut response = assets
        .fetch(url, None)
        .await
        .map_err(|e| format!("reading /{MANIFEST_PATH} from the site's assets failed: {e}"))?;
    let status = response.status_code();
    if status != 200 {
        return Err(format!(
            "/{MANIFEST_PATH} answered HTTP {status}: deploy the worker together with a \
             site built by `petitio build` (it writes the manifest into dist/)"
        ));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading /{MANIFEST_PATH} failed: {e}"))?;
    let manifest: Manifest = serde_json::from_slice(&body)
        .map_err(|e| format!("/{MANIFEST_PATH} is not a valid manifest: {e}"))?;
    if manifest.version != MANIFEST_VERSION {
        return Err(format!(
            "/{MANIFEST_PATH} has format version {}, but this worker reads version \
             {MANIFEST_VERSION}: build the site and the worker from the same Petitio version",
            manifest.version
        ));
    }
    Ok(manifest)
}
