//! The manifest the generator writes into `dist/_petitio/manifest.json` and the signature
//! API reads to know which petitions exist, whether they accept signatures, and which
//! regions a signer may pick. One type on both sides, so they cannot drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cosignature::CosignatureKey;
use crate::date::{Date, UtcOffset};
use crate::log_key::VerifierKey;
use crate::status::Status;
use crate::weburl::parse_origin;
use crate::where_note::WhereNote;

/// Path of the manifest inside the built site.
pub const MANIFEST_PATH: &str = "_petitio/manifest.json";

/// Format version; bump on incompatible changes.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Site root path as served, e.g. "/" or "/petitions/" (for the no-JS redirect).
    pub base_path: String,
    pub default_language: String,
    pub languages: Vec<String>,
    /// Region codes a signer may choose.
    pub regions: Vec<String>,
    /// Each region's name in each language, in the order of `regions`, so a page filler
    /// writes a petition's region table and chart as the build would (`crate::regions`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub region_names: BTreeMap<String, Vec<String>>,
    /// The digit group separator of each language (the theme's `format.group_separator`),
    /// so a page filler writes live counts as the build wrote them (`crate::fill`).
    #[serde(default)]
    pub number_groups: BTreeMap<String, String>,
    /// Each language's CLDR plural categories as a table (`crate::plurals`), so a page
    /// filler writes the noun next to a live count in the form the build would.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plural_tables: BTreeMap<String, String>,
    /// The site's time zone (`utc_offset` in petitio.toml): when a deadline day ends.
    #[serde(default)]
    pub utc_offset: UtcOffset,
    /// The operator's published log key (`[log] key` in petitio.toml; `petitio serve`'s
    /// local one): the worker signs notes only with the private key that matches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_key: Option<VerifierKey>,
    /// The witnesses whose cosignatures of a checkpoint the site accepts and serves with
    /// it (`[log] witnesses` in petitio.toml).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<CosignatureKey>,
    /// Where the site is now, as the committed "where we are now" note says (#15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub where_note: Option<ManifestWhere>,
    pub petitions: Vec<ManifestPetition>,
}

/// The origins of the site's "where we are now" note (#15), copied by the build from the
/// `where.note` it verified against the log key (`petitio-site/src/where_file.rs`): the
/// worker and `petitio serve` trust the manifest as they trust the rest of the deployed
/// site, and never read an unverified note. They use it to send a signer's confirmation
/// and withdrawal links only where the operator signed for ([`ManifestWhere::link_origin`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestWhere {
    pub sequence: u64,
    /// The current main origin.
    pub main_origin: String,
    /// Every current origin, the main one first.
    pub origins: Vec<String>,
    /// Origins given up: never linked to.
    pub abandoned: Vec<String>,
}

impl ManifestWhere {
    pub fn from_note(note: &WhereNote) -> ManifestWhere {
        ManifestWhere {
            sequence: note.sequence,
            main_origin: note.main_origin.clone(),
            origins: note.origins.clone(),
            abandoned: note.abandoned.clone(),
        }
    }

    /// Where a mail link goes for a signer whose request came from `signed_from` (its
    /// `Origin` header): that origin when the note lists it as current, else the note's main
    /// origin. Never an abandoned origin, nor one the note does not name.
    pub fn link_origin(&self, signed_from: Option<&str>) -> &str {
        let listed = signed_from
            .and_then(parse_origin)
            .and_then(|origin| self.origins.iter().find(|current| **current == origin));
        match listed {
            Some(origin) if !self.abandoned.contains(origin) => origin,
            _ => &self.main_origin,
        }
    }
}

impl Manifest {
    /// `n` with digit groups as pages in `lang` write it ("," when the theme says nothing).
    pub fn format_number(&self, lang: &str, n: u64) -> String {
        let separator = self.number_groups.get(lang).map_or(",", String::as_str);
        crate::numbers::group_digits(n, separator)
    }

