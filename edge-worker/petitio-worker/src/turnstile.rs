//! `TurnstileVerifier` over the Workers `fetch` API: one subrequest to siteverify per
//! challenged signature, in the format `petitio_signatures::turnstile` defines. The secret travels
//! only in the request body, never in a URL or a log line.

use petitio_signatures::turnstile::{
    parse_siteverify_response, siteverify_request_body, TurnstileVerifier,
};
use worker::wasm_bindgen::JsValue;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// Verifies tokens with the runtime's outbound `fetch`.
pub struct FetchTurnstile;

impl TurnstileVerifier for FetchTurnstile {
    async fn verify(&self, verify_url: &str, secret: &str, token: &str) -> Result<bool, String> {
        let headers = Headers::new();
        headers
            .set("content-type", "application/x-www-form-urlencoded")
            .map_err(|e| format!("could not build the siteverify request: {e}"))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&siteverify_request_body(
                secret, token,
            ))));
        let request = Request::new_with_init(verify_url, &init)
            .map_err(|e| format!("could not build a request to {verify_url}: {e}"))?;
        let mut response = Fetch::Request(request)
            .send()
            .await
            .map_err(|e| format!("siteverify at {verify_url} is unreachable: {e}"))?;
        let status = response.status_code();
        if status != 200 {
            return Err(format!("siteverify at {verify_url} answered HTTP {status}"));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("siteverify at {verify_url}: could not read the answer: {e}"))?;
        parse_siteverify_response(&body)
    }
}
