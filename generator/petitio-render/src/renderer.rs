//! The [`Renderer`]: everything needed to render any job of one site. Everything several
//! pages share — sorted listings, petition cards, the region `<select>` options — is
//! computed once in [`Shared`], then jobs render in parallel (rayon) with small per-page
//! contexts and hand their bytes to a [`Sink`], so a large site is never held in memory at
//! once. The pages, feeds, open data and hosting files themselves are made in their own
//! modules.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use petitio_model::date::Date;
use petitio_model::status::Status;
use petitio_model::urls::{self, page_count, Listing, PER_PAGE};
use petitio_site::content::{Petition, Site};
use petitio_site::counts::Counts;

use crate::error::Error;
use crate::indexer::Indexer;
use crate::jobs::{petition_jobs, ActionPage, Job};
use crate::sink::Sink;
use crate::templates::names;
use crate::theme::Theme;
use crate::url_mode::{Linker, PageAt, UrlMode};
use crate::{data, hosting};

/// What one petition contributes to the pages and files that list many petitions: rendered
/// once per petition (in parallel), joined by the site-wide jobs, and kept by `petitio serve`
/// for the petitions an edit did not touch.
#[derive(Debug)]
pub struct Parts {
    /// Listing card HTML, `cards[language index * card pages + card page index]` (see
    /// [`Renderer::card_pages`]: one in a root-relative render).
    pub(crate) cards: Vec<String>,
    /// Its `<url>` elements of `sitemap.xml`.
    sitemap: String,
    /// Its entry of `data/petitions.json`.
    data_index: String,
    /// Its row of `data/petitions.csv`.
    data_csv: Vec<u8>,
    /// Its entry of the worker manifest.
    manifest: String,
    /// Hashes of the parts above, of which [`Renderer::fingerprint`]s are made.
    hashes: PartHashes,
}

#[derive(Debug, Clone, Copy)]
struct PartHashes {
    cards: u64,
    /// Of its feed entries (see [`Renderer::feed_entries_hash`]).
    feed: u64,
    sitemap: u64,
    data_index: u64,
    data_csv: u64,
    manifest: u64,
}

fn hash_of(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The parts of a render by slug, to reuse in the next one.
pub type PartsCache = HashMap<String, Arc<Parts>>;

/// Site-wide values computed once per render and shared by every job.
pub(crate) struct Shared {
    /// Indexes into `site.petitions`, in display order.
    pub(crate) listings: BTreeMap<&'static str, Vec<usize>>,
    pub(crate) tags: BTreeMap<String, Vec<usize>>,
    /// `parts[petition index]`.
    pub(crate) parts: Vec<Arc<Parts>>,
    /// `hashes[petition index]`: the parts' hashes side by side, read by every fingerprint.
    hashes: Vec<PartHashes>,
    /// Pre-rendered `<option>`s of the region select, per language index.
    pub(crate) region_options: Vec<String>,
}

/// What a render shows besides the site and its theme, and how it links.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub counts: Counts,
    /// Root-relative script URLs added before `</body>` of every page (live reload in serve).
    pub extra_body_scripts: Vec<String>,
    pub mode: UrlMode,
}

impl RenderOptions {
    /// A normal build's: root-relative links, no extra scripts.
    pub fn new(counts: Counts) -> RenderOptions {
        RenderOptions {
            counts,
            extra_body_scripts: Vec::new(),
            mode: UrlMode::RootRelative,
        }
    }
}

/// Everything needed to render any job of one site.
pub struct Renderer<'s> {
    pub(crate) site: &'s Site,
    pub(crate) theme: Arc<Theme>,
    pub(crate) counts: Counts,
    pub(crate) extra_body_scripts: Vec<String>,
    pub(crate) linker: Linker,
    /// The pages cards are rendered for: [`PageAt::ROOT`] in a root-relative render, else
    /// one per depth a listing page can have.
    pub(crate) card_pages: Vec<PageAt>,
    pub(crate) shared: Shared,
}

