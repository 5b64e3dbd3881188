//! Language codes: how `petitio.toml` names a site's languages, and so the `<lang>` of every
//! URL, file name (`index.<lang>.md`) and the manifest.

/// Two or three lowercase ASCII letters, like "kk".
pub fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_or_three_lowercase_letters() {
        for good in ["kk", "ru", "en", "ast"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in ["", "k", "KK", "kaza", "k1", "рус"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
