//! Rendering the site model into files.
//!
//! The output is a list of [`Job`]s (one per page or generated file). Everything several pages
//! share — sorted listings, petition cards, the region `<select>` options — is computed once in
//! [`Shared`], then jobs render in parallel (rayon) with small per-page contexts and hand their
//! bytes to a [`Sink`] (a folder, the changed-files collector of `petitio serve`, or the link
//! checker), so a large site is never held in memory at once. [`Job::shows`] tells incremental
//! rebuilds which jobs display a changed petition.

pub mod assets;
mod data;
mod feeds;
mod hosting;
pub mod i18n;
pub mod markdown;
mod pages;
pub mod templates;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::{Petition, Site, Status, PETITIONS_DIR};
use crate::counts::Counts;
use crate::error::Error;
use assets::Assets;
use i18n::I18n;
use templates::Templates;

/// Where rendered files go. Implementations must be safe to call from many threads.
pub trait Sink: Sync {
    /// Receives the file at `path` (relative to the site root, `/`-separated).
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error>;
}

/// Petitions per listing page.
pub const PER_PAGE: usize = 48;

/// Number of pages a listing of `items` petitions takes (an empty listing still has one).
fn page_count(items: usize) -> usize {
    items.div_ceil(PER_PAGE).max(1)
}

/// Folder of page `page` (from 1) of the listing at `{lang}/{section}/`, e.g. `kk/open/page/2/`.
pub fn listing_dir(lang: &str, section: &str, page: usize) -> String {
    match page {
        1 => format!("{lang}/{section}/"),
        n => format!("{lang}/{section}/page/{n}/"),
    }
}

/// The status listings every language has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    Open,
    Responded,
    Closed,
    Archive,
}

impl Listing {
    pub const ALL: [Listing; 4] = [
        Listing::Open,
        Listing::Responded,
        Listing::Closed,
        Listing::Archive,
    ];

    /// URL segment and i18n key suffix.
    pub fn name(self) -> &'static str {
        match self {
            Listing::Open => "open",
            Listing::Responded => "responded",
            Listing::Closed => "closed",
            Listing::Archive => "archive",
        }
    }

    fn includes(self, status: Status) -> bool {
        match self {
            Listing::Open => status == Status::Open,
            Listing::Responded => status.is_answered(),
            Listing::Closed => status == Status::Closed,
            Listing::Archive => !matches!(status, Status::Open | Status::Draft),
        }
    }
}

/// One output of the build.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    RootRedirect,
    NotFound,
    Robots,
    Sitemap,
    Headers,
    Manifest,
    Assets,
    DataIndex,
    DataCsv,
    DataPetition {
        slug: String,
    },
    Home {
        lang: String,
    },
    Petition {
        slug: String,
        lang: String,
    },
    Signed {
        slug: String,
        lang: String,
    },
    /// The embeddable counter page of a petition in one language.
    Embed {
        slug: String,
        lang: String,
    },
    /// The SVG badge of a petition in one language.
    Badge {
        slug: String,
        lang: String,
    },
    Listing {
        listing: Listing,
        lang: String,
        page: usize,
    },
    TagIndex {
        lang: String,
    },
    Tag {
        tag: String,
        lang: String,
        page: usize,
    },
    Page {
        name: String,
        lang: String,
    },
    Feed {
        lang: String,
    },
}

/// What changed since the last render, for incremental rebuilds.
#[derive(Debug, Default)]
pub struct Changed {
    /// Petitions whose files changed (including added and deleted ones).
    pub slugs: HashSet<String>,
    /// Tags those petitions had before or have now.
    pub tags: HashSet<String>,
}

impl Job {
    /// Whether this job's output can show one of the changed petitions.
    pub fn shows(&self, changed: &Changed) -> bool {
        match self {
            Job::DataPetition { slug }
            | Job::Petition { slug, .. }
            | Job::Signed { slug, .. }
            | Job::Embed { slug, .. }
            | Job::Badge { slug, .. } => changed.slugs.contains(slug),
            Job::Tag { tag, .. } => changed.tags.contains(tag),
            Job::Sitemap
            | Job::Manifest
            | Job::Assets
            | Job::DataIndex
            | Job::DataCsv
            | Job::Home { .. }
            | Job::Listing { .. }
            | Job::TagIndex { .. }
            | Job::Feed { .. } => true,
            Job::RootRedirect | Job::NotFound | Job::Robots | Job::Headers | Job::Page { .. } => {
                false
            }
        }
    }
}

