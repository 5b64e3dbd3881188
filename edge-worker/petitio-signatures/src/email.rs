//! Canonical email addresses, the one input to a signer's identity.
//!
//! Two spellings of one mailbox must give one signer, or a person could sign twice by
//! writing `Ann@Example.com` and `ann@example.com`. So the address is trimmed, stripped of
//! default-ignorable code points (a zero-width space shows as nothing), NFKC-normalised and
//! lowercased; the domain goes through IDNA (UTS #46, the `idna` crate): mapped, validated
//! as a host name (letters, digits and hyphens; at most 63 characters a label and 253 in
//! all), and kept in its Unicode form, so `xn--80a1acny.xn--p1ai` and `почта.рф` are one
//! domain. For Gmail (whose dots and `+tags` reach the same mailbox) dots and the `+tag`
//! are dropped from the local part and `googlemail.com` is treated as `gmail.com`.
//!
//! An address whose local part, or any label of whose domain, mixes scripts (`gmаil.com`
//! with a Cyrillic `а`, UTS #39: `lookalike::is_single_script`) is refused: it is a
//! look-alike of another signer's address, never a real mailbox anyone types. The
//! canonical form is only ever hashed (see `identity`), never stored.

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use crate::lookalike::{is_single_script, strip_default_ignorables};

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
    /// The local part or a label of the domain mixes scripts.
    MixedScripts,
}

/// Canonicalises and validates `raw`: exactly one `@`, a non-empty local part, a domain
/// IDNA accepts as a host name with at least two labels, no whitespace or control
/// characters, at most `MAX_EMAIL_CHARS` characters, each part single-script.
/// Idempotent on its own output.
pub fn canonicalize(raw: &str) -> Result<CanonicalEmail, EmailProblem> {
    let visible = strip_default_ignorables(raw.trim());
    let trimmed = visible.trim();
    if trimmed.is_empty() {
        return Err(EmailProblem::Missing);
    }
    let normalized = normalize(trimmed);
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
    if local.is_empty() || domain.contains('@') {
        return Err(EmailProblem::Malformed);
    }
    let domain = canonical_domain(domain).ok_or(EmailProblem::Malformed)?;
    if !is_single_script(local) || !domain.split('.').all(is_single_script) {
        return Err(EmailProblem::MixedScripts);
    }
    if GMAIL_DOMAINS.contains(&domain.as_str()) {
        let mailbox = local.split('+').next().unwrap_or_default().replace('.', "");
        if mailbox.is_empty() {
            return Err(EmailProblem::Malformed);
        }
        return Ok(CanonicalEmail(format!(
            "{mailbox}@{GMAIL_CANONICAL_DOMAIN}"
        )));
    }
    let canonical = format!("{local}@{domain}");
    if canonical.chars().count() > MAX_EMAIL_CHARS {
        return Err(EmailProblem::TooLong);
    }
    Ok(CanonicalEmail(canonical))
}

/// NFKC, lowercase, NFKC again (lowercasing can leave a string NFKC would change again),
/// and default-ignorables stripped once more (normalisation could, in principle, make
/// one): a fixed point.
fn normalize(text: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let lowered = nfkc.normalize(text).to_lowercase();
    strip_default_ignorables(&nfkc.normalize(&lowered))
}

/// The domain in canonical Unicode form (UTS #46 ToASCII, which validates it, then
/// ToUnicode), when it is a host name with at least two labels and no empty one.
fn canonical_domain(domain: &str) -> Option<String> {
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Allow,
            DnsLength::Verify,
        )
        .ok()?;
    let (unicode, valid) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Allow);
    valid.ok()?;
    let has_labels = unicode.contains('.') && unicode.split('.').all(|label| !label.is_empty());
    has_labels.then(|| match unicode {
        Cow::Borrowed(text) => text.to_owned(),
        Cow::Owned(text) => text,
    })
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
    fn ignores_invisible_characters() {
        for raw in [
            "ann\u{200B}@mail.kz",
            "a\u{00AD}nn@ma\u{200D}il.kz",
            "\u{FEFF}ann@mail.kz\u{2060}",
            "ann@mail\u{FE0F}.kz",
        ] {
            assert_eq!(canonical(raw), "ann@mail.kz", "{raw:?}");
        }
        assert_eq!(
            canonical("a.sh\u{200C}ar@gm\u{200B}ail.com"),
            "ashar@gmail.com"
        );
        assert_eq!(canonicalize("\u{200B}\u{200B}"), Err(EmailProblem::Missing));
    }

    #[test]
    fn keeps_one_form_of_an_internationalised_domain() {
        for raw in ["a@почта.рф", "a@ПОЧТА.РФ", "a@xn--80a1acny.xn--p1ai"] {
            assert_eq!(canonical(raw), "a@почта.рф", "{raw}");
        }
        assert_eq!(canonical("Әлия@мысал.қаз"), "әлия@мысал.қаз");
    }

    #[test]
    fn refuses_look_alikes_that_mix_scripts() {
        for raw in [
            "ann@g\u{043C}ail.com",
            "ann@gm\u{0430}il.com",
            "ann@xn--gmil-63d.com",
            "\u{0430}nn@mail.kz",
            "ann@p\u{0430}ypal.example",
        ] {
            assert_eq!(canonicalize(raw), Err(EmailProblem::MixedScripts), "{raw}");
        }
        // Each label on its own script is fine: a Cyrillic name under a Latin zone.
        assert_eq!(canonical("a@пример.com"), "a@пример.com");
    }

    #[test]
    fn refuses_domains_that_are_not_host_names() {
        for raw in ["a@mail_box.kz", "a@ex ample.kz", "a@xn--zz.kz"] {
            assert_eq!(canonicalize(raw), Err(EmailProblem::Malformed), "{raw}");
        }
        let label = "a".repeat(64);
        assert_eq!(
            canonicalize(&format!("a@{label}.kz")),
            Err(EmailProblem::Malformed)
        );
    }

    #[test]
    fn refuses_long_addresses() {
        let at_limit = format!("{}@mail.kz", "a".repeat(MAX_EMAIL_CHARS - 8));
        assert!(canonicalize(&at_limit).is_ok());
        let over = format!("a{at_limit}");
        assert_eq!(canonicalize(&over), Err(EmailProblem::TooLong));
    }
}
