//! In-place rebuilds for `petitio serve`, fast enough to feel instant on a 10,000-petition site.
//!
//! [`Incremental`] keeps the last successful render's model in memory: the loaded site, the
//! parsed theme, every petition's [`Parts`](petitio_render::Parts) (its listing cards and its
//! entries of the sitemap, open data and manifest) and a fingerprint of every listing and tag
//! page. A change is classified by where it happened ([`Change`]):
//! - petition files only: those petitions are re-read (nothing else is), their own pages and
//!   parts are re-rendered, and of the listing and tag pages only those whose cards or size
//!   changed; site-wide files (home, feeds, sitemap, open data, the worker manifest) are
//!   re-assembled from the parts;
//! - the theme, site templates or static files: the theme is reloaded; when only templates
//!   changed, the pages that read them (through `extends`, `include` and `import`, at any
//!   depth) are re-rendered from the content and parts already in memory, else every page;
//! - anything else (`petitio.toml`, static pages): everything is reloaded and re-rendered.
//!
//! Output is written in place, only files whose bytes changed. A rebuild that fails leaves the
//! output as it was and the model as it was, so the next change starts from memory again
//! (unless writing failed part-way: then the next change rebuilds from disk).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use petitio_model::status::Status;
use petitio_model::urls::{self, Listing};
use petitio_render::output::ChangedFiles;
use petitio_render::sink::Sink;
use petitio_render::{
    load, petition_jobs, BuildOptions, BuildReport, Changed, Error, Job, Parts, PartsCache,
    RenderOptions, Renderer, Theme,
};
use petitio_site::content::{self, Petition, Site, PETITIONS_DIR};
use petitio_site::counts::Counts;
use petitio_site::error::Problem;
use petitio_site::today::today;

/// Folders whose files feed the theme (templates, translations, static assets).
const THEME_FOLDERS: [&str; 3] = ["themes", "templates", "static"];

/// An in-place builder kept in memory by `petitio serve`.
pub struct Incremental {
    output: Output,
    /// What the last successful render used; `None` until one succeeds, and after a failure
    /// that left the output matching no model.
    model: Option<Model>,
}

/// The output folder and what is in it.
struct Output {
    opts: BuildOptions,
    /// Every file the last render produced, relative to `opts.out`.
    produced: BTreeSet<String>,
    /// Writing a render failed part-way: the output matches no model any more.
    damaged: bool,
}

/// The last successful render's inputs and what it computed.
struct Model {
    site: Site,
    counts: Counts,
    theme: Arc<Theme>,
    parts: PartsCache,
    /// Fingerprints of listing and tag pages (see [`Renderer::fingerprint`]).
    fingerprints: HashMap<Job, u64>,
}

/// What a set of changed paths touches.
#[derive(Debug, PartialEq, Eq)]
enum Change {
    /// Only files of these petitions (added, edited or deleted).
    Petitions(HashSet<String>),
    /// The theme, site templates or static files, and perhaps petitions too.
    Theme,
    /// Configuration, static pages or anything unknown.
    Everything,
}

/// A petition as it was before a rebuild replaced it (`None`: it did not exist).
type Undo = Vec<(String, Option<Petition>)>;

impl Incremental {
    /// Renders the whole site into `opts.out` in place.
    pub fn new(opts: BuildOptions) -> Result<(Incremental, BuildReport), Error> {
        let produced = existing_files(&opts.out);
        let mut builder = Incremental {
            output: Output {
                opts,
                produced,
                damaged: false,
            },
            model: None,
        };
        let report = builder.rebuild_everything()?;
        Ok((builder, report))
    }

