//! What a signature stores: the `sig/` record's value and metadata and the `log/` entry's
//! metadata. Deliberately small: region, time, language, bucket, and the display name only
//! when the signer asked for it to be shown. No email, address or user agent, ever.

use serde::{Deserialize, Serialize};

use crate::keys::Bucket;

/// Value of `sig/<slug>/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub region: String,
    pub lang: String,
    /// RFC 3339, UTC, whole seconds.
    pub signed_at: String,
    /// The bucket holding this signature's `log/` entry.
    pub bucket: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Metadata of `sig/<slug>/<id>`: `{"b": bucket}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureMetadata {
    pub b: u64,
}

/// Metadata of `log/<bucket>/<slug>/<id>`: `{"r": region}`, so folding needs no reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMetadata {
    pub r: String,
}

impl SignatureRecord {
    pub fn bucket(&self) -> Bucket {
        Bucket(self.bucket)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a record always serialises")
    }

    pub fn metadata_json(&self) -> String {
        serde_json::to_string(&SignatureMetadata { b: self.bucket })
            .expect("metadata always serialises")
    }
}

impl LogMetadata {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("metadata always serialises")
    }

    /// Reads a listing's metadata; `None` when absent or not ours.
    pub fn parse(metadata: Option<&str>) -> Option<Self> {
        serde_json::from_str(metadata?).ok()
    }
}
