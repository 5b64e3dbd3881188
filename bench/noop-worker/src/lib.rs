//! The runtime's own ceilings, built exactly like Petitio's worker, for bench/run:
//!
//! * `GET` (any path): a fixed 200 that touches nothing: request in, wasm call, response
//!   out. The ceiling for count reads.
//! * `POST` (any path): the Workers KV calls a new signature makes in Petitio's worker and
//!   nothing else: read one key, write two with metadata (the `sig/` record and its `log/`
//!   entry, of the same sizes), answer a small JSON. The ceiling for signing on this
//!   runtime's KV: what is left between it and Petitio is Petitio's own work.
use std::cell::Cell;
use std::collections::BTreeMap;

use worker::{event, Context, Env, Method, Request, Response, Result};

/// The KV binding bench/run's config declares (Petitio's name for it).
const KV_BINDING: &str = "SIGNATURES";

thread_local! {
    /// Makes every POST's keys new, as a new signer's are.
    static SEQUENCE: Cell<u64> = const { Cell::new(0) };
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    if req.method() != Method::Post {
        return Response::ok("{\"ok\":true}");
    }
    let kv = env.kv(KV_BINDING)?;
    let n = SEQUENCE.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    let now = worker::Date::now().as_millis();
    // A signer id is 64 hex digits; the bucket is the minute.
    let id = format!("{now:032x}{n:032x}");
    let bucket = now / 60_000;
    let record_key = format!("sig/bench/{id}");
    if kv.get(&record_key).bytes().await?.is_some() {
        return Response::error("already there", 500);
    }
    let record = format!(
        "{{\"region\":\"almaty-city\",\"lang\":\"kk\",\"signed_at\":\"2026-11-29T12:00:00Z\",\"bucket\":{bucket},\"name\":\"Bench {n}\"}}"
    );
    let record_meta = BTreeMap::from([("b", bucket)]);
    kv.put(&record_key, record)?
        .metadata(record_meta)?
        .execute()
        .await?;
    let log_meta = BTreeMap::from([("r", "almaty-city")]);
    kv.put_bytes(&format!("log/{bucket}/bench/{id}"), b"")?
        .metadata(log_meta)?
        .execute()
        .await?;
    let body = format!(
        "{{\"status\":\"recorded\",\"slug\":\"bench\",\"receipt\":\"{bucket}-{id}\",\"count\":1}}"
    );
    Ok(Response::ok(body)?.with_status(201))
}
