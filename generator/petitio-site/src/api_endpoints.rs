//! Where the signature API is: `api_endpoints` in `petitio.toml`, an ordered list (the main
//! domain's `/api`, the worker's `workers.dev` address, other custom domains), or the older
//! `api_url`, read as a list of one.
//!
//! Pages try the endpoints in this order (the theme's script, with a short timeout each,
//! remembering the one that answered); without JavaScript the form posts to the first and
//! the page offers the others as alternative forms. Every endpoint is a path on the site's
//! own origin (`/api`; not `//host/…`, which a browser reads as another host) or an
//! absolute `https://` URL (`http://` only to this machine, for local tests), without
//! user name, query or fragment, and is kept without its trailing slash.

use crate::error::{Problem, ProblemKind};
use crate::frontmatter::Fields;
use petitio_model::urls::API_PATH;
use petitio_model::weburl::{is_loopback, parse_http_url};

/// The list's field, and the older one-endpoint field it replaces.
pub const LIST_FIELD: &str = "api_endpoints";
pub const ONE_FIELD: &str = "api_url";

const ENDPOINT_EXPECTED: &str = "a path like \"/api\" or an https:// URL like \
    \"https://petitio.example.workers.dev/api\" (http:// only to localhost), without query or fragment";

/// The API endpoints, in the order pages try them; never empty, no two alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEndpoints(Vec<String>);

impl Default for ApiEndpoints {
    /// [`API_PATH`] on the site's own origin.
    fn default() -> Self {
        ApiEndpoints(vec![API_PATH.to_owned()])
    }
}

impl ApiEndpoints {
    /// Reads `api_endpoints` or `api_url` (not both), collecting every problem; the
    /// default when neither is set.
    pub fn read(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> ApiEndpoints {
        let one = fields.string(ONE_FIELD, problems);
        let list = fields.strings(
            LIST_FIELD,
            "an array of API endpoints like [\"/api\", \"https://petitio.example.workers.dev/api\"]",
            problems,
        );
        let (field, texts) = match (one, list) {
            (Some(_), Some(_)) => {
                problems.push(
                    fields.problem(
                        LIST_FIELD,
                        ProblemKind::Expected {
                            expected: "`api_endpoints` or the older `api_url`, not both (put \
                                   api_url's value first in api_endpoints and delete api_url)"
                                .into(),
                            found: "both".into(),
                        },
                    ),
                );
                return ApiEndpoints::default();
            }
            (Some(one), None) => (ONE_FIELD, vec![one.value]),
            (None, Some(list)) => (LIST_FIELD, list.value),
            (None, None) => return ApiEndpoints::default(),
        };
        if texts.is_empty() {
            problems.push(fields.problem(
                field,
                ProblemKind::Expected {
                    expected: format!("at least one endpoint: {ENDPOINT_EXPECTED}"),
                    found: "[]".into(),
                },
            ));
            return ApiEndpoints::default();
        }
        let mut endpoints: Vec<String> = Vec::with_capacity(texts.len());
        for text in texts {
            let problem = match parse_endpoint(&text) {
                None => ProblemKind::Expected {
                    expected: ENDPOINT_EXPECTED.into(),
                    found: format!("{text:?}"),
                },
                Some(endpoint) if endpoints.contains(&endpoint) => ProblemKind::Expected {
                    expected: "each endpoint once".into(),
                    found: format!("{text:?} twice"),
                },
                Some(endpoint) => {
                    endpoints.push(endpoint);
                    continue;
                }
            };
            problems.push(fields.problem(field, problem));
        }
        if endpoints.is_empty() {
            return ApiEndpoints::default();
        }
        ApiEndpoints(endpoints)
    }

    /// The first endpoint: where the no-JS form posts.
    pub fn first(&self) -> &str {
        &self.0[0]
    }

    /// Every endpoint, in order.
    pub fn all(&self) -> &[String] {
        &self.0
    }
}

/// An endpoint without its trailing slash (module documentation), or `None`.
pub fn parse_endpoint(text: &str) -> Option<String> {
    let path_only = text.starts_with('/') && !text.starts_with("//") && !text.contains('\\');
    if path_only {
        return Some(text.trim_end_matches('/').to_owned());
    }
    parse_http_url(text)
        .filter(|url| url.query().is_none() && url.fragment().is_none())
        .filter(|url| url.scheme() == "https" || is_loopback(url))
        .map(|url| url.as_str().trim_end_matches('/').to_owned())
}

/// `scheme://host[:port]` of an absolute endpoint; `None` for a path on the site's origin.
pub fn origin_of(endpoint: &str) -> Option<String> {
    parse_http_url(endpoint).map(|url| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_a_path_here_or_an_https_url() {
        for (text, endpoint, origin) in [
            ("/api/", "/api", None),
            (
                "https://API.example:8443/v1/",
                "https://api.example:8443/v1",
                Some("https://api.example:8443"),
            ),
            (
                "https://api.example:443",
                "https://api.example",
                Some("https://api.example"),
            ),
            (
                "http://127.0.0.1:8787/api",
                "http://127.0.0.1:8787/api",
                Some("http://127.0.0.1:8787"),
            ),
            (
                "http://localhost:8080/api",
                "http://localhost:8080/api",
                Some("http://localhost:8080"),
            ),
        ] {
            assert_eq!(parse_endpoint(text).as_deref(), Some(endpoint), "{text}");
            assert_eq!(origin_of(endpoint).as_deref(), origin, "{text}");
        }
        for text in [
            "//evil.example/api",
            "/\\evil.example/api",
            "http://localhost:@evil.example/api",
            "http://api.example/api",
            "http://localhost.evil.example/api",
            "https://api.example/api?key=1",
            "https://api.example/api#x",
            "ftp://api.example/api",
            "api",
        ] {
            assert_eq!(parse_endpoint(text), None, "{text:?}");
        }
    }
}
