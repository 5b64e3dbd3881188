//! `petitio doctor <url>`: fetch the live site as a signer's browser would and say, check
//! by check, what stands between its pages and a recorded signature, with the fix for each
//! problem. Run it after every step of a relocation (`petitio relocate` prints which check
//! verifies which step) and whenever signing fails somewhere.
//!
//! It reads the home page, the site's manifest (`_petitio/manifest.json`) and one petition
//! page (`--petition`, else the manifest's first open petition), and from the page itself
//! what a browser would act on ([`page::Page`]); then:
//! * `api`: each API endpoint the page names answers a request with the page's `Origin`
//!   ([`api::reachable`]);
//! * `cors`: each lets the page read its answers and post a signature ([`api::cors`]);
//! * `csp`: the page's policy lets its script reach every endpoint (`connect-src`) and its
//!   form post to each (`form-action`) ([`csp_check`]);
//! * `note`: the signed "where we are now" note here is one the page follows, not stale,
//!   and does not call this origin abandoned ([`note::check`]);
//! * `manifest`: the API knows every petition the pages offer ([`content::check`]).
//!
//! Every request gives up after [`probe::TIMEOUT`], so the command always ends.

mod api;
mod content;
mod csp;
mod note;
mod page;
mod probe;

use petitio_model::manifest::{Manifest, MANIFEST_PATH};
use petitio_model::status::Status;
use petitio_model::urls;
use petitio_model::urls::ApiRoute;
use petitio_model::weburl::{parse_http_url, Url};

use crate::error::Error;
use page::Page;
use probe::Probe;

/// What `petitio doctor` is asked to check.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// The site's root address, e.g. `https://petitions.example/`.
    pub url: String,
    /// The petition whose page is read (default: the manifest's first open one).
    pub petition: Option<String>,
}

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
}

/// One check's verdict: what was found and, unless it is fine, what to do.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static str,
    pub verdict: Verdict,
    pub text: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: &'static str, text: String) -> Finding {
        Finding {
            check,
            verdict: Verdict::Ok,
            text,
            fix: None,
        }
    }

    fn warn(check: &'static str, text: String, fix: String) -> Finding {
        Finding {
            check,
            verdict: Verdict::Warn,
            text,
            fix: Some(fix),
        }
    }

    fn fail(check: &'static str, text: String, fix: String) -> Finding {
        Finding {
            check,
            verdict: Verdict::Fail,
            text,
            fix: Some(fix),
        }
    }
}

/// The page checked and every check's finding, in order.
pub struct Report {
    pub site: String,
    pub page: String,
    pub findings: Vec<Finding>,
}

impl Report {
    /// The command's error when any check failed.
    pub fn passed(&self) -> Result<(), Error> {
        let failed = self
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Fail)
            .count();
        if failed > 0 {
            return Err(Error::DoctorFailed {
                site: self.site.clone(),
                failed,
                total: self.findings.len(),
            });
        }
        Ok(())
    }
}

/// Runs every check against the live site.
pub fn doctor(opts: &DoctorOptions) -> Result<Report, Error> {
    let base = site_root(&opts.url)?;
    let probe = Probe::new();
    let home = load(&probe, base.as_str())?;
    let manifest = fetch_manifest(&probe, &base);
    let (slug, lang) = petition_page(opts, &base, manifest.as_ref(), &home.text())?;
    let page_url = base
        .join(&urls::petition(&lang, &slug))
        .map_err(|_| Error::DoctorUrl {
            url: opts.url.clone(),
        })?;
    let answer = load(&probe, page_url.as_str())?;
    let mut page = Page::read(
        page_url.clone(),
        &answer.text(),
        answer.header("content-security-policy"),
    );
    // A newer note moves the page's API: check the endpoints the script would use.
    let (note_finding, followed) = note::check(&probe, &page, &base);
    if let Some(note) = &followed {
        page.endpoints = page.endpoints_following(note);
    }
    let reached = api::reach(&probe, &page, &slug);
    let mut api_finding = api::reachable(&page, &reached);
    if let Some(note) = &followed {
        api_finding.text.push_str(&format!(
            " (following the note of sequence {})",
            note.sequence
        ));
    }
    let findings = vec![
        api_finding,
        api::cors(&probe, &page, &slug, &reached),
        csp_check(&page, &slug),
        note_finding,
        content::check(&probe, manifest.as_ref(), &reached),
    ];
    Ok(Report {
        site: base.as_str().to_owned(),
        page: page_url.as_str().to_owned(),
        findings,
    })
}

