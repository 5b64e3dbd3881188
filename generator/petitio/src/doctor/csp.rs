//! A Content-Security-Policy as a browser enforces it on the requests `petitio doctor`
//! cares about: may the page's script connect to a URL (`connect-src`, else `default-src`)
//! and may its form post to one (`form-action`, which falls back to nothing). Source
//! expressions as CSP Level 3 matches them: `'none'`, `'self'`, `*`, a scheme (`https:`),
//! a host with an optional scheme, `*.` wildcard, port (`:*` for any) and path prefix.

use petitio_model::weburl::Url;

/// One policy: each directive's name (lowercase) and its source list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    directives: Vec<(String, Vec<String>)>,
}

impl Policy {
    pub fn parse(text: &str) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for directive in text.split(';') {
            let mut words = directive.split_ascii_whitespace();
            let Some(name) = words.next() else { continue };
            let name = name.to_ascii_lowercase();
            // A repeated directive is ignored, as browsers do.
            if !directives.iter().any(|(n, _)| *n == name) {
                directives.push((name, words.map(str::to_owned).collect()));
            }
        }
        Policy { directives }
    }

    fn sources(&self, name: &str) -> Option<&[String]> {
        self.directives
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, sources)| sources.as_slice())
    }

    /// Whether a script on a page of `page_origin` may `fetch(url)`.
    pub fn allows_connect(&self, url: &Url, page_origin: &str) -> bool {
        match self
            .sources("connect-src")
            .or_else(|| self.sources("default-src"))
        {
            Some(sources) => matches_any(sources, url, page_origin),
            None => true,
        }
    }

    /// Whether a form on a page of `page_origin` may post to `url`.
    pub fn allows_form_action(&self, url: &Url, page_origin: &str) -> bool {
        self.sources("form-action")
            .is_none_or(|sources| matches_any(sources, url, page_origin))
    }
}

fn matches_any(sources: &[String], url: &Url, page_origin: &str) -> bool {
    sources
        .iter()
        .any(|source| matches(source, url, page_origin))
}

fn matches(source: &str, url: &Url, page_origin: &str) -> bool {
    let source = source.to_ascii_lowercase();
    let web = matches!(url.scheme(), "http" | "https");
    match source.as_str() {
        "'self'" => url.origin().ascii_serialization() == page_origin,
        "*" => web,
        _ if source.starts_with('\'') => false,
        _ if source.ends_with(':') && !source.contains('/') => {
            let scheme = &source[..source.len() - 1];
            // `http:` also allows the secure upgrade.
            scheme == url.scheme() || (scheme == "http" && url.scheme() == "https")
        }
        _ => matches_host_source(&source, url),
    }
}

/// `[scheme://]host[:port][/path]`.
fn matches_host_source(source: &str, url: &Url) -> bool {
    let (scheme, rest) = match source.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, source),
    };
    let scheme_ok = match scheme {
        Some(scheme) => scheme == url.scheme() || (scheme == "http" && url.scheme() == "https"),
        None => matches!(url.scheme(), "http" | "https"),
    };
    let (host_port, path) = match rest.find('/') {
        Some(at) => (&rest[..at], Some(&rest[at..])),
        None => (rest, None),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host_port.ends_with(']') => {
            (host, Some(port))
        }
        _ => (host_port, None),
    };
    let url_host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host_ok = match host.strip_prefix("*.") {
        Some(suffix) => url_host.ends_with(&format!(".{suffix}")),
        None => url_host == host,
    };
    let url_port = url.port_or_known_default();
    let port_ok = match port {
        Some("*") => true,
        Some(port) => port.parse::<u16>().ok() == url_port,
        None => {
            let default = match scheme.unwrap_or(url.scheme()) {
                "http" => Some(80),
                "https" => Some(443),
                _ => None,
            };
            // An `http` source's default port also allows https on 443 (the upgrade).
            url_port == default || (default == Some(80) && url_port == Some(443))
        }
    };
    let path_ok = path.is_none_or(|path| {
        if path.ends_with('/') {
            url.path().starts_with(path)
        } else {
            url.path() == path
        }
    });
    scheme_ok && host_ok && port_ok && path_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn connect_src_is_matched_as_browsers_match_it() {
        let policy = Policy::parse(
            "default-src 'none'; connect-src 'self' https://w.example http://127.0.0.1:* https://*.dev.example:8443; form-action 'self'",
        );
        let page = "https://a.example";
        for (target, allowed) in [
            ("https://a.example/api/x", true),
            ("https://w.example/api/x", true),
            ("https://w.example:8443/api/x", false),
            ("http://w.example/api/x", false),
            ("http://127.0.0.1:8123/api", true),
            ("http://localhost:8123/api", false),
            ("https://x.dev.example:8443/api", true),
            ("https://dev.example:8443/api", false),
            ("https://b.example/api", false),
        ] {
            assert_eq!(
                policy.allows_connect(&url(target), page),
                allowed,
                "{target}"
            );
        }
        assert!(policy.allows_form_action(&url("https://a.example/api"), page));
        assert!(!policy.allows_form_action(&url("https://w.example/api"), page));
    }

    #[test]
    fn schemes_wildcards_and_fallbacks() {
        let page = "https://a.example";
        let https = Policy::parse("connect-src 'self' https:");
        assert!(https.allows_connect(&url("https://any.example/api"), page));
        assert!(!https.allows_connect(&url("http://any.example/api"), page));
        let fallback = Policy::parse("default-src 'self'");
        assert!(!fallback.allows_connect(&url("https://w.example/api"), page));
        assert!(fallback.allows_form_action(&url("https://w.example/api"), page));
        let none = Policy::parse("connect-src 'none'");
        assert!(!none.allows_connect(&url("https://a.example/api"), page));
        assert!(Policy::parse("connect-src *").allows_connect(&url("http://b.example/"), page));
    }
}
