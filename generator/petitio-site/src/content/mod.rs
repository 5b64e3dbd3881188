//! Reading `content/`: petitions and static pages into the site model every renderer shares.
//!
//! Loading collects every problem from every file (in parallel) before giving up, so one
//! `petitio check` lists everything wrong. Markdown is rendered here, once per file, so the
//! renderers only ever handle finished HTML.

pub mod page;
pub mod petition;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::confine::SiteRoot;
use crate::error::{Error, IoAction, Problem, ProblemKind};
use crate::markdown::Markdown;
use crate::today::today;
pub use page::Page;
use petitio_model::date::Date;
use petitio_model::slug::{has_slug_form, MAX_NAME_CHARS};
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
    /// What loading found worth telling but not wrong enough to stop (sorted by file).
    pub warnings: Vec<Problem>,
    /// The site's folders: every file the build reads is read through them (`confine`).
    pub folders: SiteRoot,
    /// The day it was loaded: what its date rules compared with, and the day counts
    /// rendered into pages are "as of" (`today`).
    pub today: Date,
}

/// What reading the content of a site needs besides its files.
pub struct Loading<'a> {
    pub root: &'a Path,
    pub folders: &'a SiteRoot,
    pub config: &'a Config,
    /// The day the date rules compare with ([`Date::today`]).
    pub today: Date,
}

impl Site {
    /// Loads the whole site under `root`. Drafts are kept only when `drafts` is true.
    pub fn load(root: &Path, config: Config, drafts: bool) -> Result<Site, Error> {
        let folders = SiteRoot::new(root)?;
        let today = today(config.utc_offset)?;
        let loading = Loading {
            root,
            folders: &folders,
            config: &config,
            today,
        };
        let mut problems = Vec::new();
        let mut petitions = load_petitions(&loading, &mut problems)?;
        let pages = page::load_all(&loading, &mut problems)?;
        if !problems.is_empty() {
            sort_problems(&mut problems);
            // A linked `content/` is reported once, not by both petitions and pages.
            problems.dedup();
            return Err(Error::Content(problems));
        }
        if !drafts {
            petitions.retain(|p| p.status != Status::Draft);
        }
        let mut warnings: Vec<Problem> = petitions
            .iter()
            .flat_map(|p| p.warnings.iter().cloned())
            .collect();
        sort_problems(&mut warnings);
        Ok(Site {
            root: root.to_path_buf(),
            config,
            petitions,
            pages,
            warnings,
            folders,
            today,
        })
    }

    pub fn petition(&self, slug: &str) -> Option<&Petition> {
        self.petitions
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.petitions[i])
    }
}

/// Problems in the order of their files and lines.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}

fn load_petitions(
    loading: &Loading<'_>,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Petition>, Error> {
    // Checked once here, so a linked `content/petitions` is one problem, not one per petition.
    if let Err(problem) = loading.folders.folder(PETITIONS_DIR) {
        problems.push(problem);
        return Ok(Vec::new());
    }
    let folders = list_dir(&loading.root.join(PETITIONS_DIR))?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect::<Vec<_>>();
    let results: Vec<Result<Result<Petition, Vec<Problem>>, Error>> = folders
        .par_iter()
        .map(|folder| petition::load(loading, folder))
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

/// Where a Markdown text was written: its file, the line its text starts on and, for text in
/// the front matter (`response.text`), the field.
pub(crate) struct MarkdownAt<'a> {
    pub file: &'a str,
    pub line: usize,
    pub field: Option<String>,
}

/// Renders Markdown, recording what the renderer refused as problems on their own lines.
pub(crate) fn render_markdown(
    text: &str,
    at: MarkdownAt<'_>,
    config: &Config,
    problems: &mut Vec<Problem>,
) -> Markdown {
    let (markdown, refused) = Markdown::render(text, config);
    for refused in refused {
        let line = Markdown::line_of(text, at.line, refused.offset);
        let problem = Problem::new(at.file, refused.kind).at_line(line);
        problems.push(match &at.field {
            Some(field) => problem.in_field(field.clone()),
            None => problem,
        });
    }
    markdown
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

/// What is wrong with `text` as the name of a petition folder, a tag or a page, if anything.
pub fn slug_problem(text: &str) -> Option<ProblemKind> {
    if !has_slug_form(text) {
        Some(ProblemKind::BadSlug {
            slug: text.to_owned(),
        })
    } else if text.len() > MAX_NAME_CHARS {
        Some(ProblemKind::NameTooLong {
            name: text.to_owned(),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_longer_than_the_limit_are_refused() {
        let longest = "a".repeat(MAX_NAME_CHARS);
        assert_eq!(slug_problem(&longest), None);
        assert_eq!(
            slug_problem(&format!("{longest}b")),
            Some(ProblemKind::NameTooLong {
                name: format!("{longest}b")
            })
        );
        assert!(matches!(
            slug_problem("A"),
            Some(ProblemKind::BadSlug { .. })
        ));
    }
}
