//! The URL scheme: where every page and file of a built site lives, the signature API's
//! routes, and the pages the API sends a no-JS signer to. The one place that spells a path:
//! the generator asks it where to write and what to link, `petitio serve` what a change
//! owns, the worker which route a request names and where to redirect.
//!
//! Paths are relative to the site root, without a leading slash: a folder ends with `/`
//! and is written as its `index.html` ([`file_of`]); `<lang>` is a language code, `<slug>`
//! a petition's slug.
//!
//! | path | what |
//! |---|---|
//! | `index.html` | redirect to the default language's home |
//! | `404.html`, `robots.txt`, `sitemap.xml`, `_headers` | for the host |
//! | `<lang>/` | home page |
//! | `<lang>/petitions/<slug>/` | petition page (`#response`, `#update-<date>` inside it) |
//! | `<lang>/petitions/<slug>/signed/` | after signing without JavaScript |
//! | `<lang>/petitions/<slug>/confirm/` | the link of a confirmation message: one button posting its token |
//! | `<lang>/petitions/<slug>/withdraw/` | "withdraw my signature": asks for the address |
//! | `<lang>/petitions/<slug>/verify/` | "verify my signature": checks a receipt against the log in the browser |
//! | `<lang>/petitions/<slug>/embed/` | embeddable counter |
//! | `<lang>/petitions/<slug>/badge.svg` | SVG badge |
//! | `<lang>/<listing>/`, `<lang>/<listing>/page/<n>/` | status listings, [`PER_PAGE`] a page |
//! | `<lang>/tags/`, `<lang>/tags/<tag>/[page/<n>/]` | tags |
//! | `<lang>/search/` | search page (the listings without JavaScript) |
//! | `pagefind/...` | the search index, one per language ([`SEARCH_INDEX_DIR`]) |
//! | `<lang>/<name>/` | static page |
//! | `<lang>/atom.xml` | feed |
//! | `<lang>/petitions/<slug>/atom.xml`, `<lang>/tags/<tag>/atom.xml` | a petition's feed, a tag's feed |
//! | `data/petitions.json`, `data/petitions.csv`, `data/petitions/<slug>.json` | open data |
//! | `assets/...` | hashed static files |
//! | `log/<slug>/checkpoint` | a petition's transparency log: its signed checkpoint ([`log_checkpoint`]) |
//! | `log/<slug>/tile/<L>/<N>[.p/<W>]`, `log/<slug>/tile/entries/<N>[.p/<W>]` | its hash tiles and entry bundles (C2SP tlog-tiles, [`log_tile`]); served by the worker and `petitio serve`, not built |
//! | `.well-known/petitio-where` | the signed "where we are now" note, when the site has one ([`WHERE_NOTE`]) |
//! | `_petitio/manifest.json` | what the API reads ([`MANIFEST_PATH`](crate::manifest::MANIFEST_PATH)) |
//!
//! Which of these a filler fills as it serves them: [`Filled`].
//!
//! API (under each of `api_endpoints`, by default [`API_PATH`] on the site's origin): `POST
//! petitions/<slug>/signatures`, `POST petitions/<slug>/confirmations`, `POST
//! petitions/<slug>/withdrawals`, `GET petitions/<slug>/count`, `GET counts` ([`ApiRoute`]).

use crate::status::Status;

/// The redirect to the default language, at the site root.
pub const ROOT_REDIRECT: &str = "index.html";
/// The page a static host serves for unknown paths.
pub const NOT_FOUND: &str = "404.html";
pub const ROBOTS: &str = "robots.txt";
pub const SITEMAP: &str = "sitemap.xml";
/// The signed "where we are now" note (#15), published unchanged on every origin.
pub const WHERE_NOTE: &str = ".well-known/petitio-where";
/// Headers for the host (Cloudflare Pages / Netlify format).
pub const HEADERS: &str = "_headers";
/// Folder of the hashed static files.
pub const ASSETS_DIR: &str = "assets";
/// The open data: every petition in one JSON file and one CSV file.
pub const DATA_INDEX: &str = "data/petitions.json";
pub const DATA_CSV: &str = "data/petitions.csv";
/// Every file of the open data (`_headers` caches them alike).
pub const DATA_FILES: &str = "data/*";