    /// Re-renders after `changed` paths (absolute, or relative to the root) were modified.
    /// On failure the output is unchanged and so is what the next rebuild starts from.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<BuildReport, Error> {
        let model = self.model.as_ref();
        let change = classify(&self.output.opts.root, changed, |slug, file| {
            let petition = model.and_then(|model| model.site.petition(slug));
            petition.and_then(|p| p.image.as_deref()) == Some(file)
        });
        let result = match (change, self.model.is_some()) {
            (Change::Petitions(slugs), true) => self.rebuild_petitions(slugs),
            (Change::Theme, true) => self.rebuild_theme(),
            _ => self.rebuild_everything(),
        };
        if std::mem::take(&mut self.output.damaged) {
            self.model = None;
        }
        result
    }

    fn rebuild_everything(&mut self) -> Result<BuildReport, Error> {
        let started = Instant::now();
        let loaded = load(&self.output.opts, self.output.opts.drafts)?;
        let theme = Arc::new(Theme::load(&loaded.site)?);
        let (report, parts, fingerprints) =
            self.output
                .render_all(&loaded.site, &loaded.counts, &theme, started)?;
        let mut model = Model {
            site: loaded.site,
            counts: loaded.counts,
            theme,
            parts: PartsCache::new(),
            fingerprints,
        };
        parts.apply(&mut model.parts);
        self.model = Some(model);
        Ok(report)
    }

    /// Reloads the theme. When only templates changed, and not the one the cached cards
    /// come from, re-renders only the pages that read a changed template (an edit of
    /// `petition.html` re-renders the petition pages, nothing else); otherwise every page.
    fn rebuild_theme(&mut self) -> Result<BuildReport, Error> {
        let started = Instant::now();
        let model = self.model.as_mut().expect("checked by rebuild");
        let theme = Arc::new(Theme::load(&model.site)?);
        if let Some(changed) = theme.changed_templates(&model.theme) {
            let renderer = self.output.renderer(
                &model.site,
                &model.counts,
                &theme,
                &model.parts,
                Some(&HashSet::new()),
            )?;
            if let Some(jobs) = renderer.jobs_reading(&changed) {
                let report =
                    self.output
                        .render_and_commit(&renderer, &jobs, Vec::new(), started)?;
                model.theme = theme;
                return Ok(report);
            }
        }
        let (report, parts, fingerprints) =
            self.output
                .render_all(&model.site, &model.counts, &theme, started)?;
        model.theme = theme;
        parts.apply(&mut model.parts);
        model.fingerprints = fingerprints;
        Ok(report)
    }

    /// Re-reads the petitions in `slugs` and re-renders what shows them.
    fn rebuild_petitions(&mut self, slugs: HashSet<String>) -> Result<BuildReport, Error> {
        let started = Instant::now();
        let model = self.model.as_mut().expect("checked by rebuild");
        let reloaded = self.output.reload_petitions(&model.site, &slugs)?;
        let mut changed = Changed {
            slugs,
            tags: HashSet::new(),
        };
        let image_changed = reloaded.iter().any(|(slug, now)| {
            let before = model.site.petition(slug).and_then(|p| p.image.as_ref());
            now.as_ref().and_then(|p| p.image.as_ref()) != before
        });
        let undo = replace_petitions(&mut model.site, reloaded, &mut changed.tags);
        let result = if image_changed {
            // A cover image is a hashed asset every page of the petition links to.
            Theme::load(&model.site).and_then(|theme| {
                let theme = Arc::new(theme);
                let rendered =
                    self.output
                        .render_all(&model.site, &model.counts, &theme, started)?;
                model.theme = theme;
                Ok(rendered)
            })
        } else {
            self.output.render_changes(model, &changed, started)
        };
        match result {
            Ok((report, parts, fingerprints)) => {
                parts.apply(&mut model.parts);
                model.fingerprints = fingerprints;
                Ok(report)
            }
            Err(error) => {
                replace_petitions(&mut model.site, undo, &mut HashSet::new());
                Err(error)
            }
        }
    }
}

