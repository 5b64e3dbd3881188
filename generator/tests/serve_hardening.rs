//! `petitio serve` exposed to a network (issue #10): the production-only
//! `Strict-Transport-Security` header is not sent over plain HTTP.

mod common;

use common::server::{site, Server};

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
