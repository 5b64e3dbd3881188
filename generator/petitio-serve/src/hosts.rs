//! The host names `petitio serve` answers for, against DNS rebinding: a web page on
//! `evil.example` can make that name resolve to 127.0.0.1 (or to this machine's LAN
//! address), and the victim's browser then sends the page's requests to this server as
//! same-origin requests, able to read pages and sign (the API's own check of `Origin`
//! against `Host` passes too, both naming `evil.example`). Such a request still says
//! `Host: evil.example`, so every request is checked here before anything else runs.
//!
//! Answered: `localhost`, `127.0.0.1`, `[::1]`, the address the server is bound to, the
//! names and addresses given with `--allowed-host`, and a literal address equal to the
//! one the connection arrived on (bound to `0.0.0.0`, a LAN visitor's `Host` is this
//! machine's address, which is not known in advance; a literal address cannot be
//! rebound). Any port: the name is what rebinding forges. Both the `Host` header and a
//! request target in absolute form (`GET http://name/ HTTP/1.1`) must name an allowed
//! host; a request naming none is refused too (browsers always send `Host`). The refusal
//! is `421 Misdirected Request`, saying how to allow the name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, HOST, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, Request, Response, StatusCode};

use crate::error::{host_not_allowed, ServeError};

/// Name every local server answers for.
const LOCALHOST: &str = "localhost";

/// A value of `--allowed-host`: a host name (lowercase) or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost(Host);

impl AllowedHost {
    /// Parses `--allowed-host NAME`: a name or an address alone, nothing around it.
    pub fn parse(text: &str) -> Result<Self, ServeError> {
        let invalid = || ServeError::AllowedHost(text.to_owned());
        let trimmed = text.trim();
        let host = match trimmed
            .strip_prefix('[')
            .and_then(|v6| v6.strip_suffix(']'))
        {
            Some(v6) => Host::Address(IpAddr::V6(v6.parse().map_err(|_| invalid())?)),
            None => match trimmed.parse::<IpAddr>() {
                Ok(address) => Host::Address(address),
                Err(_) if is_host_name(trimmed) => Host::Name(trimmed.to_ascii_lowercase()),
                Err(_) => return Err(invalid()),
            },
        };
        Ok(Self(host))
    }
}

/// A host a request names: a name (lowercased) or a literal address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Name(String),
    Address(IpAddr),
}

impl Host {
    /// The host of an authority (`name`, `name:port`, `1.2.3.4:80`, `[::1]:80`), or
    /// `None` when it is not one.
    fn of_authority(authority: &str) -> Option<Self> {
        if let Some(rest) = authority.strip_prefix('[') {
            let (v6, after) = rest.split_once(']')?;
            if !(after.is_empty() || is_port(after.strip_prefix(':')?)) {
                return None;
            }
            return v6
                .parse()
                .ok()
                .map(|address| Self::Address(IpAddr::V6(address)));
        }
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return None,
            None => authority,
        };
        match host.parse::<Ipv4Addr>() {
            Ok(address) => Some(Self::Address(IpAddr::V4(address))),
            Err(_) if is_host_name(host) => Some(Self::Name(host.to_ascii_lowercase())),
            Err(_) => None,
        }
    }
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Letters, digits, `-`, `_` and `.`, as DNS and LAN names use.
fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
}

/// What the server answers for (see the module documentation).
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
    addresses: Vec<IpAddr>,
}

impl AllowedHosts {
    /// The local names, the address the server is `bound` to, and `extra`.
    pub fn new(bound: IpAddr, extra: &[AllowedHost]) -> Self {
        let mut allowed = Self {
            names: vec![LOCALHOST.to_owned()],
            addresses: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
                bound.to_canonical(),
            ],
        };
        for AllowedHost(host) in extra {
            match host {
                Host::Name(name) => allowed.names.push(name.clone()),
                Host::Address(address) => allowed.addresses.push(address.to_canonical()),
            }
        }
        allowed
    }

    /// `None` when `request`, which arrived on a connection to `local`, may be answered;
    /// else the refusal to send instead.
    pub fn refusal<B>(&self, request: &Request<B>, local: IpAddr) -> Option<Response<Body>> {
        let header = request
            .headers()
            .get(HOST)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let target = request
            .uri()
            .authority()
            .map(|authority| authority.to_string());
        let named: Vec<String> = header.into_iter().chain(target).collect();
        if named.is_empty() {
            return Some(refuse(None));
        }
        named
            .iter()
            .find(|authority| !self.allows(authority, local))
            .map(|authority| refuse(Some(&shown_host(authority))))
    }

    fn allows(&self, authority: &str, local: IpAddr) -> bool {
        match Host::of_authority(authority) {
            Some(Host::Name(name)) => self.names.contains(&name),
            Some(Host::Address(address)) => {
                let address = address.to_canonical();
                address == local.to_canonical() || self.addresses.contains(&address)
            }
            None => false,
        }
    }
}

