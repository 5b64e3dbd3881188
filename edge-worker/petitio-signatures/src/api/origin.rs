//! Which browser origins may use the API: the origin policy, CORS headers for reads and
//! preflights, and the CSRF check on signing.
//!
//! The origin policy ([`OriginPolicy`], ARCHITECTURE.md, "Which origins may sign"): only
//! the origins in `ALLOWED_ORIGINS` may call the API from a browser, unless the operator
//! sets `SIGN_FROM_ANY_ORIGIN = "true"`: then pages on *any* origin may (a volunteer's copy
//! on a new domain signs without the operator's help). The configuration accepts that only
//! while every signature needs a confirmation by email or a Turnstile challenge.
//!
//! The CSRF rule (ARCHITECTURE.md, "Signing"): a sign request is accepted when
//! * `Sec-Fetch-Site` is `same-origin` or `none` (every current browser sends it), or
//! * `Origin` is one the policy accepts (any origin under [`OriginPolicy::AnyOrigin`], else
//!   one in `ALLOWED_ORIGINS`), or names this very host (older browsers that send
//!   `Origin` but not `Sec-Fetch-Site` on same-origin posts), or
//! * neither header is present. Browsers send at least one of them on every POST, so such a
//!   request comes from a script or a command-line client, not from a page a victim
//!   visited; and the API carries no cookies or other ambient credentials a forged request
//!   could borrow. Scripts are held back by rate limits and Turnstile instead.
//!
//! Anything else (a cross-site page the policy does not accept, `Origin: null` from a
//! sandboxed frame, which no policy accepts) is refused.

use crate::config::{ApiConfig, Confirmation};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use petitio_model::weburl::{origin_is_host, parse_origin};

/// Which cross-origin pages may call the API (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginPolicy {
    /// `SIGN_FROM_ANY_ORIGIN`, with every signature confirmed or challenged: any origin.
    AnyOrigin,
    /// Only the origins in `ALLOWED_ORIGINS` (the default).
    AllowList,
}

impl OriginPolicy {
    /// The policy `config` sets: any origin when the operator chose it and every signature
    /// needs a confirmation by email or a Turnstile challenge (the configuration refuses
    /// the choice otherwise; checked here again), else the allow-list.
    pub fn of(config: &ApiConfig) -> OriginPolicy {
        let protected = config.confirmation == Confirmation::Email || config.turnstile.is_some();
        if config.any_origin && protected {
            OriginPolicy::AnyOrigin
        } else {
            OriginPolicy::AllowList
        }
    }

    /// `origin` (an `Origin` header) in the form a browser sends it, when this policy
    /// lets a page there call the API; `None` for anything that is not an http(s) origin
    /// (`null` included).
    pub fn accepted_origin(self, config: &ApiConfig, origin: &str) -> Option<String> {
        match self {
            OriginPolicy::AnyOrigin => parse_origin(origin),
            OriginPolicy::AllowList => config.allowed_origin(origin).map(str::to_owned),
        }
    }
}

