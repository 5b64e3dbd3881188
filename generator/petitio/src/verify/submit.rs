//! `petitio witness --submit`: posting a cosignature line to the site
//! (`POST log/<slug>/cosignature`, which the site keeps and serves with its checkpoint
//! while it is current) and reading its answer: accepted, or refused with the site's
//! reason (the API's JSON error message).

use petitio_model::urls::log_cosignature;

use super::fetch::Site;

/// How the site answered a cosignature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    Accepted,
    /// Refused with an HTTP status and the site's reason, or not reached (status 0).
    Refused {
        status: u16,
        reason: String,
    },
}

/// Posts the cosignature `line` of the petition `slug`'s checkpoint to the site at `site`.
pub fn submit(site: &str, slug: &str, line: &str) -> Submission {
    let answer = Site::new(site)
        .map_err(|error| error.to_string())
        .and_then(|site| {
            site.post(&log_cosignature(slug), line)
                .map_err(|error| error.to_string())
        });
    match answer {
        Ok((200, _)) => Submission::Accepted,
        Ok((status, body)) => Submission::Refused {
            status,
            reason: reason(&body),
        },
        Err(reason) => Submission::Refused { status: 0, reason },
    }
}

/// The API's error message (`{"error":{"message":...}}`), else the body as text.
fn reason(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|json| json["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned())
}
