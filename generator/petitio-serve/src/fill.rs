//! The page-fill contract's native adapter (`petitio_model::fill`): `petitio serve` fills
//! the published counts into pages and badges with `lol_html` (the rewriter Cloudflare's
//! HTMLRewriter is built on, which the worker uses), and writes them into open data
//! (`petitio_signatures::live_data`), as it serves them. The values come from the
//! signature core (`petitio_signatures::fill::LiveCounts`), so both servers fill the same.

use lol_html::html_content::ContentType;
use lol_html::{element, rewrite_str, RewriteStrSettings};
use petitio_model::fill::{edits, Edit, Values, SELECTOR};
use petitio_model::manifest::Manifest;
use petitio_model::urls::Filled;
use petitio_signatures::fill::{LiveCounts, PageValues, RequestValues};
use petitio_signatures::live_data;
use petitio_signatures::snapshot::Snapshot;

/// `html` (a page or an SVG badge) with every marked element filled from `values`;
/// `None` when it is not UTF-8 or cannot be parsed (then it is served as built).
pub fn markup(html: &[u8], values: &impl Values) -> Option<Vec<u8>> {
    let html = std::str::from_utf8(html).ok()?;
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!(SELECTOR, |element| {
            for edit in edits(|name| element.get_attribute(name), values) {
                match edit {
                    Edit::Text(text) => element.set_inner_content(&text, ContentType::Text),
                    Edit::Attribute { name, value } => element.set_attribute(&name, &value)?,
                }
            }
            Ok(())
        }));
    rewrite_str(html, settings).ok().map(String::into_bytes)
}

/// What a file at `path` (relative to the base path) holds once the published counts (none
/// before the counting job's first run) and the request's values are filled in, or `None`
/// when it is served as built (not a page, badge or open data file, or nothing to fill).
pub fn live_file(
    path: &str,
    built: &[u8],
    manifest: &Manifest,
    snapshot: Option<&Snapshot>,
    request: RequestValues,
) -> Option<Vec<u8>> {
    match Filled::of(path, &manifest.languages, &manifest.default_language) {
        Filled::Markup { lang } => {
            let values = PageValues {
                counts: snapshot.map(|snapshot| LiveCounts {
                    snapshot,
                    manifest,
                    lang,
                }),
                request,
            };
            values.fill_anything().then(|| markup(built, &values))?
        }
        Filled::DataIndex | Filled::DataPetition { .. } => live_data::json(built, snapshot?),
        Filled::DataCsv => live_data::csv(built, snapshot?),
        Filled::AsBuilt => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values as a filler gets them: a count and a request value with markup in it.
    struct Fixed;
    impl Values for Fixed {
        fn value(&self, petition: Option<&str>, name: &str, _: Option<&str>) -> Option<String> {
            match (petition, name) {
                (Some("clean-air"), "count") => Some("1\u{202f}234".into()),
                (None, "token") => Some("a&b\"<i>".into()),
                _ => None,
            }
        }
    }

    #[test]
    fn marked_elements_are_filled_escaped_and_the_rest_is_untouched() {
        let page = concat!(
            "<p>0 <b data-fill=\"text title\" data-fill-for=\"clean-air\" data-fill-text=\"{count}\" ",
            "data-fill-title=\"{count} signatures\" title=\"0 signatures\">0 <i>old</i></b></p>",
            "<input type=\"hidden\" data-fill=\"value\" data-fill-value=\"{token}\" value=\"\">",
            "<svg viewBox=\"0 0 10 10\"><text data-fill=\"textlength\" data-fill-for=\"clean-air\" ",
            "data-fill-textlength=\"{count}\" textLength=\"7\">0</text></svg>",
            "<span data-fill=\"text\" data-fill-text=\"{unknown}\">kept</span>",
        );
        let filled = String::from_utf8(markup(page.as_bytes(), &Fixed).unwrap()).unwrap();
        assert_eq!(
            filled,
            concat!(
                "<p>0 <b data-fill=\"text title\" data-fill-for=\"clean-air\" data-fill-text=\"{count}\" ",
                "data-fill-title=\"{count} signatures\" title=\"1\u{202f}234 signatures\">1\u{202f}234</b></p>",
                "<input type=\"hidden\" data-fill=\"value\" data-fill-value=\"{token}\" value=\"a&amp;b&quot;&lt;i&gt;\">",
                "<svg viewBox=\"0 0 10 10\"><text data-fill=\"textlength\" data-fill-for=\"clean-air\" ",
                "data-fill-textlength=\"{count}\" textLength=\"1\u{202f}234\">0</text></svg>",
                "<span data-fill=\"text\" data-fill-text=\"{unknown}\">kept</span>",
            )
        );
        let text = String::from_utf8(
            markup(
                b"<b data-fill=\"text\" data-fill-text=\"{token}\"></b>",
                &Fixed,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            text,
            "<b data-fill=\"text\" data-fill-text=\"{token}\">a&amp;b\"&lt;i&gt;</b>"
        );
    }
}
