//! Petitio: a static site generator for petition sites that must survive blocking.
//!
//! The library is what the `petitio` binary and `petitio serve` call: [`build`] (atomic),
//! [`check`] (validate everything, write nothing) and [`Incremental`] (in-place rebuilds that
//! re-render only what a change affects). See ARCHITECTURE.md for the module map.

pub mod bundle;
pub mod config;
pub mod content;
pub mod counts;
pub mod error;
pub mod links;
pub mod output;
pub mod regions;
pub mod relocate;
pub mod render;
pub mod serve;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use error::Error;

use config::Config;
use content::{Site, PETITIONS_DIR};
use counts::Counts;
use output::{build_atomically, ChangedFiles, FolderSink, Written};
use render::{all_jobs, Changed, Job, Renderer};

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
}

impl BuildReport {
    fn new(written: Written, started: Instant) -> BuildReport {
        BuildReport {
            pages_written: written.pages,
            files_written: written.files,
            files_unchanged: written.unchanged,
            elapsed: started.elapsed(),
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
}

/// Everything a render needs, loaded from disk.
struct Loaded {
    site: Site,
    counts: Counts,
}

fn load(opts: &BuildOptions, drafts: bool) -> Result<Loaded, Error> {
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
    let jobs = all_jobs(&loaded.site);
    let written = build_atomically(&opts.out, |dir| {
        let sink = FolderSink::new(dir);
        renderer.render(&jobs, &sink)?;
        Ok(sink.written())
    })?;
    Ok(BuildReport::new(written, started))
}

/// Validates all content (drafts included) and every internal link and anchor of the rendered
/// site, writing nothing. Reports every problem found.
pub fn check(root: &Path) -> Result<CheckReport, Error> {
    let opts = BuildOptions::new(root);
    let loaded = load(&opts, true)?;
    let renderer = Renderer::new(&loaded.site, loaded.counts.clone(), Vec::new())?;
    let jobs = all_jobs(&loaded.site);
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
    })
}

/// An in-place builder kept in memory by `petitio serve`.
///
/// It renders into `opts.out` directly, writing only files whose bytes changed, and on
/// [`Incremental::rebuild`] re-renders only the pages that show what changed: one petition's
/// edit re-renders that petition's pages and data, and the listings, feeds, tag pages and
/// indexes that include it; any other change (config, templates, i18n, static files, pages)
/// re-renders everything. A failed rebuild leaves `opts.out` unchanged.
pub struct Incremental {
    opts: BuildOptions,
    /// Every file the last render produced, relative to `opts.out`.
    produced: BTreeSet<String>,
    /// Tags of each petition at the last render, to know which tag pages a change touches.
    tags_by_slug: std::collections::HashMap<String, Vec<String>>,
}

impl Incremental {
    /// Renders the whole site into `opts.out` in place.
    pub fn new(opts: BuildOptions) -> Result<(Incremental, BuildReport), Error> {
        let existing = existing_files(&opts.out);
        let mut builder = Incremental {
            opts,
            produced: existing,
            tags_by_slug: Default::default(),
        };
        let report = builder.render(None)?;
        Ok((builder, report))
    }

    /// Re-renders after `changed` paths (absolute, or relative to the root) were modified.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<BuildReport, Error> {
        let slugs = changed_petitions(&self.opts.root, changed);
        self.render(slugs)
    }

    fn render(&mut self, slugs: Option<HashSet<String>>) -> Result<BuildReport, Error> {
        let started = Instant::now();
        let loaded = load(&self.opts, self.opts.drafts)?;
        let renderer = Renderer::new(
            &loaded.site,
            loaded.counts.clone(),
            self.opts.extra_body_scripts.clone(),
        )?;
        let mut jobs = all_jobs(&loaded.site);
        let sink = ChangedFiles::new(&self.opts.out);
        let stale: Vec<String> = match slugs {
            None => self.produced.iter().cloned().collect(),
            Some(slugs) => {
                let mut changed = Changed {
                    slugs,
                    tags: HashSet::new(),
                };
                for slug in &changed.slugs {
                    let now = loaded
                        .site
                        .petition(slug)
                        .map(|p| p.tags.clone())
                        .unwrap_or_default();
                    let before = self.tags_by_slug.get(slug).cloned().unwrap_or_default();
                    changed.tags.extend(now.into_iter().chain(before));
                }
                jobs.retain(|job: &Job| job.shows(&changed));
                self.produced
                    .iter()
                    .filter(|path| owned_by_changes(path, &changed))
                    .cloned()
                    .collect()
            }
        };
        renderer.render(&jobs, &sink)?;
        let (written, produced) = sink.commit(stale.iter().cloned())?;
        let stale: HashSet<String> = stale.into_iter().collect();
        self.produced.retain(|path| !stale.contains(path));
        self.produced.extend(produced);
        self.tags_by_slug = loaded
            .site
            .petitions
            .iter()
            .map(|p| (p.slug.clone(), p.tags.clone()))
            .collect();
        Ok(BuildReport::new(written, started))
    }
}

/// The slugs of petitions touched by `changed`, or `None` when something else changed too
/// (then everything is re-rendered).
fn changed_petitions(root: &Path, changed: &[PathBuf]) -> Option<HashSet<String>> {
    let petitions_dir = root.join(PETITIONS_DIR);
    let mut slugs = HashSet::new();
    for path in changed {
        let absolute = if path.is_absolute() {
            path.clone()
        } else {
            root.join(path)
        };
        let relative = absolute.strip_prefix(&petitions_dir).ok()?;
        let slug = relative.components().next()?.as_os_str().to_str()?;
        slugs.insert(slug.to_owned());
    }
    Some(slugs)
}

/// Whether a file from the previous render belongs to a re-rendered job and may be stale.
fn owned_by_changes(path: &str, changed: &Changed) -> bool {
    let mut segments = path.split('/');
    let (first, second, third) = (segments.next(), segments.next(), segments.next());
    match (first, second, third) {
        (Some("assets"), _, _) => true,
        (Some("data"), Some("petitions"), Some(file)) => {
            changed.slugs.iter().any(|s| file == format!("{s}.json"))
        }
        (Some(_lang), Some("petitions"), Some(slug)) => changed.slugs.contains(slug),
        (Some(_lang), Some("tags"), Some(tag)) => changed.tags.contains(tag),
        (Some(_lang), Some(_listing), Some("page")) => true,
        _ => false,
    }
}

fn existing_files(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| content::display_path(out, entry.path()))
        .collect()
}
