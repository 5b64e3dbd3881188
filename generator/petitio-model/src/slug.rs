//! Names that become URLs: slugs (of petitions, tags, regions and static pages in URLs,
//! file names and storage keys) and the names of published files (cover images, static
//! files). One rule for the generator and the worker: lowercase ASCII letters and
//! digits in words joined by single hyphens, at most [`MAX_NAME_CHARS`] long, so a slug sits
//! in a URL, a file name or a KV key unescaped and far below KV's 512-byte key limit.

/// Longest slug, tag, page name or published file name, in characters: each becomes a
/// folder or file of the output and a segment of a URL, so it must stay well inside the 255
/// bytes a file name may have (a hash is added to published files) and readable in a link.
pub const MAX_NAME_CHARS: usize = 100;

/// Whether `text` is a slug: [`has_slug_form`] and at most [`MAX_NAME_CHARS`] long.
pub fn is_slug(text: &str) -> bool {
    has_slug_form(text) && text.len() <= MAX_NAME_CHARS
}

/// Whether `text` is written like a slug (lowercase ASCII letters, digits and single inner
/// hyphens), whatever its length.
pub fn has_slug_form(text: &str) -> bool {
    !text.is_empty()
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
    let trimmed = slug[..slug.len().min(MAX_NAME_CHARS)].trim_end_matches('-');
    if trimmed.is_empty() {
        "my-petition".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Whether the build may publish a file under `name` as it is (a cover image, a static file):
/// 1 to [`MAX_NAME_CHARS`] ASCII letters, digits, `-`, `_` and `.`, not `.` or `..`. Nothing
/// that a URL would need to escape or a file system could read differently.
pub fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Extensions a cover image may have (in any case). SVG is not one: an SVG can carry script,
/// and a copy of the site on a host that ignores `_headers` would serve it with no policy.
pub const IMAGE_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "gif", "webp", "avif"];

/// Whether `name` may be a petition's cover image: a [file name](is_file_name) with one of
/// the [`IMAGE_EXTENSIONS`].
pub fn is_image_name(name: &str) -> bool {
    is_file_name(name)
        && name.rsplit_once('.').is_some_and(|(stem, extension)| {
            !stem.is_empty()
                && IMAGE_EXTENSIONS
                    .iter()
                    .any(|allowed| extension.eq_ignore_ascii_case(allowed))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_are_lowercase_ascii_words_joined_by_hyphens() {
        for good in [
            "clean-air",
            "a1",
            "2026-budget",
            &"a".repeat(MAX_NAME_CHARS),
        ] {
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
            &"a".repeat(MAX_NAME_CHARS + 1),
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert!(has_slug_form(&"a".repeat(MAX_NAME_CHARS + 1)));
    }

    #[test]
    fn file_names_are_plain_and_short() {
        assert!(is_file_name(&"a".repeat(MAX_NAME_CHARS)));
        assert!(!is_file_name(&"a".repeat(MAX_NAME_CHARS + 1)));
    }

    #[test]
    fn cover_images_have_plain_names_and_a_picture_extension() {
        for good in ["cover.jpg", "Cover-2026_v2.JPEG", "a.webp", ".x.png"] {
            assert!(is_image_name(good), "{good}");
        }
        for bad in [
            "cover",
            ".png",
            "my cover.jpg",
            "a#b.png",
            "a%20b.png",
            "x.svg",
            "x.html",
            "../x.png",
            "кітап.png",
            "x.png?",
        ] {
            assert!(!is_image_name(bad), "{bad}");
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
