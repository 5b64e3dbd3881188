//! Serving the transparency logs (#13): `GET <base path>log/<slug>/checkpoint` and
//! `…/tile/…` (C2SP tlog-tiles paths, `petitio_model::urls::LogResource`), read from the
//! store where the counting job writes them (`tlog`), for the worker and `petitio serve`
//! alike. Public, read-only data: CORS `*`; full tiles cached for a year as immutable,
//! partial ones and the checkpoint for a minute. Anything else under `log/`, or a file not
//! (yet) written, is a 404 with the API's JSON error body. The checkpoint carries the
//! witnesses' cosignatures of it (`cosignatures::cosigned`), and
//! `POST log/<slug>/cosignature` is where a witness submits one (`cosignatures::submit`):
//! server-to-server, so no CORS there.

use petitio_model::manifest::Manifest;
use petitio_model::urls::{log_cosignature_slug, LogResource, LOG_DIR};

use crate::api::{error_response, json_response, Caching};
use crate::cosignatures;
use crate::error::ApiError;
use crate::http::ApiResponse;
use crate::keys::log_storage_key;
use crate::store::KvStore;

/// Whether a path (relative to the site's base path, no leading slash) is the logs' to
/// answer: anything under `log/`.
pub fn is_log_path(site_path: &str) -> bool {
    site_path.starts_with(LOG_DIR)
}

/// The answer to a request with `method` for `site_path` (under `log/`) with `body`, on
/// the site `manifest` describes (its default language for errors, its witnesses).
pub async fn handle<S: KvStore>(
    store: &S,
    manifest: &Manifest,
    method: &str,
    site_path: &str,
    body: &[u8],
) -> ApiResponse {
    let lang = &manifest.default_language;
    if let Some(slug) = log_cosignature_slug(site_path) {
        if method != "POST" {
            return error_response(&ApiError::MethodNotAllowed { allow: "POST" }, lang);
        }
        return match cosignatures::submit(store, &manifest.witnesses, slug, body).await {
            Ok(accepted) => json_response(200, &accepted, Caching::NoStore),
            Err(error) => error_response(&error, lang),
        };
    }
    if !matches!(method, "GET" | "HEAD") {
        let not_allowed = ApiError::MethodNotAllowed { allow: "GET, HEAD" };
        return with_cors(error_response(&not_allowed, lang));
    }
    serve(store, manifest, site_path).await
}

