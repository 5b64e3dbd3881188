//! Which address a request comes from, for the signature API's per-address rate limit.
//!
//! By default it is the TCP peer's: any client can write `CF-Connecting-IP` or
//! `X-Forwarded-For`, so believing them would let one client pose as many and sign past
//! the limit. Behind a reverse proxy every peer is the proxy, so the user names the
//! header the proxy sets (`--trust-proxy-header NAME`), and then the address is the
//! header's right-most comma-separated entry: the one the nearest proxy appended to
//! `X-Forwarded-For` (entries to its left were written by the client, or by proxies
//! further away, and prove nothing), and the only entry of a single-address header such
//! as `CF-Connecting-IP` or `X-Real-IP`. When that header is missing or its entry is not
//! an address, the peer's address counts, so a request cannot escape the limit by
//! leaving it out.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName};

use crate::error::ServeError;

/// Where the client's address is read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClientAddress {
    /// The TCP peer's address.
    #[default]
    Peer,
    /// The right-most entry of this header, set by a trusted proxy.
    ProxyHeader(HeaderName),
}

impl ClientAddress {
    /// `--trust-proxy-header NAME`.
    pub fn trusting(name: &str) -> Result<Self, ServeError> {
        HeaderName::try_from(name.trim())
            .map(Self::ProxyHeader)
            .map_err(|_| ServeError::ProxyHeader(name.to_owned()))
    }

    /// The address of the client that sent `headers` over a connection from `peer`.
    pub fn of(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        match self {
            Self::Peer => peer,
            Self::ProxyHeader(name) => right_most_entry(headers, name)
                .and_then(parse_address)
                .unwrap_or(peer),
        }
    }
}

/// The last non-empty entry of the last `name` header line (a proxy that appends to a
/// list of several lines appends to the last one).
fn right_most_entry<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    let line = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    line.rsplit(',')
        .map(str::trim)
        .find(|entry| !entry.is_empty())
}

/// An address, with or without a port (`203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:80`).
fn parse_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|address| address.ip()))
        .or_else(|| {
            let bracketed = entry.strip_prefix('[')?.strip_suffix(']')?;
            bracketed.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn headers(lines: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in lines {
            map.append(HeaderName::try_from(*name).unwrap(), value.parse().unwrap());
        }
        map
    }

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn by_default_forwarding_headers_are_ignored() {
        let spoofed = headers(&[
            ("cf-connecting-ip", "198.51.100.1"),
            ("x-forwarded-for", "198.51.100.2"),
        ]);
        assert_eq!(ClientAddress::Peer.of(&spoofed, PEER), PEER);
    }

    #[test]
    fn the_right_most_entry_of_the_trusted_header_is_the_client() {
        let forwarded = ClientAddress::trusting("X-Forwarded-For").unwrap();
        for (lines, expected) in [
            (
                vec![("x-forwarded-for", "198.51.100.1, 203.0.113.7")],
                "203.0.113.7",
            ),
            (vec![("x-forwarded-for", "203.0.113.7,")], "203.0.113.7"),
            (
                vec![
                    ("x-forwarded-for", "198.51.100.1"),
                    ("x-forwarded-for", "10.0.0.1, 203.0.113.8"),
                ],
                "203.0.113.8",
            ),
            (vec![("x-forwarded-for", "203.0.113.7:4711")], "203.0.113.7"),
            (vec![("x-forwarded-for", "[2001:db8::1]:80")], "2001:db8::1"),
            (vec![("x-forwarded-for", "[2001:db8::1]")], "2001:db8::1"),
            (vec![("x-forwarded-for", "2001:db8::2")], "2001:db8::2"),
        ] {
            assert_eq!(
                forwarded.of(&headers(&lines), PEER),
                address(expected),
                "{lines:?}"
            );
        }
    }

    #[test]
    fn only_the_named_header_is_trusted_and_a_missing_or_bad_one_means_the_peer() {
        let cloudflare = ClientAddress::trusting("CF-Connecting-IP").unwrap();
        assert_eq!(
            cloudflare.of(&headers(&[("cf-connecting-ip", "203.0.113.7")]), PEER),
            address("203.0.113.7")
        );
        for lines in [
            vec![("x-forwarded-for", "203.0.113.7")],
            vec![("cf-connecting-ip", "unknown")],
            vec![("cf-connecting-ip", " , ")],
            vec![],
        ] {
            assert_eq!(cloudflare.of(&headers(&lines), PEER), PEER, "{lines:?}");
        }
    }

    #[test]
    fn a_header_name_is_checked_and_case_does_not_matter() {
        assert_eq!(
            ClientAddress::trusting("X-Real-IP").unwrap(),
            ClientAddress::trusting("x-real-ip").unwrap()
        );
        assert_eq!(
            ClientAddress::trusting("Forwarded For")
                .unwrap_err()
                .to_string(),
            "`Forwarded For` is not a header name: give the header your proxy sets to the \
             client's address, e.g. --trust-proxy-header CF-Connecting-IP"
        );
    }
}
