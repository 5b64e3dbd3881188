//! Atom feeds (one per language) and `sitemap.xml` with language alternates.
//!
//! Both are written directly as XML text with escaping, not through templates: their shape is
//! fixed by their standards. Feeds carry summaries, not full pages, which keeps them small on
//! large sites. These and canonical links are the only places that use the absolute base URL.

use std::fmt::Write;

use crate::content::date::Date;
use crate::content::Site;
use crate::render::i18n::I18n;
use crate::render::pages::{escape_html as escape, petition_dir};
use crate::render::Listing;

/// How many entries a feed keeps (newest first).
const FEED_ENTRIES: usize = 100;

struct Entry {
    id: String,
    title: String,
    url: String,
    date: Date,
    summary: String,
}

/// The Atom feed of `lang`: new petitions, official responses and updates.
pub fn atom(site: &Site, i18n: &I18n, lang: &str) -> String {
    let config = &site.config;
    let label = |key: &str| i18n.get(lang, key).unwrap_or(key).to_owned();
    let mut entries = Vec::new();
    for petition in &site.petitions {
        let Some(translation) = petition.translation(lang) else {
            continue;
        };
        let url = config.absolute_url(&petition_dir(lang, &petition.slug));
        let summary = translation.summary.clone().unwrap_or_default();
        entries.push(Entry {
            id: url.clone(),
            title: translation.title.clone(),
            url: url.clone(),
            date: petition.created,
            summary,
        });
        if let (Some(date), Some(response)) = (petition.response_date, &translation.response) {
            entries.push(Entry {
                id: format!("{url}#response"),
                title: format!("{}: {}", label("feed.response"), translation.title),
                url: format!("{url}#response"),
                date,
                summary: response.from.clone().unwrap_or_default(),
            });
        }
        for update in &translation.updates {
            entries.push(Entry {
                id: format!("{url}#update-{}", update.date),
                title: format!("{}: {}", label("feed.update"), translation.title),
                url: format!("{url}#update-{}", update.date),
                date: update.date,
                summary: first_paragraph(&update.text.source),
            });
        }
    }
    entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(FEED_ENTRIES);
    let updated = entries.first().map_or_else(
        || Date {
            year: 1970,
            month: 1,
            day: 1,
        },
        |e| e.date,
    );
    let home = config.absolute_url(&format!("{lang}/"));
    let mut xml = String::with_capacity(512 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n<title>{}</title>\n<subtitle>{}</subtitle>\n\
         <id>{home}</id>\n<link rel=\"alternate\" href=\"{home}\"/>\n<link rel=\"self\" href=\"{}\"/>\n<updated>{}</updated>\n",
        escape(config.title(lang)),
        escape(config.description(lang)),
        config.absolute_url(&format!("{lang}/atom.xml")),
        updated.rfc3339(),
    );
    for entry in &entries {
        let _ = write!(
            xml,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" href=\"{}\"/>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            escape(&entry.title),
            escape(&entry.id),
            escape(&entry.url),
            entry.date.rfc3339(),
            escape(&entry.summary),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

/// The first paragraph of Markdown as plain-ish text, for feed summaries.
fn first_paragraph(markdown: &str) -> String {
    markdown
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ")
}

/// `sitemap.xml`: every indexable page with `xhtml:link` alternates for its translations.
pub fn sitemap(site: &Site) -> String {
    let config = &site.config;
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let every_language = |path: &dyn Fn(&str) -> String| -> Vec<(String, String)> {
        config
            .languages
            .iter()
            .map(|lang| (lang.clone(), path(lang)))
            .collect()
    };
    groups.push(every_language(&|lang| format!("{lang}/")));
    for listing in Listing::ALL {
        groups.push(every_language(&|lang| {
            format!("{lang}/{}/", listing.name())
        }));
    }
    groups.push(every_language(&|lang| format!("{lang}/tags/")));
    let tags: std::collections::BTreeSet<&String> =
        site.petitions.iter().flat_map(|p| &p.tags).collect();
    for tag in tags {
        groups.push(every_language(&|lang| format!("{lang}/tags/{tag}/")));
    }
    for page in &site.pages {
        groups.push(
            page.translations
                .iter()
                .map(|t| (t.lang.clone(), format!("{}/{}/", t.lang, page.name)))
                .collect(),
        );
    }
    for petition in &site.petitions {
        groups.push(
            petition
                .translations
                .iter()
                .map(|t| (t.lang.clone(), petition_dir(&t.lang, &petition.slug)))
                .collect(),
        );
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for group in &groups {
        for (_, path) in group {
            let _ = write!(
                xml,
                "<url><loc>{}</loc>",
                escape(&config.absolute_url(path))
            );
            if group.len() > 1 {
                for (lang, alternate) in group {
                    let _ = write!(
                        xml,
                        "<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}\"/>",
                        escape(&config.absolute_url(alternate))
                    );
                }
            }
            xml.push_str("</url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    xml
}
