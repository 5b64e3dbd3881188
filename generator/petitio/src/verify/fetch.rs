//! Reading a site's public files over HTTP(S) for `petitio verify` and `petitio witness`
//! (and posting a witness's cosignature to it; the client `petitio doctor` shares, [`agent`]):
//! one blocking `ureq` agent (rustls, no cookies, no cache), paths taken relative to the
//! site's address so a site under a sub-path works. Every body is size-limited.

use std::time::Duration;

use crate::error::{Error, FetchError};

/// The largest body read: a full tile is 8 KiB and a full entry bundle of 256 entries of
/// at most 108 bytes about 28 KiB; open data of a large site is bigger.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The largest answer to a post read (an API answer is a few hundred bytes).
const MAX_ANSWER: u64 = 64 * 1024;

/// The one kind of HTTP client the CLI uses (`verify`, `witness`, `doctor`): blocking,
/// rustls, no cookies or cache, every HTTP status an answer (not an error), each request
/// given up after `timeout`.
pub fn agent(timeout: Duration, user_agent: &str) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(user_agent)
        .build();
    ureq::Agent::new_with_config(config)
}

/// A site's address and the client that reads from it.
pub struct Site {
    /// The address as given, ending in `/`.
    base: String,
    agent: ureq::Agent,
}

impl Site {
    /// `url` must be an http(s) address; a missing final `/` is added.
    pub fn new(url: &str) -> Result<Site, Error> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::VerifySiteUrl {
                url: url.to_owned(),
            });
        }
        let base = if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
        Ok(Site {
            base,
            agent: agent(
                Duration::from_secs(60),
                concat!("petitio-verify/", env!("CARGO_PKG_VERSION")),
            ),
        })
    }

    /// The site's address, ending in `/` (the state file's key for it).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The absolute URL of `path` (relative to the site, no leading `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// The body of `path`; `Ok(None)` when the site answers 404.
    pub fn get_optional(&self, path: &str) -> Result<Option<Vec<u8>>, FetchError> {
        let url = self.url(path);
        let response = self.agent.get(&url).call();
        let (status, body) = read(&url, response, MAX_BODY)?;
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            status => Err(FetchError {
                url,
                reason: format!("HTTP status {status}"),
            }),
        }
    }

    /// Posts `body` (plain text) to `path`: the status and at most [`MAX_ANSWER`] bytes of
    /// the answer, whatever the status.
    pub fn post(&self, path: &str, body: &str) -> Result<(u16, Vec<u8>), FetchError> {
        let url = self.url(path);
        let response = self
            .agent
            .post(&url)
            .content_type("text/plain; charset=utf-8")
            .send(body);
        read(&url, response, MAX_ANSWER)
    }

    /// The body of `path`; a 404 is an error naming the URL.
    pub fn get(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        self.get_optional(path)?.ok_or_else(|| FetchError {
            url: self.url(path),
            reason: "HTTP status 404 (not found)".into(),
        })
    }
}

/// The status and at most `limit` bytes of the body of the answer from `url`.
fn read(
    url: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<(u16, Vec<u8>), FetchError> {
    let failed = |error: ureq::Error| FetchError {
        url: url.to_owned(),
        reason: error.to_string(),
    };
    let mut response = response.map_err(failed)?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(failed)?;
    Ok((status, body))
}