/// Puts `petitions` in place of the site's petitions of the same slugs (removing those that
/// are `None`), adds their old and new tags to `tags`, and returns what was there before.
fn replace_petitions(
    site: &mut Site,
    petitions: Vec<(String, Option<Petition>)>,
    tags: &mut HashSet<String>,
) -> Undo {
    let mut undo = Vec::with_capacity(petitions.len());
    for (slug, petition) in petitions {
        let all = &mut site.petitions;
        let position = all.binary_search_by(|p| p.slug.cmp(&slug));
        let before = match (position, petition) {
            (Ok(i), Some(petition)) => Some(std::mem::replace(&mut all[i], petition)),
            (Ok(i), None) => Some(all.remove(i)),
            (Err(i), Some(petition)) => {
                all.insert(i, petition);
                None
            }
            (Err(_), None) => None,
        };
        let now = all
            .binary_search_by(|p| p.slug.cmp(&slug))
            .ok()
            .map(|i| &all[i]);
        tags.extend(
            before
                .iter()
                .chain(now)
                .flat_map(|p| p.tags.iter().cloned()),
        );
        undo.push((slug, before));
    }
    undo
}

/// What a successful render leaves for the next one.
type Rendered = (BuildReport, NewParts, HashMap<Job, u64>);

/// The parts a render made: of every petition, or of the changed ones only (`None`: deleted).
enum NewParts {
    All(PartsCache),
    Of(Vec<(String, Option<Arc<Parts>>)>),
}

impl NewParts {
    fn apply(self, cache: &mut PartsCache) {
        match self {
            NewParts::All(all) => *cache = all,
            NewParts::Of(changed) => {
                for (slug, parts) in changed {
                    match parts {
                        Some(parts) => cache.insert(slug, parts),
                        None => cache.remove(&slug),
                    };
                }
            }
        }
    }
}

impl Output {
    /// Renders every job and removes every earlier file no job produced.
    fn render_all(
        &mut self,
        site: &Site,
        counts: &Counts,
        theme: &Arc<Theme>,
        started: Instant,
    ) -> Result<Rendered, Error> {
        let renderer = self.renderer(site, counts, theme, &PartsCache::new(), None)?;
        let jobs = renderer.all_jobs();
        let stale: Vec<String> = self.produced.iter().cloned().collect();
        let report = self.render_and_commit(&renderer, &jobs, stale, started)?;
        Ok((
            report,
            NewParts::All(renderer.parts_cache()),
            fingerprints(&renderer, &jobs),
        ))
    }

    /// Renders the jobs that show `changed` petitions, except the jobs with a fingerprint
    /// (listing and tag pages, sitemap, feeds, open data, manifest) whose fingerprint is the
    /// same as in `model`: their bytes would be too.
    fn render_changes(
        &mut self,
        model: &Model,
        changed: &Changed,
        started: Instant,
    ) -> Result<Rendered, Error> {
        let renderer = self.renderer(
            &model.site,
            &model.counts,
            &model.theme,
            &model.parts,
            Some(&changed.slugs),
        )?;
        let site_jobs = renderer.site_jobs();
        let new_fingerprints = fingerprints(&renderer, &site_jobs);
        let (mut jobs, kept): (Vec<Job>, Vec<Job>) = site_jobs
            .into_iter()
            .filter(|job| job.shows(changed))
            .partition(|job| match new_fingerprints.get(job) {
                Some(now) => model.fingerprints.get(job) != Some(now),
                None => true,
            });
        for slug in &changed.slugs {
            jobs.extend(
                model
                    .site
                    .petition(slug)
                    .map(petition_jobs)
                    .unwrap_or_default(),
            );
        }
        let kept: HashSet<String> = kept.iter().filter_map(Job::single_output).collect();
        let stale: Vec<String> =
            owned_by_changes(&self.produced, changed, &model.site.config.languages)
                .filter(|path| !kept.contains(*path))
                .cloned()
                .collect();
        let report = self.render_and_commit(&renderer, &jobs, stale, started)?;
        let parts = changed
            .slugs
            .iter()
            .map(|slug| (slug.clone(), renderer.parts_of(slug)))
            .collect();
        Ok((report, NewParts::Of(parts), new_fingerprints))
    }

