//! Atom feeds (one per language) and `sitemap.xml` with language alternates.
//!
//! Both are written directly as XML text with escaping, not through templates: their shape is
//! fixed by their standards. Feeds carry summaries, not full pages, which keeps them small on
//! large sites. These and canonical links are the only places that use the absolute base URL.

use std::fmt::Write;
use std::hash::{Hash, Hasher};

use crate::i18n::I18n;
use crate::pages::escape_html as escape;
use petitio_model::date::Date;
use petitio_model::urls::{self, Listing};
use petitio_site::content::{Petition, Site, Translation};

/// How many entries a feed keeps (newest first).
const FEED_ENTRIES: usize = 100;

/// One entry of a feed, as written.
#[derive(Hash)]
struct Entry {
    id: String,
    title: String,
    url: String,
    date: Date,
    summary: String,
}

/// What a feed entry is about.
#[derive(Clone, Copy)]
enum Event<'a> {
    Created,
    Response,
    Update(&'a petitio_site::content::petition::Update),
}

/// A possible feed entry: cheap to collect for every petition of a large site; only those
/// chosen among the newest become [`Entry`]s.
struct Candidate<'a> {
    date: Date,
    petition: &'a Petition,
    translation: &'a Translation,
    event: Event<'a>,
}

impl Candidate<'_> {
    /// The entry's id after the prefix all ids share (`<slug>/`, `<slug>/#response`, ...):
    /// entries of the same date are ordered by it, exactly as by their full ids.
    fn id_suffix(&self) -> String {
        let slug = &self.petition.slug;
        match self.event {
            Event::Created => format!("{slug}/"),
            Event::Response => format!("{slug}/#response"),
            Event::Update(update) => format!("{slug}/#update-{}", update.date),
        }
    }

    fn entry(&self, site: &Site, i18n: &I18n, lang: &str) -> Entry {
        let label = |key: &str| i18n.get(lang, key).unwrap_or(key).to_owned();
        let url = site
            .config
            .absolute_url(&urls::petition(lang, &self.petition.slug));
        let title = &self.translation.title;
        let (url, title, summary) = match self.event {
            Event::Created => (url, title.clone(), self.translation.summary.clone()),
            Event::Response => (
                format!("{url}#response"),
                format!("{}: {title}", label("feed.response")),
                self.translation
                    .response
                    .as_ref()
                    .and_then(|r| r.from.clone()),
            ),
            Event::Update(update) => (
                format!("{url}#update-{}", update.date),
                format!("{}: {title}", label("feed.update")),
                Some(first_paragraph(&update.text.source)),
            ),
        };
        Entry {
            id: url.clone(),
            title,
            url,
            date: self.date,
            summary: summary.unwrap_or_default(),
        }
    }
}

/// The feed events of `petition` in `lang`: its creation, official response and updates.
fn candidates<'a>(petition: &'a Petition, lang: &str) -> Vec<Candidate<'a>> {
    let Some(translation) = petition.translation(lang) else {
        return Vec::new();
    };
    let candidate = |date, event| Candidate {
        date,
        petition,
        translation,
        event,
    };
    let mut found = vec![candidate(petition.created, Event::Created)];
    if let (Some(date), Some(_)) = (petition.response_date, &translation.response) {
        found.push(candidate(date, Event::Response));
    }
    for update in &translation.updates {
        found.push(candidate(update.date, Event::Update(update)));
    }
    found
}

/// A hash of everything `petition` may put in the feeds, in every language: equal hashes in
/// two renders with the same configuration mean the same entries.
pub fn entries_hash(site: &Site, i18n: &I18n, petition: &Petition) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    for lang in &site.config.languages {
        for candidate in candidates(petition, lang) {
            candidate.entry(site, i18n, lang).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// The Atom feed of `lang`: new petitions, official responses and updates.
pub fn atom(site: &Site, i18n: &I18n, lang: &str) -> String {
    let config = &site.config;
    let mut candidates: Vec<Candidate> = site
        .petitions
        .iter()
        .flat_map(|petition| candidates(petition, lang))
        .collect();
    // Newest first, ties by id. Only the entries as new as the last one kept need ids.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.date));
    if let Some(oldest_kept) = candidates.get(FEED_ENTRIES - 1).map(|c| c.date) {
        candidates.retain(|c| c.date >= oldest_kept);
    }
    let mut candidates: Vec<(String, Candidate)> =
        candidates.into_iter().map(|c| (c.id_suffix(), c)).collect();
    candidates.sort_by(|(a_id, a), (b_id, b)| b.date.cmp(&a.date).then_with(|| a_id.cmp(b_id)));
    candidates.truncate(FEED_ENTRIES);
    let entries: Vec<Entry> = candidates
        .iter()
        .map(|(_, c)| c.entry(site, i18n, lang))
        .collect();
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

/// `sitemap.xml`: every indexable page with `xhtml:link` alternates for its translations;
/// `tags` are those with a page, `petitions` the [`sitemap_urls`] of every petition, in order.
pub fn sitemap<'a>(
    site: &Site,
    tags: impl Iterator<Item = &'a String>,
    petitions: impl Iterator<Item = &'a str>,
) -> String {
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
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for group in &groups {
        write_urls(&mut xml, site, group);
    }
    petitions.for_each(|urls| xml.push_str(urls));
    xml.push_str("</urlset>\n");
    xml
}

/// The `<url>` elements of one petition's pages in `sitemap.xml`.
pub fn sitemap_urls(site: &Site, petition: &Petition) -> String {
    let group: Vec<(String, String)> = petition
        .translations
        .iter()
        .map(|t| (t.lang.clone(), urls::petition(&t.lang, &petition.slug)))
        .collect();
    let mut xml = String::new();
    write_urls(&mut xml, site, &group);
    xml
}

/// One `<url>` per page of `group` (language, path), each listing all of them as alternates.
fn write_urls(xml: &mut String, site: &Site, group: &[(String, String)]) {
    let config = &site.config;
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
