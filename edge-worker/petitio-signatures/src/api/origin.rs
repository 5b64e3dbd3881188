//! Which browser origins may use the API: CORS headers for reads and preflights, and the
//! CSRF check on signing.
//!
//! The CSRF rule (ARCHITECTURE.md, "Signing"): a sign request is accepted when
//! * `Sec-Fetch-Site` is `same-origin` or `none` (every current browser sends it), or
//! * `Origin` is in `ALLOWED_ORIGINS`, or names this very host (older browsers that send
//!   `Origin` but not `Sec-Fetch-Site` on same-origin posts), or
//! * neither header is present. Browsers send at least one of them on every POST, so such a
//!   request comes from a script or a command-line client, not from a page a victim
//!   visited; and the API carries no cookies or other ambient credentials a forged request
//!   could borrow. Scripts are held back by rate limits and Turnstile instead.
//!
//! Anything else (a cross-site page, `Origin: null` from a sandboxed frame) is refused.

use crate::config::ApiConfig;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use petitio_model::weburl::origin_is_host;

/// The request's `Origin` when it is allowed to read responses cross-origin, in its
/// configured form (the one a browser sends).
pub(super) fn cors_origin(config: &ApiConfig, req: &ApiRequest) -> Option<String> {
    req.header("origin")
        .and_then(|origin| config.allowed_origin(origin))
        .map(str::to_owned)
}

/// Adds `Vary: Origin` to every API response (they differ by origin) and
/// `Access-Control-Allow-Origin` when the origin is allowed.
pub(super) fn add_cors_headers(response: &mut ApiResponse, cors_origin: Option<String>) {
    response.headers.push(("Vary".into(), "Origin".into()));
    if let Some(origin) = cors_origin {
        response
            .headers
            .push(("Access-Control-Allow-Origin".into(), origin));
    }
}

/// The CSRF check described in the module documentation.
pub(super) fn check_csrf(config: &ApiConfig, req: &ApiRequest) -> Result<(), ApiError> {
    let fetch_site = req.header("sec-fetch-site");
    if matches!(fetch_site, Some("same-origin" | "none")) {
        return Ok(());
    }
    match req.header("origin") {
        Some(origin) if config.is_allowed_origin(origin) || is_own_host(origin, req) => Ok(()),
        Some(_) => Err(ApiError::ForbiddenOrigin),
        None if fetch_site.is_none() => Ok(()),
        None => Err(ApiError::ForbiddenOrigin),
    }
}

/// `Origin` names the host the request was sent to (both parsed: `weburl::origin_is_host`).
fn is_own_host(origin: &str, req: &ApiRequest) -> bool {
    req.header("host")
        .is_some_and(|host| origin_is_host(origin, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ApiConfig {
        ApiConfig::from_lookup(|name| match name {
            "SIGNING_KEY" => Some("k".repeat(32)),
            "ALLOWED_ORIGINS" => Some("https://mirror.example".into()),
            "SIGNATURE_CONFIRMATION" => Some("none".into()),
            _ => None,
        })
        .unwrap()
    }

    fn request(headers: &[(&str, &str)]) -> ApiRequest {
        ApiRequest {
            method: "POST".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..ApiRequest::default()
        }
    }

    #[test]
    fn accepts_same_origin_allowed_origins_and_non_browsers() {
        for headers in [
            vec![("sec-fetch-site", "same-origin")],
            vec![("sec-fetch-site", "none")],
            vec![
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://mirror.example"),
            ],
            vec![
                ("origin", "https://petitio.example"),
                ("host", "petitio.example"),
            ],
            vec![
                ("origin", "https://petitio.example"),
                ("host", "Petitio.Example:443"),
            ],
            vec![("origin", "http://[::1]:8080"), ("host", "[::1]:8080")],
            vec![],
        ] {
            assert_eq!(
                check_csrf(&config(), &request(&headers)),
                Ok(()),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn refuses_foreign_pages() {
        for headers in [
            vec![
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            vec![("sec-fetch-site", "same-site")],
            vec![("origin", "null")],
            vec![
                ("origin", "https://evil.example"),
                ("host", "petitio.example"),
            ],
            vec![
                ("origin", "https://petitio.example"),
                ("host", "evil.example@petitio.example"),
            ],
            vec![
                ("origin", "https://mirror.example.evil.example"),
                ("host", "petitio.example"),
            ],
        ] {
            assert_eq!(
                check_csrf(&config(), &request(&headers)),
                Err(ApiError::ForbiddenOrigin),
                "{headers:?}"
            );
        }
    }
}
