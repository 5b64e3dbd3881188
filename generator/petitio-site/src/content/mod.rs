//! Reading `content/`: petitions and static pages into the site model every renderer shares.
//!
//! Loading collects every problem from every file (in parallel) before giving up, so one
//! `petitio check` lists everything wrong. Markdown is rendered here, once per file, so the
//! renderers only ever handle finished HTML.

pub mod frontmatter;
pub mod page;
pub mod petition;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Error, IoAction, Problem, ProblemKind};
pub use page::Page;
use petitio_model::status::Status;
pub use petition::{Petition, Translation};

pub const PETITIONS_DIR: &str = "content/petitions";
pub const PAGES_DIR: &str = "content/pages";

/// Everything the site shows: configuration, petitions (sorted by slug) and static pages.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub petitions: Vec<Petition>,
    pub pages: Vec<Page>,
}

impl Site {
    /// Loads the whole site under `root`. Drafts are kept only when `drafts` is true.
    pub fn load(root: &Path, config: Config, drafts: bool) -> Result<Site, Error> {
        let mut problems = Vec::new();
        let mut petitions = load_petitions(root, &config, &mut problems)?;
        let pages = page::load_all(root, &config, &mut problems)?;
        if !problems.is_empty() {
            problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            return Err(Error::Content(problems));
        }
        if !drafts {
            petitions.retain(|p| p.status != Status::Draft);
        }
        Ok(Site {
            root: root.to_path_buf(),
            config,
            petitions,
            pages,
        })
    }

    pub fn petition(&self, slug: &str) -> Option<&Petition> {
        self.petitions
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.petitions[i])
    }
}

fn load_petitions(
    root: &Path,
    config: &Config,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Petition>, Error> {
    let folders = list_dir(&root.join(PETITIONS_DIR))?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect::<Vec<_>>();
    let results: Vec<Result<Result<Petition, Vec<Problem>>, Error>> = folders
        .par_iter()
        .map(|folder| petition::load(root, folder, config))
        .collect();
    let mut petitions = Vec::with_capacity(results.len());
    for result in results {
        match result? {
            Ok(petition) => petitions.push(petition),
            Err(found) => problems.extend(found),
        }
    }
    petitions.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(petitions)
}

/// Sorted entries of `dir`; a missing folder is empty.
pub fn list_dir(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(IoAction::Read, dir, e)),
    };
    let mut paths = entries
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::io(IoAction::Read, dir, e))?;
    paths.sort();
    Ok(paths)
}

/// `path` relative to `root` with `/` separators, as shown in messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The problem of a content file written in a language `petitio.toml` does not list, if so.
pub(crate) fn language_not_configured(file: &str, lang: &str, config: &Config) -> Option<Problem> {
    (!config.languages.iter().any(|l| l == lang)).then(|| {
        Problem::new(
            file,
            ProblemKind::LanguageNotConfigured {
                lang: lang.to_owned(),
                configured: config.languages.clone(),
            },
        )
    })
}
