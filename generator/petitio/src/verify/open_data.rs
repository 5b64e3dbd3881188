//! What `petitio verify` reads from a site's open data (`data/petitions.json`,
//! docs/open-data.md): the log key the site publishes, its petitions, and for each the
//! published sealed count with the log size it corresponds to.

use serde::Deserialize;

use super::fetch::Site;
use crate::error::Error;
use petitio_model::urls::DATA_INDEX;

/// A petition's published count and the log size it is for (`None`: the site does not say,
/// and the count is taken to be the checkpoint's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedCount {
    pub count: u64,
    pub log_size: Option<u64>,
}

/// The parts of `data/petitions.json` verify uses.
#[derive(Debug)]
pub struct OpenData {
    pub key: Option<String>,
    pub petitions: Vec<(String, PublishedCount)>,
}

#[derive(Deserialize)]
struct Index {
    #[serde(default)]
    log: Option<IndexLog>,
    petitions: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexLog {
    key: Option<String>,
}

#[derive(Deserialize)]
struct IndexEntry {
    slug: String,
    signature_count: u64,
    #[serde(default)]
    log_size: Option<u64>,
}

impl OpenData {
    pub fn fetch(site: &Site) -> Result<OpenData, Error> {
        let body = site.get(DATA_INDEX)?;
        let index: Index = serde_json::from_slice(&body).map_err(|e| Error::OpenData {
            url: site.url(DATA_INDEX),
            reason: e.to_string(),
        })?;
        Ok(OpenData {
            key: index.log.and_then(|log| log.key),
            petitions: index
                .petitions
                .into_iter()
                .map(|p| {
                    let published = PublishedCount {
                        count: p.signature_count,
                        log_size: p.log_size,
                    };
                    (p.slug, published)
                })
                .collect(),
        })
    }

    pub fn published(&self, slug: &str) -> Option<PublishedCount> {
        self.petitions
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, published)| *published)
    }
}
