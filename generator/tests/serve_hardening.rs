//! `petitio serve` exposed to a network (issue #10): a forwarded client address is
//! believed only when the user says which proxy header to trust, and the production-only
//! `Strict-Transport-Security` header is not sent over plain HTTP.

mod common;

use common::server::{site, Server};

/// Signs with a fresh email each time; the test sets the burst limit.
struct Signer<'a> {
    server: &'a Server,
    count: usize,
}

impl Signer<'_> {
    fn sign(&mut self, extra: &[(&str, &str)]) -> u16 {
        self.count += 1;
        let response = self
            .server
            .sign_with(&format!("signer{}@example.org", self.count), extra);
        response.status
    }
}

#[test]
fn without_the_option_forwarded_addresses_do_not_bypass_the_rate_limit() {
    let site = site();
    let server = Server::start_with(&site, &[], &[("RATE_LIMIT_BURST", "3/600")]);
    let mut signer = Signer {
        server: &server,
        count: 0,
    };
    for _ in 0..3 {
        assert_eq!(signer.sign(&[]), 201);
    }
    assert_eq!(signer.sign(&[]), 429);
    for index in 1..=6 {
        let spoofed = format!("198.51.100.{index}");
        assert_eq!(
            signer.sign(&[("CF-Connecting-IP", &spoofed)]),
            429,
            "{spoofed}"
        );
        assert_eq!(
            signer.sign(&[("X-Forwarded-For", &spoofed)]),
            429,
            "{spoofed}"
        );
        assert_eq!(signer.sign(&[("X-Real-IP", &spoofed)]), 429, "{spoofed}");
    }
    server.stop();
}

#[test]
fn with_the_option_the_named_headers_right_most_entry_is_the_client_address() {
    let site = site();
    let server = Server::start_with(
        &site,
        &["--trust-proxy-header", "X-Forwarded-For"],
        &[("RATE_LIMIT_BURST", "2/600")],
    );
    let mut signer = Signer {
        server: &server,
        count: 0,
    };
    // The client wrote the first entry; the proxy appended the address it saw.
    let first = [("X-Forwarded-For", "198.51.100.1, 203.0.113.1")];
    assert_eq!(signer.sign(&first), 201);
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "198.51.100.2, 203.0.113.1")]),
        201
    );
    assert_eq!(signer.sign(&first), 429);
    // Another header naming another address changes nothing: only the named one counts.
    assert_eq!(
        signer.sign(&[("CF-Connecting-IP", "203.0.113.9"), first[0]]),
        429
    );
    // The same client rewriting its own part changes nothing either.
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "203.0.113.2, 203.0.113.1")]),
        429
    );
    // Another address, as the proxy saw it, has a limit of its own.
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "203.0.113.1, 203.0.113.2")]),
        201
    );
    server.stop();
}

#[test]
fn the_production_hsts_header_is_not_sent_over_plain_http() {
    let site = site();
    let server = Server::start(&site);
    assert!(
        site.read(".petitio/site/_headers")
            .contains("Strict-Transport-Security:"),
        "the build no longer sets HSTS: this test has nothing to check"
    );
    for path in ["/kk/", "/kk/no-such-page/", "/api/counts"] {
        let response = server.get(path);
        assert_eq!(response.header("strict-transport-security"), None, "{path}");
        assert!(response.header("content-type").is_some(), "{path}");
    }
    server.stop();
}
