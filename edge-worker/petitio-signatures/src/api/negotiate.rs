//! Content negotiation: the language of error messages (`Accept-Language`, before the
//! body's `lang` is known) and whether the client wants the no-JS redirect (`Accept`).

/// The one of `languages` that `Accept-Language` prefers most, else `default`.
pub(super) fn language<'l>(
    accept_language: Option<&str>,
    languages: &[&'l str],
    default: &'l str,
) -> &'l str {
    let mut ranges: Vec<(&str, f32)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|range| {
            let (tag, quality) = split_quality(range)?;
            let primary = tag.split('-').next()?.trim();
            Some((primary, quality))
        })
        .filter(|(_, quality)| *quality > 0.0)
        .collect();
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranges
        .iter()
        .find_map(|(primary, _)| {
            languages
                .iter()
                .find(|lang| lang.eq_ignore_ascii_case(primary))
        })
        .unwrap_or(&default)
}

/// Whether to answer with a redirect to a page rather than JSON: when `Accept` prefers
/// HTML to JSON, or when the body is a form and `Accept` does not prefer JSON (a browser's
/// form submission; a script posting a form asks for JSON explicitly).
pub(super) fn wants_redirect(accept: Option<&str>, body_is_form: bool) -> bool {
    let html = quality_of(accept, "text", "html");
    let json = quality_of(accept, "application", "json");
    html > json || (body_is_form && json <= html)
}

/// The quality `Accept` gives `kind/subtype`, from its most specific matching range.
fn quality_of(accept: Option<&str>, kind: &str, subtype: &str) -> f32 {
    let Some(accept) = accept else {
        return 1.0;
    };
    let mut best: Option<(u8, f32)> = None;
    for (range, quality) in accept.split(',').filter_map(split_quality) {
        let Some((range_kind, range_subtype)) = range.split_once('/') else {
            continue;
        };
        let specificity = match (range_kind.trim(), range_subtype.trim()) {
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => 2,
            (k, "*") if k.eq_ignore_ascii_case(kind) => 1,
            ("*", "*") => 0,
            _ => continue,
        };
        if best.is_none_or(|(known, _)| specificity > known) {
            best = Some((specificity, quality));
        }
    }
    best.map_or(0.0, |(_, quality)| quality)
}

/// Splits "value;q=0.8" into ("value", 0.8); a missing or unreadable q is 1.
fn split_quality(item: &str) -> Option<(&str, f32)> {
    let mut parts = item.split(';');
    let value = parts.next()?.trim();
    if value.is_empty() {
        return None;
    }
    let quality = parts
        .filter_map(|param| param.trim().strip_prefix("q="))
        .find_map(|q| q.trim().parse::<f32>().ok())
        .unwrap_or(1.0);
    Some((value, quality))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: [&str; 3] = ["kk", "ru", "en"];

    fn site_language(accept_language: Option<&str>) -> &'static str {
        language(accept_language, &SITE, "kk")
    }

    #[test]
    fn picks_the_preferred_site_language() {
        assert_eq!(site_language(Some("ru-RU,ru;q=0.9,en;q=0.8")), "ru");
        assert_eq!(site_language(Some("de;q=1, en;q=0.5, ru;q=0.4")), "en");
        assert_eq!(site_language(Some("de, fr")), "kk");
        assert_eq!(site_language(Some("ru;q=0")), "kk");
        assert_eq!(site_language(None), "kk");
    }

    #[test]
    fn redirects_browsers_not_scripts() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_redirect(Some(browser), true));
        assert!(wants_redirect(Some(browser), false));
        assert!(wants_redirect(None, true));
        assert!(wants_redirect(Some("*/*"), true));
        assert!(!wants_redirect(Some("*/*"), false));
        assert!(!wants_redirect(Some("application/json"), true));
        assert!(!wants_redirect(None, false));
    }
}
