//! Witnesses' cosignatures (C2SP tlog-cosignature, `cosignature/v1`) as everyone checks
//! them: a witness's *verifier key* `<name>+<key id>+<base64(0x04 ‖ Ed25519 public key)>`
//! and its cosignature lines, one signed-note signature line
//! `— <name> <base64(key id ‖ timestamp (8 bytes, big-endian) ‖ signature)>` whose
//! signature is over `cosignature/v1\ntime <unix seconds>\n` followed by the checkpoint's
//! text.
//!
//! One definition for every side: `petitio.toml`'s `[log] witnesses` (checked by the
//! generator, carried by the manifest), the API that accepts a witness's cosignature for
//! the site's checkpoint (`petitio_signatures::cosignatures`), `petitio witness` that makes
//! them and `petitio verify --witness` that checks them. `signed_note` 0.2 has notes and
//! plain Ed25519 signatures (0x01) only, so the little that differs is here, with
//! `signed_note`'s key-id rule and `ed25519-dalek`.

use std::fmt;

use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::{Deserialize, Serialize};

use crate::log_key::is_key_name;

/// The algorithm byte of `cosignature/v1` keys.
pub const COSIGNATURE_V1: u8 = 0x04;

/// The most witnesses a site accepts cosignatures from (`[log] witnesses`): each is one
/// read more when the checkpoint is served.
pub const MAX_WITNESSES: usize = 16;

/// The signed-note signature line's prefix: an em dash and a space.
const LINE_PREFIX: &str = "\u{2014} ";

/// Bytes of a cosignature's base64 blob: key id, timestamp, Ed25519 signature.
const BLOB_BYTES: usize = 4 + 8 + 64;

/// What a witness signs for a checkpoint whose note text is `checkpoint_text` (ending in a
/// newline) at `timestamp` (Unix seconds).
pub fn message(timestamp: u64, checkpoint_text: &str) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}")
}

/// A cosignature line (ending in a newline) by the key `name` with id `key_id`.
pub fn line(name: &str, key_id: u32, timestamp: u64, signature: &[u8; 64]) -> String {
    let mut blob = key_id.to_be_bytes().to_vec();
    blob.extend_from_slice(&timestamp.to_be_bytes());
    blob.extend_from_slice(signature);
    format!("{LINE_PREFIX}{name} {}\n", BASE64_STANDARD.encode(blob))
}

/// signed-note's key id of a `cosignature/v1` key named `name` with `public` key.
pub fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut bytes = vec![COSIGNATURE_V1];
    bytes.extend_from_slice(public);
    signed_note::key_id(name, &bytes)
}

/// The verifier key text of the `cosignature/v1` key named `name` with `public` key:
/// `<name>+<key id>+<base64(0x04 ‖ public)>`, as `petitio keygen --witness` prints it and
/// `petitio.toml` lists it.
pub fn verifier_key_text(name: &str, public: &[u8; 32]) -> String {
    let mut bytes = vec![COSIGNATURE_V1];
    bytes.extend_from_slice(public);
    format!(
        "{name}+{:08x}+{}",
        key_id(name, public),
        BASE64_STANDARD.encode(bytes)
    )
}

/// A cosignature line taken apart (not yet verified against any key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureLine {
    pub name: String,
    pub key_id: u32,
    pub timestamp: u64,
    pub signature: [u8; 64],
}

impl CosignatureLine {
    /// Reads one line `— <name> <base64>` (no newline) of a cosignature's size; `None` for
    /// anything else (another algorithm's signature line among them).
    pub fn parse(line: &str) -> Option<CosignatureLine> {
        let (name, blob) = line.strip_prefix(LINE_PREFIX)?.split_once(' ')?;
        let blob = BASE64_STANDARD.decode(blob).ok()?;
        if !is_key_name(name) || blob.len() != BLOB_BYTES {
            return None;
        }
        Some(CosignatureLine {
            name: name.to_owned(),
            key_id: u32::from_be_bytes(blob[..4].try_into().ok()?),
            timestamp: u64::from_be_bytes(blob[4..12].try_into().ok()?),
            signature: blob[12..].try_into().ok()?,
        })
    }

    /// `<name>+<key id>`: the key the line says signed it.
    pub fn short_key(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_id)
    }
}

/// Why a text is not a witness verifier key Petitio accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CosignatureKeyProblem {
    /// Not `<name>+<8 hex digits>+<base64 of 0x04 ‖ 32-byte key>` with a matching id.
    Malformed,
    /// A private key (`PRIVATE+KEY+...`) where the public one belongs.
    Private,
}

impl fmt::Display for CosignatureKeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CosignatureKeyProblem::Malformed => {
                "not a witness verifier key `<name>+<key id>+<key>` (C2SP cosignature/v1)"
            }
            CosignatureKeyProblem::Private => "this is a PRIVATE key: it must never be published",
        })
    }
}