    /// The petitions in `slugs` as they are on disk now (`None`: deleted, or a draft when
    /// drafts are not built). Every problem of every one of them is reported at once.
    fn reload_petitions(
        &self,
        site: &Site,
        slugs: &HashSet<String>,
    ) -> Result<Vec<(String, Option<Petition>)>, Error> {
        let petitions_dir = self.opts.root.join(PETITIONS_DIR);
        let loading = content::Loading {
            root: &self.opts.root,
            folders: &site.folders,
            config: &site.config,
            today: today(site.config.utc_offset)?,
        };
        let mut problems: Vec<Problem> = Vec::new();
        let mut reloaded = Vec::new();
        for slug in slugs {
            let folder = petitions_dir.join(slug);
            if !folder.is_dir() {
                reloaded.push((slug.clone(), None));
                continue;
            }
            match content::petition::load(&loading, &folder)? {
                Ok(petition) if petition.status == Status::Draft && !self.opts.drafts => {
                    reloaded.push((slug.clone(), None))
                }
                Ok(petition) => reloaded.push((slug.clone(), Some(petition))),
                Err(found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            content::sort_problems(&mut problems);
            return Err(Error::content(problems));
        }
        Ok(reloaded)
    }

    fn renderer<'s>(
        &self,
        site: &'s Site,
        counts: &Counts,
        theme: &Arc<Theme>,
        previous: &PartsCache,
        rerender: Option<&HashSet<String>>,
    ) -> Result<Renderer<'s>, Error> {
        let options = RenderOptions {
            extra_body_scripts: self.opts.extra_body_scripts.clone(),
            ..RenderOptions::new(counts.clone())
        };
        Renderer::with_theme(site, Arc::clone(theme), options, previous, rerender)
    }

    /// Renders `jobs`, writes the files whose bytes changed, removes the `stale` files no job
    /// produced, and records what exists now. Nothing is written unless every job rendered.
    fn render_and_commit(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: &[Job],
        stale: Vec<String>,
        started: Instant,
    ) -> Result<BuildReport, Error> {
        let sink = ChangedFiles::new(&self.opts.out);
        renderer.render(jobs, &sink)?;
        let mut stale = stale;
        if let Some(indexer) = &self.opts.indexer {
            // The index is made whole again on every rebuild (BENCHMARKS.md: its cost);
            // only files whose bytes changed are written, and those it no longer has go.
            let index_dir = urls::SEARCH_INDEX_DIR;
            stale.extend(
                self.produced
                    .range(index_dir.to_owned()..)
                    .take_while(|path| path.starts_with(index_dir))
                    .cloned(),
            );
            for (path, bytes) in renderer.search_index(indexer.as_ref())? {
                sink.put(&path, bytes)?;
            }
        }
        let (written, produced) = sink.commit(stale.iter().cloned()).inspect_err(|_| {
            self.damaged = true;
        })?;
        for path in &stale {
            self.produced.remove(path);
        }
        self.produced.extend(produced);
        Ok(BuildReport::new(written, started))
    }
}

fn fingerprints(renderer: &Renderer<'_>, jobs: &[Job]) -> HashMap<Job, u64> {
    jobs.iter()
        .filter_map(|job| Some((job.clone(), renderer.fingerprint(job)?)))
        .collect()
}

/// Where `changed` paths are: in petition folders only, in theme folders (or a petition's
/// cover image, as `is_cover_image(slug, file name)` tells) only, or elsewhere. Petition
/// Markdown and theme files changed together count as everything: neither partial rebuild
/// would take in both. Another file in a petition folder (an editor's probe file, a picture
/// not used yet) re-reads that petition, which is cheap.
fn classify(
    root: &Path,
    changed: &[PathBuf],
    is_cover_image: impl Fn(&str, &str) -> bool,
) -> Change {
    let petitions_dir = root.join(PETITIONS_DIR);
    let mut slugs = HashSet::new();
    let mut theme = false;
    for path in changed {
        let absolute = if path.is_absolute() {
            path.clone()
        } else {
            root.join(path)
        };
        if let Ok(relative) = absolute.strip_prefix(&petitions_dir) {
            let mut parts = relative.components();
            let slug = parts.next().and_then(|part| part.as_os_str().to_str());
            let Some(slug) = slug else {
                return Change::Everything;
            };
            let file = parts.next().and_then(|part| part.as_os_str().to_str());
            match (file, parts.next()) {
                // A cover image is an asset, hashed into every page's link to it.
                (Some(file), None) if is_cover_image(slug, file) => theme = true,
                (_, None) => {
                    slugs.insert(slug.to_owned());
                }
                _ => return Change::Everything,
            }
        } else if THEME_FOLDERS
            .iter()
            .any(|folder| absolute.starts_with(root.join(folder)))
        {
            theme = true;
        } else {
            return Change::Everything;
        }
    }
    match (theme, slugs.is_empty()) {
        (true, true) => Change::Theme,
        (true, false) => Change::Everything,
        (false, _) => Change::Petitions(slugs),
    }
}

