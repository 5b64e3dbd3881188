//! Properties of identities: canonical emails are a fixed point, every spelling of a Gmail
//! mailbox collapses to one, and distinct canonical emails get distinct ids. (Key layout
//! and validation properties sit beside their modules.)

use petitio_signatures::email::{canonicalize, MAX_EMAIL_CHARS};
use petitio_signatures::identity::{PetitionKey, SignerId, SigningKey};
use proptest::prelude::*;

fn petition_key() -> PetitionKey {
    PetitionKey::derive(
        &SigningKey::new(b"property-test-key-0123456789abcdef".to_vec()),
        "clean-air",
    )
}

/// A Gmail local part written with random dots, case and a `+tag`.
fn gmail_spelling() -> impl Strategy<Value = (String, String)> {
    (
        "[a-z0-9]{1,20}",
        proptest::collection::vec(any::<bool>(), 20),
        proptest::collection::vec(any::<bool>(), 20),
        proptest::option::of("[a-z0-9.]{0,10}"),
        prop_oneof![Just("gmail.com"), Just("googlemail.com"), Just("GMail.Com")],
    )
        .prop_map(|(mailbox, dots, upper, tag, domain)| {
            let mut local = String::new();
            for (i, c) in mailbox.chars().enumerate() {
                local.push(if upper[i] { c.to_ascii_uppercase() } else { c });
                if dots[i] {
                    local.push('.');
                }
            }
            if let Some(tag) = tag {
                local.push('+');
                local.push_str(&tag);
            }
            (
                format!(" {local}@{domain}\t"),
                format!("{mailbox}@gmail.com"),
            )
        })
}

proptest! {
    #[test]
    fn canonical_form_is_a_fixed_point(raw in "\\PC{0,40}(@\\PC{0,20}(\\.\\PC{0,8})?)?") {
        if let Ok(canonical) = canonicalize(&raw) {
            prop_assert_eq!(canonicalize(canonical.as_str()), Ok(canonical.clone()));
            prop_assert!(canonical.as_str().chars().count() <= MAX_EMAIL_CHARS);
            prop_assert_eq!(canonical.as_str().matches('@').count(), 1);
        }
    }

    #[test]
    fn ascii_addresses_are_a_fixed_point(raw in "[A-Za-z0-9.+_-]{1,30}@[A-Za-z0-9-]{1,20}\\.[A-Za-z]{2,6}") {
        let canonical = canonicalize(&raw).unwrap();
        prop_assert_eq!(canonicalize(canonical.as_str()), Ok(canonical.clone()));
    }

    #[test]
    fn gmail_spellings_collapse((spelling, expected) in gmail_spelling()) {
        let canonical = canonicalize(&spelling).unwrap();
        prop_assert_eq!(canonical.as_str(), expected.as_str());
    }

    #[test]
    fn distinct_canonical_emails_get_distinct_ids(
        a in "[a-z0-9.]{1,20}@[a-z]{1,10}\\.kz",
        b in "[a-z0-9.]{1,20}@[a-z]{1,10}\\.kz",
    ) {
        let (a, b) = (canonicalize(&a).unwrap(), canonicalize(&b).unwrap());
        let key = petition_key();
        prop_assert_eq!(SignerId::of(&key, &a), SignerId::of(&key, &a.clone()));
        if a != b {
            prop_assert_ne!(SignerId::of(&key, &a), SignerId::of(&key, &b));
        }
    }
}
