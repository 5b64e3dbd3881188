//! CLDR plural rules for count phrases ("1 signature", "2 подписи", "5 подписей").
//!
//! A count phrase in a theme's `i18n/<lang>.toml` is a table of CLDR plural forms
//! (`one`, `few`, `many`, `other`, ...; `other` is always required); the form for a number is
//! chosen by the language's CLDR cardinal rules from ICU4X (`icu_plurals`, compiled data),
//! never by rules written here. The browser script chooses with `Intl.PluralRules`, which
//! follows the same CLDR rules, from the same forms (published in the script messages).

use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

pub(crate) use petitio_model::plurals::CATEGORY_NAMES;
use petitio_model::plurals::EXACT_BELOW;

/// The CLDR name of `category`, as i18n files spell it.
fn name(category: PluralCategory) -> &'static str {
    CATEGORY_NAMES
        .into_iter()
        .find(|name| PluralCategory::get_for_cldr_string(name) == Some(category))
        .expect("every category has a CLDR name")
}

/// Whether a table of UI strings with these keys is a count phrase: every key a CLDR
/// category, `other` among them.
pub(crate) fn is_phrase(keys: &[&str]) -> bool {
    keys.contains(&"other") && keys.iter().all(|key| CATEGORY_NAMES.contains(key))
}

/// One language's cardinal plural rules. ICU4X's `PluralRules` is neither `Send` nor `Sync`
/// (its data may be reference-counted) while pages render in parallel, so the rules are
/// looked up from the compiled data when used: a table lookup, no parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plurals {
    lang: String,
}

impl Plurals {
    pub(crate) fn new(lang: &str) -> Plurals {
        Plurals {
            lang: lang.to_owned(),
        }
    }

    /// The rules of the language; a language CLDR does not know gets its root rules
    /// (every number `other`).
    fn rules(&self) -> PluralRules {
        Locale::try_from_str(&self.lang)
            .ok()
            .and_then(|locale| PluralRules::try_new_cardinal((&locale).into()).ok())
            .or_else(|| PluralRules::try_new_cardinal((&Locale::UNKNOWN).into()).ok())
            .expect("compiled data has root plural rules")
    }

    /// The form name (`one`, `few`, ...) that `n` takes.
    pub(crate) fn form(&self, n: u64) -> &'static str {
        name(self.rules().category_for(n))
    }

    /// These rules as a `petitio_model::plurals` table, for the manifest: the category of
    /// each number below `EXACT_BELOW`, then of each remainder `n % EXACT_BELOW` (read off
    /// `EXACT_BELOW + r`, a number with that remainder past the exact range).
    pub(crate) fn table(&self) -> String {
        let rules = self.rules();
        let digit = |n: u64| {
            let category = name(rules.category_for(n));
            let index = CATEGORY_NAMES.iter().position(|c| *c == category);
            char::from(b'0' + u8::try_from(index.expect("a CLDR name")).expect("six names"))
        };
        (0..EXACT_BELOW)
            .map(digit)
            .chain((0..EXACT_BELOW).map(|r| digit(EXACT_BELOW + r)))
            .collect()
    }

    /// The form names these rules use, e.g. `["one", "other"]` for kk and en.
    pub(crate) fn forms(&self) -> Vec<&'static str> {
        let rules = self.rules();
        let used: Vec<PluralCategory> = rules.categories().collect();
        CATEGORY_NAMES
            .into_iter()
            .filter(|form| used.iter().any(|category| name(*category) == *form))
            .collect()
    }

    /// The forms of these rules that a phrase with `given` forms lacks.
    pub(crate) fn missing(&self, given: &[&str]) -> Vec<&'static str> {
        self.forms()
            .into_iter()
            .filter(|form| !given.contains(form))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBERS: [u64; 7] = [0, 1, 2, 5, 11, 21, 101];

    fn forms(lang: &str) -> Vec<&'static str> {
        let plurals = Plurals::new(lang);
        NUMBERS.map(|n| plurals.form(n)).to_vec()
    }

    #[test]
    fn cldr_forms_of_0_1_2_5_11_21_101() {
        assert_eq!(
            forms("kk"),
            ["other", "one", "other", "other", "other", "other", "other"]
        );
        assert_eq!(
            forms("ru"),
            ["many", "one", "few", "many", "many", "one", "one"]
        );
        assert_eq!(
            forms("en"),
            ["other", "one", "other", "other", "other", "other", "other"]
        );
    }

    #[test]
    fn each_language_uses_its_cldr_forms() {
        assert_eq!(Plurals::new("kk").forms(), ["one", "other"]);
        assert_eq!(Plurals::new("ru").forms(), ["one", "few", "many", "other"]);
        assert_eq!(Plurals::new("en").forms(), ["one", "other"]);
        assert_eq!(Plurals::new("ja").forms(), ["other"]);
    }

    /// The published table gives ICU4X's category for every number tried: all of
    /// `0..=100_000`, and large ones up to `u64::MAX`.
    #[test]
    fn the_published_table_is_exact_for_kk_ru_en() {
        let large = [
            1_000_000,
            1_000_001,
            1_000_011,
            10_000_021,
            123_456_789_012,
            u64::MAX - 1,
            u64::MAX,
        ];
        for lang in ["kk", "ru", "en"] {
            let plurals = Plurals::new(lang);
            let table = plurals.table();
            for n in (0..=100_000).chain(large) {
                assert_eq!(
                    petitio_model::plurals::category(&table, n),
                    Some(plurals.form(n)),
                    "{lang} {n}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_table_agrees_with_icu4x_on_any_number(n: u64) {
            for lang in ["kk", "ru", "en"] {
                let plurals = Plurals::new(lang);
                proptest::prop_assert_eq!(
                    petitio_model::plurals::category(&plurals.table(), n),
                    Some(plurals.form(n))
                );
            }
        }
    }

    #[test]
    fn a_phrase_is_a_table_of_cldr_forms_with_other() {
        assert!(is_phrase(&["one", "other"]));
        assert!(!is_phrase(&["one", "few"]));
        assert!(!is_phrase(&["title", "other"]));
        assert_eq!(
            Plurals::new("ru").missing(&["one", "other"]),
            ["few", "many"]
        );
    }
}
