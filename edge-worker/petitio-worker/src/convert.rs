//! Conversion between the runtime's `Request`/`Response` and the core's plain
//! `ApiRequest`/`ApiResponse`. The body is read only up to one byte past the core's size
//! limit, so an oversized upload costs no more than that and still gets its 413.

use petitio_signatures::http::{ApiRequest, ApiResponse};
use petitio_signatures::validate::MAX_BODY_BYTES;
use worker::js_sys::{Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::ReadableStreamDefaultReader;
use worker::{Headers, Request, Response, ResponseBuilder};

/// The header Cloudflare sets to the visitor's address.
const CLIENT_IP_HEADER: &str = "cf-connecting-ip";

/// Builds the core's view of `request`.
pub async fn to_api_request(request: &Request) -> worker::Result<ApiRequest> {
    let url = request.url()?;
    let headers: Vec<(String, String)> = request
        .headers()
        .entries()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect();
    let client_ip = headers
        .iter()
        .find(|(name, _)| name == CLIENT_IP_HEADER)
        .map(|(_, value)| value.clone());
    Ok(ApiRequest {
        method: request.method().to_string(),
        path: url.path().to_owned(),
        query: url.query().map(str::to_owned),
        headers,
        body: read_body_capped(request, MAX_BODY_BYTES + 1).await?,
        client_ip,
    })
}

/// Reads at most `cap` bytes of the body, then cancels the rest of the stream.
pub async fn read_body_capped(request: &Request, cap: usize) -> worker::Result<Vec<u8>> {
    let Some(stream) = request.inner().body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut body = Vec::new();
    while body.len() < cap {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            return Ok(body);
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        let take = (cap - body.len()).min(bytes.length() as usize);
        body.extend_from_slice(&bytes.subarray(0, take as u32).to_vec());
    }
    // Over the limit: the rest is never read.
    let _ = reader.cancel();
    Ok(body)
}

/// Builds the runtime's response from the core's.
pub fn to_worker_response(response: ApiResponse) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let builder = ResponseBuilder::new()
        .with_status(response.status)
        .with_headers(headers);
    // 204, 304 and redirects may not carry a body; the core sends them without one.
    Ok(if response.body.is_empty() {
        builder.empty()
    } else {
        builder.fixed(response.body)
    })
}
