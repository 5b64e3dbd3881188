//! Serving the transparency logs (#13): `GET <base path>log/<slug>/checkpoint` and
//! `…/tile/…` (C2SP tlog-tiles paths, `petitio_model::urls::LogResource`), read from the
//! store where the counting job writes them (`tlog`), for the worker and `petitio serve`
//! alike. Public, read-only data: CORS `*`; full tiles cached for a year as immutable,
//! partial ones and the checkpoint for a minute. Anything else under `log/`, or a file not
//! (yet) written, is a 404 with the API's JSON error body.

use petitio_model::urls::{LogResource, LOG_DIR};

use crate::api::error_response;
use crate::error::ApiError;
use crate::http::ApiResponse;
use crate::keys::log_storage_key;
use crate::store::KvStore;

/// Whether a path (relative to the site's base path, no leading slash) is the logs' to
/// answer: anything under `log/`.
pub fn is_log_path(site_path: &str) -> bool {
    site_path.starts_with(LOG_DIR)
}

/// The answer to `GET`/`HEAD` of `site_path` (under `log/`), in `lang` for an error.
pub async fn serve<S: KvStore>(store: &S, site_path: &str, lang: &str) -> ApiResponse {
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
            body: entry.value,
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
    use crate::store::{MemoryStore, PutOptions};
    use futures::executor::block_on;
    use petitio_model::transparency::{CACHE_IMMUTABLE, CACHE_SHORT};

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
            let response = block_on(serve(&store, path, "en"));
            assert_eq!(response.status, 200, "{path}");
            assert_eq!(response.header("content-type"), Some(content_type));
            assert_eq!(response.header("cache-control"), Some(cache));
            assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        }
        assert_eq!(
            block_on(serve(&store, "log/clean-air/checkpoint", "en")).body,
            b"note"
        );
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
            let response = block_on(serve(&store, path, "en"));
            assert_eq!(response.status, 404, "{path}");
            let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
            assert_eq!(body["error"]["code"], "not_found", "{path}");
            assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        }
        assert!(is_log_path("log/x/checkpoint"));
        assert!(!is_log_path("en/log/"));
    }
}
