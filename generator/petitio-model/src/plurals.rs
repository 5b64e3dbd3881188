//! Choosing a count phrase's plural form for a live number, without plural rules here.
//!
//! The generator (which has CLDR's rules through ICU4X) publishes in the manifest, per
//! language, a [`table`](Manifest::plural_tables) of CLDR categories: one digit per number
//! `0..100`, then one per `n % 100` for every `n >= 100` (digits index
//! [`CATEGORY_NAMES`]). For kk, ru and en that is exact for every non-negative integer
//! (their integer rules read only `n`, `n % 10` and `n % 100`); the generator's tests prove
//! it against ICU4X. A page names the forms in its fill pattern,
//! `{plural:one=подпись|few=подписи|many=подписей|other=подписи}`, so a page filler (the
//! worker, `petitio serve`) picks the form for the live count by a table lookup.
//!
//! [`Manifest::plural_tables`]: crate::manifest::Manifest::plural_tables

/// CLDR's plural category names; a table's digit is an index into this list.
pub const CATEGORY_NAMES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Numbers below this have their own digit in a table; larger ones share `n % EXACT`'s.
pub const EXACT_BELOW: u64 = 100;

/// The length of a table: the exact numbers, then the remainders.
pub const TABLE_LEN: usize = 2 * EXACT_BELOW as usize;

/// The category name that `n` takes by `table`; `None` for a malformed table.
pub fn category(table: &str, n: u64) -> Option<&'static str> {
    if table.len() != TABLE_LEN {
        return None;
    }
    let at = if n < EXACT_BELOW {
        n
    } else {
        EXACT_BELOW + n % EXACT_BELOW
    };
    let digit = table.as_bytes()[usize::try_from(at).ok()?].checked_sub(b'0')?;
    CATEGORY_NAMES.get(usize::from(digit)).copied()
}

/// The form `n` takes among `forms` (`one=подпись|few=подписи|...|other=подписи`): its
/// category's form, else `other` (as the build does for a phrase lacking a form).
pub fn pick<'a>(table: &str, n: u64, forms: &'a str) -> Option<&'a str> {
    let category = category(table, n)?;
    let form = |wanted: &str| {
        forms
            .split('|')
            .filter_map(|pair| pair.split_once('='))
            .find_map(|(name, text)| (name == wanted).then_some(text))
    };
    form(category).or_else(|| form("other"))
}

/// The fill argument naming `forms` (category name, text), or `None` if a text holds a
/// character the pattern syntax needs (`{`, `}`, `|`, `=`).
pub fn forms_argument<'a>(forms: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut out = Vec::new();
    for (name, text) in forms {
        if text.contains(['{', '}', '|', '=']) {
            return None;
        }
        out.push(format!("{name}={text}"));
    }
    Some(out.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> String {
        let mut table = "5".repeat(TABLE_LEN);
        table.replace_range(1..2, "1");
        table
    }

    #[test]
    fn exact_numbers_then_remainders() {
        let table = english();
        assert_eq!(category(&table, 1), Some("one"));
        assert_eq!(category(&table, 101), Some("other"), "101 reads digit 101");
        assert_eq!(category(&table, 0), Some("other"));
        assert_eq!(category("15", 1), None, "too short");
        assert_eq!(category(&"9".repeat(TABLE_LEN), 3), None, "no category 9");
    }

    #[test]
    fn a_missing_form_falls_back_to_other() {
        let table = english();
        let forms = "one=signature|other=signatures";
        assert_eq!(pick(&table, 1, forms), Some("signature"));
        assert_eq!(pick(&table, 2, forms), Some("signatures"));
        assert_eq!(pick(&table, 1, "other=x"), Some("x"));
        assert_eq!(pick(&table, 1, "few=x"), None);
        assert_eq!(
            forms_argument([("one", "a"), ("other", "b")]).as_deref(),
            Some("one=a|other=b")
        );
        assert_eq!(forms_argument([("one", "a|b")]), None);
    }
}
