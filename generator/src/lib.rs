//! Petitio: a static site generator for petition sites that must survive blocking.
//!
//! The library is what the `petitio` binary and `petitio serve` call: [`build`] (atomic),
//! [`check`] (validate everything, write nothing) and [`Incremental`] (in-place rebuilds that
//! re-render only what a change affects). See ARCHITECTURE.md for the module map.

pub mod bundle;
pub mod config;
pub mod confine;
pub mod content;
pub mod counts;
pub mod error;
mod incremental;
pub mod links;
pub mod output;
pub mod regions;
pub mod relocate;
pub mod render;
pub mod serve;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use error::{Error, Problem};
pub use incremental::Incremental;

use config::Config;
use content::Site;
use counts::Counts;
use output::{build_atomically, FolderSink, Written};
use render::Renderer;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Project root (has petitio.toml, content/, themes/).
    pub root: PathBuf,
    /// Output folder, usually `<root>/dist`.
    pub out: PathBuf,
    /// Replaces `base_url` of petitio.toml (`--base-url`).
    pub base_url: Option<String>,
    /// Include petitions with `status = "draft"`.
    pub drafts: bool,
    /// JSON counts file: `{"slug": n}` or `{"slug": {"count": n, "by_region": {...}}}`.
    pub counts: Option<PathBuf>,
    /// Root-relative script URLs added before `</body>` of every page (live reload in serve).
    pub extra_body_scripts: Vec<String>,
}

impl BuildOptions {
    /// Options for building `root` into `<root>/dist` with nothing else changed.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        let root = root.into();
        BuildOptions {
            out: root.join("dist"),
            root,
            base_url: None,
            drafts: false,
            counts: None,
            extra_body_scripts: Vec::new(),
        }
    }
}

/// What a build or rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages_written: usize,
    /// All files written (pages included).
    pub files_written: usize,
    /// Files rendered but left alone because their bytes had not changed (in-place builds).
    pub files_unchanged: usize,
    pub elapsed: Duration,
    /// Warnings about the content (the build went on): the caller prints them.
    pub warnings: Vec<Problem>,
}

impl BuildReport {
    pub(crate) fn new(written: Written, started: Instant) -> BuildReport {
        BuildReport {
            pages_written: written.pages,
            files_written: written.files,
            files_unchanged: written.unchanged,
            elapsed: started.elapsed(),
            warnings: Vec::new(),
        }
    }
}

/// What `check` looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub petitions: usize,
    pub pages: usize,
    /// Rendered files whose internal links and anchors were checked.
    pub files_checked: usize,
    /// Warnings about the content (nothing wrong enough to fail): the caller prints them.
    pub warnings: Vec<Problem>,
}

/// Everything a render needs, loaded from disk.
pub(crate) struct Loaded {
    site: Site,
    counts: Counts,
}

pub(crate) fn load(opts: &BuildOptions, drafts: bool) -> Result<Loaded, Error> {
    let config = Config::load(&opts.root, opts.base_url.as_deref())?;
    let site = Site::load(&opts.root, config, drafts)?;
    let counts = match &opts.counts {
        Some(path) => Counts::load(path)?,
        None => Counts::default(),
    };
    Ok(Loaded { site, counts })
}

/// Builds the site into `opts.out` atomically: a failed build leaves the previous output intact.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let loaded = load(opts, opts.drafts)?;
    let renderer = Renderer::new(
        &loaded.site,
        loaded.counts.clone(),
        opts.extra_body_scripts.clone(),
    )?;
    let jobs = renderer.all_jobs();
    let written = build_atomically(&opts.out, |dir| {
        let sink = FolderSink::new(dir);
        renderer.render(&jobs, &sink)?;
        Ok(sink.written())
    })?;
    let mut report = BuildReport::new(written, started);
    report.warnings = loaded.site.warnings.clone();
    Ok(report)
}

/// Validates all content (drafts included) and every internal link and anchor of the rendered
/// site, writing nothing. Reports every problem found.
pub fn check(root: &Path) -> Result<CheckReport, Error> {
    let opts = BuildOptions::new(root);
    let loaded = load(&opts, true)?;
    let renderer = Renderer::new(&loaded.site, loaded.counts.clone(), Vec::new())?;
    let jobs = renderer.all_jobs();
    let collector = links::LinkCollector::new(&loaded.site.config.base_path);
    renderer.render(&jobs, &collector)?;
    let files_checked = jobs.len();
    let problems = collector.problems();
    if !problems.is_empty() {
        return Err(Error::Content(problems));
    }
    Ok(CheckReport {
        petitions: loaded.site.petitions.len(),
        pages: loaded.site.pages.len(),
        files_checked,
        warnings: loaded.site.warnings.clone(),
    })
}