/// Petitions per listing page.
pub const PER_PAGE: usize = 48;

/// Top-level folders of each language that the generator itself writes; a static page may
/// not take their names.
pub const RESERVED_NAMES: [&str; 7] = [
    "petitions",
    "search",
    "open",
    "responded",
    "closed",
    "archive",
    "tags",
];

/// Number of pages a listing of `items` petitions takes (an empty listing still has one).
pub fn page_count(items: usize) -> usize {
    items.div_ceil(PER_PAGE).max(1)
}

/// The file a path names: a folder's `index.html`, or the path itself.
pub fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// Home page of a language: `kk/`.
pub fn home(lang: &str) -> String {
    format!("{lang}/")
}

/// A petition's page: `kk/petitions/<slug>/`.
pub fn petition(lang: &str, slug: &str) -> String {
    format!("{lang}/petitions/{slug}/")
}

/// The page shown after signing without JavaScript: `kk/petitions/<slug>/signed/`.
pub fn signed(lang: &str, slug: &str) -> String {
    format!("{}{SIGNED}", petition(lang, slug))
}

/// The page a confirmation message links to: `kk/petitions/<slug>/confirm/`.
pub fn confirm(lang: &str, slug: &str) -> String {
    format!("{}{CONFIRM}", petition(lang, slug))
}

/// The page asking for the address whose signature is withdrawn:
/// `kk/petitions/<slug>/withdraw/`.
pub fn withdraw(lang: &str, slug: &str) -> String {
    format!("{}{WITHDRAW}", petition(lang, slug))
}

/// The "verify my signature" page: `kk/petitions/<slug>/verify/` (the receipt is checked
/// against the petition's log in the browser; nothing is asked of a server but the log).
pub fn verify(lang: &str, slug: &str) -> String {
    format!("{}{VERIFY}", petition(lang, slug))
}

/// The query parameter of the confirm page's URL carrying the token:
/// `<confirm page>?token=<token>`.
pub const TOKEN_PARAMETER: &str = "token";

/// The query parameter carrying a new signature's receipt to the `signed/` page after a
/// no-JS form post (`results::signed_page_with_receipt`): the page shows it (page fill)
/// and its script keeps it on the device.
pub const RECEIPT_PARAMETER: &str = "receipt";

/// The embeddable counter: `kk/petitions/<slug>/embed/`.
pub fn embed(lang: &str, slug: &str) -> String {
    format!("{}{EMBED}", petition(lang, slug))
}

/// The SVG badge: `kk/petitions/<slug>/badge.svg`.
pub fn badge(lang: &str, slug: &str) -> String {
    format!("{}badge.svg", petition(lang, slug))
}

/// The sub-pages of a petition's page, as path segments.
pub const SIGNED: &str = "signed/";
pub const EMBED: &str = "embed/";
pub const CONFIRM: &str = "confirm/";
pub const WITHDRAW: &str = "withdraw/";
pub const VERIFY: &str = "verify/";

/// Page `page` (from 1) of a status listing: `kk/open/`, `kk/open/page/2/`.
pub fn listing(lang: &str, listing: Listing, page: usize) -> String {
    paged(format!("{lang}/{}/", listing.name()), page)
}

/// Where the further pages of a status listing live: `kk/open/page/`.
pub fn listing_pages(lang: &str, listing: Listing) -> String {
    format!("{lang}/{}/page/", listing.name())
}

/// The list of tags: `kk/tags/`.
pub fn tag_index(lang: &str) -> String {
    format!("{lang}/tags/")
}

/// Page `page` (from 1) of a tag's petitions: `kk/tags/<tag>/`, `kk/tags/<tag>/page/2/`.
pub fn tag(lang: &str, tag: &str, page: usize) -> String {
    paged(format!("{}{tag}/", tag_index(lang)), page)
}

