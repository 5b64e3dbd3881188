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
