//! How a render writes the site's internal links, chosen at render time ([`UrlMode`]).
//!
//! A normal build links root-relatively under the base path (`/sub/kk/open/`): the same
//! `dist/` serves from any domain at that path. A volunteer's copy (`petitio build
//! --bundle`) may sit on any domain *and in any folder*, so the bundle is rendered a second
//! time with page-relative links (`../../kk/open/`, computed from each page's own depth),
//! and the signature API on the main site's origin (a copy has none of its own): the form
//! posts there and the pages' CSP allows it.
//!
//! Templates call `url()` and `asset()` without knowing the page they are in; the renderer
//! says which page it renders ([`at_page`]) for the duration of that one render call, on
//! that thread, and the two helpers read it back ([`link_from_current_page`]).
//!
//! Absolute URLs (canonical links, Open Graph, feeds, sitemap) and the open data (which
//! documents root-relative links) are the same in both modes.

use std::cell::Cell;

use petitio_site::api_endpoints::origin_of;
use petitio_site::config::Config;

use crate::where_readers::NoteReaders;

/// How internal links are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlMode {
    /// `/sub/kk/open/`: under the base path, from the site's root (a normal build).
    RootRelative,
    /// `../open/`: from the page that links (a bundle for copies anywhere).
    PageRelative,
}

/// Where the links of one page start from: `None` under the base path, or the number of
/// folders the page is deep (`kk/open/index.html`: 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageAt(Option<usize>);

impl PageAt {
    /// Pages of a root-relative render.
    pub const ROOT: PageAt = PageAt(None);

    /// A page `depth` folders deep, in a page-relative render.
    pub fn depth(depth: usize) -> PageAt {
        PageAt(Some(depth))
    }
}

/// The links of one render: its mode, the base path and where the API is.
#[derive(Debug, Clone)]
pub struct Linker {
    mode: UrlMode,
    base_path: String,
    /// The API endpoints as this render's pages reach them, in order (never empty).
    api_endpoints: Vec<String>,
    /// The origins of those reached on another origin, each once, in order.
    api_origins: Vec<String>,
    /// The Turnstile widget's origin, when the site renders it.
    turnstile_origin: Option<String>,
    /// Where pages look for the "where we are now" note, when they follow one.
    note_readers: Option<NoteReaders>,
}

impl Linker {
    pub fn new(config: &Config, mode: UrlMode) -> Linker {
        let api_endpoints: Vec<String> = config
            .api_endpoints
            .all()
            .iter()
            .map(|endpoint| match (mode, origin_of(endpoint)) {
                (_, Some(_)) | (UrlMode::RootRelative, None) => endpoint.clone(),
                // A copy has no API: its pages sign on the main site.
                (UrlMode::PageRelative, None) => format!("{}{endpoint}", config.origin()),
            })
            .collect();
        let mut api_origins: Vec<String> = Vec::new();
        for origin in api_endpoints.iter().filter_map(|e| origin_of(e)) {
            if !api_origins.contains(&origin) {
                api_origins.push(origin);
            }
        }
        Linker {
            mode,
            base_path: config.base_path.clone(),
            note_readers: NoteReaders::new(config, &api_endpoints),
            api_endpoints,
            api_origins,
            turnstile_origin: config.turnstile.as_ref().map(|t| t.origin.clone()),
        }
    }

    pub fn mode(&self) -> UrlMode {
        self.mode
    }

    /// Where the links of the page at `path` (a folder ending in `/`, or a file) start.
    pub fn at(&self, path: &str) -> PageAt {
        match self.mode {
            UrlMode::RootRelative => PageAt::ROOT,
            UrlMode::PageRelative => PageAt::depth(urls_depth(path)),
        }
    }

    /// The URL of `target` (a path relative to the site root) in a page at `from`.
    pub fn url(&self, from: PageAt, target: &str) -> String {
        link(&self.base_path, from, target)
    }

    /// The path every rule of `_headers` starts with: the base path, or the copy's root.
    pub fn host_base(&self) -> &str {
        match self.mode {
            UrlMode::RootRelative => &self.base_path,
            UrlMode::PageRelative => "/",
        }
    }

    /// The signature API's first endpoint, without a trailing slash: where the no-JS form
    /// posts.
    pub fn api_url(&self) -> &str {
        &self.api_endpoints[0]
    }

    /// Every API endpoint as pages reach it, in the order they try them.
    pub fn api_endpoints(&self) -> &[String] {
        &self.api_endpoints
    }

    /// The origins of the endpoints pages reach on another origin (the CSP must allow
    /// each), in order, each once.
    pub fn api_origins(&self) -> &[String] {
        &self.api_origins
    }

    /// What pages need to follow the "where we are now" note; `None` without a log key.
    pub fn note_readers(&self) -> Option<&NoteReaders> {
        self.note_readers.as_ref()
    }

    /// The origin of the Turnstile widget's script and frame, when the site renders it.
    pub fn turnstile_origin(&self) -> Option<&str> {
        self.turnstile_origin.as_deref()
    }
}

/// How many folders deep the file a path is written to sits.
fn urls_depth(path: &str) -> usize {
    petitio_model::urls::file_of(path).matches('/').count()
}