/// A static page: `kk/about/`.
pub fn static_page(lang: &str, name: &str) -> String {
    format!("{lang}/{name}/")
}

/// The search page of a language: `kk/search/`.
pub fn search(lang: &str) -> String {
    format!("{lang}/search/")
}

/// The folder of the search index (Pagefind's bundle: its script, UI, wasm and one index
/// per language), at the site root.
pub const SEARCH_INDEX_DIR: &str = "pagefind/";

/// The Atom feed of a language: `kk/atom.xml`.
pub fn feed(lang: &str) -> String {
    format!("{lang}/atom.xml")
}

/// The Atom feed of one petition (its creation, updates, response, status):
/// `kk/petitions/<slug>/atom.xml`.
pub fn petition_feed(lang: &str, slug: &str) -> String {
    format!("{}atom.xml", petition(lang, slug))
}

/// The Atom feed of one tag's petitions: `kk/tags/<tag>/atom.xml`.
pub fn tag_feed(lang: &str, tag: &str) -> String {
    format!("{}atom.xml", self::tag(lang, tag, 1))
}

/// Everything public about one petition: `data/petitions/<slug>.json`.
pub fn data_petition(slug: &str) -> String {
    format!("data/petitions/{slug}.json")
}

/// The folder of every petition's transparency log (served, never built; #13).
pub const LOG_DIR: &str = "log/";

/// A petition log's prefix: `log/<slug>/` (what C2SP tlog-tiles calls the log's URL
/// prefix; the checkpoint and tiles lie under it).
pub fn log_prefix(slug: &str) -> String {
    format!("{LOG_DIR}{slug}/")
}

/// A petition log's signed checkpoint: `log/<slug>/checkpoint`.
pub fn log_checkpoint(slug: &str) -> String {
    format!("{}checkpoint", log_prefix(slug))
}

/// A tile or entry bundle of a petition's log: `log/<slug>/tile/...`
/// ([`crate::transparency::tile_path`]).
pub fn log_tile(slug: &str, tile: &crate::transparency::Tile) -> String {
    format!(
        "{}{}",
        log_prefix(slug),
        crate::transparency::tile_path(tile)
    )
}

/// What a path under [`LOG_DIR`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogResource<'p> {
    Checkpoint {
        slug: &'p str,
    },
    Tile {
        slug: &'p str,
        tile: crate::transparency::Tile,
    },
}

impl<'p> LogResource<'p> {
    /// The log resource a path (relative to the base path, no leading slash) names;
    /// `None` for anything else, including non-canonical tile paths.
    pub fn of(path: &'p str) -> Option<LogResource<'p>> {
        let (slug, rest) = path.strip_prefix(LOG_DIR)?.split_once('/')?;
        if !crate::slug::is_slug(slug) {
            return None;
        }
        if rest == "checkpoint" {
            return Some(LogResource::Checkpoint { slug });
        }
        let tile = crate::transparency::parse_tile_path(rest)?;
        Some(LogResource::Tile { slug, tile })
    }

    /// The petition whose log it is.
    pub fn slug(&self) -> &'p str {
        match self {
            LogResource::Checkpoint { slug } | LogResource::Tile { slug, .. } => slug,
        }
    }

    /// Its `Cache-Control`: full tiles never change, partial ones and the checkpoint do.
    pub fn cache_control(&self) -> &'static str {
        use crate::transparency::{CACHE_IMMUTABLE, CACHE_SHORT, TILE_WIDTH};
        match self {
            LogResource::Tile { tile, .. } if u64::from(tile.width()) == TILE_WIDTH => {
                CACHE_IMMUTABLE
            }
            _ => CACHE_SHORT,
        }
    }

    /// Its `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        use crate::transparency::{CHECKPOINT_CONTENT_TYPE, TILE_CONTENT_TYPE};
        match self {
            LogResource::Checkpoint { .. } => CHECKPOINT_CONTENT_TYPE,
            LogResource::Tile { .. } => TILE_CONTENT_TYPE,
        }
    }
}