/// Every job of `site`.
pub fn all_jobs(site: &Site) -> Vec<Job> {
    let mut jobs = vec![
        Job::RootRedirect,
        Job::NotFound,
        Job::Robots,
        Job::Sitemap,
        Job::Headers,
        Job::Manifest,
        Job::Assets,
        Job::DataIndex,
        Job::DataCsv,
    ];
    let mut tags: BTreeMap<&String, usize> = BTreeMap::new();
    for petition in site.petitions.iter().filter(|p| p.status != Status::Draft) {
        for tag in &petition.tags {
            *tags.entry(tag).or_default() += 1;
        }
    }
    let listing_pages = Listing::ALL.map(|listing| {
        let items = site
            .petitions
            .iter()
            .filter(|p| listing.includes(p.status))
            .count();
        (listing, page_count(items))
    });
    for lang in &site.config.languages {
        jobs.push(Job::Home { lang: lang.clone() });
        jobs.push(Job::Feed { lang: lang.clone() });
        jobs.push(Job::TagIndex { lang: lang.clone() });
        for (listing, pages) in listing_pages {
            jobs.extend((1..=pages).map(|page| Job::Listing {
                listing,
                lang: lang.clone(),
                page,
            }));
        }
        for (tag, &items) in &tags {
            jobs.extend((1..=page_count(items)).map(|page| Job::Tag {
                tag: (*tag).clone(),
                lang: lang.clone(),
                page,
            }));
        }
    }
    for page in &site.pages {
        jobs.extend(page.translations.iter().map(|t| Job::Page {
            name: page.name.clone(),
            lang: t.lang.clone(),
        }));
    }
    for petition in &site.petitions {
        jobs.push(Job::DataPetition {
            slug: petition.slug.clone(),
        });
        for translation in &petition.translations {
            jobs.push(Job::Petition {
                slug: petition.slug.clone(),
                lang: translation.lang.clone(),
            });
            jobs.push(Job::Signed {
                slug: petition.slug.clone(),
                lang: translation.lang.clone(),
            });
            jobs.push(Job::Embed {
                slug: petition.slug.clone(),
                lang: translation.lang.clone(),
            });
            jobs.push(Job::Badge {
                slug: petition.slug.clone(),
                lang: translation.lang.clone(),
            });
        }
    }
    jobs
}

/// Site-wide values computed once per render and shared by every job.
struct Shared {
    /// Indexes into `site.petitions`, in display order.
    listings: BTreeMap<&'static str, Vec<usize>>,
    tags: BTreeMap<String, Vec<usize>>,
    /// Pre-rendered card HTML: `cards[petition][language index]`.
    cards: Vec<Vec<String>>,
    /// Pre-rendered `<option>`s of the region select, per language index.
    region_options: Vec<String>,
}

/// Everything needed to render any job of one site.
pub struct Renderer<'s> {
    site: &'s Site,
    templates: Templates,
    i18n: Arc<I18n>,
    assets: Assets,
    counts: Counts,
    extra_body_scripts: Vec<String>,
    shared: Shared,
}

