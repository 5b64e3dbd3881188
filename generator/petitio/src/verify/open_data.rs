//! What `petitio verify` reads of what a site publishes about its counts: from the open data
//! (`data/petitions.json`, docs/open-data.md) the log key and the petitions, and for each
//! the sealed count with the log size it corresponds to (`"log": {"sealed_count": N,
//! "size": M}`, the snapshot's shape), else from the counts the API publishes
//! (`api/counts`, the snapshot itself: `petitions.<slug>.log`). The open data's
//! `signature_count` is not compared: it also holds provisional, not yet sealed signatures.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::fetch::Site;
use crate::error::Error;
use petitio_model::urls::{ApiRoute, DATA_INDEX};

/// Where a site's API answers, relative to the site (the worker's and `petitio serve`'s).
const API_DIR: &str = "api";

/// A petition's published sealed count and the log size it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PublishedCount {
    #[serde(rename = "sealed_count")]
    pub count: u64,
    #[serde(rename = "size")]
    pub log_size: u64,
}

/// The parts of the open data verify uses.
#[derive(Debug)]
pub struct OpenData {
    pub key: Option<String>,
    /// Every petition, in the open data's order, with its published sealed count if any.
    pub petitions: Vec<(String, Option<PublishedCount>)>,
}

#[derive(Deserialize)]
struct Index {
    #[serde(default)]
    log: Option<IndexLog>,
    petitions: Vec<Petition>,
}

#[derive(Deserialize)]
struct IndexLog {
    key: Option<String>,
}

/// A petition in the open data or in the API's counts: only its sealed log is read.
#[derive(Deserialize)]
struct Petition {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    log: Option<PublishedCount>,
}

#[derive(Deserialize)]
struct Counts {
    petitions: BTreeMap<String, Petition>,
}

impl OpenData {
    pub fn fetch(site: &Site) -> Result<OpenData, Error> {
        let index: Index = parse(site, DATA_INDEX, &site.get(DATA_INDEX)?)?;
        let mut petitions: Vec<(String, Option<PublishedCount>)> = index
            .petitions
            .into_iter()
            .map(|p| (p.slug, p.log))
            .collect();
        if petitions.iter().any(|(_, log)| log.is_none()) {
            let counts_path = ApiRoute::Counts.url(API_DIR);
            if let Some(body) = site.get_optional(&counts_path)? {
                let counts: Counts = parse(site, &counts_path, &body)?;
                for (slug, log) in &mut petitions {
                    if log.is_none() {
                        *log = counts.petitions.get(slug.as_str()).and_then(|p| p.log);
                    }
                }
            }
        }
        Ok(OpenData {
            key: index.log.and_then(|log| log.key),
            petitions,
        })
    }

    /// Whether the open data lists `slug`, and its published sealed count.
    pub fn petition(&self, slug: &str) -> Option<Option<PublishedCount>> {
        self.petitions
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, published)| *published)
    }
}

fn parse<'a, T: Deserialize<'a>>(site: &Site, path: &str, body: &'a [u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::OpenData {
        url: site.url(path),
        reason: e.to_string(),
    })
}
