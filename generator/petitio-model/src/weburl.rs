//! Web origins and URLs, parsed with the `url` crate (the WHATWG URL Standard, as browsers
//! parse them) and never by hand: a prefix test such as "starts with `http://localhost:`"
//! accepts `http://localhost:@evil.example/`, whose host is `evil.example`. Every check of an
//! origin or a URL, in the worker and in the generator, goes through here.
//!
//! An acceptable URL is `http` or `https` with a host, no user name or password, and no
//! white space or control character anywhere (the URL Standard would silently drop tabs
//! and newlines, so `https://exa<TAB>mple.org` would name another host than it shows).

pub use url::Url;

/// Parses an absolute `http(s)` URL with a host and no user name or password.
pub fn parse_http_url(text: &str) -> Option<Url> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let url = Url::parse(text).ok()?;
    let acceptable = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|host| !host.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    acceptable.then_some(url)
}

/// The origin `text` names, serialised as browsers send it in `Origin`: lowercase scheme and
/// host, an internationalised host in its `xn--` form, the port only when it is not the
/// scheme's default (`https://A.example:443/` gives `https://a.example`). `None` unless
/// `text` is an acceptable URL with nothing after the host and port but an optional `/`.
pub fn parse_origin(text: &str) -> Option<String> {
    let url = parse_http_url(text)?;
    let origin_only = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    origin_only.then(|| url.origin().ascii_serialization())
}

/// Whether `origin` (an `Origin` header) names the host a request was sent to (its `Host`
/// header), under the origin's own scheme: `https://petitio.example` and
/// `petitio.example:443` are one origin; `evil.example@petitio.example` is not a host.
pub fn origin_is_host(origin: &str, host: &str) -> bool {
    let Some(origin) = parse_origin(origin) else {
        return false;
    };
    let scheme = origin.split("://").next().unwrap_or_default();
    parse_origin(&format!("{scheme}://{host}")).is_some_and(|own| own == origin)
}

/// Whether `url` points at this machine: `localhost` or a loopback address
/// (`127.0.0.0/8`, `[::1]`). A name that merely starts with `localhost`
/// (`localhost.evil.example`) or the absolute name `localhost.` is not.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_serialised_as_browsers_send_them() {
        for (text, origin) in [
            ("https://petitio.example", "https://petitio.example"),
            ("https://petitio.example/", "https://petitio.example"),
            ("HTTPS://Petitio.EXAMPLE/", "https://petitio.example"),
            ("https://petitio.example:443", "https://petitio.example"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
            ("https://петиция.example", "https://xn--e1agazqz8d.example"),
        ] {
            assert_eq!(parse_origin(text).as_deref(), Some(origin), "{text}");
        }
    }

    #[test]
    fn anything_more_or_less_than_an_origin_is_refused() {
        for text in [
            "petitio.example",
            "https://",
            "https://petitio.example/x",
            "https://petitio.example?x",
            "https://petitio.example#x",
            "https://user@petitio.example",
            "https://user:pass@petitio.example",
            "http://localhost:@evil.example/",
            "https://exa\tmple.org",
            "https://petitio.example\n",
            "ftp://petitio.example",
            "javascript:alert(1)",
            "null",
        ] {
            assert_eq!(parse_origin(text), None, "{text:?}");
        }
    }

    #[test]
    fn an_origin_matches_its_own_host_only() {
        assert!(origin_is_host("https://petitio.example", "petitio.example"));
        assert!(origin_is_host(
            "https://petitio.example",
            "Petitio.Example:443"
        ));
        assert!(origin_is_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(origin_is_host("http://[::1]:8080", "[::1]:8080"));
        for (origin, host) in [
            ("https://petitio.example", "petitio.example:8443"),
            ("https://petitio.example", "evil.example@petitio.example"),
            ("https://petitio.example", "petitio.example/x"),
            ("https://petitio.example", ""),
            ("https://evil.example", "petitio.example"),
            ("null", "petitio.example"),
        ] {
            assert!(!origin_is_host(origin, host), "{origin} vs {host}");
        }
    }

    #[test]
    fn loopback_is_decided_on_the_parsed_host() {
        let loopback = |text: &str| is_loopback(&Url::parse(text).unwrap());
        for text in [
            "http://localhost/",
            "http://LOCALHOST:9000/x",
            "http://127.0.0.1:9000/",
            "http://127.8.9.10/",
            "http://[::1]:9000/",
        ] {
            assert!(loopback(text), "{text}");
        }
        for text in [
            "http://localhost:@evil.example/",
            "http://localhost.evil.example/",
            "http://localhost./",
            "https://evil.example#@localhost/",
            "http://evil.example/?@localhost",
            "http://128.0.0.1/",
            "http://[::2]/",
        ] {
            assert!(!loopback(text), "{text}");
        }
    }
}
