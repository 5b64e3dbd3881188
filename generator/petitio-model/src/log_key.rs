//! The operator's log key as everyone may see it: a C2SP signed-note *verifier key*
//! (`<name>+<key id>+<base64 of 0x01 || 32-byte Ed25519 public key>`, the format of Go's
//! `golang.org/x/mod/sumdb/note`), parsed by Cloudflare's `signed_note` crate, never by hand.
//!
//! One key signs what the site publishes about itself: the transparency log's checkpoints
//! (#13) and the note naming the current origins and API endpoints (#15). `petitio.toml`'s
//! `[log] key` holds it, the manifest carries it (so the worker can refuse a private key
//! that does not match), and pages and open data print it (docs/keys.md).
//!
//! The key's **name** names the site's log, not a domain: domains change when a site is
//! blocked, and a name that changed with them would make every earlier note and checkpoint
//! name another log. Petitio's names are plain ASCII ([`is_key_name`]) so they print the
//! same on a page, in a terminal and in a file name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest key name Petitio writes or accepts.
pub const MAX_KEY_NAME_CHARS: usize = 64;

/// What a key name may look like, as error messages say it.
pub const KEY_NAME_RULE: &str =
    "1 to 64 ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit";

/// Whether `name` is a log key name Petitio accepts: [`KEY_NAME_RULE`]. (The signed-note
/// format itself allows any text without spaces or `+`; this is a subset of it.)
pub fn is_key_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    first_ok
        && name.len() <= MAX_KEY_NAME_CHARS
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// A valid signed-note verifier key with a Petitio key name, in its text form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VerifierKey {
    text: String,
    name_len: usize,
    id: u32,
}

/// Why a text is not a verifier key Petitio accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierKeyProblem {
    /// Not `<name>+<8 hex digits>+<base64>` of an Ed25519 key whose id matches.
    Malformed,
    /// A private key (`PRIVATE+KEY+...`) where the public one belongs.
    Private,
    /// A valid signed-note key whose name breaks [`KEY_NAME_RULE`].
    Name,
}

impl fmt::Display for VerifierKeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifierKeyProblem::Malformed => {
                "not a signed-note Ed25519 verifier key `<name>+<key id>+<public key>`"
            }
            VerifierKeyProblem::Private => {
                "this is the PRIVATE key: it must never be published; put the public key here"
            }
            VerifierKeyProblem::Name => "its name breaks the rule for key names",
        })
    }
}

impl VerifierKey {
    /// Parses and checks a verifier key: its id must be the hash of its name and public
    /// key, and the key an Ed25519 point (`signed_note::StandardVerifier`).
    pub fn parse(text: &str) -> Result<VerifierKey, VerifierKeyProblem> {
        if text.starts_with("PRIVATE+KEY+") {
            return Err(VerifierKeyProblem::Private);
        }
        signed_note::StandardVerifier::new(text).map_err(|_| VerifierKeyProblem::Malformed)?;
        // The verifier accepted it, so it is `<name>+<8 hex digits>+<base64>`.
        let (name, rest) = text.split_once('+').ok_or(VerifierKeyProblem::Malformed)?;
        if !is_key_name(name) {
            return Err(VerifierKeyProblem::Name);
        }
        let id = rest
            .get(..8)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .ok_or(VerifierKeyProblem::Malformed)?;
        Ok(VerifierKey {
            text: text.to_owned(),
            name_len: name.len(),
            id,
        })
    }

    /// The key's name: the log's stable name.
    pub fn name(&self) -> &str {
        &self.text[..self.name_len]
    }

    /// The key id (the first four bytes of SHA-256 over name, newline and key).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// `<name>+<key id>`: how a person refers to the key (and what signatures name).
    pub fn short(&self) -> String {
        format!("{}+{:08x}", self.name(), self.id)
    }

    /// The whole verifier key, as `petitio.toml` holds it.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Why a signed note does not verify against a key ([`VerifierKey::verify_note`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteVerifyProblem {
    /// Not a signed note: a text, a blank line, then signature lines.
    Malformed,
    /// No signature by this key (perhaps signed by another).
    NotSignedBy,
    /// A signature naming this key that does not verify: text or signature changed.
    BadSignature,
}

impl VerifierKey {
    /// The text of `note` when it carries a valid signature by this key. Signatures by
    /// other keys are ignored, as the signed-note spec asks of a verifier that does not know
    /// them (a witness's cosignature is one); a signature that names this key but does not
    /// verify fails.
    pub fn verify_note<'n>(&self, note: &'n str) -> Result<&'n str, NoteVerifyProblem> {
        use signed_note::{Note, StandardVerifier, VerifierList};
        let parsed = Note::from_bytes(note.as_bytes()).map_err(|_| NoteVerifyProblem::Malformed)?;
        let verifier =
            StandardVerifier::new(self.as_str()).map_err(|_| NoteVerifyProblem::Malformed)?;
        let known = VerifierList::new(vec![Box::new(verifier)]);
        match parsed.verify(&known) {
            // The text is the note up to the blank line before the signatures.
            Ok(_) => Ok(&note[..parsed.text().len()]),
            Err(signed_note::NoteError::UnverifiedNote) => Err(NoteVerifyProblem::NotSignedBy),
            Err(_) => Err(NoteVerifyProblem::BadSignature),
        }
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({})", self.text)
    }
}

impl TryFrom<String> for VerifierKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        VerifierKey::parse(&text).map_err(|problem| format!("log key {text:?}: {problem}"))
    }
}

impl From<VerifierKey> for String {
    fn from(key: VerifierKey) -> String {
        key.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verifier key of Go's `sumdb/note` documentation (and the signed-note crate's).
    const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    #[test]
    fn a_verifier_key_of_the_go_note_package_parses() {
        let key = VerifierKey::parse(PETER).unwrap();
        assert_eq!(key.name(), "PeterNeumann");
        assert_eq!(key.id(), 0xc74f_20a3);
        assert_eq!(key.short(), "PeterNeumann+c74f20a3");
        assert_eq!(key.as_str(), PETER);
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{PETER}\""));
        assert_eq!(serde_json::from_str::<VerifierKey>(&json).unwrap(), key);
    }

    #[test]
    fn what_is_not_a_verifier_key_is_refused() {
        for (text, problem) in [
            (
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                VerifierKeyProblem::Malformed,
            ),
            (
                "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
                VerifierKeyProblem::Malformed,
            ),
            ("PeterNeumann", VerifierKeyProblem::Malformed),
            ("", VerifierKeyProblem::Malformed),
            (
                "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
                VerifierKeyProblem::Private,
            ),
        ] {
            assert_eq!(VerifierKey::parse(text), Err(problem), "{text}");
        }
        assert!(serde_json::from_str::<VerifierKey>("\"PeterNeumann\"").is_err());
    }

    #[test]
    fn key_names_are_plain_ascii_without_domains_needed() {
        for name in ["petitio-log", "a", "clean.air_kz-2026", &"x".repeat(64)] {
            assert!(is_key_name(name), "{name}");
        }
        for name in [
            "",
            "-log",
            "a b",
            "a+b",
            "petitio.example/log",
            "лог",
            &"x".repeat(65),
        ] {
            assert!(!is_key_name(name), "{name}");
        }
    }
}
