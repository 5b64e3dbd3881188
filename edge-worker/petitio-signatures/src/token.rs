//! The token a confirmation message carries: self-contained and authenticated, so that
//! nothing about a pending signature is stored anywhere until its signer confirms it.
//!
//! It says what to do (sign or withdraw), for which petition and signer id, with the
//! region, language and shown name chosen when signing, when it was issued, and for a
//! signature the receipt's secret (#13: the signer's copy of it is in the message). It never
//! holds the address: the signer id is already an HMAC of it. The MAC is HMAC-SHA256
//! under a key derived from `SIGNING_KEY` ("petitio/v1/token"), so a token cannot be
//! forged or altered, and it expires [`TOKEN_LIFETIME_MS`] after it was issued.
//!
//! Text form (URL-safe, no escaping needed): `<hex of the JSON payload>.<hex MAC>`.
//! The issue time orders a token against the record's last change (`events`): a token acts
//! only on state older than itself, so a replayed old link cannot undo a later change.

use serde::{Deserialize, Serialize};

use crate::identity::{SignerId, SigningKey};

/// How long a confirmation link works: seven days.
pub const TOKEN_LIFETIME_MS: u64 = 7 * 24 * 3600 * 1000;
/// Longest token text accepted (the payload holds at most a 100-character name).
pub const MAX_TOKEN_CHARS: usize = 2048;

const TOKEN_KEY_CONTEXT: &str = "petitio/v1/token";

/// What confirming the token does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    #[serde(rename = "sign")]
    Sign,
    #[serde(rename = "withdraw")]
    Withdraw,
}

/// A token's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionToken {
    #[serde(rename = "a")]
    pub action: Action,
    #[serde(rename = "p")]
    pub slug: String,
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "r", default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(rename = "l")]
    pub lang: String,
    /// The name to show, only when the signer asked for it to be shown.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unix milliseconds.
    #[serde(rename = "t")]
    pub issued_ms: u64,
    /// A sign token's receipt secret (64 hex digits), drawn when the token is issued: the
    /// signature it records commits to it, and the confirmation's answer gives it back as
    /// the receipt. It travels only inside the message and is stored nowhere.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub receipt_secret: Option<String>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not a token this deployment issued (malformed, altered, or for another petition).
    Invalid,
    /// Older than [`TOKEN_LIFETIME_MS`].
    Expired,
}

impl ActionToken {
    /// The signer id the token acts for.
    pub fn signer(&self) -> Option<SignerId> {
        SignerId::parse(&self.id)
    }

    /// The token's text, authenticated under `key`.
    pub fn encode(&self, key: &SigningKey) -> String {
        let payload = serde_json::to_vec(self).expect("a token always serialises");
        format!(
            "{}.{}",
            hex::encode(&payload),
            hex::encode(mac(key, &payload))
        )
    }

    /// Reads and checks a token's text: its MAC, its form, that it names `slug`, and that
    /// it has not expired at `now_ms`.
    pub fn decode(
        text: &str,
        key: &SigningKey,
        slug: &str,
        now_ms: u64,
    ) -> Result<ActionToken, TokenProblem> {
        let text = text.trim();
        if text.len() > MAX_TOKEN_CHARS {
            return Err(TokenProblem::Invalid);
        }
        let (payload, tag) = text.split_once('.').ok_or(TokenProblem::Invalid)?;
        let payload = hex::decode(payload).map_err(|_| TokenProblem::Invalid)?;
        let tag = hex::decode(tag).map_err(|_| TokenProblem::Invalid)?;
        if !key.verify(&[TOKEN_KEY_CONTEXT.as_bytes(), &payload], &tag) {
            return Err(TokenProblem::Invalid);
        }
        let token: ActionToken =
            serde_json::from_slice(&payload).map_err(|_| TokenProblem::Invalid)?;
        if token.slug != slug || token.signer().is_none() {
            return Err(TokenProblem::Invalid);
        }
        if now_ms >= token.issued_ms.saturating_add(TOKEN_LIFETIME_MS) {
            return Err(TokenProblem::Expired);
        }
        Ok(token)
    }
}

fn mac(key: &SigningKey, payload: &[u8]) -> [u8; 32] {
    key.mac_parts(&[TOKEN_KEY_CONTEXT.as_bytes(), payload])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> SigningKey {
        SigningKey::new(b"0123456789abcdef0123456789abcdef".to_vec())
    }

    fn token() -> ActionToken {
        ActionToken {
            action: Action::Sign,
            slug: "clean-air".into(),
            id: "ab".repeat(32),
            region: "astana".into(),
            lang: "kk".into(),
            name: Some("Әлия".into()),
            issued_ms: 1_000,
            receipt_secret: Some("ab".repeat(32)),
        }
    }

    #[test]
    fn a_token_reads_back_until_it_expires() {
        let text = token().encode(&key());
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.'));
        assert_eq!(
            ActionToken::decode(&text, &key(), "clean-air", 1_000),
            Ok(token())
        );
        assert_eq!(
            ActionToken::decode(&text, &key(), "clean-air", 1_000 + TOKEN_LIFETIME_MS),
            Err(TokenProblem::Expired)
        );
    }

    #[test]
    fn another_key_or_petition_refuses_it() {
        let text = token().encode(&key());
        let other = SigningKey::new(b"another key, another deployment!".to_vec());
        assert_eq!(
            ActionToken::decode(&text, &other, "clean-air", 1_000),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(
            ActionToken::decode(&text, &key(), "green-park", 1_000),
            Err(TokenProblem::Invalid)
        );
        for bad in ["", ".", "zz.zz", "00", &"0".repeat(MAX_TOKEN_CHARS + 1)] {
            assert_eq!(
                ActionToken::decode(bad, &key(), "clean-air", 1_000),
                Err(TokenProblem::Invalid)
            );
        }
    }

    proptest! {
        /// Changing any one character of a token makes it invalid.
        #[test]
        fn any_alteration_is_refused(position in 0usize..10_000, digit in 0u32..16) {
            let text = token().encode(&key());
            let position = position % text.len();
            let mut altered: Vec<char> = text.chars().collect();
            let replacement = char::from_digit(digit, 16).unwrap();
            prop_assume!(altered[position] != replacement && altered[position] != '.');
            altered[position] = replacement;
            let altered: String = altered.into_iter().collect();
            prop_assert_eq!(
                ActionToken::decode(&altered, &key(), "clean-air", 1_000),
                Err(TokenProblem::Invalid)
            );
        }
    }
}