impl<'s> Renderer<'s> {
    /// Loads the theme (with site overrides), i18n and assets, and precomputes shared values.
    pub fn new(
        site: &'s Site,
        counts: Counts,
        extra_body_scripts: Vec<String>,
    ) -> Result<Renderer<'s>, Error> {
        let theme_dir = site.root.join("themes").join(&site.config.theme);
        if !theme_dir.is_dir() {
            return Err(Error::ThemeMissing {
                theme: site.config.theme.clone(),
                path: theme_dir,
            });
        }
        let i18n = Arc::new(I18n::load(&site.root, &theme_dir, &site.config)?);
        let mut assets = Assets::collect(&site.root, &theme_dir)?;
        assets.add_petition_images(&site.root.join(PETITIONS_DIR), &site.petitions)?;
        for lang in &site.config.languages {
            let json =
                serde_json::to_vec(&i18n.script_messages(lang)).expect("string maps serialise");
            assets.add(
                &format!("i18n.{lang}.json"),
                &format!("{}/i18n.{lang}.json", assets::ASSETS_DIR),
                json,
            );
        }
        let templates = Templates::load(&site.root, &theme_dir, &site.config, &i18n, &assets)?;
        let mut renderer = Renderer {
            site,
            templates,
            i18n,
            assets,
            counts,
            extra_body_scripts,
            shared: Shared {
                listings: BTreeMap::new(),
                tags: BTreeMap::new(),
                cards: Vec::new(),
                region_options: Vec::new(),
            },
        };
        renderer.shared = renderer.compute_shared()?;
        Ok(renderer)
    }

    fn compute_shared(&self) -> Result<Shared, Error> {
        let petitions = &self.site.petitions;
        let mut listings = BTreeMap::new();
        for listing in Listing::ALL {
            let mut indexes: Vec<usize> = (0..petitions.len())
                .filter(|&i| listing.includes(petitions[i].status))
                .collect();
            match listing {
                Listing::Open => {
                    indexes.sort_by(|&a, &b| self.by_signatures(&petitions[a], &petitions[b]))
                }
                _ => indexes.sort_by(|&a, &b| by_activity(&petitions[a], &petitions[b])),
            }
            listings.insert(listing.name(), indexes);
        }
        let mut recently_answered: Vec<usize> = (0..petitions.len())
            .filter(|&i| petitions[i].status.is_answered())
            .collect();
        recently_answered.sort_by(|&a, &b| {
            let (a, b) = (&petitions[a], &petitions[b]);
            b.response_date
                .cmp(&a.response_date)
                .then_with(|| by_activity(a, b))
        });
        listings.insert("recently_answered", recently_answered);
        let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, petition) in petitions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.status != Status::Draft)
        {
            for tag in &petition.tags {
                tags.entry(tag.clone()).or_default().push(i);
            }
        }
        for indexes in tags.values_mut() {
            indexes.sort_by(|&a, &b| by_activity(&petitions[a], &petitions[b]));
        }
        let cards = petitions
            .par_iter()
            .map(|petition| {
                self.site
                    .config
                    .languages
                    .iter()
                    .map(|lang| self.render_card(petition, lang))
                    .collect()
            })
            .collect::<Result<Vec<Vec<String>>, Error>>()?;
        let region_options = self
            .site
            .config
            .languages
            .iter()
            .map(|lang| self.region_options(lang))
            .collect();
        Ok(Shared {
            listings,
            tags,
            cards,
            region_options,
        })
    }

    fn by_signatures(&self, a: &Petition, b: &Petition) -> std::cmp::Ordering {
        let counts = &self.counts;
        counts
            .total(&b.slug)
            .cmp(&counts.total(&a.slug))
            .then_with(|| b.created.cmp(&a.created))
            .then_with(|| a.slug.cmp(&b.slug))
    }

    /// Renders `jobs` in parallel into `sink`. Prints progress to stderr on large sites.
    pub fn render(&self, jobs: &[Job], sink: &dyn Sink) -> Result<(), Error> {
        let done = AtomicUsize::new(0);
        let total = jobs.len();
        jobs.par_iter().try_for_each(|job| {
            self.render_job(job, sink)?;
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if total >= PROGRESS_THRESHOLD && finished.is_multiple_of(PROGRESS_EVERY) {
                eprintln!("  rendered {finished} of {total} pages and files");
            }
            Ok(())
        })
    }

    fn render_job(&self, job: &Job, sink: &dyn Sink) -> Result<(), Error> {
        match job {
            Job::Assets => {
                for asset in &self.assets.files {
                    sink.put(&asset.path, asset.bytes.clone())?;
                }
                Ok(())
            }
            Job::RootRedirect => sink.put("index.html", self.root_redirect()?.into_bytes()),
            Job::NotFound => sink.put("404.html", self.not_found()?.into_bytes()),
            Job::Robots => sink.put(
                "robots.txt",
                hosting::robots(&self.site.config).into_bytes(),
            ),
            Job::Headers => sink.put("_headers", hosting::headers(&self.site.config).into_bytes()),
            Job::Manifest => sink.put(
                petitio_edge::manifest::MANIFEST_PATH,
                hosting::manifest(self.site),
            ),
            Job::Sitemap => sink.put("sitemap.xml", feeds::sitemap(self.site).into_bytes()),
            Job::Feed { lang } => sink.put(
                &format!("{lang}/atom.xml"),
                feeds::atom(self.site, &self.i18n, lang).into_bytes(),
            ),
            Job::DataIndex => sink.put("data/petitions.json", data::index(self.site, &self.counts)),
            Job::DataCsv => sink.put("data/petitions.csv", data::csv(self.site, &self.counts)?),
            Job::DataPetition { slug } => {
                let petition = self.petition(slug);
                sink.put(
                    &format!("data/petitions/{slug}.json"),
                    data::petition(self.site, petition, &self.counts, &self.assets),
                )
            }
            Job::Home { lang } => {
                sink.put(&format!("{lang}/index.html"), self.home(lang)?.into_bytes())
            }
            Job::Petition { slug, lang } => {
                let html = self.petition_page(self.petition(slug), lang)?;
                sink.put(&pages::petition_path(lang, slug), html.into_bytes())
            }
            Job::Signed { slug, lang } => {
                let html = self.signed_page(self.petition(slug), lang)?;
                sink.put(
                    &format!("{}signed/index.html", pages::petition_dir(lang, slug)),
                    html.into_bytes(),
                )
            }
            Job::Embed { slug, lang } => {
                let html = self.embed_page(self.petition(slug), lang)?;
                sink.put(
                    &format!("{}embed/index.html", pages::petition_dir(lang, slug)),
                    html.into_bytes(),
                )
            }
            Job::Badge { slug, lang } => {
                let svg = self.badge(self.petition(slug), lang)?;
                sink.put(
                    &format!("{}badge.svg", pages::petition_dir(lang, slug)),
                    svg.into_bytes(),
                )
            }
            Job::Listing {
                listing,
                lang,
                page,
            } => sink.put(
                &format!("{}index.html", listing_dir(lang, listing.name(), *page)),
                self.listing(*listing, lang, *page)?.into_bytes(),
            ),
            Job::TagIndex { lang } => sink.put(
                &format!("{lang}/tags/index.html"),
                self.tag_index(lang)?.into_bytes(),
            ),
            Job::Tag { tag, lang, page } => sink.put(
                &format!(
                    "{}index.html",
                    listing_dir(lang, &format!("tags/{tag}"), *page)
                ),
                self.tag_page(tag, lang, *page)?.into_bytes(),
            ),
            Job::Page { name, lang } => {
                let page = self
                    .site
                    .pages
                    .iter()
                    .find(|p| p.name == *name)
                    .expect("jobs are listed from the same site");
                sink.put(
                    &format!("{lang}/{name}/index.html"),
                    self.static_page(page, lang)?.into_bytes(),
                )
            }
        }
    }

    fn petition(&self, slug: &str) -> &'s Petition {
        self.site
            .petition(slug)
            .expect("jobs are listed from the same site")
    }

    fn lang_index(&self, lang: &str) -> usize {
        self.site
            .config
            .languages
            .iter()
            .position(|l| l == lang)
            .unwrap_or(0)
    }
}

const PROGRESS_THRESHOLD: usize = 3000;
const PROGRESS_EVERY: usize = 2000;

fn by_activity(a: &Petition, b: &Petition) -> std::cmp::Ordering {
    b.last_activity()
        .cmp(&a.last_activity())
        .then_with(|| b.created.cmp(&a.created))
        .then_with(|| a.slug.cmp(&b.slug))
}
