//! The outputs of a build ([`Job`]s, one per page or generated file), which of them show a
//! changed petition ([`Job::shows`]) and which template each renders ([`Job::template`]):
//! what incremental rebuilds reason about.

use std::collections::HashSet;

use petitio_model::urls::{self, Listing};
use petitio_site::content::Petition;

use crate::templates::names;

/// One output of the build.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    RootRedirect,
    NotFound,
    Robots,
    /// The committed signed note, published unchanged.
    WhereNote,
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
    /// The page a confirmation message links to.
    Confirm {
        slug: String,
        lang: String,
    },
    /// "Withdraw my signature".
    Withdraw {
        slug: String,
        lang: String,
    },
    /// "Verify my signature": the receipt checked against the log in the browser.
    Verify {
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
    /// The search page of a language (the listings and tags without JavaScript).
    Search {
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
    /// The Atom feed of one petition in one language.
    PetitionFeed {
        slug: String,
        lang: String,
    },
    /// The Atom feed of one tag's petitions in one language.
    TagFeed {
        tag: String,
        lang: String,
    },
}

/// A petition's page that acts through the API: confirming a message's token, or asking
/// for a withdrawal message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionPage {
    Confirm,
    Withdraw,
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
            | Job::Confirm { slug, .. }
            | Job::Withdraw { slug, .. }
            | Job::Verify { slug, .. }
            | Job::Embed { slug, .. }
            | Job::Badge { slug, .. }
            | Job::PetitionFeed { slug, .. } => changed.slugs.contains(slug),
            Job::Tag { tag, .. } | Job::TagFeed { tag, .. } => changed.tags.contains(tag),
            Job::Sitemap
            | Job::Manifest
            | Job::Assets
            | Job::DataIndex
            | Job::DataCsv
            | Job::Home { .. }
            | Job::Listing { .. }
            | Job::TagIndex { .. }
            | Job::Search { .. }
            | Job::Feed { .. } => true,
            Job::RootRedirect
            | Job::NotFound
            | Job::Robots
            | Job::WhereNote
            | Job::Headers
            | Job::Page { .. } => false,
        }
    }
}

impl Job {
    /// The theme template this job renders; `None` for files made without one (open data,
    /// hosting files, assets).
    pub fn template(&self) -> Option<&'static str> {
        match self {
            Job::RootRedirect => Some(names::REDIRECT),
            Job::NotFound => Some(names::NOT_FOUND),
            Job::Home { .. } => Some(names::HOME),
            Job::Petition { .. } => Some(names::PETITION),
            Job::Signed { .. } => Some(names::SIGNED),
            Job::Confirm { .. } => Some(names::CONFIRM),
            Job::Withdraw { .. } => Some(names::WITHDRAW),
            Job::Verify { .. } => Some(names::VERIFY),
            Job::Embed { .. } => Some(names::EMBED),
            Job::Listing { .. } | Job::Tag { .. } => Some(names::LISTING),
            Job::TagIndex { .. } => Some(names::TAG_INDEX),
            Job::Search { .. } => Some(names::SEARCH),
            Job::Page { .. } => Some(names::PAGE),
            Job::Badge { .. } => Some(names::BADGE),
            Job::Feed { .. } | Job::PetitionFeed { .. } | Job::TagFeed { .. } => Some(names::FEED),
            Job::Sitemap => Some(names::SITEMAP),
            Job::Robots
            | Job::WhereNote
            | Job::Headers
            | Job::Manifest
            | Job::Assets
            | Job::DataIndex
            | Job::DataCsv
            | Job::DataPetition { .. } => None,
        }
    }

    /// The one file a listing page, tag page or tag feed job writes (in a folder that
    /// incremental rebuilds clear unless the job is kept); `None` for other jobs.
    pub fn single_output(&self) -> Option<String> {
        match self {
            Job::Listing {
                listing,
                lang,
                page,
            } => Some(urls::file_of(&urls::listing(lang, *listing, *page))),
            Job::Tag { tag, lang, page } => Some(urls::file_of(&urls::tag(lang, tag, *page))),
            Job::TagFeed { tag, lang } => Some(urls::tag_feed(lang, tag)),
            _ => None,
        }
    }
}

/// The jobs of one petition's own pages and data.
pub fn petition_jobs(petition: &Petition) -> Vec<Job> {
    let slug = &petition.slug;
    let mut jobs = vec![Job::DataPetition { slug: slug.clone() }];
    for translation in &petition.translations {
        let lang = &translation.lang;
        jobs.extend([
            Job::Petition {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Signed {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Confirm {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Withdraw {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Verify {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Embed {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::Badge {
                slug: slug.clone(),
                lang: lang.clone(),
            },
            Job::PetitionFeed {
                slug: slug.clone(),
                lang: lang.clone(),
            },
        ]);
    }
    jobs
}
