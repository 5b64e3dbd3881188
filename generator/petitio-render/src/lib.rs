//! Rendering the site model into files: the theme (templates, i18n, assets), the jobs
//! (one per page or generated file) and the [`Renderer`] that renders them in parallel into
//! a [`Sink`] (a folder, `petitio serve`'s changed files, the link checker, a bundle), in a
//! [`UrlMode`] chosen at render time; the pages, feeds, open data and hosting files; the
//! atomic build, the bundle for copies and the "we moved" site.
//!
//! This root only declares the modules and re-exports what other crates use; each module
//! imports from the module that owns an item.

pub mod assets;
pub mod build;
pub mod bundle;
mod data;
pub mod error;
pub mod escape;
mod feeds;
pub(crate) mod hosting;
pub mod i18n;
pub mod indexer;
pub mod jobs;
pub mod links;
pub mod moved;
pub mod output;
mod pages;
mod plurals;
pub mod renderer;
pub mod sink;
pub mod templates;
pub mod theme;
pub mod url_mode;
pub mod where_readers;

pub use build::{build, check, load, BuildOptions, BuildReport, CheckReport, Loaded};
pub use error::Error;
pub use escape::escape_html;
pub use indexer::Indexer;
pub use jobs::{petition_jobs, Changed, Job};
pub use renderer::{Parts, PartsCache, RenderOptions, Renderer};
pub use sink::Sink;
pub use theme::Theme;
pub use url_mode::UrlMode;