/// A witness's verifier key, to check its cosignatures.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CosignatureKey {
    text: String,
    name_len: usize,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl CosignatureKey {
    /// Reads `<name>+<key id>+<base64(0x04 ‖ public key)>`, checking the id.
    pub fn parse(text: &str) -> Result<CosignatureKey, CosignatureKeyProblem> {
        if text.starts_with("PRIVATE+KEY+") {
            return Err(CosignatureKeyProblem::Private);
        }
        let malformed = CosignatureKeyProblem::Malformed;
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed);
        };
        let bytes = BASE64_STANDARD.decode(key).map_err(|_| malformed)?;
        let (&[COSIGNATURE_V1], public) = bytes.split_at_checked(1).ok_or(malformed)? else {
            return Err(malformed);
        };
        let public: [u8; 32] = public.try_into().map_err(|_| malformed)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).map_err(|_| malformed)?;
        let id_value = key_id(name, &public);
        if !is_key_name(name) || format!("{id_value:08x}") != id {
            return Err(malformed);
        }
        Ok(CosignatureKey {
            text: text.to_owned(),
            name_len: name.len(),
            id: id_value,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.text[..self.name_len]
    }

    /// `<name>+<key id>`: how a person (and a KV key) refers to the witness.
    pub fn short(&self) -> String {
        format!("{}+{:08x}", self.name(), self.id)
    }

    /// The whole verifier key, as `petitio.toml` holds it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `line` names this key (name and id); it may still not verify.
    pub fn names(&self, line: &CosignatureLine) -> bool {
        line.name == self.name() && line.key_id == self.id
    }

    /// Whether `line` is this key's valid cosignature of the checkpoint `text`.
    pub fn verifies(&self, line: &CosignatureLine, text: &str) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(&line.signature);
        self.names(line)
            && self
                .key
                .verify_strict(message(line.timestamp, text).as_bytes(), &signature)
                .is_ok()
    }

    /// Whether `note` (a signed note whose text is `text`) carries a valid cosignature by
    /// this key among its signature lines.
    pub fn cosigned(&self, note: &str, text: &str) -> bool {
        let Some(signatures) = note.get(text.len() + 1..) else {
            return false;
        };
        signatures
            .lines()
            .filter_map(CosignatureLine::parse)
            .any(|line| self.verifies(&line, text))
    }
}

impl fmt::Debug for CosignatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for CosignatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for CosignatureKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        CosignatureKey::parse(&text).map_err(|problem| format!("{problem}: {text:?}"))
    }
}

impl From<CosignatureKey> for String {
    fn from(key: CosignatureKey) -> String {
        key.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    fn witness(seed: u8) -> (SigningKey, CosignatureKey) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let text = verifier_key_text(&format!("w{seed}"), signing.verifying_key().as_bytes());
        (signing, CosignatureKey::parse(&text).unwrap())
    }

    fn cosign(signing: &SigningKey, key: &CosignatureKey, t: u64, text: &str) -> String {
        let signature = signing.sign(message(t, text).as_bytes()).to_bytes();
        line(key.name(), key.id, t, &signature)
    }

    #[test]
    fn a_line_verifies_only_over_its_checkpoint_and_by_its_key() {
        let (signing, key) = witness(1);
        let (_, other) = witness(2);
        let text = "log/x\n3\nAAAA\n";
        let written = cosign(&signing, &key, 1_700_000_000, text);
        let parsed = CosignatureLine::parse(written.trim_end()).unwrap();
        assert_eq!(parsed.timestamp, 1_700_000_000);
        assert_eq!(parsed.short_key(), key.short());
        assert!(key.verifies(&parsed, text));
        assert!(!key.verifies(&parsed, "log/x\n4\nAAAA\n"));
        assert!(!other.verifies(&parsed, text));
        let note = format!("{text}\n\u{2014} log abc=\n{written}");
        assert!(key.cosigned(&note, text));
        assert!(!other.cosigned(&note, text));
    }

    #[test]
    fn keys_are_checked_and_serialised_as_text() {
        let (_, key) = witness(3);
        let round: CosignatureKey =
            serde_json::from_value(serde_json::to_value(&key).unwrap()).unwrap();
        assert_eq!(round, key);
        let renamed = key.as_str().replacen("w3", "w4", 1);
        assert_eq!(
            CosignatureKey::parse(&renamed),
            Err(CosignatureKeyProblem::Malformed)
        );
        assert_eq!(
            CosignatureKey::parse("PRIVATE+KEY+w+00000000+BA=="),
            Err(CosignatureKeyProblem::Private)
        );
        // A signed-note Ed25519 (0x01) key is not a cosignature key.
        assert_eq!(
            CosignatureKey::parse(
                "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(CosignatureKeyProblem::Malformed)
        );
    }
}