impl<'s> Renderer<'s> {
    /// Loads the theme and precomputes shared values.
    pub fn new(site: &'s Site, options: RenderOptions) -> Result<Renderer<'s>, Error> {
        let theme = Arc::new(Theme::load(site)?);
        Renderer::with_theme(site, theme, options, &PartsCache::new(), None)
    }

    /// A renderer with a loaded `theme`. Parts of petitions not in `rerender` are taken from
    /// `previous` when it has them; `None` renders every petition's parts.
    pub fn with_theme(
        site: &'s Site,
        theme: Arc<Theme>,
        options: RenderOptions,
        previous: &PartsCache,
        rerender: Option<&HashSet<String>>,
    ) -> Result<Renderer<'s>, Error> {
        let linker = Linker::new(&site.config, options.mode);
        let card_pages = card_pages(&linker);
        let mut renderer = Renderer {
            site,
            theme,
            counts: options.counts,
            extra_body_scripts: options.extra_body_scripts,
            linker,
            card_pages,
            shared: Shared {
                listings: BTreeMap::new(),
                tags: BTreeMap::new(),
                parts: Vec::new(),
                hashes: Vec::new(),
                region_options: Vec::new(),
            },
        };
        renderer.shared = renderer.compute_shared(previous, rerender)?;
        Ok(renderer)
    }

    /// The search index of this render's site as `indexer` makes it (paths relative to the
    /// output folder).
    pub fn search_index(&self, indexer: &dyn Indexer) -> Result<Vec<(String, Vec<u8>)>, Error> {
        indexer.files(self.site, &self.theme, &self.counts)
    }

    /// How this render links.
    pub fn linker(&self) -> &Linker {
        &self.linker
    }

    /// The jobs whose pages read one of the `changed` templates, when every other job's
    /// output stays the same; `None` when the petitions' cached parts (cards, sitemap
    /// entries) read one of them (then the parts must be rendered again, and everything
    /// that shows them).
    pub fn jobs_reading(&self, changed: &BTreeSet<String>) -> Option<Vec<Job>> {
        let templates = &self.theme.templates;
        if names::IN_PARTS
            .iter()
            .any(|part| templates.uses_any(part, changed))
        {
            return None;
        }
        let mut reads: HashMap<&'static str, bool> = HashMap::new();
        let mut jobs = self.all_jobs();
        jobs.retain(|job| {
            job.template().is_some_and(|template| {
                *reads
                    .entry(template)
                    .or_insert_with(|| templates.uses_any(template, changed))
            })
        });
        Some(jobs)
    }

    /// Every job of the site.
    pub fn all_jobs(&self) -> Vec<Job> {
        let mut jobs = self.site_jobs();
        jobs.extend(self.site.petitions.iter().flat_map(petition_jobs));
        jobs
    }

    /// The jobs of pages and files about the whole site or many petitions: everything but
    /// the petitions' own pages.
    pub fn site_jobs(&self) -> Vec<Job> {
        let site = self.site;
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
        if site.config.where_note.is_some() {
            jobs.push(Job::WhereNote);
        }
        for lang in &site.config.languages {
            jobs.push(Job::Home { lang: lang.clone() });
            jobs.push(Job::Feed { lang: lang.clone() });
            jobs.push(Job::TagIndex { lang: lang.clone() });
            jobs.push(Job::Search { lang: lang.clone() });
            for listing in Listing::ALL {
                let pages = page_count(self.shared.listings[listing.name()].len());
                jobs.extend((1..=pages).map(|page| Job::Listing {
                    listing,
                    lang: lang.clone(),
                    page,
                }));
            }
            for (tag, indexes) in &self.shared.tags {
                jobs.extend((1..=page_count(indexes.len())).map(|page| Job::Tag {
                    tag: tag.clone(),
                    lang: lang.clone(),
                    page,
                }));
                jobs.push(Job::TagFeed {
                    tag: tag.clone(),
                    lang: lang.clone(),
                });
            }
        }
        for page in &site.pages {
            jobs.extend(page.translations.iter().map(|t| Job::Page {
                name: page.name.clone(),
                lang: t.lang.clone(),
            }));
        }
        jobs
    }

    /// The parts of petition `slug` in this render, if it has one.
    pub fn parts_of(&self, slug: &str) -> Option<Arc<Parts>> {
        let petitions = &self.site.petitions;
        let i = petitions
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()?;
        Some(Arc::clone(&self.shared.parts[i]))
    }