/// `target` (relative to the site root) as linked from a page at `from`.
fn link(base_path: &str, from: PageAt, target: &str) -> String {
    let target = target.trim_start_matches('/');
    match from.0 {
        None => format!("{base_path}{target}"),
        Some(0) if target.is_empty() => "./".to_owned(),
        Some(0) if target.starts_with(['?', '#']) => format!("./{target}"),
        Some(depth) => format!("{}{target}", "../".repeat(depth)),
    }
}

thread_local! {
    /// The page the template helpers of this thread are rendering for.
    static CURRENT_PAGE: Cell<PageAt> = const { Cell::new(PageAt::ROOT) };
}

/// Runs `render` with `url()` and `asset()` linking from a page at `from`.
pub fn at_page<T>(from: PageAt, render: impl FnOnce() -> T) -> T {
    let before = CURRENT_PAGE.replace(from);
    let rendered = render();
    CURRENT_PAGE.set(before);
    rendered
}

/// `target` as linked from the page being rendered on this thread (see [`at_page`]).
pub fn link_from_current_page(base_path: &str, target: &str) -> String {
    link(base_path, CURRENT_PAGE.get(), target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_urls_become_page_relative_by_depth() {
        let link = |depth, target| link("/sub/", PageAt::depth(depth), target);
        assert_eq!(link(0, "assets/site.css"), "assets/site.css");
        assert_eq!(link(3, "assets/site.css"), "../../../assets/site.css");
        assert_eq!(link(1, "en/open/"), "../en/open/");
        assert_eq!(link(0, ""), "./");
        assert_eq!(link(2, ""), "../../");
        assert_eq!(link(0, "?result=x"), "./?result=x");
    }

    #[test]
    fn root_relative_urls_start_with_the_base_path() {
        assert_eq!(link("/sub/", PageAt::ROOT, "/kk/"), "/sub/kk/");
        assert_eq!(link("/", PageAt::ROOT, "kk/open/"), "/kk/open/");
    }

    #[test]
    fn a_page_is_as_deep_as_the_folders_of_its_file() {
        let config = Config::parse(
            "base_url = \"https://a.example/sub/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let linker = Linker::new(&config, UrlMode::PageRelative);
        assert_eq!(linker.at(""), PageAt::depth(0));
        assert_eq!(linker.at("404.html"), PageAt::depth(0));
        assert_eq!(linker.at("kk/petitions/x/"), PageAt::depth(3));
        assert_eq!(linker.at("kk/petitions/x/badge.svg"), PageAt::depth(3));
        assert_eq!(
            Linker::new(&config, UrlMode::RootRelative).at("kk/"),
            PageAt::ROOT
        );
    }

    #[test]
    fn a_copy_signs_on_the_main_site() {
        let config = |api: &str| {
            Config::parse(
                &format!("base_url = \"https://a.example/sub/\"\napi_url = \"{api}\"\n[title]\nkk = \"T\"\n"),
                None,
            )
            .unwrap()
        };
        let copy = Linker::new(&config("/api"), UrlMode::PageRelative);
        assert_eq!(copy.api_url(), "https://a.example/api");
        assert_eq!(copy.api_origins(), ["https://a.example"]);
        assert_eq!(copy.host_base(), "/");
        let main = Linker::new(&config("/api"), UrlMode::RootRelative);
        assert_eq!(main.api_url(), "/api");
        assert!(main.api_origins().is_empty());
        assert_eq!(main.host_base(), "/sub/");
        let separate = Linker::new(&config("https://api.example/api"), UrlMode::PageRelative);
        assert_eq!(separate.api_url(), "https://api.example/api");
        assert_eq!(separate.api_origins(), ["https://api.example"]);
    }

    #[test]
    fn every_endpoint_is_reached_in_order_and_each_origin_listed_once() {
        let config = Config::parse(
            "base_url = \"https://a.example/\"\napi_endpoints = [\"/api\", \"https://w.example/api\", \"https://w.example/v2\", \"https://b.example/api\"]\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let main = Linker::new(&config, UrlMode::RootRelative);
        assert_eq!(
            main.api_endpoints(),
            [
                "/api",
                "https://w.example/api",
                "https://w.example/v2",
                "https://b.example/api"
            ]
        );
        assert_eq!(
            main.api_origins(),
            ["https://w.example", "https://b.example"]
        );
        let copy = Linker::new(&config, UrlMode::PageRelative);
        assert_eq!(copy.api_endpoints()[0], "https://a.example/api");
        assert_eq!(
            copy.api_origins(),
            [
                "https://a.example",
                "https://w.example",
                "https://b.example"
            ]
        );
    }

    #[test]
    fn helpers_link_from_the_page_being_rendered_until_it_is_done() {
        let inside = at_page(PageAt::depth(2), || {
            link_from_current_page("/sub/", "assets/a.css")
        });
        assert_eq!(inside, "../../assets/a.css");
        assert_eq!(
            link_from_current_page("/sub/", "assets/a.css"),
            "/sub/assets/a.css"
        );
    }
}
