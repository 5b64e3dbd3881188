//! What a signature stores: the `sig/` record's value and metadata and the `log/` entry's
//! metadata. Deliberately small: region, time, language, bucket, the receipt commitment of
//! the current signature (what its transparency-log entry says, #13), and the display name
//! only when the signer asked for it to be shown. No email, address or user agent, ever,
//! and never the receipt's secret.
//!
//! A record is the signer's current state: signed or withdrawn, the generation (how many
//! times they signed again after withdrawing) and when it last changed, which a token is
//! ordered against (`events`). Records written before withdrawals existed read as signed,
//! generation 0, changed at the beginning of time.

use serde::{Deserialize, Serialize};

use crate::keys::{Bucket, LogEvent};
use petitio_model::transparency::Commitment;

/// Whether the signature counts now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureState {
    #[default]
    Signed,
    Withdrawn,
}

/// Value of `sig/<slug>/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub region: String,
    pub lang: String,
    /// RFC 3339, UTC, whole seconds.
    pub signed_at: String,
    /// The bucket holding the `log/` entry of this record's latest event.
    pub bucket: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub state: SignatureState,
    /// 0 for the first signature, one more for each signing again after a withdrawal.
    #[serde(default)]
    pub generation: u32,
    /// When the latest event was recorded, unix milliseconds.
    #[serde(default)]
    pub changed_ms: u64,
    /// The receipt commitment of the current signature (64 hex digits,
    /// `petitio_model::transparency::Commitment`), which its withdrawal's log entry repeats;
    /// absent in records written before the transparency log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
}

/// Metadata of `sig/<slug>/<id>`: `{"b": bucket}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureMetadata {
    pub b: u64,
}

/// Metadata of `log/<bucket>/<slug>/<id>`: `{"r": region, "c": commitment}`, so folding
/// and appending to the transparency log need no reads. `c` is the receipt commitment of
/// the signature the event signs or withdraws (absent before the transparency log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMetadata {
    pub r: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<String>,
}

impl SignatureRecord {
    pub fn bucket(&self) -> Bucket {
        Bucket(self.bucket)
    }

    /// The event that put the record in its current state.
    pub fn latest_event(&self) -> LogEvent {
        LogEvent {
            generation: self.generation,
            withdrawal: self.state == SignatureState::Withdrawn,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a record always serialises")
    }

    /// The current signature's receipt commitment, when the record has a readable one.
    pub fn commitment(&self) -> Option<Commitment> {
        Commitment::from_hex(self.commitment.as_deref()?)
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