    /// This render's parts, to pass as `previous` to the next one.
    pub fn parts_cache(&self) -> PartsCache {
        self.site
            .petitions
            .iter()
            .zip(&self.shared.parts)
            .map(|(petition, parts)| (petition.slug.clone(), Arc::clone(parts)))
            .collect()
    }

    /// A hash of everything a job's output is made of besides the theme and configuration,
    /// for the jobs that list many petitions: a listing or tag page (its cards and the size of
    /// its listing), the sitemap (the tags and every petition's URLs), the open data index and
    /// CSV, the manifest and the feeds (every petition's entries). Equal fingerprints in two renders with the
    /// same theme and configuration mean equal bytes. `None` for every other job.
    pub fn fingerprint(&self, job: &Job) -> Option<u64> {
        let mut hasher = std::hash::DefaultHasher::new();
        job.hash(&mut hasher);
        let every = |part: fn(&PartHashes) -> u64, hasher: &mut std::hash::DefaultHasher| {
            for hashes in &self.shared.hashes {
                part(hashes).hash(hasher);
            }
        };
        match job {
            Job::Listing { listing, page, .. } => {
                self.hash_page(&self.shared.listings[listing.name()], *page, &mut hasher)
            }
            Job::Tag { tag, page, .. } => {
                let indexes = self.shared.tags.get(tag).map_or(&[][..], Vec::as_slice);
                self.hash_page(indexes, *page, &mut hasher)
            }
            Job::Sitemap => {
                self.shared
                    .tags
                    .keys()
                    .for_each(|tag| tag.hash(&mut hasher));
                every(|h| h.sitemap, &mut hasher);
            }
            Job::DataIndex => every(|h| h.data_index, &mut hasher),
            Job::DataCsv => every(|h| h.data_csv, &mut hasher),
            Job::Manifest => every(|h| h.manifest, &mut hasher),
            Job::Feed { .. } => every(|h| h.feed, &mut hasher),
            Job::TagFeed { tag, .. } => {
                for &i in self.shared.tags.get(tag).map_or(&[][..], Vec::as_slice) {
                    self.shared.hashes[i].feed.hash(&mut hasher);
                }
            }
            _ => return None,
        }
        Some(hasher.finish())
    }