/// What a filler (the worker, `petitio serve`) does with a served path (relative to the
/// base path, no leading slash), per the page-fill contract (`crate::fill`): pages and
/// badges are filled in the language their path starts with (else `default_language`),
/// open data gets the published counts written in, anything else is served as built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filled<'p> {
    /// An HTML page (a folder or an `.html` file) or a badge, in this language.
    Markup { lang: &'p str },
    /// `data/petitions.json`.
    DataIndex,
    /// `data/petitions.csv`.
    DataCsv,
    /// `data/petitions/<slug>.json`.
    DataPetition { slug: &'p str },
    /// Served as built.
    AsBuilt,
}

impl<'p> Filled<'p> {
    pub fn of(path: &'p str, languages: &[String], default_language: &'p str) -> Filled<'p> {
        if path == DATA_INDEX {
            return Filled::DataIndex;
        }
        if path == DATA_CSV {
            return Filled::DataCsv;
        }
        if let Some(slug) = path
            .strip_prefix("data/petitions/")
            .and_then(|rest| rest.strip_suffix(".json"))
            .filter(|slug| !slug.contains('/'))
        {
            return Filled::DataPetition { slug };
        }
        let first = path.split('/').next().unwrap_or_default();
        let lang = languages
            .iter()
            .find(|lang| lang.as_str() == first)
            .map_or(default_language, |_| first);
        let is_page = path.is_empty() || path.ends_with('/') || path.ends_with(".html");
        let is_badge = path.ends_with("/badge.svg") && lang == first;
        if (is_page && !path.starts_with(ASSETS_DIR)) || is_badge {
            Filled::Markup { lang }
        } else {
            Filled::AsBuilt
        }
    }
}

/// The fragment of a petition page's official response.
pub const RESPONSE_FRAGMENT: &str = "response";

/// The fragment of a petition page's reason for its status (closed, removed, ...).
pub const REASON_FRAGMENT: &str = "reason";

/// The fragment of a petition page's update of `date` (`YYYY-MM-DD`).
pub fn update_fragment(date: &impl std::fmt::Display) -> String {
    format!("update-{date}")
}

