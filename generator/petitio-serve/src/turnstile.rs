//! Turnstile verification for `petitio serve`: posts the token to the configured verify
//! URL and reads `success` from the answer, in the request and answer formats of
//! `petitio_signatures::turnstile`, which the Worker uses too. It is used only when `TURNSTILE_SECRET`
//! is set. This machine's build has no TLS client, so it speaks plain HTTP, which the API
//! configuration allows only to this machine (a local test verifier); an `https://` URL is
//! reported as unreachable rather than silently accepted.
//!
//! The request is HTTP/1.0 so the answer is never chunked: the body is everything up to
//! the end of the connection.

use std::time::Duration;

use petitio_model::weburl::parse_http_url;
use petitio_signatures::turnstile::{
    parse_siteverify_response, siteverify_request_body, TurnstileVerifier,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::TurnstileFailure;

/// Longest wait for the verifier's answer.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest answer read from the verifier.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// Verifies Turnstile tokens over plain HTTP.
#[derive(Debug, Default)]
pub struct LocalTurnstile;

impl TurnstileVerifier for LocalTurnstile {
    async fn verify(&self, verify_url: &str, secret: &str, token: &str) -> Result<bool, String> {
        tokio::time::timeout(VERIFY_TIMEOUT, verify(verify_url, secret, token))
            .await
            .unwrap_or(Err(TurnstileFailure::TimedOut(VERIFY_TIMEOUT)))
            .map_err(|failure| failure.to_string())
    }
}

async fn verify(verify_url: &str, secret: &str, token: &str) -> Result<bool, TurnstileFailure> {
    let target = HttpTarget::parse(verify_url)?;
    let body = siteverify_request_body(secret, token);
    let request = format!(
        "POST {} HTTP/1.0\r\nHost: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        target.path,
        target.authority,
        body.len()
    );
    let mut stream = TcpStream::connect(&target.authority)
        .await
        .map_err(TurnstileFailure::Connection)?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(TurnstileFailure::Connection)?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut answer)
        .await
        .map_err(TurnstileFailure::Connection)?;
    parse_answer(&answer)
}

/// Where an `http://host[:port][/path]` URL points, as the `url` crate parses it
/// (`petitio_model::weburl`), so the host connected to is the one the URL names.
#[derive(Debug, PartialEq, Eq)]
struct HttpTarget {
    /// `host:port`, the port defaulting to 80 (an IPv6 host in brackets).
    authority: String,
    /// Path and query, the request target.
    path: String,
}

impl HttpTarget {
    fn parse(text: &str) -> Result<Self, TurnstileFailure> {
        let url = parse_http_url(text)
            .filter(|url| url.scheme() == "http")
            .ok_or_else(|| TurnstileFailure::NotPlainHttp(text.to_owned()))?;
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(80);
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        Ok(Self {
            authority: format!("{host}:{port}"),
            path,
        })
    }
}

/// `success` from a 200 answer's body.
fn parse_answer(answer: &[u8]) -> Result<bool, TurnstileFailure> {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or(TurnstileFailure::NotHttp)?;
    let status = head
        .split_whitespace()
        .nth(1)
        .ok_or(TurnstileFailure::NotHttp)?;
    if status != "200" {
        return Err(TurnstileFailure::Status(status.to_owned()));
    }
    parse_siteverify_response(body.as_bytes()).map_err(TurnstileFailure::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verifier on this machine that answers once with `answer` and hands back the
    /// request it received.
    async fn local_verifier(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/siteverify", listener.local_addr().unwrap());
        let served = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 4096];
            let read = stream.read(&mut request).await.unwrap();
            stream.write_all(answer.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&request[..read]).into_owned()
        });
        (url, served)
    }

    #[tokio::test]
    async fn a_token_is_posted_as_a_form_and_the_verdict_read_back() {
        let (url, served) = local_verifier(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true}",
        )
        .await;
        let verdict = LocalTurnstile.verify(&url, "s&1", "t o").await;
        assert_eq!(verdict, Ok(true));
        let request = served.await.unwrap();
        assert!(
            request.starts_with("POST /siteverify HTTP/1.0\r\n"),
            "{request}"
        );
        assert!(request.contains("Content-Type: application/x-www-form-urlencoded\r\n"));
        assert!(
            request.ends_with("\r\n\r\nsecret=s%261&response=t+o"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn a_refused_token_is_a_refusal() {
        let (url, served) = local_verifier("HTTP/1.0 200 OK\r\n\r\n{\"success\":false}").await;
        assert_eq!(
            LocalTurnstile.verify(&url, "secret", "token").await,
            Ok(false)
        );
        served.await.unwrap();
    }

    #[test]
    fn a_url_splits_into_authority_and_path() {
        assert_eq!(
            HttpTarget::parse("http://127.0.0.1:9000/siteverify").unwrap(),
            HttpTarget {
                authority: "127.0.0.1:9000".into(),
                path: "/siteverify".into()
            }
        );
        assert_eq!(
            HttpTarget::parse("http://localhost").unwrap(),
            HttpTarget {
                authority: "localhost:80".into(),
                path: "/".into()
            }
        );
    }

    #[test]
    fn the_authority_is_the_host_the_url_names() {
        assert_eq!(
            HttpTarget::parse("http://[::1]:9000/v?x=1").unwrap(),
            HttpTarget {
                authority: "[::1]:9000".into(),
                path: "/v?x=1".into()
            }
        );
        assert_eq!(
            HttpTarget::parse("HTTP://LOCALHOST/").unwrap().authority,
            "localhost:80"
        );
        for url in [
            "http://localhost:@evil.example/",
            "http://user:pass@127.0.0.1:9000/",
        ] {
            assert!(HttpTarget::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn an_https_url_is_refused_with_a_way_out() {
        let failure = HttpTarget::parse("https://challenges.example/siteverify").unwrap_err();
        assert_eq!(
            failure.to_string(),
            "petitio serve can only reach a plain-http verifier on this machine, not \
             https://challenges.example/siteverify; set TURNSTILE_VERIFY_URL to one, \
             or unset TURNSTILE_SECRET to sign without Turnstile locally"
        );
    }

    #[test]
    fn the_answer_says_whether_the_token_passed() {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true}";
        let no = b"HTTP/1.0 200 OK\r\n\r\n{\"success\":false,\"error-codes\":[\"invalid-input-response\"]}";
        assert!(parse_answer(ok).unwrap());
        assert!(!parse_answer(no).unwrap());
    }

    #[test]
    fn a_failing_verifier_is_an_error_not_a_refusal() {
        let answer = b"HTTP/1.0 500 Internal Server Error\r\n\r\noops";
        assert_eq!(
            parse_answer(answer).unwrap_err().to_string(),
            "the Turnstile verifier answered with status 500"
        );
        assert_eq!(
            parse_answer(b"garbage").unwrap_err().to_string(),
            "the Turnstile verifier's answer is not HTTP"
        );
    }
}
