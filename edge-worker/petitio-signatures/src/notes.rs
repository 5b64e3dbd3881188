//! Signed notes (C2SP signed-note, as Go's `golang.org/x/mod/sumdb/note`) under the
//! operator's log key, through Cloudflare's `signed_note` crate: sign any note text, verify
//! a note against a published verifier key, make a key pair, and decide whether the
//! worker's `LOG_SIGNING_KEY` may sign at all (it must be the key the site publishes).
//!
//! Notes are whatever text a caller signs: the transparency log's checkpoints (#13), the
//! note naming the current origins and API endpoints (#15). Wasm-clean: key generation,
//! which needs the operating system's randomness, exists natively only.

use base64::prelude::{Engine as _, BASE64_STANDARD};
use petitio_model::log_key::{NoteVerifyProblem, VerifierKey};
use signed_note::{Note, StandardSigner};

use crate::error::{LogKeyError, NoteError};

/// The prefix of a private key (`PRIVATE+KEY+<name>+<key id>+<base64 of 0x01 || seed>`).
const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";
/// signed-note's one algorithm: Ed25519.
const ALG_ED25519: u8 = 1;

/// A private log key, ready to sign notes; knows its public (verifier) key.
#[derive(Clone)]
pub struct NoteSigner {
    signer: StandardSigner,
    verifier_key: VerifierKey,
}

impl NoteSigner {
    /// Reads a private key as `petitio keygen` writes it (white space around it ignored).
    pub fn from_private_key(text: &str) -> Result<NoteSigner, NoteError> {
        let text = text.trim();
        // The crate checks the format and that the id is the hash of name and public key.
        let signer = StandardSigner::new(text).map_err(|_| NoteError::PrivateKey)?;
        let (name, rest) = text
            .strip_prefix(PRIVATE_PREFIX)
            .and_then(|rest| rest.split_once('+'))
            .ok_or(NoteError::PrivateKey)?;
        let seed = rest
            .split_once('+')
            .and_then(|(_id, key)| BASE64_STANDARD.decode(key).ok())
            .and_then(|key| match key.split_first() {
                Some((&ALG_ED25519, seed)) => <[u8; 32]>::try_from(seed).ok(),
                _ => None,
            })
            .ok_or(NoteError::PrivateKey)?;
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let verifier_key =
            VerifierKey::parse(&signed_note::new_ed25519_verifier_key(name, &public))
                .map_err(|_| NoteError::PrivateKey)?;
        Ok(NoteSigner {
            signer,
            verifier_key,
        })
    }

    /// The public key that verifies this key's signatures.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.verifier_key
    }

    /// `text` (UTF-8, ending with a newline) signed: the text, a blank line and one
    /// signature line by this key.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        let mut note = Note::new(text.as_bytes(), &[]).map_err(|_| NoteError::Text)?;
        note.add_sigs(&[&self.signer])
            .map_err(|_| NoteError::PrivateKey)?;
        String::from_utf8(note.to_bytes()).map_err(|_| NoteError::Text)
    }
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("verifier_key", &self.verifier_key)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// Two signers are the same key when their public keys are.
impl PartialEq for NoteSigner {
    fn eq(&self, other: &Self) -> bool {
        self.verifier_key == other.verifier_key
    }
}

impl Eq for NoteSigner {}

/// The text of `note` when it carries a valid signature by `key`
/// ([`VerifierKey::verify_note`], which the generator uses too).
pub fn verify<'n>(note: &'n str, key: &VerifierKey) -> Result<&'n str, NoteError> {
    key.verify_note(note).map_err(|problem| match problem {
        NoteVerifyProblem::Malformed => NoteError::Malformed,
        NoteVerifyProblem::NotSignedBy => NoteError::NotSignedBy { key: key.short() },
        NoteVerifyProblem::BadSignature => NoteError::BadSignature { key: key.short() },
    })
}

/// A new key pair named `name`: the private key's text and its verifier key. Uses the
/// operating system's randomness (natively only: the worker never makes keys).
#[cfg(not(target_arch = "wasm32"))]
pub fn generate(name: &str) -> Result<(String, VerifierKey), NoteError> {
    if !petitio_model::log_key::is_key_name(name) {
        return Err(NoteError::KeyName {
            name: name.to_owned(),
        });
    }
    // `OsRng` panics when the OS has no randomness to give; ask first to fail cleanly.
    let mut probe = [0u8; 1];
    rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut probe).map_err(|error| {
        NoteError::Randomness {
            reason: error.to_string(),
        }
    })?;
    let (private, public) = signed_note::generate_key(&mut rand_core::OsRng, name);
    let verifier_key = VerifierKey::parse(&public).map_err(|_| NoteError::KeyName {
        name: name.to_owned(),
    })?;
    Ok((private, verifier_key))
}

/// A fresh key name unrelated to any domain, `petitio-<8 hex digits>`, for an operator who
/// names none (natively only).
#[cfg(not(target_arch = "wasm32"))]
pub fn random_key_name() -> Result<String, NoteError> {
    let mut bytes = [0u8; 4];
    rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut bytes).map_err(|error| {
        NoteError::Randomness {
            reason: error.to_string(),
        }
    })?;
    Ok(format!("petitio-{}", hex::encode(bytes)))
}

/// The worker's `LOG_SIGNING_KEY`, as read once per isolate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSigningKey {
    /// Not set (nothing to sign with).
    Unset,
    /// Set, but not a private key.
    Invalid(NoteError),
    Set(Box<NoteSigner>),
}

impl LogSigningKey {
    /// Reads the secret's value (`None` or blank: unset).
    pub fn from_secret(value: Option<&str>) -> LogSigningKey {
        match value.map(str::trim).filter(|value| !value.is_empty()) {
            None => LogSigningKey::Unset,
            Some(text) => match NoteSigner::from_private_key(text) {
                Ok(signer) => LogSigningKey::Set(Box::new(signer)),
                Err(problem) => LogSigningKey::Invalid(problem),
            },
        }
    }

    /// The signer for notes of a site publishing `published` (the manifest's log key):
    /// `Ok(None)` when neither a key is published nor a secret set (notes are off by
    /// choice); an error naming the fix when only one is there, or they differ.
    pub fn signer_for(
        &self,
        published: Option<&VerifierKey>,
    ) -> Result<Option<&NoteSigner>, LogKeyError> {
        match (self, published) {
            (LogSigningKey::Unset, None) => Ok(None),
            (LogSigningKey::Unset, Some(published)) => Err(LogKeyError::Missing {
                published: published.short(),
            }),
            (LogSigningKey::Invalid(problem), _) => Err(LogKeyError::Invalid {
                problem: problem.clone(),
            }),
            (LogSigningKey::Set(signer), None) => Err(LogKeyError::Unpublished {
                secret: signer.verifier_key().short(),
            }),
            (LogSigningKey::Set(signer), Some(published)) if signer.verifier_key() != published => {
                Err(LogKeyError::Mismatch {
                    secret: signer.verifier_key().short(),
                    published: published.short(),
                })
            }
            (LogSigningKey::Set(signer), Some(_)) => Ok(Some(signer)),
        }
    }
}