fn paged(first: String, page: usize) -> String {
    match page {
        1 => first,
        n => format!("{first}page/{n}/"),
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

    /// Whether a petition with `status` is in this listing.
    pub fn includes(self, status: Status) -> bool {
        match self {
            Listing::Open => status == Status::Open,
            Listing::Responded => status.is_answered(),
            Listing::Closed => status == Status::Closed,
            Listing::Archive => !matches!(status, Status::Open | Status::Draft),
        }
    }
}

/// Where the signature API is on the site's own origin, the default `api_endpoints`.
pub const API_PATH: &str = "/api";

/// A route of the signature API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiRoute<'p> {
    /// `GET counts`: every petition's published count.
    Counts,
    /// `GET petitions/<slug>/count`.
    PetitionCount(&'p str),
    /// `POST petitions/<slug>/signatures`.
    Signatures(&'p str),
    /// `POST petitions/<slug>/confirmations`: a token from a confirmation message.
    Confirmations(&'p str),
    /// `POST petitions/<slug>/withdrawals`: asks for a withdrawal message.
    Withdrawals(&'p str),
}

impl<'p> ApiRoute<'p> {
    /// The route a request path (`/api/...`, on the API's own origin) names, if any.
    pub fn parse(path: &'p str) -> Option<ApiRoute<'p>> {
        let rest = path.strip_prefix(API_PATH)?.strip_prefix('/')?;
        if rest == "counts" {
            return Some(ApiRoute::Counts);
        }
        let (slug, action) = rest.strip_prefix("petitions/")?.split_once('/')?;
        if !crate::slug::is_slug(slug) {
            return None;
        }
        match action {
            "count" => Some(ApiRoute::PetitionCount(slug)),
            "signatures" => Some(ApiRoute::Signatures(slug)),
            "confirmations" => Some(ApiRoute::Confirmations(slug)),
            "withdrawals" => Some(ApiRoute::Withdrawals(slug)),
            _ => None,
        }
    }

    /// The route's URL under an API endpoint (a path like `/api` or an absolute URL, without a
    /// trailing slash).
    pub fn url(self, api_url: &str) -> String {
        match self {
            ApiRoute::Counts => format!("{api_url}/counts"),
            ApiRoute::PetitionCount(slug) => format!("{api_url}/petitions/{slug}/count"),
            ApiRoute::Signatures(slug) => format!("{api_url}/petitions/{slug}/signatures"),
            ApiRoute::Confirmations(slug) => format!("{api_url}/petitions/{slug}/confirmations"),
            ApiRoute::Withdrawals(slug) => format!("{api_url}/petitions/{slug}/withdrawals"),
        }
    }
}

/// Where the API sends a signer who posted the form without JavaScript (ARCHITECTURE.md,
/// "The no-JS form"). The query says what happened; the fragment names the element of the
/// static page that explains it, so the page shows it with CSS `:target` alone.
pub mod results {
    use super::{confirm, home, petition, signed, RECEIPT_PARAMETER, TOKEN_PARAMETER};

    /// The page a confirmation message links to, carrying its token (no fragment: the
    /// page is filled with the token as served, for browsers without JavaScript):
    /// `<base_path><lang>/petitions/<slug>/confirm/?token=<token>`. `token` is URL-safe.
    pub fn confirm_page(base_path: &str, lang: &str, slug: &str, token: &str) -> String {
        format!(
            "{}{}?{TOKEN_PARAMETER}={token}",
            with_slash(base_path),
            confirm(lang, slug)
        )
    }

    /// After a signature was accepted; `result` is `recorded` or `already_signed`:
    /// `<base_path><lang>/petitions/<slug>/signed/?result=<r>#result-<r>`.
    pub fn signed_page(base_path: &str, lang: &str, slug: &str, result: &str) -> String {
        result_page(base_path, &signed(lang, slug), result)
    }

    /// [`signed_page`] carrying the signature's receipt (URL-safe: letters, digits, `-`
    /// and `:`): `…/signed/?result=<r>&receipt=<receipt>#result-<r>`.
    pub fn signed_page_with_receipt(
        base_path: &str,
        lang: &str,
        slug: &str,
        result: &str,
        receipt: &str,
    ) -> String {
        format!(
            "{}{}?result={result}&{RECEIPT_PARAMETER}={receipt}#result-{result}",
            with_slash(base_path),
            signed(lang, slug)
        )
    }

    /// A page (`confirm/`, `withdraw/`, `signed/`) saying what happened:
    /// `<base_path><page>?result=<r>#result-<r>`.
    pub fn result_page(base_path: &str, page: &str, result: &str) -> String {
        format!(
            "{}{page}?result={result}#result-{result}",
            with_slash(base_path)
        )
    }

    /// The petition's form, scrolled to what went wrong: the error `code` and its `field`
    /// `<base_path><lang>/petitions/<slug>/?result=<code>[&field=<field>]#sign-error-<field or code>`.
    pub fn error_page(
        base_path: &str,
        lang: &str,
        slug: &str,
        code: &str,
        field: Option<&str>,
    ) -> String {
        let page = format!("{}{}", with_slash(base_path), petition(lang, slug));
        match field {
            Some(field) => {
                format!("{page}?result={code}&field={field}#sign-error-{field}")
            }
            None => format!("{page}?result={code}#sign-error-{code}"),
        }
    }

    /// The home page saying the petition does not exist: `<base_path><lang>/?result=<code>`.
    pub fn home_page(base_path: &str, lang: &str, code: &str) -> String {
        format!("{}{}?result={code}", with_slash(base_path), home(lang))
    }

    /// `base_path` as `/` or `/sub/`, however it was written.
    fn with_slash(base_path: &str) -> String {
        match base_path.trim_matches('/') {
            "" => "/".to_owned(),
            inner => format!("/{inner}/"),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn log_paths_are_c2sp_paths_under_the_petitions_prefix() {
        use crate::transparency::{Tile, CACHE_IMMUTABLE, CACHE_SHORT};
        assert_eq!(log_checkpoint("clean-air"), "log/clean-air/checkpoint");
        let full = Tile::new(8, 0, 1, 256, false);
        let partial_bundle = Tile::new(8, 0, 2, 9, true);
        assert_eq!(log_tile("clean-air", &full), "log/clean-air/tile/0/001");
        assert_eq!(
            log_tile("clean-air", &partial_bundle),
            "log/clean-air/tile/entries/002.p/9"
        );
        let checkpoint = LogResource::of("log/clean-air/checkpoint").unwrap();
        assert_eq!(checkpoint, LogResource::Checkpoint { slug: "clean-air" });
        assert_eq!(checkpoint.cache_control(), CACHE_SHORT);
        let tile = LogResource::of("log/clean-air/tile/0/001").unwrap();
        assert_eq!(
            tile,
            LogResource::Tile {
                slug: "clean-air",
                tile: full
            }
        );
        assert_eq!(tile.cache_control(), CACHE_IMMUTABLE);
        let bundle = LogResource::of("log/clean-air/tile/entries/002.p/9").unwrap();
        assert_eq!(bundle.cache_control(), CACHE_SHORT);
        assert_eq!(bundle.slug(), "clean-air");
        for path in [
            "log/clean-air/",
            "log/clean-air/checkpoint/",
            "log/Clean/checkpoint",
            "log/clean-air/tile/8/0/001",
            "log/clean-air/tile/0/1",
            "log/checkpoint",
            "data/clean-air/checkpoint",
        ] {
            assert_eq!(LogResource::of(path), None, "{path}");
        }
    }
    use super::*;

    #[test]
    fn pages_have_the_documented_paths() {
        assert_eq!(petition("kk", "clean-air"), "kk/petitions/clean-air/");
        assert_eq!(signed("kk", "clean-air"), "kk/petitions/clean-air/signed/");
        assert_eq!(embed("en", "x"), "en/petitions/x/embed/");
        assert_eq!(confirm("kk", "x"), "kk/petitions/x/confirm/");
        assert_eq!(withdraw("ru", "x"), "ru/petitions/x/withdraw/");
        assert_eq!(badge("en", "x"), "en/petitions/x/badge.svg");
        assert_eq!(listing("ru", Listing::Open, 1), "ru/open/");
        assert_eq!(listing("ru", Listing::Archive, 3), "ru/archive/page/3/");
        assert!(listing("ru", Listing::Open, 2).starts_with(&listing_pages("ru", Listing::Open)));
        assert_eq!(tag("kk", "ecology", 1), "kk/tags/ecology/");
        assert_eq!(tag("kk", "ecology", 2), "kk/tags/ecology/page/2/");
        assert_eq!(static_page("en", "about"), "en/about/");
        assert_eq!(feed("en"), "en/atom.xml");
        assert_eq!(search("kk"), "kk/search/");
        assert_eq!(
            petition_feed("en", "clean-air"),
            "en/petitions/clean-air/atom.xml"
        );
        assert_eq!(tag_feed("ru", "ecology"), "ru/tags/ecology/atom.xml");
        assert_eq!(data_petition("x"), "data/petitions/x.json");
        assert_eq!(file_of("kk/open/"), "kk/open/index.html");
        assert_eq!(file_of(""), "index.html");
        assert_eq!(
            file_of("kk/petitions/x/badge.svg"),
            "kk/petitions/x/badge.svg"
        );
        for listing in Listing::ALL {
            assert!(RESERVED_NAMES.contains(&listing.name()));
        }
    }

    #[test]
    fn fillers_know_pages_badges_and_open_data_by_path() {
        let languages = ["kk".to_owned(), "en".to_owned()];
        let of = |path: &str| format!("{:?}", Filled::of(path, &languages, "kk"));
        let markup = |lang| format!("{:?}", Filled::Markup { lang });
        assert_eq!(of(&petition("en", "x")), markup("en"));
        assert_eq!(of(&file_of(&embed("en", "x"))), markup("en"));
        assert_eq!(of(&badge("en", "x")), markup("en"));
        assert_eq!(of(""), markup("kk"));
        assert_eq!(of(NOT_FOUND), markup("kk"));
        assert_eq!(of(DATA_INDEX), format!("{:?}", Filled::DataIndex));
        assert_eq!(of(DATA_CSV), format!("{:?}", Filled::DataCsv));
        assert_eq!(
            of(&data_petition("x")),
            format!("{:?}", Filled::DataPetition { slug: "x" })
        );
        for as_built in [
            "assets/site.0123.css",
            "kk/atom.xml",
            "robots.txt",
            "data/petitions/a/b.json",
            "assets/x/",
        ] {
            assert_eq!(of(as_built), format!("{:?}", Filled::AsBuilt), "{as_built}");
        }
    }

    #[test]
    fn listings_paginate_by_48() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(48), 1);
        assert_eq!(page_count(49), 2);
    }

    #[test]
    fn api_routes_parse_and_print_the_same_paths() {
        for route in [
            ApiRoute::Counts,
            ApiRoute::PetitionCount("clean-air"),
            ApiRoute::Signatures("clean-air"),
            ApiRoute::Confirmations("clean-air"),
            ApiRoute::Withdrawals("clean-air"),
        ] {
            assert_eq!(ApiRoute::parse(&route.url(API_PATH)), Some(route));
        }
        assert_eq!(
            ApiRoute::Signatures("x").url("https://api.example/api"),
            "https://api.example/api/petitions/x/signatures"
        );
        for other in [
            "/api",
            "/api/",
            "/api/counts/",
            "/api/petitions/Bad/count",
            "/api/petitions/a--b/count",
            "/api/petitions/x/other",
            "/apicounts",
            "/other/counts",
        ] {
            assert_eq!(ApiRoute::parse(other), None, "{other}");
        }
    }

    #[test]
    fn result_pages_have_the_agreed_urls() {
        assert_eq!(
            results::signed_page("/", "kk", "clean-air", "recorded"),
            "/kk/petitions/clean-air/signed/?result=recorded#result-recorded"
        );
        assert_eq!(
            results::signed_page_with_receipt("/", "kk", "clean-air", "recorded", "petitio-receipt-v1:clean-air:ab"),
            "/kk/petitions/clean-air/signed/?result=recorded&receipt=petitio-receipt-v1:clean-air:ab#result-recorded"
        );
        assert_eq!(
            results::signed_page("/", "kk", "clean-air", "recorded"),
            "/kk/petitions/clean-air/signed/?result=recorded#result-recorded"
        );
        assert_eq!(
            results::error_page(
                "/petitions",
                "ru",
                "clean-air",
                "invalid_input",
                Some("email")
            ),
            "/petitions/ru/petitions/clean-air/?result=invalid_input&field=email#sign-error-email"
        );
        assert_eq!(
            results::error_page("/", "en", "clean-air", "petition_not_open", None),
            "/en/petitions/clean-air/?result=petition_not_open#sign-error-petition_not_open"
        );
        assert_eq!(
            results::home_page("", "kk", "petition_not_found"),
            "/kk/?result=petition_not_found"
        );
    }

    #[test]
    fn the_withdraw_and_confirm_pages_show_results_like_the_signed_page() {
        assert_eq!(
            results::result_page("/", &withdraw("ru", "x"), "check_email"),
            "/ru/petitions/x/withdraw/?result=check_email#result-check_email"
        );
    }

    #[test]
    fn the_confirm_link_carries_its_token_in_the_query() {
        assert_eq!(
            results::confirm_page("/sub", "kk", "clean-air", "s.x.1"),
            "/sub/kk/petitions/clean-air/confirm/?token=s.x.1"
        );
    }

    #[test]
    fn listings_hold_the_statuses_they_name() {
        assert!(Listing::Open.includes(Status::Open));
        assert!(!Listing::Open.includes(Status::Closed));
        assert!(Listing::Responded.includes(Status::Rejected));
        assert!(Listing::Archive.includes(Status::Removed));
        assert!(!Listing::Archive.includes(Status::Draft));
    }
}
