//! What the `petitio` binary and `petitio serve` call: [`build`] (atomic, with the bundle
//! for copies when asked), [`check`] (validate everything, write nothing), and [`load`], the
//! sources a render starts from.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use petitio_model::log_key::VerifierKey;
use petitio_site::config::Config;
use petitio_site::content::Site;
use petitio_site::counts::Counts;
use petitio_site::error::Problem;

use crate::bundle::{self, BundleReport};
use crate::error::Error;
use crate::indexer::Indexer;
use crate::links;
use crate::output::{build_atomically, FolderSink, Written};
use crate::renderer::{PartsCache, RenderOptions, Renderer};
use crate::sink::Sink;
use crate::theme::Theme;

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
    /// Also write `<out>.tar.gz` and `<out>.zip`: the site rendered with page-relative links
    /// for copies on any domain or folder (`--bundle`).
    pub bundle: bool,
    /// Writes the search index into the output (`petitio-search`'s Pagefind indexer, which
    /// the binary passes); `None` builds no index (the search pages then offer the listings).
    pub indexer: Option<Arc<dyn Indexer>>,
    /// Replaces `[log] key` of petitio.toml: `petitio serve` publishes the public half of
    /// its local log key, the one that signs there.
    pub log_key: Option<VerifierKey>,
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
            bundle: false,
            indexer: None,
            log_key: None,
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
    /// Until the output was complete (the bundle, if any, is made after).
    pub elapsed: Duration,
    /// Warnings about the content (the build went on): the caller prints them.
    pub warnings: Vec<Problem>,
    /// The archives, when `BuildOptions::bundle` asked for them.
    pub bundle: Option<BundleReport>,
}

impl BuildReport {
    pub fn new(written: Written, started: Instant) -> BuildReport {
        BuildReport {
            pages_written: written.pages,
            files_written: written.files,
            files_unchanged: written.unchanged,
            elapsed: started.elapsed(),
            warnings: Vec::new(),
            bundle: None,
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
pub struct Loaded {
    pub site: Site,
    pub counts: Counts,
}

pub fn load(opts: &BuildOptions, drafts: bool) -> Result<Loaded, Error> {
    let mut config = Config::load(&opts.root, opts.base_url.as_deref())?;
    if let Some(key) = &opts.log_key {
        config.log_key = Some(key.clone());
        config.log_key_is_local = true;
    }
    let site = Site::load(&opts.root, config, drafts)?;
    let counts = match &opts.counts {
        Some(path) => Counts::load(path)?,
        None => Counts::default(),
    };
    Ok(Loaded { site, counts })
}

/// Builds the site into `opts.out` atomically: a failed build leaves the previous output
/// intact. With `opts.bundle`, then renders it again with page-relative links into the
/// archives beside `opts.out`.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let started = Instant::now();
    if opts.bundle {
        // Fail on an unusable archive name before building anything.
        bundle::bundle_paths(&opts.out)?;
    }
    let loaded = load(opts, opts.drafts)?;
    let theme = Arc::new(Theme::load(&loaded.site)?);
    let options = RenderOptions {
        extra_body_scripts: opts.extra_body_scripts.clone(),
        ..RenderOptions::new(loaded.counts.clone())
    };
    let renderer = Renderer::with_theme(
        &loaded.site,
        Arc::clone(&theme),
        options,
        &PartsCache::new(),
        None,
    )?;
    let jobs = renderer.all_jobs();
    let written = build_atomically(&opts.out, |dir| {
        let sink = FolderSink::new(dir);
        renderer.render(&jobs, &sink)?;
        if let Some(indexer) = &opts.indexer {
            for (path, bytes) in renderer.search_index(indexer.as_ref())? {
                sink.put(&path, bytes)?;
            }
        }
        Ok(sink.written())
    })?;
    let mut report = BuildReport::new(written, started);
    report.warnings = loaded.site.warnings.clone();
    if opts.bundle {
        report.bundle = Some(bundle::write_bundles(
            &loaded.site,
            theme,
            loaded.counts,
            &opts.out,
        )?);
    }
    Ok(report)
}

/// Validates all content (drafts included) and every internal link and anchor of the rendered
/// site, writing nothing. Reports every problem found.
pub fn check(root: &Path) -> Result<CheckReport, Error> {
    let opts = BuildOptions::new(root);
    let loaded = load(&opts, true)?;
    let renderer = Renderer::new(&loaded.site, RenderOptions::new(loaded.counts.clone()))?;
    let jobs = renderer.all_jobs();
    let collector = links::LinkCollector::new(&loaded.site.config.base_path);
    renderer.render(&jobs, &collector)?;
    let files_checked = jobs.len();
    let problems = collector.problems();
    if !problems.is_empty() {
        return Err(Error::content(problems));
    }
    Ok(CheckReport {
        petitions: loaded.site.petitions.len(),
        pages: loaded.site.pages.len(),
        files_checked,
        warnings: loaded.site.warnings.clone(),
    })
}