/// The files of the previous render that re-rendered jobs own, and which are stale unless
/// rendered again: the changed petitions' pages and data, the pages of their tags, the
/// further pages of listings (their number may shrink) and the assets. Found by prefix in
/// the sorted set, not by walking the whole output.
fn owned_by_changes<'a>(
    produced: &'a BTreeSet<String>,
    changed: &'a Changed,
    languages: &'a [String],
) -> impl Iterator<Item = &'a String> + 'a {
    let mut prefixes = vec![format!("{}/", urls::ASSETS_DIR)];
    for lang in languages {
        prefixes.extend(changed.slugs.iter().map(|slug| urls::petition(lang, slug)));
        prefixes.extend(changed.tags.iter().map(|tag| urls::tag(lang, tag, 1)));
        prefixes.extend(
            Listing::ALL
                .iter()
                .map(|listing| urls::listing_pages(lang, *listing)),
        );
    }
    prefixes.extend(changed.slugs.iter().map(|slug| urls::data_petition(slug)));
    prefixes.into_iter().flat_map(move |prefix| {
        produced
            .range(prefix.clone()..)
            .take_while(move |path| path.starts_with(&prefix))
    })
}

fn existing_files(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| petitio_site::confine::display_path(out, entry.path()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_paths(paths: &[&str]) -> Change {
        let root = Path::new("/site");
        let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, &paths, |slug, file| {
            (slug, file) == ("bus-lanes", "cover.jpg")
        })
    }

    fn slugs(names: &[&str]) -> Change {
        Change::Petitions(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn petition_markdown_and_folders_are_petition_changes() {
        assert_eq!(
            classify_paths(&[
                "content/petitions/clean-air/index.kk.md",
                "content/petitions/bus-lanes",
            ]),
            slugs(&["clean-air", "bus-lanes"])
        );
        // Vim's probe file, or a picture no petition uses yet: re-read, nothing more.
        assert_eq!(
            classify_paths(&[
                "content/petitions/clean-air/4913",
                "content/petitions/clean-air/cover.jpg",
            ]),
            slugs(&["clean-air"])
        );
    }

    #[test]
    fn a_cover_image_or_a_theme_file_reloads_the_theme() {
        assert_eq!(
            classify_paths(&["content/petitions/bus-lanes/cover.jpg"]),
            Change::Theme
        );
        assert_eq!(classify_paths(&["static/logo.svg"]), Change::Theme);
    }

    #[test]
    fn petition_markdown_and_theme_files_together_reload_everything() {
        for theme_file in [
            "themes/default/templates/petition.html",
            "content/petitions/bus-lanes/cover.jpg",
        ] {
            assert_eq!(
                classify_paths(&[theme_file, "content/petitions/clean-air/index.kk.md"]),
                Change::Everything,
                "{theme_file}"
            );
        }
    }

    #[test]
    fn config_pages_and_the_petitions_folder_itself_reload_everything() {
        for path in [
            "petitio.toml",
            "content/pages/about.kk.md",
            "content/petitions",
        ] {
            assert_eq!(classify_paths(&[path]), Change::Everything, "{path}");
        }
        assert_eq!(
            classify_paths(&["content/petitions/clean-air/index.kk.md", "petitio.toml"]),
            Change::Everything
        );
    }
}
