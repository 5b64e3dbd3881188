//! The manifest the generator writes into `dist/_petitio/manifest.json` and the signature
//! API reads to know which petitions exist, whether they accept signatures, and which
//! regions a signer may pick. One type on both sides, so they cannot drift.

use serde::{Deserialize, Serialize};

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
    pub petitions: Vec<ManifestPetition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestPetition {
    pub slug: String,
    /// draft | open | closed | responded | partially_satisfied | rejected | removed
    pub status: String,
    /// Last day signatures are accepted (inclusive, site-local date), "YYYY-MM-DD".
    pub deadline: Option<String>,
    /// Languages this petition has pages in.
    pub languages: Vec<String>,
}
