//! Shared fixtures for the integration tests: a manifest, a configuration, a scripted
//! Turnstile verifier, request builders and a harness that runs `api::handle`.

#![allow(dead_code)]

use std::sync::Mutex;

use petitio_model::date::Date;
use petitio_model::manifest::{Manifest, ManifestPetition};
use petitio_model::status::Status;
use petitio_signatures::api::{handle, ApiContext};
use petitio_signatures::config::ApiConfig;
use petitio_signatures::http::{ApiRequest, ApiResponse};
use petitio_signatures::mailer::MemoryMailer;
use petitio_signatures::ratelimit::RateLimiter;
use petitio_signatures::snapshot::SnapshotCache;
use petitio_signatures::store::KvStore;
use petitio_signatures::turnstile::TurnstileVerifier;

/// 2026-03-01T12:00:05Z.
pub const NOW_MS: u64 = 1_772_366_405_000;
pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef";
pub const MIRROR: &str = "https://mirror.example";

pub fn petition(slug: &str, status: &str, deadline: Option<&str>) -> ManifestPetition {
    ManifestPetition {
        slug: slug.into(),
        status: Status::parse(status).expect("a status"),
        deadline: deadline.map(|day| Date::parse_iso(day).expect("a date")),
        languages: vec!["kk".into(), "ru".into(), "en".into()],
        titles: [("en".to_owned(), format!("Title of {slug}"))].into(),
        milestones: Vec::new(),
    }
}

pub fn manifest() -> Manifest {
    Manifest {
        log_key: None,
        witnesses: Vec::new(),
        where_note: None,
        version: 1,
        base_path: "/".into(),
        default_language: "kk".into(),
        languages: vec!["kk".into(), "ru".into(), "en".into()],
        regions: vec!["almaty-city".into(), "astana".into(), "abroad".into()],
        region_names: Default::default(),
        number_groups: Default::default(),
        plural_tables: Default::default(),
        utc_offset: Default::default(),
        petitions: vec![
            petition("clean-air", "open", Some("2026-09-01")),
            petition("green-park", "open", None),
            petition("old-road", "closed", None),
            petition("new-bridge", "draft", None),
            petition("last-day", "open", Some("2026-03-01")),
            petition("expired", "open", Some("2026-02-28")),
        ],
    }
}

pub fn config(vars: &[(&str, &str)]) -> ApiConfig {
    ApiConfig::from_lookup(|name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
            .or_else(|| match name {
                "SIGNING_KEY" => Some(SIGNING_KEY.into()),
                "ALLOWED_ORIGINS" => Some(MIRROR.into()),
                "SIGNATURE_CONFIRMATION" => Some("none".into()),
                _ => None,
            })
    })
    .expect("test configuration is valid")
}

/// A Turnstile verifier answering as scripted and remembering what it was asked.
pub struct ScriptedTurnstile {
    pub answer: Result<bool, String>,
    pub tokens: Mutex<Vec<String>>,
}

impl ScriptedTurnstile {
    pub fn answering(answer: Result<bool, String>) -> Self {
        Self {
            answer,
            tokens: Mutex::new(Vec::new()),
        }
    }
}

impl TurnstileVerifier for ScriptedTurnstile {
    async fn verify(&self, _verify_url: &str, _secret: &str, token: &str) -> Result<bool, String> {
        self.tokens.lock().unwrap().push(token.to_owned());
        self.answer.clone()
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        path: path.into(),
        query: None,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
        client_ip: Some("203.0.113.7".into()),
    }
}

pub fn signatures_path(slug: &str) -> String {
    format!("/api/petitions/{slug}/signatures")
}

/// A script's JSON POST from the site's own origin.
pub fn post_json(slug: &str, body: &str) -> ApiRequest {
    post_json_to(&signatures_path(slug), body)
}

/// A script's JSON POST to `path` from the site's own origin.
pub fn post_json_to(path: &str, body: &str) -> ApiRequest {
    request(
        "POST",
        path,
        &[
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("sec-fetch-site", "same-origin"),
        ],
        body.as_bytes(),
    )
}

/// A browser's no-JS form submission from the site's own origin.
pub fn post_form(slug: &str, body: &str) -> ApiRequest {
    post_form_to(&signatures_path(slug), body)
}

/// A browser's no-JS form submission to `path` from the site's own origin.
pub fn post_form_to(path: &str, body: &str) -> ApiRequest {
    request(
        "POST",
        path,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            (
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
            ("sec-fetch-site", "same-origin"),
        ],
        body.as_bytes(),
    )
}

pub fn get(path: &str, headers: &[(&str, &str)]) -> ApiRequest {
    request("GET", path, headers, b"")
}

pub fn with_header(mut req: ApiRequest, name: &str, value: &str) -> ApiRequest {
    req.headers.retain(|(k, _)| k != name);
    req.headers.push((name.into(), value.into()));
    req
}

pub fn sign_body(email: &str) -> String {
    serde_json::json!({
        "name": "Aliya Nurlanovna",
        "email": email,
        "region": "almaty-city",
        "consent": true,
    })
    .to_string()
}

/// Everything `api::handle` needs, over any store.
pub struct Harness<S> {
    pub store: S,
    pub config: ApiConfig,
    pub manifest: Manifest,
    pub limiter: RateLimiter,
    pub snapshots: SnapshotCache,
    pub turnstile: ScriptedTurnstile,
    pub mailer: MemoryMailer,
}

impl<S: KvStore> Harness<S> {
    pub fn new(store: S, config: ApiConfig) -> Self {
        Self {
            store,
            config,
            manifest: manifest(),
            limiter: RateLimiter::new(),
            snapshots: SnapshotCache::new(),
            turnstile: ScriptedTurnstile::answering(Ok(true)),
            mailer: MemoryMailer::new(),
        }
    }

    pub async fn send_at(&self, req: ApiRequest, now_ms: u64) -> ApiResponse {
        let ctx = ApiContext {
            store: &self.store,
            config: &self.config,
            manifest: &self.manifest,
            limiter: &self.limiter,
            snapshots: &self.snapshots,
            turnstile: &self.turnstile,
            mailer: &self.mailer,
            now_ms,
            receipt_secret: fresh_secret(),
        };
        handle(&ctx, req).await
    }

    pub fn send(&self, req: ApiRequest) -> ApiResponse {
        futures::executor::block_on(self.send_at(req, NOW_MS))
    }
}

pub fn body_text(response: &ApiResponse) -> &str {
    std::str::from_utf8(&response.body).expect("bodies are UTF-8")
}

pub fn body_json(response: &ApiResponse) -> serde_json::Value {
    serde_json::from_slice(&response.body).expect("bodies are JSON")
}

/// 32 bytes from the OS's randomness, as the adapters give each request.
pub fn fresh_secret() -> [u8; 32] {
    let mut secret = [0; 32];
    getrandom::fill(&mut secret).expect("the OS has randomness");
    secret
}
