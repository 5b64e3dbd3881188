//! Build-time signature counts (`--counts FILE`), shown on pages and in the open data.
//!
//! The file is what `GET /api/counts` returns, saved (`{"updated_at": ..., "petitions":
//! {"slug": {"count": 120, "by_region": {...}}}}`), or just its inner map: `{"slug": 120}` or
//! `{"slug": {"count": 120, "by_region": {"almaty-city": 80}}}`, optionally with `"reached":
//! {"100": "2026-03-01T12:00:00Z"}` (when the count reached each milestone). Pages show these
//! until the browser script fetches the live ones.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, IoAction};

/// Signatures of one petition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Count {
    pub count: u64,
    #[serde(default)]
    pub by_region: BTreeMap<String, u64>,
    /// When the count reached each milestone (RFC 3339, UTC), as the counting job publishes it.
    #[serde(default, deserialize_with = "milestone_keys")]
    pub reached: BTreeMap<u64, String>,
}

/// A map keyed by milestones written as JSON strings ("1000"). Read as strings first: serde
/// cannot read number keys through the untagged [`CountEntry`].
fn milestone_keys<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<u64, String>, D::Error> {
    BTreeMap::<String, String>::deserialize(deserializer)?
        .into_iter()
        .map(|(milestone, at)| match milestone.parse() {
            Ok(milestone) => Ok((milestone, at)),
            Err(_) => Err(serde::de::Error::custom(format!(
                "milestone {milestone:?} is not a number"
            ))),
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CountEntry {
    Total(u64),
    Detailed(Count),
}

/// A saved `GET /api/counts` answer: the map of counts sits under `petitions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedAnswer {
    #[allow(dead_code)] // Identifies the shape; pages show their own build time.
    updated_at: String,
    petitions: HashMap<String, CountEntry>,
}

/// Counts by petition slug; petitions not listed have none.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    by_slug: HashMap<String, Count>,
}

impl Counts {
    pub fn load(path: &Path) -> Result<Counts, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(IoAction::Read, path, e))?;
        Counts::parse(&text).map_err(|cause| Error::Counts {
            path: path.to_path_buf(),
            cause,
        })
    }

    pub fn parse(text: &str) -> Result<Counts, String> {
        // The map alone is parsed last, so its error (with line and column) is the one shown.
        let entries: HashMap<String, CountEntry> = match serde_json::from_str::<SavedAnswer>(text) {
            Ok(answer) => answer.petitions,
            Err(_) => serde_json::from_str(text).map_err(|e| e.to_string())?,
        };
        let by_slug = entries
            .into_iter()
            .map(|(slug, entry)| {
                let count = match entry {
                    CountEntry::Total(count) => Count {
                        count,
                        ..Count::default()
                    },
                    CountEntry::Detailed(count) => count,
                };
                (slug, count)
            })
            .collect();
        Ok(Counts { by_slug })
    }

    pub fn get(&self, slug: &str) -> Option<&Count> {
        self.by_slug.get(slug)
    }

    pub fn total(&self, slug: &str) -> u64 {
        self.get(slug).map_or(0, |c| c.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_saved_api_counts_answer() {
        let counts = Counts::parse(
            r#"{"updated_at": "2026-11-29T19:22:51Z", "petitions": {"a": {"count": 3, "by_region": {"abai": 3}}}}"#,
        )
        .unwrap();
        assert_eq!(counts.total("a"), 3);
        assert_eq!(counts.get("a").unwrap().by_region["abai"], 3);
    }

    #[test]
    fn reads_the_dates_milestones_were_reached() {
        let counts = Counts::parse(
            r#"{"updated_at": "2026-11-29T19:22:51Z", "petitions": {"a": {"count": 3, "by_region": {"abai": 3}, "reached": {"2": "2026-11-29T19:20:00Z"}}}}"#,
        )
        .unwrap();
        assert_eq!(counts.get("a").unwrap().reached[&2], "2026-11-29T19:20:00Z");
    }

    #[test]
    fn accepts_plain_and_detailed_entries() {
        let counts =
            Counts::parse(r#"{"a": 5, "b": {"count": 7, "by_region": {"abai": 7}}}"#).unwrap();
        assert_eq!(counts.total("a"), 5);
        assert_eq!(counts.get("b").unwrap().by_region["abai"], 7);
        assert_eq!(counts.total("missing"), 0);
    }

    #[test]
    fn rejects_other_shapes_with_the_reason() {
        let error = Counts::parse(r#"{"a": "many"}"#).unwrap_err();
        assert_eq!(
            error,
            "data did not match any variant of untagged enum CountEntry at line 1 column 13"
        );
    }
}
