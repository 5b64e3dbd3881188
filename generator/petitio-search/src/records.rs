//! What the index holds: one record per petition and language, at the petition page's URL,
//! written as a small HTML document for Pagefind to read (it takes the language from
//! `<html lang>`, words from `data-pagefind-body`, the title from `data-pagefind-meta`, and
//! filters from `data-pagefind-filter`). Made from the site model, not from the rendered
//! pages, so the index does not depend on how a theme lays out a page.
//!
//! Filters, named in the page's language (`search.filter_*` in the theme's i18n):
//! * status: the petition's status as the site shows it;
//! * topic: each of its tags;
//! * addressee: whom it is addressed to;
//! * region: the regions it has signatures from in the build's count snapshot (`--counts`;
//!   a petition has no region of its own, and this is the region data a build has). Like
//!   every build-time count it is as old as the build.

use petitio_model::urls;
use petitio_render::{escape_html, Theme};
use petitio_site::content::Site;
use petitio_site::counts::Counts;

/// One page of the index: its URL and the document Pagefind reads.
pub(crate) struct Record {
    pub(crate) url: String,
    pub(crate) html: String,
}

/// The records of every petition of `site` in each of its languages.
pub(crate) fn records(site: &Site, theme: &Theme, counts: &Counts) -> Vec<Record> {
    let config = &site.config;
    let text = |lang: &str, key: &str| theme.text(lang, key).unwrap_or_else(|_| key.to_owned());
    let mut records = Vec::new();
    for petition in &site.petitions {
        let by_region = counts.get(&petition.slug).map(|c| &c.by_region);
        for translation in &petition.translations {
            let lang = translation.lang.as_str();
            let mut filters: Vec<(String, String)> = vec![(
                text(lang, "search.filter_status"),
                text(lang, &format!("status.{}", petition.status.as_str())),
            )];
            for tag in &petition.tags {
                let name = theme
                    .text(lang, &format!("tag_names.{tag}"))
                    .unwrap_or_else(|_| tag.clone());
                filters.push((text(lang, "search.filter_tag"), name));
            }
            if let Some(addressee) = &translation.addressee {
                filters.push((text(lang, "search.filter_addressee"), addressee.clone()));
            }
            for region in &config.regions {
                let signed = by_region.and_then(|r| r.get(&region.code)).copied();
                if signed.unwrap_or(0) > 0 {
                    let name = region.name(lang, &config.default_language).to_owned();
                    filters.push((text(lang, "search.filter_region"), name));
                }
            }
            let mut html = format!(
                "<html lang=\"{}\"><body><main data-pagefind-body><h1 data-pagefind-meta=\"title\">{}</h1>",
                escape_html(lang),
                escape_html(&translation.title)
            );
            for line in [&translation.summary, &translation.addressee]
                .into_iter()
                .flatten()
            {
                html.push_str(&format!("<p>{}</p>", escape_html(line)));
            }
            // The body as the petition page shows it (Markdown rendered and sanitised).
            html.push_str(&translation.body.html);
            html.push_str("</main>");
            for (name, value) in &filters {
                html.push_str(&format!(
                    "<span data-pagefind-filter=\"{}\">{}</span>",
                    escape_html(name),
                    escape_html(value)
                ));
            }
            html.push_str("</body></html>");
            records.push(Record {
                url: format!(
                    "{}{}",
                    config.base_path,
                    urls::petition(lang, &petition.slug)
                ),
                html,
            });
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use petitio_render::{load, BuildOptions};
    use std::path::Path;

    /// The repository's example site (content/ and themes/), with a count snapshot.
    fn example_records(counts: &str) -> Vec<Record> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let loaded = load(&BuildOptions::new(root), false).unwrap();
        let theme = Theme::load(&loaded.site).unwrap();
        records(&loaded.site, &theme, &Counts::parse(counts).unwrap())
    }

    #[test]
    fn one_record_per_petition_page_with_filters_named_in_its_language() {
        let records = example_records(
            r#"{"almaty-winter-air": {"count": 7, "by_region": {"almaty-city": 5, "abroad": 2, "astana": 0}}}"#,
        );
        assert_eq!(
            records.len(),
            27,
            "9 published petitions (the 10th is a draft) in kk, ru and en"
        );
        let ru = records
            .iter()
            .find(|r| r.url == "/ru/petitions/almaty-winter-air/")
            .unwrap();
        assert!(ru.html.starts_with("<html lang=\"ru\"><body><main data-pagefind-body><h1 data-pagefind-meta=\"title\">Чистый воздух Алматы зимой"));
        for filter in [
            r#"<span data-pagefind-filter="Статус">Идёт сбор подписей</span>"#,
            r#"<span data-pagefind-filter="Адресат">Акимат города Алматы</span>"#,
            r#"<span data-pagefind-filter="Подписи из региона">город Алматы</span>"#,
            r#"<span data-pagefind-filter="Подписи из региона">За рубежом</span>"#,
        ] {
            assert!(ru.html.contains(filter), "{filter} in {}", ru.html);
        }
        assert_eq!(
            ru.html.matches("data-pagefind-filter=\"Тема\"").count(),
            3,
            "one per tag"
        );
        // Only regions it has signatures from: two here, none for another petition.
        assert_eq!(
            ru.html
                .matches("data-pagefind-filter=\"Подписи из региона\"")
                .count(),
            2
        );
        let other = records
            .iter()
            .find(|r| r.url.starts_with("/ru/") && !r.url.contains("almaty-winter-air"))
            .unwrap();
        assert!(!other.html.contains("Подписи из региона"), "{}", other.url);
    }

    #[test]
    fn what_content_says_stays_text() {
        for record in example_records("{}") {
            let body_end = record.html.find("</main>").unwrap();
            assert!(
                !record.html[..body_end].contains("<script"),
                "{}",
                record.url
            );
        }
    }
}
