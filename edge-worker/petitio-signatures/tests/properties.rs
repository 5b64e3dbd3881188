//! Properties of identities: canonical emails are a fixed point, every spelling of a Gmail
//! mailbox collapses to one, invisible characters change nothing, look-alike addresses
//! mixing scripts are refused, and distinct canonical emails get distinct ids. (Key layout
//! and validation properties sit beside their modules.)

use petitio_signatures::email::{canonicalize, EmailProblem, MAX_EMAIL_CHARS};
use petitio_signatures::identity::{PetitionKey, SignerId, SigningKey};
use petitio_signatures::lookalike::is_default_ignorable;
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

/// Default-ignorable code points of every kind: zero-width space and joiners, soft hyphen,
/// word joiner, BOM, variation selectors, Mongolian vowel separator, bidi marks, overrides
/// and isolates, combining grapheme joiner, Hangul fillers, tags.
const INVISIBLE: &[char] = &[
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{00AD}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{FE0F}',
    '\u{FE00}',
    '\u{180E}',
    '\u{200E}',
    '\u{200F}',
    '\u{202A}',
    '\u{202E}',
    '\u{2066}',
    '\u{2069}',
    '\u{034F}',
    '\u{115F}',
    '\u{3164}',
    '\u{FFA0}',
    '\u{E0020}',
    '\u{E0100}',
];

/// Addresses in Latin, Cyrillic (Kazakh letters too) or both, with digits and dots.
fn mixed_address() -> impl Strategy<Value = String> {
    (
        "[a-z0-9а-яәғқңөұүһі.]{1,12}",
        "[a-zа-яәғқңөұүһі]{1,10}",
        "[a-zа-я]{2,4}",
    )
        .prop_map(|(local, label, zone)| format!("{local}@{label}.{zone}"))
}

fn has_latin_and_cyrillic(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_lowercase())
        && text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// `text` with `insertions` (position in characters, invisible character) made.
fn with_invisible(text: &str, insertions: &[(usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, which) in insertions {
        chars.insert(at % (chars.len() + 1), INVISIBLE[which % INVISIBLE.len()]);
    }
    chars.into_iter().collect()
}

/// Latin letters with a Cyrillic twin that looks the same.
const TWINS: &[(char, char)] = &[
    ('a', 'а'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('c', 'с'),
    ('x', 'х'),
    ('y', 'у'),
];

proptest! {
    #[test]
    fn invisible_characters_anywhere_change_nothing(
        raw in "[A-Za-z0-9.+_-]{1,20}@[A-Za-z0-9-]{1,12}\\.[A-Za-z]{2,6}|[a-zа-я]{1,10}@[а-я]{1,10}\\.[а-я]{2,3}",
        insertions in proptest::collection::vec((0usize..64, 0usize..64), 1..6),
    ) {
        let spelled = with_invisible(&raw, &insertions);
        prop_assert_eq!(canonicalize(&spelled), canonicalize(&raw), "{:?}", spelled);
    }

    #[test]
    fn canonical_forms_hold_no_invisible_character_and_are_a_fixed_point(
        raw in "[a-zA-Zа-яА-Я0-9.@+\u{200B}\u{200D}\u{00AD}\u{FEFF}\u{202E}\u{3164}\u{E0020}-]{3,40}",
    ) {
        if let Ok(canonical) = canonicalize(&raw) {
            prop_assert!(!canonical.as_str().chars().any(is_default_ignorable), "{:?}", canonical);
            prop_assert_eq!(canonicalize(canonical.as_str()), Ok(canonical.clone()));
        }
    }

    #[test]
    fn accepted_addresses_are_single_script_in_each_part(raw in mixed_address()) {
        let (local, domain) = raw.split_once('@').unwrap();
        let mixes = has_latin_and_cyrillic(local) || domain.split('.').any(has_latin_and_cyrillic);
        match canonicalize(&raw) {
            Ok(canonical) => {
                prop_assert!(!mixes, "{} accepted as {:?}", raw, canonical);
                let (local, domain) = canonical.as_str().split_once('@').unwrap();
                prop_assert!(!has_latin_and_cyrillic(local));
                prop_assert!(!domain.split('.').any(has_latin_and_cyrillic));
            }
            Err(problem) => prop_assert_eq!(
                problem == EmailProblem::MixedScripts, mixes, "{}: {:?}", raw, problem
            ),
        }
    }

    #[test]
    fn a_cyrillic_twin_in_a_latin_domain_is_refused(
        label in "[a-z]{1,8}",
        twin in 0usize..7,
        at in 0usize..9,
    ) {
        let (latin, cyrillic) = TWINS[twin];
        let mut letters: Vec<char> = label.chars().collect();
        letters.insert(at % (letters.len() + 1), latin);
        let genuine: String = letters.iter().collect();
        let look_alike: String = genuine.replacen(latin, &cyrillic.to_string(), 1);
        let (genuine, look_alike) = (format!("ann@{genuine}.com"), format!("ann@{look_alike}.com"));
        prop_assert!(canonicalize(&genuine).is_ok(), "{}", genuine);
        prop_assert_eq!(canonicalize(&look_alike), Err(EmailProblem::MixedScripts));
    }

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
