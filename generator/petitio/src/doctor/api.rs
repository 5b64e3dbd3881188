//! The checks `api` and `cors`: does each API endpoint the page uses answer a request made
//! with the page's `Origin` (the petition's count route, which every endpoint serves), and
//! does it let the page read its answers and post a signature (`Access-Control-Allow-Origin`
//! on that answer and on the preflight of the sign route)?
//!
//! The page's script moves to the next endpoint only when one does not answer, so one
//! endpoint down is a warning while another answers, and a failure only when none does.
//! A CORS refusal looks to the script like no answer, so the same rule holds for `cors`.

use petitio_model::urls::ApiRoute;
use petitio_model::weburl::parse_http_url;

use super::page::Page;
use super::probe::{Answer, Probe};
use super::Finding;

/// An origin no operator lists: an API that lets it sign accepts any origin.
const FOREIGN_ORIGIN: &str = "https://petitio-doctor.invalid";

/// Each endpoint and what it did when asked for the petition's count.
pub struct Reached<'p> {
    pub endpoint: &'p str,
    pub outcome: Result<Answer, String>,
}

impl Reached<'_> {
    /// Whether the endpoint answered as an API that runs (any status below 500).
    pub fn answers(&self) -> bool {
        self.outcome
            .as_ref()
            .is_ok_and(|answer| answer.status < 500)
    }

    fn problem(&self) -> String {
        match &self.outcome {
            Ok(answer) => format!("answered HTTP {}", answer.status),
            Err(reason) => reason.clone(),
        }
    }
}

/// Asks every endpoint of `page` for `slug`'s count, with the page's origin.
pub fn reach<'p>(probe: &Probe, page: &'p Page, slug: &str) -> Vec<Reached<'p>> {
    page.endpoints
        .iter()
        .map(|endpoint| Reached {
            endpoint,
            outcome: probe.get(
                &ApiRoute::PetitionCount(slug).url(endpoint),
                Some(&page.origin),
            ),
        })
        .collect()
}

/// The `api` check.
pub fn reachable(page: &Page, reached: &[Reached<'_>]) -> Finding {
    if reached.is_empty() {
        return Finding::fail(
            "api",
            "the page names no API endpoint (no data-api attribute)".into(),
            "build the site with `petitio build` (api_endpoints in petitio.toml) and publish dist/"
                .into(),
        );
    }
    let down: Vec<String> = reached
        .iter()
        .filter(|r| !r.answers())
        .map(|r| format!("{} ({})", r.endpoint, r.problem()))
        .collect();
    let up: Vec<&str> = reached
        .iter()
        .filter(|r| r.answers())
        .map(|r| r.endpoint)
        .collect();
    let fix = "check that the endpoint's host name has a DNS record and that the worker has a \
               route there (the steps `petitio relocate` printed), then `scripts/deploy`";
    if up.is_empty() {
        Finding::fail(
            "api",
            format!(
                "no API endpoint answers from {}: {}",
                page.origin,
                down.join("; ")
            ),
            fix.into(),
        )
    } else if down.is_empty() {
        Finding::ok(
            "api",
            format!(
                "{} answer{} from {}",
                up.join(", "),
                if up.len() == 1 { "s" } else { "" },
                page.origin
            ),
        )
    } else {
        Finding::warn(
            "api",
            format!(
                "{} answer{}, but {} not: {}",
                up.join(", "),
                if up.len() == 1 { "s" } else { "" },
                if down.len() == 1 {
                    "this one does"
                } else {
                    "these do"
                },
                down.join("; ")
            ),
            format!("signers fail over to the ones that answer; {fix}"),
        )
    }
}

/// The `cors` check, over the endpoints that answered.
pub fn cors(probe: &Probe, page: &Page, slug: &str, reached: &[Reached<'_>]) -> Finding {
    let answering: Vec<&Reached<'_>> = reached.iter().filter(|r| r.answers()).collect();
    if answering.is_empty() {
        return Finding::warn(
            "cors",
            "not checked: no API endpoint answered".into(),
            "fix `api` first".into(),
        );
    }
    let cross: Vec<&&Reached<'_>> = answering
        .iter()
        .filter(|r| origin_of(r.endpoint).as_deref() != Some(page.origin.as_str()))
        .collect();
    if cross.is_empty() {
        return Finding::ok(
            "cors",
            format!(
                "the API is on the page's own origin {}: nothing to allow",
                page.origin
            ),
        );
    }
    let mut refused = Vec::new();
    let mut allowed = Vec::new();
    let mut any_origin = false;
    for reached in &cross {
        let sign = ApiRoute::Signatures(slug).url(reached.endpoint);
        let read_ok = reached
            .outcome
            .as_ref()
            .is_ok_and(|answer| allows(answer, &page.origin));
        let preflight = probe.preflight(&sign, &page.origin);
        let post_ok = preflight
            .as_ref()
            .is_ok_and(|answer| answer.status < 300 && allows(answer, &page.origin));
        if read_ok && post_ok {
            allowed.push(reached.endpoint);
            any_origin |= probe
                .preflight(&sign, FOREIGN_ORIGIN)
                .is_ok_and(|answer| answer.status < 300 && allows(&answer, FOREIGN_ORIGIN));
        } else {
            let how = match &preflight {
                Ok(answer) if !post_ok => format!(
                    "the sign preflight answered HTTP {} without allowing it",
                    answer.status
                ),
                Ok(_) => "its answers carry no Access-Control-Allow-Origin for it".to_owned(),
                Err(reason) => format!("the sign preflight got no answer: {reason}"),
            };
            refused.push(format!("{} ({how})", reached.endpoint));
        }
    }
    let fix = format!(
        "add {} to ALLOWED_ORIGINS in edge-worker/wrangler.toml and deploy (`petitio relocate` \
         lists the main origin and the mirrors there), or set SIGN_FROM_ANY_ORIGIN = \"true\" \
         (with email confirmation or Turnstile on)",
        page.origin
    );
    if refused.is_empty() {
        Finding::ok(
            "cors",
            format!(
                "{} let{} {} read and sign{}",
                allowed.join(", "),
                if allowed.len() == 1 { "s" } else { "" },
                page.origin,
                if any_origin {
                    " (signing from any origin is on: SIGN_FROM_ANY_ORIGIN)"
                } else {
                    ""
                }
            ),
        )
    } else if allowed.is_empty() && cross.len() == answering.len() {
        Finding::fail(
            "cors",
            format!(
                "the API refuses the page's origin {}: {}",
                page.origin,
                refused.join("; ")
            ),
            fix,
        )
    } else {
        Finding::warn(
            "cors",
            format!(
                "some endpoints refuse the page's origin {}: {}",
                page.origin,
                refused.join("; ")
            ),
            fix,
        )
    }
}

/// Whether `answer` lets a page on `origin` read it.
fn allows(answer: &Answer, origin: &str) -> bool {
    answer
        .header("access-control-allow-origin")
        .is_some_and(|allowed| allowed == "*" || allowed == origin)
}

/// The origin of an absolute endpoint.
pub fn origin_of(endpoint: &str) -> Option<String> {
    parse_http_url(endpoint).map(|url| url.origin().ascii_serialization())
}