/// `text` as the site's root: an http(s) address, ending in `/`.
fn site_root(text: &str) -> Result<Url, Error> {
    let bad = || Error::DoctorUrl {
        url: text.to_owned(),
    };
    let url = parse_http_url(text).ok_or_else(bad)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad());
    }
    let mut url = url;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// A page that must load (200), or the command's error.
fn load(probe: &Probe, url: &str) -> Result<probe::Answer, Error> {
    let failed = |reason: String| Error::DoctorPage {
        url: url.to_owned(),
        reason,
    };
    let answer = probe.get(url, None).map_err(failed)?;
    if answer.status != 200 {
        return Err(failed(format!("HTTP status {}", answer.status)));
    }
    Ok(answer)
}

/// The manifest published beside the pages, if it is there and readable.
fn fetch_manifest(probe: &Probe, base: &Url) -> Option<Manifest> {
    let url = base.join(MANIFEST_PATH).ok()?;
    let answer = probe.get(url.as_str(), None).ok()?;
    (answer.status == 200)
        .then(|| serde_json::from_slice(&answer.body).ok())
        .flatten()
}

/// The petition whose page is read, and the page's language.
fn petition_page(
    opts: &DoctorOptions,
    base: &Url,
    manifest: Option<&Manifest>,
    home: &str,
) -> Result<(String, String), Error> {
    let Some(manifest) = manifest else {
        let slug = opts
            .petition
            .clone()
            .ok_or_else(|| Error::DoctorNoManifest {
                site: base.as_str().to_owned(),
            })?;
        // The home page redirects to, or is, a language's home: `<html lang="kk">`.
        let lang = home
            .split("<html lang=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("en")
            .to_owned();
        return Ok((slug, lang));
    };
    let petition = match &opts.petition {
        Some(slug) => manifest
            .petitions
            .iter()
            .find(|p| p.slug == *slug)
            .ok_or_else(|| Error::DoctorUnknownPetition {
                site: base.as_str().to_owned(),
                slug: slug.clone(),
            })?,
        None => manifest
            .petitions
            .iter()
            .find(|p| p.status == Status::Open)
            .or(manifest.petitions.first())
            .ok_or_else(|| Error::DoctorNoManifest {
                site: base.as_str().to_owned(),
            })?,
    };
    let lang = if petition.languages.contains(&manifest.default_language) {
        manifest.default_language.clone()
    } else {
        petition
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| manifest.default_language.clone())
    };
    Ok((petition.slug.clone(), lang))
}

/// The `csp` check: every policy the page carries lets its script reach each endpoint and
/// its form post to each of its targets.
fn csp_check(page: &Page, slug: &str) -> Finding {
    if page.policies.is_empty() {
        return Finding::warn(
            "csp",
            "the page carries no Content-Security-Policy (neither header nor <meta>): nothing \
             blocks the API, nor injected script"
                .into(),
            "serve the build's _headers (or publish a bundle, whose pages carry the policy)".into(),
        );
    }
    let mut blocked = Vec::new();
    for endpoint in &page.endpoints {
        let Some(url) = parse_http_url(&ApiRoute::Signatures(slug).url(endpoint)) else {
            continue;
        };
        if !page
            .policies
            .iter()
            .all(|p| p.allows_connect(&url, &page.origin))
        {
            blocked.push(format!("connect-src blocks {endpoint}"));
        }
    }
    for target in &page.form_targets {
        if !page
            .policies
            .iter()
            .all(|p| p.allows_form_action(target, &page.origin))
        {
            blocked.push(format!(
                "form-action blocks {}",
                target.origin().ascii_serialization()
            ));
        }
    }
    if blocked.is_empty() {
        Finding::ok(
            "csp",
            format!(
                "connect-src allows {} endpoint{}, form-action {} form target{}",
                page.endpoints.len(),
                if page.endpoints.len() == 1 { "" } else { "s" },
                page.form_targets.len(),
                if page.form_targets.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        )
    } else {
        Finding::fail(
            "csp",
            format!("the page's policy {}", blocked.join("; ")),
            "serve the _headers of the same build as the pages (`petitio build` lists every \
             endpoint of api_endpoints in connect-src and form-action)"
                .into(),
        )
    }
}
