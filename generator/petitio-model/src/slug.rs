//! Slugs: the names of petitions, tags, regions and static pages in URLs, file names and
//! storage keys. One rule for the generator and the worker: lowercase ASCII letters and
//! digits in words joined by single hyphens, at most [`MAX_SLUG_LEN`] bytes, so a slug sits
//! in a URL or a KV key unescaped and far below KV's 512-byte key limit.

/// Longest accepted slug.
pub const MAX_SLUG_LEN: usize = 200;

/// Whether `text` is a slug: lowercase ASCII letters, digits and single inner hyphens.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_SLUG_LEN
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The closest valid slug to `text`: lowercase ASCII, everything else turned into hyphens.
pub fn suggest_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for ch in text.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let trimmed = slug[..slug.len().min(MAX_SLUG_LEN)].trim_end_matches('-');
    if trimmed.is_empty() {
        "my-petition".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_are_lowercase_ascii_words_joined_by_hyphens() {
        for good in ["clean-air", "a1", "2026-budget", &"a".repeat(MAX_SLUG_LEN)] {
            assert!(is_slug(good), "{good}");
        }
        for bad in [
            "",
            "Clean-Air",
            "clean_air",
            "-x",
            "x-",
            "a--b",
            "ағаш",
            "a b",
            &"a".repeat(MAX_SLUG_LEN + 1),
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn slug_suggestions_are_valid_slugs() {
        assert_eq!(suggest_slug("Clean Air_2026!"), "clean-air-2026");
        assert_eq!(suggest_slug("Ағаштар"), "my-petition");
    }

    proptest! {
        #[test]
        fn every_suggestion_is_a_slug(text in ".{0,300}") {
            prop_assert!(is_slug(&suggest_slug(&text)));
        }
    }
}
