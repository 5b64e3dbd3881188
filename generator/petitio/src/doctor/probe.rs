//! The requests `petitio doctor` makes, as a page would make them: with the page's
//! `Origin`, each given up after [`TIMEOUT`], so the doctor never hangs on a blocked
//! address. A failure to get any answer is told in words a volunteer can act on (nothing
//! listens, the name does not resolve, no answer in time).

use std::time::Duration;

use crate::verify::fetch::agent;

/// How long one request may take in all (connecting included).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The largest body read: pages and the manifest of a large site.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The client.
pub struct Probe {
    agent: ureq::Agent,
}

impl Probe {
    pub fn new() -> Probe {
        Probe {
            agent: agent(
                TIMEOUT,
                concat!("petitio-doctor/", env!("CARGO_PKG_VERSION")),
            ),
        }
    }

    /// `GET url`, with `Origin: origin` when given.
    pub fn get(&self, url: &str, origin: Option<&str>) -> Result<Answer, String> {
        let mut request = self.agent.get(url);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        answer(request.call())
    }

    /// The CORS preflight a browser sends before a page on `origin` posts JSON to `url`.
    pub fn preflight(&self, url: &str, origin: &str) -> Result<Answer, String> {
        answer(
            self.agent
                .options(url)
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .call(),
        )
    }
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, String> {
    let mut response = result.map_err(|error| reason(&error))?;
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|error| reason(&error))?;
    Ok(Answer {
        status: response.status().as_u16(),
        headers,
        body,
    })
}

/// Why no answer came, in words.
fn reason(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "its host name does not resolve (DNS)".to_owned(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens there)".to_owned()
        }
        // The system resolver's failure (no such name, or no resolver reachable).
        ureq::Error::Io(io) if io.to_string().contains("failed to lookup address") => {
            "its host name does not resolve (DNS)".to_owned()
        }
        ureq::Error::ConnectionFailed => "the connection failed".to_owned(),
        other => other.to_string(),
    }
}
