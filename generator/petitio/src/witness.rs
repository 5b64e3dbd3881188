//! A witness's key and its cosignatures (C2SP tlog-cosignature, `cosignature/v1`): an
//! Ed25519 signature over `cosignature/v1\ntime <unix seconds>\n` followed by the
//! checkpoint's text, written as one signed-note signature line
//! `— <name> <base64(key id ‖ timestamp (8 bytes, big-endian) ‖ signature)>`.
//!
//! The format (message, line, key id) and checking a cosignature are
//! `petitio_model::cosignature`'s, shared with the site's API that accepts cosignatures;
//! this module holds only the private half, which signs.
//!
//! Keys: the verifier key is `<name>+<key id>+<base64(0x04 ‖ public key)>` (the spec's);
//! the private key file, Petitio's choice mirroring signed-note's private keys, is
//! `PRIVATE+KEY+<name>+<key id>+<base64(0x04 ‖ 32-byte seed)>`.

use base64::prelude::{Engine as _, BASE64_STANDARD};
use ed25519_dalek::{Signer as _, SigningKey};
use petitio_model::cosignature::{self, CosignatureLine, COSIGNATURE_V1};
use petitio_model::log_key::{is_key_name, KEY_NAME_RULE};

use crate::error::Error;

const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";

/// A witness's private key.
pub struct WitnessKey {
    name: String,
    signing: SigningKey,
}

impl WitnessKey {
    /// A new key named `name`, from the OS's randomness.
    pub fn generate(name: &str) -> Result<WitnessKey, Error> {
        if !is_key_name(name) {
            return Err(Error::WitnessKeyName {
                name: name.to_owned(),
                rule: KEY_NAME_RULE,
            });
        }
        let mut seed = [0u8; 32];
        rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut seed).map_err(|e| {
            Error::WitnessRandomness {
                reason: e.to_string(),
            }
        })?;
        Ok(WitnessKey {
            name: name.to_owned(),
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// Reads a private key file's text ([`WitnessKey::private_text`]).
    pub fn parse(text: &str) -> Result<WitnessKey, Error> {
        let malformed = || Error::WitnessKeyMalformed;
        let rest = text
            .trim()
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or_else(malformed)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed());
        };
        let key = BASE64_STANDARD.decode(key).map_err(|_| malformed())?;
        let (&[COSIGNATURE_V1], seed) = key.split_at_checked(1).ok_or_else(malformed)? else {
            return Err(malformed());
        };
        let seed: [u8; 32] = seed.try_into().map_err(|_| malformed())?;
        let witness = WitnessKey {
            name: name.to_owned(),
            signing: SigningKey::from_bytes(&seed),
        };
        if !is_key_name(name) || format!("{:08x}", witness.key_id()) != id {
            return Err(malformed());
        }
        Ok(witness)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        cosignature::key_id(&self.name, self.signing.verifying_key().as_bytes())
    }

    /// The private key file's text.
    pub fn private_text(&self) -> String {
        let mut bytes = vec![COSIGNATURE_V1];
        bytes.extend_from_slice(self.signing.as_bytes());
        format!(
            "{PRIVATE_PREFIX}{}+{:08x}+{}",
            self.name,
            self.key_id(),
            BASE64_STANDARD.encode(bytes)
        )
    }

    /// The verifier key others check cosignatures with.
    pub fn verifier_key(&self) -> String {
        cosignature::verifier_key_text(&self.name, self.signing.verifying_key().as_bytes())
    }

    /// The signed checkpoint `note` (whose text is `text`) with `line`, this key's
    /// cosignature, appended as the only one by this key: a line by this key the site
    /// already serves (an earlier cosignature of the same checkpoint) is dropped.
    pub fn cosigned_note(&self, note: &str, text: &str, line: &str) -> String {
        let short = format!("{}+{:08x}", self.name, self.key_id());
        let kept: String = note
            .get(text.len() + 1..)
            .unwrap_or_default()
            .lines()
            .filter(|signature| {
                !matches!(CosignatureLine::parse(signature), Some(own) if own.short_key() == short)
            })
            .map(|signature| format!("{signature}\n"))
            .collect();
        format!("{text}\n{kept}{line}")
    }

    /// The cosignature line (ending in a newline) of `checkpoint_text` (the checkpoint
    /// note's text, ending in a newline) at `timestamp` (Unix seconds).
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> String {
        let message = cosignature::message(timestamp, checkpoint_text);
        let signature = self.signing.sign(message.as_bytes());
        cosignature::line(&self.name, self.key_id(), timestamp, &signature.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_and_a_tampered_one_is_refused() {
        let key = WitnessKey::generate("volunteer-1").unwrap();
        let again = WitnessKey::parse(&key.private_text()).unwrap();
        assert_eq!(again.verifier_key(), key.verifier_key());
        let other_name = key.private_text().replacen("volunteer-1", "volunteer-2", 1);
        assert!(WitnessKey::parse(&other_name).is_err());
        assert!(WitnessKey::parse("PRIVATE+KEY+x+00000000+AQ==").is_err());
        // signed-note's key id rule over 0x04 ‖ key, as tlog-cosignature says.
        let vkey = key.verifier_key();
        assert!(vkey.starts_with("volunteer-1+"));
        let b64 = vkey.splitn(3, '+').nth(2).unwrap();
        assert_eq!(BASE64_STANDARD.decode(b64).unwrap()[0], 0x04);
    }

    #[test]
    fn a_cosigned_note_holds_one_line_by_this_key() {
        let key = WitnessKey::generate("volunteer-1").unwrap();
        let other = WitnessKey::generate("volunteer-2").unwrap();
        let text = "log/x\n3\nAAAA\n";
        let site = "\u{2014} log AAAAAAAA\n";
        let served = format!(
            "{text}\n{site}{}{}",
            key.cosign(text, 1),
            other.cosign(text, 1)
        );
        let line = key.cosign(text, 2);
        assert_eq!(
            key.cosigned_note(&served, text, &line),
            format!("{text}\n{site}{}{line}", other.cosign(text, 1))
        );
    }
}
