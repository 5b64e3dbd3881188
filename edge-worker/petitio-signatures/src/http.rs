//! Plain HTTP request and response values, so the API core never names a runtime's
//! types: the Workers adapter (`wasm.rs`) and `petitio serve` (axum) convert to and from
//! these at the edge of the program.

/// An incoming request as the API sees it.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    /// Upper-case method, e.g. "POST".
    pub method: String,
    /// Path without query, e.g. "/api/petitions/clean-air/signatures".
    pub path: String,
    /// Raw query string without '?', if any.
    pub query: Option<String>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client address: `CF-Connecting-IP` if present, else the peer address.
    /// Used only through a keyed hash; never stored or logged.
    pub client_ip: Option<String>,
}

impl ApiRequest {
    /// First value of header `name` (give it in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An outgoing response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ApiResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
