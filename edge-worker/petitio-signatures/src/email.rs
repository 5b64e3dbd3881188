//! Canonical email addresses, the one input to a signer's identity.
//!
//! Two spellings of one mailbox must give one signer, or a person could sign twice by
//! writing `Ann@Example.com` and `ann@example.com`. So the address is trimmed,
//! NFKC-normalised and lowercased, and for Gmail (whose dots and `+tags` reach the same
//! mailbox) dots and the `+tag` are dropped from the local part and `googlemail.com` is
//! treated as `gmail.com`. The canonical form is only ever hashed (see `identity`), never
//! stored.

use unicode_normalization::UnicodeNormalization;

/// Longest accepted address, in characters (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL_CHARS: usize = 254;

const GMAIL_DOMAINS: [&str; 2] = ["gmail.com", "googlemail.com"];
const GMAIL_CANONICAL_DOMAIN: &str = "gmail.com";

/// An address in canonical form. Only `canonicalize` makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanonicalEmail(String);

impl CanonicalEmail {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    TooLong,
    Malformed,
}

/// Canonicalises and validates `raw`: exactly one `@`, a non-empty local part, a domain
/// with a dot and no empty labels, no whitespace or control characters, at most
/// `MAX_EMAIL_CHARS` characters. Idempotent on its own output.
pub fn canonicalize(raw: &str) -> Result<CanonicalEmail, EmailProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(EmailProblem::Missing);
    }
    let lowered: String = trimmed.nfkc().collect::<String>().to_lowercase();
    // Lowercasing can leave a string NFKC would change again; normalise once more so the
    // result is a fixed point.
    let normalized: String = lowered.nfkc().collect();
    if normalized.chars().count() > MAX_EMAIL_CHARS {
        return Err(EmailProblem::TooLong);
    }
    if normalized
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(EmailProblem::Malformed);
    }
    let (local, domain) = normalized.split_once('@').ok_or(EmailProblem::Malformed)?;
    if local.is_empty() || domain.contains('@') || !is_domain(domain) {
        return Err(EmailProblem::Malformed);
    }
    if GMAIL_DOMAINS.contains(&domain) {
        let mailbox = local.split('+').next().unwrap_or_default().replace('.', "");
        if mailbox.is_empty() {
            return Err(EmailProblem::Malformed);
        }
        return Ok(CanonicalEmail(format!(
            "{mailbox}@{GMAIL_CANONICAL_DOMAIN}"
        )));
    }
    Ok(CanonicalEmail(normalized))
}

/// A domain has at least two labels and no empty label.
fn is_domain(domain: &str) -> bool {
    domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> String {
        canonicalize(raw)
            .expect("valid address")
            .as_str()
            .to_owned()
    }

    #[test]
    fn trims_and_lowercases() {
        assert_eq!(canonical("  Ann.Lee@Example.KZ \n"), "ann.lee@example.kz");
    }

    #[test]
    fn applies_nfkc() {
        // Full-width letters and the "ﬁ" ligature fold to plain ASCII.
        assert_eq!(canonical("ＡＮＮ@ﬁeld.kz"), "ann@field.kz");
    }

    #[test]
    fn collapses_gmail_spellings() {
        for raw in [
            "a.sh.ar+petitions@gmail.com",
            "ASHAR@googlemail.com",
            "ashar+x+y@GMAIL.COM",
        ] {
            assert_eq!(canonical(raw), "ashar@gmail.com", "{raw}");
        }
    }

    #[test]
    fn keeps_dots_and_tags_elsewhere() {
        assert_eq!(canonical("a.b+c@mail.kz"), "a.b+c@mail.kz");
    }

    #[test]
    fn refuses_bad_shapes() {
        assert_eq!(canonicalize("   "), Err(EmailProblem::Missing));
        for raw in [
            "no-at.kz",
            "@mail.kz",
            "a@b@mail.kz",
            "a@localhost",
            "a@mail..kz",
            "a@.mail.kz",
            "a@mail.kz.",
            "a b@mail.kz",
            "+tag@gmail.com",
            "...@gmail.com",
            "a\u{0}@mail.kz",
        ] {
            assert_eq!(canonicalize(raw), Err(EmailProblem::Malformed), "{raw:?}");
        }
    }

    #[test]
    fn refuses_long_addresses() {
        let at_limit = format!("{}@mail.kz", "a".repeat(MAX_EMAIL_CHARS - 8));
        assert!(canonicalize(&at_limit).is_ok());
        let over = format!("a{at_limit}");
        assert_eq!(canonicalize(&over), Err(EmailProblem::TooLong));
    }
}