/// The host part of `authority` as `--allowed-host` takes it (the whole of it when it is
/// not an authority at all).
fn shown_host(authority: &str) -> String {
    match Host::of_authority(authority) {
        Some(Host::Name(name)) => name,
        Some(Host::Address(IpAddr::V6(address))) => format!("[{address}]"),
        Some(Host::Address(address)) => address.to_string(),
        None => authority.to_owned(),
    }
}

fn refuse(host: Option<&str>) -> Response<Body> {
    let mut response = Response::new(Body::from(host_not_allowed(host)));
    *response.status_mut() = StatusCode::MISDIRECTED_REQUEST;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn hosts() -> AllowedHosts {
        let extra = ["Petitions.LAN", "192.0.2.10", "[2001:db8::10]"]
            .map(|text| AllowedHost::parse(text).unwrap());
        AllowedHosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), &extra)
    }

    fn request(host: Option<&str>, target: &str) -> Request<()> {
        let mut builder = Request::builder().uri(target);
        if let Some(host) = host {
            builder = builder.header(HOST, host);
        }
        builder.body(()).unwrap()
    }

    fn status(host: Option<&str>, target: &str, local: IpAddr) -> Option<StatusCode> {
        hosts()
            .refusal(&request(host, target), local)
            .map(|response| response.status())
    }

    #[test]
    fn local_names_bound_and_allowed_hosts_are_answered_on_any_port() {
        for host in [
            "localhost",
            "LocalHost:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]:8080",
            "[::1]",
            "petitions.lan:8080",
            "PETITIONS.lan",
            "192.0.2.10:80",
            "[2001:db8::10]:8080",
        ] {
            assert_eq!(status(Some(host), "/", LOCAL), None, "{host}");
        }
    }

    #[test]
    fn other_names_and_addresses_are_refused() {
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.",
            "127.0.0.2",
            "127.1",
            "[::2]:8080",
            "petitions.lan.evil.example",
            "localhost:80:80",
            "local host",
            "",
        ] {
            assert_eq!(
                status(Some(host), "/", LOCAL),
                Some(StatusCode::MISDIRECTED_REQUEST),
                "{host}"
            );
        }
    }

    #[test]
    fn the_address_a_connection_arrived_on_is_answered_as_a_literal_only() {
        let lan = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 5));
        assert_eq!(status(Some("192.168.1.5:8080"), "/", lan), None);
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 168, 1, 5).to_ipv6_mapped());
        assert_eq!(status(Some("192.168.1.5:8080"), "/", mapped), None);
        assert_eq!(
            status(Some("192.168.1.6:8080"), "/", lan),
            Some(StatusCode::MISDIRECTED_REQUEST)
        );
    }

    #[test]
    fn an_absolute_target_and_a_missing_host_are_checked_too() {
        assert_eq!(
            status(Some("localhost"), "http://evil.example/", LOCAL),
            Some(StatusCode::MISDIRECTED_REQUEST)
        );
        assert_eq!(status(None, "http://localhost:8080/", LOCAL), None);
        assert_eq!(
            status(None, "/", LOCAL),
            Some(StatusCode::MISDIRECTED_REQUEST)
        );
    }

    #[test]
    fn the_refusal_is_plain_text_naming_the_host_as_allowed_host_takes_it() {
        for (host, shown) in [
            ("Evil.Example:8080", "evil.example"),
            ("[2001:db8::1]:8080", "[2001:db8::1]"),
            ("198.51.100.1:80", "198.51.100.1"),
        ] {
            let response = hosts().refusal(&request(Some(host), "/"), LOCAL).unwrap();
            assert_eq!(
                response.headers()[CONTENT_TYPE],
                "text/plain; charset=utf-8"
            );
            assert_eq!(shown_host(host), shown);
        }
    }

    #[test]
    fn an_allowed_host_is_a_name_or_an_address_alone() {
        for text in [
            "petitions.lan",
            "192.0.2.1",
            "2001:db8::1",
            "[2001:db8::1]",
            "my_box",
        ] {
            assert!(AllowedHost::parse(text).is_ok(), "{text}");
        }
        for text in [
            "http://petitions.lan",
            "petitions.lan:8080",
            "petitions.lan/",
            "",
            "[x]",
        ] {
            assert_eq!(
                AllowedHost::parse(text).unwrap_err().to_string(),
                format!(
                    "`{text}` is not a host name or address: give the name alone, without \
                     scheme, port or path, e.g. --allowed-host petitions.lan"
                )
            );
        }
    }
}
