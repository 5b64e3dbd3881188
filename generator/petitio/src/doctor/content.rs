//! The `manifest` check: does the API know every petition the pages offer? The API learns
//! the petitions from the manifest of the build it was deployed with
//! (`_petitio/manifest.json`: the worker reads it from its static assets, `petitio serve`
//! from its own build), while the pages may come from a newer build (a static host or a
//! mirror updated before the worker). The pages' manifest is the one published beside
//! them; the API is asked for each of its petitions' counts, which it answers 404
//! `petition_not_found` for a petition its manifest lacks (and signing there fails the same
//! way).

use petitio_model::manifest::Manifest;
use petitio_model::urls::ApiRoute;

use super::api::Reached;
use super::probe::Probe;
use super::Finding;

/// The most petitions asked about, so a very large site does not take minutes.
const MAX_ASKED: usize = 200;

/// The `manifest` check.
pub fn check(probe: &Probe, pages: Option<&Manifest>, reached: &[Reached<'_>]) -> Finding {
    let Some(pages) = pages else {
        return Finding::warn(
            "manifest",
            "the page's origin publishes no manifest (_petitio/manifest.json): the API's \
             petitions cannot be compared with the pages'"
                .into(),
            "publish the whole dist/, _petitio/ included".into(),
        );
    };
    let Some(endpoint) = reached.iter().find(|r| r.answers()).map(|r| r.endpoint) else {
        return Finding::warn(
            "manifest",
            "not checked: no API endpoint answered".into(),
            "fix `api` first".into(),
        );
    };
    let asked: Vec<&str> = pages
        .petitions
        .iter()
        .take(MAX_ASKED)
        .map(|p| p.slug.as_str())
        .collect();
    let mut unknown = Vec::new();
    for slug in &asked {
        let url = ApiRoute::PetitionCount(slug).url(endpoint);
        match probe.get(&url, None) {
            Ok(answer) if answer.status == 404 && answer.text().contains("petition_not_found") => {
                unknown.push(*slug)
            }
            Ok(answer) if answer.status < 300 => {}
            Ok(answer) => {
                return Finding::warn(
                    "manifest",
                    format!("not checked: {url} answered HTTP {}", answer.status),
                    "fix `api` first".into(),
                )
            }
            Err(reason) => {
                return Finding::warn(
                    "manifest",
                    format!("not checked: {url}: {reason}"),
                    "fix `api` first".into(),
                )
            }
        }
    }
    let of = if asked.len() < pages.petitions.len() {
        format!(
            "the first {} of the {} petitions",
            asked.len(),
            pages.petitions.len()
        )
    } else {
        format!("all {} petitions", asked.len())
    };
    if unknown.is_empty() {
        Finding::ok(
            "manifest",
            format!("the API at {endpoint} knows {of} the pages list"),
        )
    } else {
        Finding::fail(
            "manifest",
            format!(
                "the API at {endpoint} does not know {} of {of} the pages list ({}): its \
                 manifest is older than the content",
                unknown.len(),
                unknown.join(", ")
            ),
            "deploy the worker with the same build as the pages (`scripts/deploy`)".into(),
        )
    }
}
