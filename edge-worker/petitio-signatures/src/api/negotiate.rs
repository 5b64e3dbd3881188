//! Content negotiation: the language of messages and whether the client wants the no-JS
//! redirect (`Accept`).
//!
//! Every error message is in the body's `lang` when it names one of the languages, else in
//! the one `Accept-Language` prefers among them, else in the default. The body's `lang` is
//! known whenever the body can be read (within the size limit, a known content type,
//! parseable), so it also rules the errors found before the body is validated (unknown
//! petition, refused origin, route, method); only the answers saying the body could not
//! be read (413, 415, malformed 400) and requests without a body follow `Accept-Language`.

use crate::validate::RawSignRequest;

/// The language of messages, as the module documentation says, among `languages`.
pub(super) fn message_language<'l, L: AsRef<str>>(
    body: Option<&RawSignRequest>,
    accept_language: Option<&str>,
    languages: &'l [L],
    default: &'l str,
) -> &'l str {
    body.and_then(|body| body.requested_lang_among(languages))
        .unwrap_or_else(|| language(accept_language, languages, default))
}

/// The language `Accept-Language` prefers most among `languages`, else `default`.
fn language<'l, L: AsRef<str>>(
    accept_language: Option<&str>,
    languages: &'l [L],
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
                .map(AsRef::as_ref)
                .find(|lang| lang.eq_ignore_ascii_case(primary))
        })
        .unwrap_or(default)
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
    use petitio_model::manifest::Manifest;

    fn manifest() -> Manifest {
        Manifest {
            log_key: None,
            witnesses: Vec::new(),
            where_note: None,
            version: 1,
            base_path: "/".into(),
            default_language: "kk".into(),
            languages: vec!["kk".into(), "ru".into(), "en".into()],
            regions: vec![],
            region_names: Default::default(),
            number_groups: Default::default(),
            plural_tables: Default::default(),
            utc_offset: Default::default(),
            petitions: vec![],
        }
    }

    fn language_of(accept_language: Option<&str>, body: Option<&str>) -> String {
        let m = manifest();
        let body = body.map(|json| {
            crate::validate::parse_body(crate::validate::BodyFormat::Json, json.as_bytes()).unwrap()
        });
        message_language(
            body.as_ref(),
            accept_language,
            &m.languages,
            &m.default_language,
        )
        .to_owned()
    }

    #[test]
    fn picks_the_preferred_site_language() {
        assert_eq!(language_of(Some("ru-RU,ru;q=0.9,en;q=0.8"), None), "ru");
        assert_eq!(language_of(Some("de;q=1, en;q=0.5, ru;q=0.4"), None), "en");
        assert_eq!(language_of(Some("de, fr"), None), "kk");
        assert_eq!(language_of(Some("ru;q=0"), None), "kk");
        assert_eq!(language_of(None, None), "kk");
    }

    #[test]
    fn the_bodys_language_comes_first() {
        assert_eq!(language_of(Some("ru"), Some(r#"{"lang":"en"}"#)), "en");
        assert_eq!(language_of(None, Some(r#"{"lang":" ru "}"#)), "ru");
        assert_eq!(language_of(Some("ru"), Some(r#"{"lang":"de"}"#)), "ru");
        assert_eq!(language_of(None, Some(r#"{"lang":true}"#)), "kk");
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