/// The answer to `GET`/`HEAD` of `site_path` (under `log/`).
async fn serve<S: KvStore>(store: &S, manifest: &Manifest, site_path: &str) -> ApiResponse {
    let lang = &manifest.default_language;
    let Some(resource) = LogResource::of(site_path) else {
        return with_cors(error_response(&ApiError::RouteNotFound, lang));
    };
    let key = log_storage_key(site_path);
    match store.get(&key).await {
        Ok(Some(entry)) => ApiResponse {
            status: 200,
            headers: with_cors_headers(vec![
                ("Content-Type".into(), resource.content_type().into()),
                ("Cache-Control".into(), resource.cache_control().into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
            ]),
            body: match resource {
                LogResource::Checkpoint { slug } if !manifest.witnesses.is_empty() => {
                    cosignatures::cosigned(store, &manifest.witnesses, slug, entry.value).await
                }
                _ => entry.value,
            },
        },
        Ok(None) => with_cors(error_response(&ApiError::RouteNotFound, lang)),
        Err(_) => with_cors(error_response(&ApiError::StorageUnavailable, lang)),
    }
}

fn with_cors_headers(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers.push(("Access-Control-Allow-Origin".into(), "*".into()));
    headers
}

fn with_cors(mut response: ApiResponse) -> ApiResponse {
    response.headers = with_cors_headers(response.headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ApiResponse;
    use crate::store::{MemoryStore, PutOptions};
    use futures::executor::block_on;
    use petitio_model::transparency::{CACHE_IMMUTABLE, CACHE_SHORT};

    fn manifest() -> Manifest {
        serde_json::from_str(
            r#"{"version":1,"base_path":"/","default_language":"en","languages":["en"],
                "regions":[],"petitions":[]}"#,
        )
        .unwrap()
    }

    fn get(store: &MemoryStore, path: &str) -> ApiResponse {
        block_on(handle(store, &manifest(), "GET", path, &[]))
    }

    fn store() -> MemoryStore {
        let store = MemoryStore::new();
        for (key, value) in [
            ("tlog/clean-air/checkpoint", &b"note"[..]),
            ("tlog/clean-air/tile/0/000", &[7; 32 * 256][..]),
            ("tlog/clean-air/tile/entries/001.p/3", &[1, 2, 3][..]),
        ] {
            block_on(store.put(key, value, PutOptions::default())).unwrap();
        }
        store
    }

    #[test]
    fn log_files_are_served_with_their_cache_headers_and_cors() {
        let store = store();
        for (path, content_type, cache) in [
            (
                "log/clean-air/checkpoint",
                "text/plain; charset=utf-8",
                CACHE_SHORT,
            ),
            (
                "log/clean-air/tile/0/000",
                "application/octet-stream",
                CACHE_IMMUTABLE,
            ),
            (
                "log/clean-air/tile/entries/001.p/3",
                "application/octet-stream",
                CACHE_SHORT,
            ),
        ] {
            let response = get(&store, path);
            assert_eq!(response.status, 200, "{path}");
            assert_eq!(response.header("content-type"), Some(content_type));
            assert_eq!(response.header("cache-control"), Some(cache));
            assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        }
        assert_eq!(get(&store, "log/clean-air/checkpoint").body, b"note");
    }

    #[test]
    fn anything_else_under_log_is_a_json_404() {
        let store = store();
        for path in [
            "log/clean-air/tile/0/001",
            "log/clean-air/tile/8/0/000",
            "log/clean-air/",
            "log/other/checkpoint",
            "log/",
        ] {
            let response = get(&store, path);
            assert_eq!(response.status, 404, "{path}");
            let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
            assert_eq!(body["error"]["code"], "not_found", "{path}");
            assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        }
        let post = block_on(handle(
            &store,
            &manifest(),
            "POST",
            "log/clean-air/checkpoint",
            b"",
        ));
        assert_eq!(post.status, 405);
        assert_eq!(post.header("allow"), Some("GET, HEAD"));
        assert!(is_log_path("log/x/checkpoint"));
        assert!(!is_log_path("en/log/"));
    }

    #[test]
    fn a_cosignature_is_posted_and_refusals_have_their_status_and_text() {
        let store = store();
        let post = |path: &str, body: &[u8]| {
            let response = block_on(handle(&store, &manifest(), "POST", path, body));
            let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
            assert_eq!(response.header("access-control-allow-origin"), None);
            (response.status, json)
        };
        let (status, json) = post("log/clean-air/cosignature", &[b'x'; 1025]);
        assert_eq!(status, 413);
        assert_eq!(json["error"]["code"], "cosignature_too_large");
        assert_eq!(
            json["error"]["message"],
            "A cosignature is at most 1024 bytes: send the one line `petitio witness` prints."
        );
        let (status, json) = post("log/clean-air/cosignature", b"hello");
        assert_eq!(
            (status, &json["error"]["code"]),
            (400, &"cosignature_malformed".into())
        );
        let line = "\u{2014} volunteer-1 AAAAAQAAAABqGKUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
        let (status, json) = post("log/clean-air/cosignature", line.as_bytes());
        assert_eq!(status, 403);
        assert_eq!(
            json["error"]["message"],
            "This site does not accept cosignatures by the witness volunteer-1+00000001: its operator lists the witnesses it accepts in petitio.toml, `[log] witnesses`."
        );
        let get = get(&store, "log/clean-air/cosignature");
        assert_eq!(get.status, 405);
        assert_eq!(get.header("allow"), Some("POST"));
    }
}
