//! Keyed identities: a signer's id and the rate limiter's client hashes.
//!
//! Emails are guessable, so a plain hash of one protects nothing; everything here is an
//! HMAC-SHA256 under `SIGNING_KEY`, which lives apart from the data. Each petition gets its
//! own derived key, so ids cannot be linked across petitions even by someone holding the
//! whole store.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::email::CanonicalEmail;

type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted `SIGNING_KEY`, in bytes.
pub const MIN_SIGNING_KEY_BYTES: usize = 32;

const PETITION_KEY_CONTEXT: &str = "petitio/v1/petition/";
const CLIENT_KEY_CONTEXT: &str = "petitio/v1/client/";

/// Length of a signer id in hex characters.
pub const SIGNER_ID_HEX_LEN: usize = 64;

/// The deployment's secret. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(Vec<u8>);

impl SigningKey {
    /// Wraps key material; `config` checks the length before calling this.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        hmac_sha256(&self.0, parts)
    }

    /// HMAC-SHA256 of `parts` (the first naming the purpose) under this key.
    pub fn mac_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.mac(parts)
    }

    /// Whether `tag` is the MAC of `parts`, compared in constant time.
    pub fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        for part in parts {
            mac.update(part);
        }
        mac.verify_slice(tag).is_ok()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256(`SIGNING_KEY`, "petitio/v1/petition/" + slug).
pub struct PetitionKey([u8; 32]);

impl PetitionKey {
    pub fn derive(signing_key: &SigningKey, slug: &str) -> Self {
        Self(signing_key.mac(&[PETITION_KEY_CONTEXT.as_bytes(), slug.as_bytes()]))
    }
}

/// A signer's id within one petition: hex HMAC-SHA256(canonical email) under the
/// petition's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignerId(String);

impl SignerId {
    pub fn of(key: &PetitionKey, email: &CanonicalEmail) -> Self {
        Self(hex::encode(hmac_sha256(
            &key.0,
            &[email.as_str().as_bytes()],
        )))
    }

    /// Accepts exactly the form `of` produces: 64 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == SIGNER_ID_HEX_LEN
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client address reduced to a keyed hash, per petition (rate limiting only, in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientHash([u8; 32]);

impl ClientHash {
    pub fn of(signing_key: &SigningKey, slug: &str, client_ip: &str) -> Self {
        Self(signing_key.mac(&[
            CLIENT_KEY_CONTEXT.as_bytes(),
            slug.as_bytes(),
            b"/",
            client_ip.as_bytes(),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::canonicalize;

    fn key() -> SigningKey {
        SigningKey::new(b"0123456789abcdef0123456789abcdef".to_vec())
    }

    #[test]
    fn ids_are_hex_and_parse_back() {
        let email = canonicalize("ann@mail.kz").unwrap();
        let id = SignerId::of(&PetitionKey::derive(&key(), "clean-air"), &email);
        assert_eq!(SignerId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.as_str().len(), SIGNER_ID_HEX_LEN);
    }

    #[test]
    fn ids_differ_between_petitions() {
        let email = canonicalize("ann@mail.kz").unwrap();
        let a = SignerId::of(&PetitionKey::derive(&key(), "a"), &email);
        let b = SignerId::of(&PetitionKey::derive(&key(), "b"), &email);
        assert_ne!(a, b);
    }

    #[test]
    fn parse_refuses_other_text() {
        assert_eq!(SignerId::parse("ABC"), None);
        assert_eq!(SignerId::parse(&"G".repeat(SIGNER_ID_HEX_LEN)), None);
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", key()), "SigningKey(<redacted>)");
    }
}