/// The request's `Origin` when it is allowed to read responses cross-origin, in the form a
/// browser sends it.
pub(super) fn cors_origin(config: &ApiConfig, req: &ApiRequest) -> Option<String> {
    req.header("origin")
        .and_then(|origin| OriginPolicy::of(config).accepted_origin(config, origin))
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
        Some(origin)
            if OriginPolicy::of(config)
                .accepted_origin(config, origin)
                .is_some()
                || is_own_host(origin, req) =>
        {
            Ok(())
        }
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

    /// A configuration with `SIGNATURE_CONFIRMATION=confirmation` and Turnstile on or off;
    /// `https://mirror.example` is the one listed origin.
    fn config_with(confirmation: &str, turnstile: bool) -> ApiConfig {
        config_choosing(confirmation, turnstile, true)
    }

    fn config_choosing(confirmation: &str, turnstile: bool, any_origin: bool) -> ApiConfig {
        ApiConfig::from_lookup(|name| match name {
            "SIGN_FROM_ANY_ORIGIN" => Some(any_origin.to_string()),
            "SIGNING_KEY" => Some("k".repeat(32)),
            "ALLOWED_ORIGINS" => Some("https://mirror.example".into()),
            "SIGNATURE_CONFIRMATION" => Some(confirmation.into()),
            "EMAIL_FROM" => Some("petitions@petitio.example".into()),
            "TURNSTILE_SECRET" => turnstile.then(|| "turnstile-secret".into()),
            _ => None,
        })
        .unwrap()
    }

    /// SIGN_FROM_ANY_ORIGIN × confirmation × Turnstile × origin listed or not: whether a
    /// cross-site page there may sign (CSRF check) and read the answer (CORS, preflight
    /// included). With SIGN_FROM_ANY_ORIGIN and neither protection the configuration is
    /// refused (`the_choice_of_any_origin_needs_a_protection`).
    #[test]
    fn the_origin_policy_table() {
        let listed = "https://mirror.example";
        let fresh = "https://volunteer-copy.example";
        #[rustfmt::skip]
        let table = [
            // any origin chosen, confirmation, turnstile, origin, policy, accepted
            (false, "none",  false, listed, OriginPolicy::AllowList, true),
            (false, "none",  false, fresh,  OriginPolicy::AllowList, false),
            (false, "none",  true,  fresh,  OriginPolicy::AllowList, false),
            (false, "email", false, listed, OriginPolicy::AllowList, true),
            (false, "email", false, fresh,  OriginPolicy::AllowList, false),
            (false, "email", true,  fresh,  OriginPolicy::AllowList, false),
            (true,  "none",  true,  listed, OriginPolicy::AnyOrigin, true),
            (true,  "none",  true,  fresh,  OriginPolicy::AnyOrigin, true),
            (true,  "email", false, listed, OriginPolicy::AnyOrigin, true),
            (true,  "email", false, fresh,  OriginPolicy::AnyOrigin, true),
            (true,  "email", true,  fresh,  OriginPolicy::AnyOrigin, true),
        ];
        for (any_origin, confirmation, turnstile, origin, policy, accepted) in table {
            let config = config_choosing(confirmation, turnstile, any_origin);
            let case = format!("any={any_origin} {confirmation} turnstile={turnstile} {origin}");
            assert_eq!(OriginPolicy::of(&config), policy, "{case}");
            let req = request(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", origin),
                ("host", "api.example"),
            ]);
            let expected_csrf = if accepted {
                Ok(())
            } else {
                Err(ApiError::ForbiddenOrigin)
            };
            assert_eq!(check_csrf(&config, &req), expected_csrf, "{case}");
            let expected_cors = accepted.then(|| origin.to_owned());
            assert_eq!(cors_origin(&config, &req), expected_cors, "{case}");
        }
    }

    #[test]
    fn the_choice_of_any_origin_needs_a_protection() {
        let refusal = |choice: &str| {
            ApiConfig::from_lookup(|name| match name {
                "SIGN_FROM_ANY_ORIGIN" => Some(choice.into()),
                "SIGNATURE_CONFIRMATION" => Some("none".into()),
                "SIGNING_KEY" => Some("k".repeat(32)),
                _ => None,
            })
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            refusal("true"),
            "SIGN_FROM_ANY_ORIGIN is \"true\", but signatures are neither confirmed by email \
             (SIGNATURE_CONFIRMATION = \"email\") nor challenged (TURNSTILE_SECRET): any web page \
             could then add signatures through its visitors' browsers. Turn one of them on, or set \
             SIGN_FROM_ANY_ORIGIN = \"false\" and list the site's origins in ALLOWED_ORIGINS"
        );
        assert_eq!(
            refusal("yes"),
            "SIGN_FROM_ANY_ORIGIN is \"yes\", but it must be \"true\" (pages on any origin may \
             sign) or \"false\" (only the origins in ALLOWED_ORIGINS)"
        );
    }

    #[test]
    fn no_policy_accepts_an_opaque_origin() {
        for (confirmation, turnstile) in [("email", true), ("email", false), ("none", true)] {
            let config = config_with(confirmation, turnstile);
            for origin in ["null", "file://", "https://a.example/path", "not an origin"] {
                let req = request(&[("sec-fetch-site", "cross-site"), ("origin", origin)]);
                assert_eq!(
                    check_csrf(&config, &req),
                    Err(ApiError::ForbiddenOrigin),
                    "{origin}"
                );
                assert_eq!(cors_origin(&config, &req), None, "{origin}");
            }
        }
    }
}