    /// Hashes what page `page` of a listing of `indexes` shows: its size and its cards.
    fn hash_page(&self, indexes: &[usize], page: usize, hasher: &mut impl Hasher) {
        indexes.len().hash(hasher);
        for &i in indexes.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE) {
            self.shared.hashes[i].cards.hash(hasher);
        }
    }

    fn compute_shared(
        &self,
        previous: &PartsCache,
        rerender: Option<&HashSet<String>>,
    ) -> Result<Shared, Error> {
        let petitions = &self.site.petitions;
        // Sort keys are computed once per petition, not per comparison: sorting a large site
        // compares hundreds of thousands of times. Petitions are in slug order, so their
        // index breaks ties as the slug would.
        let activity: Vec<(Reverse<Date>, Reverse<Date>, usize)> = petitions
            .iter()
            .enumerate()
            .map(|(i, p)| (Reverse(p.last_activity()), Reverse(p.created), i))
            .collect();
        let signatures: Vec<(Reverse<u64>, Reverse<Date>, usize)> = petitions
            .iter()
            .enumerate()
            .map(|(i, p)| (Reverse(self.counts.total(&p.slug)), Reverse(p.created), i))
            .collect();
        let mut listings = BTreeMap::new();
        for listing in Listing::ALL {
            let mut indexes: Vec<usize> = (0..petitions.len())
                .filter(|&i| listing.includes(petitions[i].status))
                .collect();
            match listing {
                // Most signed first, then newest.
                Listing::Open => indexes.sort_unstable_by_key(|&i| signatures[i]),
                // Most recent activity first, then newest.
                _ => indexes.sort_unstable_by_key(|&i| activity[i]),
            }
            listings.insert(listing.name(), indexes);
        }
        let mut recently_answered: Vec<usize> = (0..petitions.len())
            .filter(|&i| petitions[i].status.is_answered())
            .collect();
        recently_answered
            .sort_unstable_by_key(|&i| (Reverse(petitions[i].response_date), activity[i]));
        listings.insert("recently_answered", recently_answered);
        let mut by_tag: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, petition) in petitions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.status != Status::Draft)
        {
            for tag in &petition.tags {
                by_tag.entry(tag).or_default().push(i);
            }
        }
        let tags: BTreeMap<String, Vec<usize>> = by_tag
            .into_iter()
            .map(|(tag, mut indexes)| {
                indexes.sort_unstable_by_key(|&i| activity[i]);
                (tag.to_owned(), indexes)
            })
            .collect();
        let parts = petitions
            .par_iter()
            .map(|petition| {
                let keep = rerender.is_some_and(|slugs| !slugs.contains(&petition.slug));
                match previous.get(&petition.slug).filter(|_| keep) {
                    Some(parts) => Ok(Arc::clone(parts)),
                    None => self.parts(petition).map(Arc::new),
                }
            })
            .collect::<Result<Vec<Arc<Parts>>, Error>>()?;
        let region_options = self
            .site
            .config
            .languages
            .iter()
            .map(|lang| self.region_options(lang))
            .collect();
        let hashes = parts.iter().map(|parts| parts.hashes).collect();
        Ok(Shared {
            listings,
            tags,
            parts,
            hashes,
            region_options,
        })
    }

    fn parts(&self, petition: &Petition) -> Result<Parts, Error> {
        let cards = self
            .site
            .config
            .languages
            .iter()
            .flat_map(|lang| self.card_pages.iter().map(move |at| (lang, *at)))
            .map(|(lang, at)| self.render_card(petition, lang, at))
            .collect::<Result<Vec<String>, Error>>()?;
        let sitemap = self.sitemap_urls(petition)?;
        let data_index = data::index_entry(self.site, petition, &self.counts);
        let data_csv = data::csv_row(self.site, petition, &self.counts)?;
        let manifest = hosting::manifest_entry(petition);
        Ok(Parts {
            hashes: PartHashes {
                cards: hash_of(&cards),
                feed: self.feed_entries_hash(petition),
                sitemap: hash_of(&sitemap),
                data_index: hash_of(&data_index),
                data_csv: hash_of(&data_csv),
                manifest: hash_of(&manifest),
            },
            cards,
            sitemap,
            data_index,
            data_csv,
            manifest,
        })
    }

    /// One part of every petition, in site order.
    fn each_part<'a, T: ?Sized + 'a>(
        &'a self,
        part: impl Fn(&'a Parts) -> &'a T + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.shared.parts.iter().map(move |parts| part(parts))
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
                for asset in &self.theme.assets.files {
                    sink.put(&asset.path, asset.bytes.clone())?;
                }
                Ok(())
            }
            Job::RootRedirect => sink.put(urls::ROOT_REDIRECT, self.root_redirect()?.into_bytes()),
            Job::NotFound => sink.put(urls::NOT_FOUND, self.not_found()?.into_bytes()),
            Job::Robots => sink.put(
                urls::ROBOTS,
                hosting::robots(&self.site.config).into_bytes(),
            ),
            Job::WhereNote => match &self.site.config.where_note {
                Some(note) => sink.put(urls::WHERE_NOTE, note.signed.clone().into_bytes()),
                None => Ok(()),
            },
            Job::Headers => sink.put(
                urls::HEADERS,
                hosting::headers(&self.site.config, &self.linker).into_bytes(),
            ),
            Job::Manifest => sink.put(
                petitio_model::manifest::MANIFEST_PATH,
                hosting::manifest(
                    self.site,
                    self.theme
                        .i18n
                        .group_separators(&self.site.config.languages),
                    self.theme.i18n.plural_tables(&self.site.config.languages),
                    self.each_part(|p| p.manifest.as_str()),
                ),
            ),
            Job::Sitemap => sink.put(
                urls::SITEMAP,
                self.sitemap(
                    self.shared.tags.keys(),
                    self.each_part(|p| p.sitemap.as_str()),
                )?
                .into_bytes(),
            ),
            Job::Feed { lang } => sink.put(&urls::feed(lang), self.site_feed(lang)?.into_bytes()),
            Job::PetitionFeed { slug, lang } => sink.put(
                &urls::petition_feed(lang, slug),
                self.petition_feed(self.petition(slug), lang)?.into_bytes(),
            ),
            Job::TagFeed { tag, lang } => sink.put(
                &urls::tag_feed(lang, tag),
                self.tag_feed(tag, lang)?.into_bytes(),
            ),
            Job::DataIndex => sink.put(
                urls::DATA_INDEX,
                data::index(self.site, self.each_part(|p| p.data_index.as_str())),
            ),
            Job::DataCsv => sink.put(
                urls::DATA_CSV,
                data::csv(self.site, self.each_part(|p| p.data_csv.as_slice()))?,
            ),
            Job::DataPetition { slug } => {
                let petition = self.petition(slug);
                sink.put(
                    &urls::data_petition(slug),
                    data::petition(self.site, petition, &self.counts, &self.theme.assets),
                )
            }
            Job::Home { lang } => sink.put(
                &urls::file_of(&urls::home(lang)),
                self.home(lang)?.into_bytes(),
            ),
            Job::Petition { slug, lang } => {
                let html = self.petition_page(self.petition(slug), lang)?;
                sink.put(
                    &urls::file_of(&urls::petition(lang, slug)),
                    html.into_bytes(),
                )
            }
            Job::Signed { slug, lang } => {
                let html = self.signed_page(self.petition(slug), lang)?;
                sink.put(&urls::file_of(&urls::signed(lang, slug)), html.into_bytes())
            }
            Job::Confirm { slug, lang } => {
                let html = self.action_page(self.petition(slug), lang, ActionPage::Confirm)?;
                sink.put(
                    &urls::file_of(&urls::confirm(lang, slug)),
                    html.into_bytes(),
                )
            }
            Job::Withdraw { slug, lang } => {
                let html = self.action_page(self.petition(slug), lang, ActionPage::Withdraw)?;
                sink.put(
                    &urls::file_of(&urls::withdraw(lang, slug)),
                    html.into_bytes(),
                )
            }
            Job::Verify { slug, lang } => {
                let html = self.verify_page(self.petition(slug), lang)?;
                sink.put(&urls::file_of(&urls::verify(lang, slug)), html.into_bytes())
            }
            Job::Embed { slug, lang } => {
                let html = self.embed_page(self.petition(slug), lang)?;
                sink.put(&urls::file_of(&urls::embed(lang, slug)), html.into_bytes())
            }
            Job::Badge { slug, lang } => {
                let svg = self.badge(self.petition(slug), lang)?;
                sink.put(&urls::badge(lang, slug), svg.into_bytes())
            }
            Job::Listing {
                listing,
                lang,
                page,
            } => sink.put(
                &job.single_output().expect("a listing page is one file"),
                self.listing(*listing, lang, *page)?.into_bytes(),
            ),
            Job::Search { lang } => sink.put(
                &urls::file_of(&urls::search(lang)),
                self.search_page(lang)?.into_bytes(),
            ),
            Job::TagIndex { lang } => sink.put(
                &urls::file_of(&urls::tag_index(lang)),
                self.tag_index(lang)?.into_bytes(),
            ),
            Job::Tag { tag, lang, page } => sink.put(
                &job.single_output().expect("a tag page is one file"),
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
                    &urls::file_of(&urls::static_page(lang, name)),
                    self.static_page(page, lang)?.into_bytes(),
                )
            }
        }
    }

    pub(crate) fn petition(&self, slug: &str) -> &'s Petition {
        self.site
            .petition(slug)
            .expect("jobs are listed from the same site")
    }

    pub(crate) fn lang_index(&self, lang: &str) -> usize {
        self.site
            .config
            .languages
            .iter()
            .position(|l| l == lang)
            .unwrap_or(0)
    }
}

/// The pages listing cards are rendered for: every depth a home, listing or tag page can
/// have in a page-relative render (cards link relatively), else just the root.
fn card_pages(linker: &Linker) -> Vec<PageAt> {
    let listing = Listing::Open;
    let mut pages: Vec<PageAt> = [
        urls::home("xx"),
        urls::listing("xx", listing, 1),
        urls::listing("xx", listing, 2),
        urls::tag("xx", "tag", 1),
        urls::tag("xx", "tag", 2),
    ]
    .iter()
    .map(|path| linker.at(path))
    .collect();
    pages.sort();
    pages.dedup();
    pages
}

const PROGRESS_THRESHOLD: usize = 3000;
const PROGRESS_EVERY: usize = 2000;
