//! Cloudflare Turnstile: the verifier trait each runtime implements (the Workers adapter
//! with `fetch`, `petitio serve` with its HTTP client) and the request/response format of
//! the siteverify endpoint, shared so both speak it the same way.

use serde::Deserialize;

#[allow(async_fn_in_trait)]
pub trait TurnstileVerifier {
    /// POSTs secret+token to `verify_url`; Ok(true) if Cloudflare says success.
    async fn verify(&self, verify_url: &str, secret: &str, token: &str) -> Result<bool, String>;
}

/// The form body to POST to siteverify (`Content-Type: application/x-www-form-urlencoded`).
pub fn siteverify_request_body(secret: &str, token: &str) -> String {
    serde_urlencoded::to_string([("secret", secret), ("response", token)])
        .expect("two string pairs always encode")
}

#[derive(Deserialize)]
struct SiteverifyResponse {
    success: bool,
}

/// Reads siteverify's answer: `Ok(success)`, or why it could not be read.
pub fn parse_siteverify_response(body: &[u8]) -> Result<bool, String> {
    serde_json::from_slice::<SiteverifyResponse>(body)
        .map(|response| response.success)
        .map_err(|error| format!("siteverify answered with unreadable JSON: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_request() {
        assert_eq!(
            siteverify_request_body("s&1", "t o"),
            "secret=s%261&response=t+o"
        );
    }

    #[test]
    fn reads_the_answer() {
        assert_eq!(
            parse_siteverify_response(br#"{"success":true,"error-codes":[]}"#),
            Ok(true)
        );
        assert_eq!(
            parse_siteverify_response(
                br#"{"success":false,"error-codes":["invalid-input-response"]}"#
            ),
            Ok(false)
        );
        assert_eq!(
            parse_siteverify_response(b"<html>"),
            Err(
                "siteverify answered with unreadable JSON: expected value at line 1 column 1"
                    .into()
            )
        );
    }
}
