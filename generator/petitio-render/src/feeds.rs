//! Atom feeds (one per language) and `sitemap.xml` with language alternates: which entries
//! and pages they list, here; how they are written, in the theme's `atom.xml`,
//! `sitemap.xml` and `partials/sitemap-urls.xml`, which a site may override.
//!
//! Feeds carry summaries, not full pages, which keeps them small on large sites. These and
//! canonical links are the only places that use the absolute base URL.

use std::hash::{Hash, Hasher};

use serde::Serialize;
use tera::Context;

use petitio_model::date::Date;
use petitio_model::urls::{self, Listing};
use petitio_site::content::petition::Update;
use petitio_site::content::{Petition, Site, Translation};

use crate::error::Error;
use crate::i18n::I18n;
use crate::renderer::Renderer;
use crate::templates::names;

/// How many entries a feed keeps (newest first).
const FEED_ENTRIES: usize = 100;

/// One entry of a feed, as written.
#[derive(Hash, Serialize)]
struct Entry {
    id: String,
    title: String,
    url: String,
    /// RFC 3339, midnight UTC of the entry's date.
    updated: String,
    summary: String,
}

/// What a feed entry is about.
#[derive(Clone, Copy)]
enum Event<'a> {
    Created,
    Response,
    Update(&'a Update),
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
            Event::Response => format!("{slug}/#{}", urls::RESPONSE_FRAGMENT),
            Event::Update(update) => format!("{slug}/#{}", urls::update_fragment(&update.date)),
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
                format!("{url}#{}", urls::RESPONSE_FRAGMENT),
                format!("{}: {title}", label("feed.response")),
                self.translation
                    .response
                    .as_ref()
                    .and_then(|r| r.from.clone()),
            ),
            Event::Update(update) => (
                format!("{url}#{}", urls::update_fragment(&update.date)),
                format!("{}: {title}", label("feed.update")),
                Some(first_paragraph(&update.text.source)),
            ),
        };
        Entry {
            id: url.clone(),
            title,
            url,
            updated: self.date.rfc3339(),
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

/// The first paragraph of Markdown as plain-ish text, for feed summaries.
fn first_paragraph(markdown: &str) -> String {
    markdown
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ")
}

/// One page of a sitemap group: its language and absolute URL.
#[derive(Serialize)]
struct SitemapPage {
    lang: String,
    url: String,
}

impl Renderer<'_> {
    /// A hash of everything `petition` may put in the feeds, in every language: equal
    /// hashes in two renders with the same configuration mean the same entries.
    pub(crate) fn feed_entries_hash(&self, petition: &Petition) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        for lang in &self.site.config.languages {
            for candidate in candidates(petition, lang) {
                candidate
                    .entry(self.site, &self.theme.i18n, lang)
                    .hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    /// The Atom feed of `lang`: new petitions, official responses and updates.
    pub(crate) fn feed(&self, lang: &str) -> Result<String, Error> {
        let site = self.site;
        let config = &site.config;
        let i18n = &self.theme.i18n;
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
        let updated = candidates.first().map_or_else(
            || Date::from_days_since_epoch(0),
            |(_, candidate)| candidate.date,
        );
        let entries: Vec<Entry> = candidates
            .iter()
            .map(|(_, c)| c.entry(site, i18n, lang))
            .collect();
        let mut context = Context::new();
        context.insert("lang", lang);
        context.insert("site_title", config.title(lang));
        context.insert("site_description", config.description(lang));
        context.insert("home_url", &config.absolute_url(&urls::home(lang)));
        context.insert("feed_url", &config.absolute_url(&urls::feed(lang)));
        context.insert("updated", &updated.rfc3339());
        context.insert("entries", &entries);
        let at = self.linker.at(&urls::feed(lang));
        self.theme.templates.render(at, lang, names::FEED, &context)
    }

    /// `sitemap.xml`: every indexable page with `xhtml:link` alternates for its
    /// translations; `tags` are those with a page, `petition_urls` the [`sitemap_urls`]
    /// of every petition, in order.
    ///
    /// [`sitemap_urls`]: Renderer::sitemap_urls
    pub(crate) fn sitemap<'a>(
        &self,
        tags: impl Iterator<Item = &'a String>,
        petition_urls: impl Iterator<Item = &'a str>,
    ) -> Result<String, Error> {
        let site = self.site;
        let mut groups: Vec<Vec<SitemapPage>> = vec![self.sitemap_group(urls::home)];
        for listing in Listing::ALL {
            groups.push(self.sitemap_group(|lang| urls::listing(lang, listing, 1)));
        }
        groups.push(self.sitemap_group(urls::tag_index));
        for tag in tags {
            groups.push(self.sitemap_group(|lang| urls::tag(lang, tag, 1)));
        }
        for page in &site.pages {
            let group = page
                .translations
                .iter()
                .map(|t| self.sitemap_page(&t.lang, &urls::static_page(&t.lang, &page.name)));
            groups.push(group.collect());
        }
        let mut context = Context::new();
        context.insert("groups", &groups);
        context.insert("petition_urls", &petition_urls.collect::<String>());
        self.theme.templates.render(
            self.linker.at(urls::SITEMAP),
            &site.config.default_language,
            names::SITEMAP,
            &context,
        )
    }

    /// The `<url>` elements of one petition's pages in `sitemap.xml`.
    pub(crate) fn sitemap_urls(&self, petition: &Petition) -> Result<String, Error> {
        let group: Vec<SitemapPage> = petition
            .translations
            .iter()
            .map(|t| self.sitemap_page(&t.lang, &urls::petition(&t.lang, &petition.slug)))
            .collect();
        let mut context = Context::new();
        context.insert("group", &group);
        self.theme.templates.render(
            self.linker.at(urls::SITEMAP),
            &self.site.config.default_language,
            names::SITEMAP_URLS,
            &context,
        )
    }

    /// The page at `path(lang)` in every language of the site.
    fn sitemap_group(&self, path: impl Fn(&str) -> String) -> Vec<SitemapPage> {
        self.site
            .config
            .languages
            .iter()
            .map(|lang| self.sitemap_page(lang, &path(lang)))
            .collect()
    }

    fn sitemap_page(&self, lang: &str, path: &str) -> SitemapPage {
        SitemapPage {
            lang: lang.to_owned(),
            url: self.site.config.absolute_url(path),
        }
    }
}
