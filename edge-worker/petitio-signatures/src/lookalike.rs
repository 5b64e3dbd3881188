//! Text that looks like other text, or like nothing: what lets one person pass for many
//! signers (`gmаil.com` with a Cyrillic `а`, a zero-width space inside an address) or a
//! name show as blank or run backwards. Unicode's own data decides, from ICU4X
//! (`icu_properties`, the Unicode Consortium's library, which `idna` already links):
//!
//! * default-ignorable code points (the `Default_Ignorable_Code_Point` property: zero-width
//!   space and joiners, soft hyphen, variation selectors, bidi marks, ...) render as
//!   nothing, so they are removed before an address is canonicalised;
//! * mixed scripts, by UTS #39 ("Unicode Security Mechanisms", section 5.1): a text is
//!   single-script when the scripts its characters may be written in (`Script_Extensions`,
//!   with Han, Hiragana, Katakana, Hangul and Bopomofo augmented to the writing systems
//!   that combine them) have one in common; characters of every script (digits, `.`, `-`)
//!   and combining marks constrain nothing;
//! * the explicit bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
//!   which reorder the text around them.

use icu_properties::props::{DefaultIgnorableCodePoint, Script};
use icu_properties::script::{ScriptWithExtensions, ScriptWithExtensionsBorrowed};
use icu_properties::CodePointSetData;

/// Whether `c` is a default-ignorable code point: rendered as nothing.
pub fn is_default_ignorable(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// `text` without its default-ignorable code points.
pub fn strip_default_ignorables(text: &str) -> String {
    text.chars().filter(|&c| !is_default_ignorable(c)).collect()
}

/// Whether `c` is an explicit bidi embedding, override or isolate (LRE, RLE, PDF, LRO,
/// RLO, LRI, RLI, FSI, PDI).
pub fn is_bidi_override_or_isolate(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` shows nothing: white space, a default-ignorable code point, or the blank
/// Braille pattern U+2800 (a letter to Unicode, a favourite "invisible name").
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace() || is_default_ignorable(c) || c == '\u{2800}'
}

/// Whether `text` is single-script by UTS #39's resolved script set (see the module
/// documentation). Text with no script-specific character at all is single-script.
pub fn is_single_script(text: &str) -> bool {
    let scripts = ScriptWithExtensions::new();
    let mut resolved: Option<Vec<Script>> = None;
    for c in text.chars() {
        let Some(possible) = augmented_scripts(scripts, c) else {
            continue;
        };
        let narrowed = match resolved {
            None => possible,
            Some(agreed) => agreed
                .into_iter()
                .filter(|script| possible.contains(script))
                .collect(),
        };
        if narrowed.is_empty() {
            return false;
        }
        resolved = Some(narrowed);
    }
    true
}

/// The scripts `c` may be written in, augmented as UTS #39 says; `None` for a character
/// of every script (Common, Inherited).
fn augmented_scripts(scripts: ScriptWithExtensionsBorrowed<'_>, c: char) -> Option<Vec<Script>> {
    let mut possible: Vec<Script> = scripts.get_script_extensions_val(c).iter().collect();
    if possible
        .iter()
        .any(|script| matches!(*script, Script::Common | Script::Inherited))
    {
        return None;
    }
    for (script, writing_systems) in AUGMENTED {
        if possible.contains(&script) {
            for system in writing_systems {
                if !possible.contains(system) {
                    possible.push(*system);
                }
            }
        }
    }
    Some(possible)
}

/// UTS #39's augmentation: the writing systems a script's characters also belong to.
const AUGMENTED: [(Script, &[Script]); 5] = [
    (
        Script::Han,
        &[Script::HanWithBopomofo, Script::Japanese, Script::Korean],
    ),
    (Script::Hiragana, &[Script::Japanese]),
    (Script::Katakana, &[Script::Japanese]),
    (Script::Hangul, &[Script::Korean]),
    (Script::Bopomofo, &[Script::HanWithBopomofo]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ignorables_are_unicodes_own() {
        for c in [
            '\u{00AD}',
            '\u{034F}',
            '\u{061C}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2060}',
            '\u{2066}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            assert!(is_default_ignorable(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'ә', ' ', '-', '\u{0301}', '\u{2800}'] {
            assert!(!is_default_ignorable(c), "U+{:04X}", c as u32);
        }
        assert_eq!(
            strip_default_ignorables("a\u{200B}n\u{00AD}n\u{FE0F}"),
            "ann"
        );
    }

    #[test]
    fn scripts_are_resolved_as_uts_39_says() {
        for text in [
            "gmail",
            "пример",
            "әлия",
            "mail-2024",
            "東京",
            "ひらがなとカタカナと漢字",
            "한국어漢字",
            "123",
            "",
            "e\u{0301}cole",
        ] {
            assert!(is_single_script(text), "{text}");
        }
        for text in [
            "gmаil",
            "pаypal",
            "аliya.nurlan",
            "ex\u{0430}mple",
            "αβγabc",
        ] {
            assert!(!is_single_script(text), "{text}");
        }
    }

    #[test]
    fn bidi_controls_and_invisible_characters() {
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert!(is_bidi_override_or_isolate(c));
        }
        for c in ['\u{200E}', '\u{200F}', '\u{2029}', 'a'] {
            assert!(!is_bidi_override_or_isolate(c));
        }
        for c in [' ', '\u{3000}', '\u{200B}', '\u{2800}', '\u{3164}'] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
        }
        assert!(!is_invisible('.'));
    }
}