    /// Every region as (code, name in `lang`), in the site's order; a region without a
    /// name in `lang` is named by its code.
    pub fn regions_in<'a>(&'a self, lang: &str) -> impl Iterator<Item = (&'a str, &'a str)> {
        let names = self.region_names.get(lang);
        self.regions.iter().enumerate().map(move |(i, code)| {
            let name = names.and_then(|names| names.get(i)).unwrap_or(code);
            (code.as_str(), name.as_str())
        })
    }

    /// The form `n` takes in `lang` among `forms` (a `{plural:...}` fill argument).
    pub fn plural<'a>(&self, lang: &str, n: u64, forms: &'a str) -> Option<&'a str> {
        crate::plurals::pick(self.plural_tables.get(lang)?, n, forms)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestPetition {
    pub slug: String,
    pub status: Status,
    /// Last day signatures are accepted (inclusive, in the site's time zone), "YYYY-MM-DD".
    pub deadline: Option<Date>,
    /// Languages this petition has pages in.
    pub languages: Vec<String>,
    /// Signature counts worth marking (front matter `milestones`): the counting job notes
    /// when the count reached each one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<u64>,
    /// The petition's title in each of its languages (the confirmation message names it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub titles: BTreeMap<String, String>,
}

impl ManifestPetition {
    /// The title in `lang`, else in the petition's first language, else its slug.
    pub fn title_in(&self, lang: &str) -> &str {
        self.titles
            .get(lang)
            .or_else(|| self.languages.first().and_then(|l| self.titles.get(l)))
            .unwrap_or(&self.slug)
    }
}

impl ManifestPetition {
    /// Whether the petition accepts signatures on `today` (in the site's time zone): its
    /// status is `open` and its deadline day, if any, is not over.
    pub fn is_open_on(&self, today: Date) -> bool {
        self.status.effective(self.deadline, today) == Status::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_deadlines_are_written_as_strings() {
        let petition = ManifestPetition {
            slug: "clean-air".into(),
            status: Status::PartiallySatisfied,
            deadline: Date::new(2026, 9, 1),
            languages: vec!["kk".into()],
            titles: BTreeMap::new(),
            milestones: Vec::new(),
        };
        let json = serde_json::to_string(&petition).unwrap();
        assert_eq!(
            json,
            r#"{"slug":"clean-air","status":"partially_satisfied","deadline":"2026-09-01","languages":["kk"]}"#
        );
        assert_eq!(
            serde_json::from_str::<ManifestPetition>(&json).unwrap(),
            petition
        );
    }

    #[test]
    fn open_until_the_deadline_day_is_over() {
        let day = |d| Date::new(2026, 3, d).unwrap();
        let mut petition = ManifestPetition {
            slug: "x".into(),
            status: Status::Open,
            deadline: Some(day(1)),
            languages: vec![],
            titles: BTreeMap::new(),
            milestones: Vec::new(),
        };
        assert!(petition.is_open_on(day(1)));
        assert!(!petition.is_open_on(day(2)));
        petition.deadline = None;
        assert!(petition.is_open_on(day(2)));
        petition.status = Status::Closed;
        assert!(!petition.is_open_on(day(1)));
    }

    fn moved() -> ManifestWhere {
        ManifestWhere {
            sequence: 2,
            main_origin: "https://new.example".into(),
            origins: vec![
                "https://new.example".into(),
                "https://mirror.example".into(),
            ],
            abandoned: vec!["https://old.example".into()],
        }
    }

    #[test]
    fn a_mail_link_goes_where_the_signer_signed_when_the_note_lists_it() {
        let note = moved();
        assert_eq!(
            note.link_origin(Some("https://mirror.example")),
            "https://mirror.example"
        );
        assert_eq!(
            note.link_origin(Some("https://MIRROR.example:443")),
            "https://mirror.example"
        );
        assert_eq!(
            note.link_origin(Some("https://new.example")),
            "https://new.example"
        );
    }

    #[test]
    fn else_to_the_main_origin_never_an_abandoned_or_unknown_one() {
        let note = moved();
        for from in [
            Some("https://old.example"),
            Some("https://copy.example"),
            Some("null"),
            Some("https://mirror.example.evil.example"),
            None,
        ] {
            assert_eq!(note.link_origin(from), "https://new.example", "{from:?}");
        }
    }

    #[test]
    fn the_build_copies_the_notes_origins() {
        let text = "petitio-where/v1\nkey k\nsequence 2\nmain https://new.example\n\
            origin https://new.example\norigin https://mirror.example\napi https://new.example/api\n\
            abandoned https://old.example\ndate 2026-12-01\n";
        let note = WhereNote::parse(text).unwrap();
        assert_eq!(ManifestWhere::from_note(&note), moved());
    }
}
