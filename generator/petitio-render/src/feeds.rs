//! Atom feeds (RFC 4287: the site's per language, one per petition and one per tag, in
//! each language) and `sitemap.xml` with language alternates: which entries and pages they
//! list, here; how they are written, in the theme's `atom.xml`, `sitemap.xml` and
//! `partials/sitemap-urls.xml`, which a site may override.
//!
//! A feed's entries are its petitions' events: creation, official response, updates, and a
//! status that ends signing without an answer (closed, removed). Every feed names the site
//! as its author (RFC 4287 requires one; the people behind a petition may be anonymous),
//! an entry also its petition's author when given; ids are the absolute URLs of what they
//! announce (stable: a petition's URL never changes), a feed's id its own URL (the site
//! feed's: its home page, as always). `scripts/test` validates every feed of the example
//! site against RFC 4287's RELAX NG schema (`tests/tools/validate-atom`).
//!
//! Feeds carry summaries, not full pages, which keeps them small on large sites. These and
//! canonical links are the only places that use the absolute base URL.

use std::hash::{Hash, Hasher};

use serde::Serialize;
use tera::Context;

use petitio_model::date::Date;
use petitio_model::status::Status;
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
    /// The petition's author, when its front matter names one.
    author: Option<String>,
}

/// Which feed: the site's, one petition's, or one tag's (each in one language).
#[derive(Clone, Copy)]
enum Feed<'a> {
    Site,
    Petition(&'a Petition),
    Tag(&'a str),
}

/// What a feed entry is about.
#[derive(Clone, Copy)]
enum Event<'a> {
    Created,
    Response,
    Update(&'a Update),
    /// Signing ended without an answer: closed or removed.
    Ended(Status),
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
            Event::Ended(status) => format!("{slug}/#{}", status_fragment(status)),
        }
    }

    fn entry(&self, site: &Site, i18n: &I18n, lang: &str) -> Entry {
        let label = |key: &str| i18n.get(lang, key).unwrap_or(key).to_owned();
        let page = site
            .config
            .absolute_url(&urls::petition(lang, &self.petition.slug));
        let url = page.clone();
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
            Event::Ended(status) => (
                // The page explains why (`#reason`) when a reason is given.
                match &self.translation.status_reason {
                    Some(_) => format!("{url}#{}", urls::REASON_FRAGMENT),
                    None => url,
                },
                format!("{}: {title}", label(&format!("status.{}", status.as_str()))),
                self.translation.status_reason.clone(),
            ),
        };
        let id = match self.event {
            Event::Ended(status) => format!("{page}#{}", status_fragment(status)),
            _ => url.clone(),
        };
        Entry {
            id,
            title,
            url,
            updated: self.date.rfc3339(),
            summary: summary.unwrap_or_default(),
            author: self.translation.author.clone(),
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
    if matches!(petition.status, Status::Closed | Status::Removed) {
        // No date of the change is recorded: the deadline when there is one, else the
        // petition's last visible change.
        let date = petition
            .deadline
            .unwrap_or_else(|| petition.last_activity());
        found.push(candidate(date, Event::Ended(petition.status)));
    }
    found
}

/// The fragment of a status entry's id: `<petition page>#status-closed`. Only an id (the
/// entry links to the page, or its `#reason`).
fn status_fragment(status: Status) -> String {
    format!("status-{}", status.as_str())
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

    /// The site's Atom feed in `lang`.
    pub(crate) fn site_feed(&self, lang: &str) -> Result<String, Error> {
        self.feed(lang, Feed::Site)
    }

    /// The Atom feed of `petition` in `lang`.
    pub(crate) fn petition_feed(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        self.feed(lang, Feed::Petition(petition))
    }

    /// The Atom feed of `tag`'s petitions in `lang`.
    pub(crate) fn tag_feed(&self, tag: &str, lang: &str) -> Result<String, Error> {
        self.feed(lang, Feed::Tag(tag))
    }

    /// The Atom feed `feed` in `lang`: the newest [`FEED_ENTRIES`] events of its petitions.
    fn feed(&self, lang: &str, feed: Feed<'_>) -> Result<String, Error> {
        let site = self.site;
        let config = &site.config;
        let i18n = &self.theme.i18n;
        let petitions: Vec<&Petition> = match feed {
            Feed::Site => site.petitions.iter().collect(),
            Feed::Petition(petition) => vec![petition],
            Feed::Tag(tag) => self.shared.tags.get(tag).map_or_else(Vec::new, |indexes| {
                indexes.iter().map(|&i| &site.petitions[i]).collect()
            }),
        };
        let mut candidates: Vec<Candidate> = petitions
            .into_iter()
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
        let site_title = config.title(lang);
        let home_url = config.absolute_url(&urls::home(lang));
        let (title, subtitle, id, alternate_url, path) = match feed {
            Feed::Site => {
                let path = urls::feed(lang);
                let description = config.description(lang).to_owned();
                (
                    site_title.to_owned(),
                    description,
                    home_url.clone(),
                    home_url.clone(),
                    path,
                )
            }
            Feed::Petition(petition) => {
                let translation = petition.translation_or_first(lang);
                let path = urls::petition_feed(lang, &petition.slug);
                let page = config.absolute_url(&urls::petition(lang, &petition.slug));
                let summary = translation.summary.clone().unwrap_or_default();
                let id = config.absolute_url(&path);
                (translation.title.clone(), summary, id, page, path)
            }
            Feed::Tag(tag) => {
                let path = urls::tag_feed(lang, tag);
                let title = format!("{site_title}: {}", self.tag_name(lang, tag));
                let page = config.absolute_url(&urls::tag(lang, tag, 1));
                (title, String::new(), config.absolute_url(&path), page, path)
            }
        };
        let mut context = Context::new();
        context.insert("lang", lang);
        context.insert("title", &title);
        context.insert("subtitle", &subtitle);
        context.insert("id", &id);
        context.insert("alternate_url", &alternate_url);
        context.insert("author", site_title);
        // What themes made before per-petition and per-tag feeds read.
        context.insert("site_title", &title);
        context.insert("site_description", &subtitle);
        context.insert("home_url", &alternate_url);
        context.insert("feed_url", &config.absolute_url(&path));
        context.insert("updated", &updated.rfc3339());
        context.insert("entries", &entries);
        let at = self.linker.at(&path);
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
