//! Static pages: `content/pages/<name>.<lang>.md` with a title and an optional description,
//! published at `/<lang>/<name>/`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::content::frontmatter::{self, TomlSource};
use crate::content::{display_path, language_not_configured, list_dir, PAGES_DIR};
use crate::error::{Error, IoAction, Problem, ProblemKind};
use crate::markdown::Markdown;
use petitio_model::slug::is_slug;
use petitio_model::urls::RESERVED_NAMES;

const FIELDS: &[&str] = &["title", "description"];

/// A static page in every language it is written in.
#[derive(Debug, Clone)]
pub struct Page {
    pub name: String,
    /// In the order of `languages` in petitio.toml.
    pub translations: Vec<PageTranslation>,
}

#[derive(Debug, Clone)]
pub struct PageTranslation {
    pub lang: String,
    pub source: String,
    pub title: String,
    pub description: Option<String>,
    pub body: Markdown,
}

impl Page {
    pub fn translation(&self, lang: &str) -> Option<&PageTranslation> {
        self.translations.iter().find(|t| t.lang == lang)
    }
}

/// Loads every page in `content/pages/`, recording problems.
pub fn load_all(
    root: &Path,
    config: &Config,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Page>, Error> {
    let mut pages: BTreeMap<String, Vec<PageTranslation>> = BTreeMap::new();
    for path in list_dir(&root.join(PAGES_DIR))? {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(stem) = file_name.strip_suffix(".md") else {
            continue;
        };
        let file = display_path(root, &path);
        let Some((name, lang)) = stem.rsplit_once('.') else {
            problems.push(Problem::new(
                file,
                ProblemKind::BadFileName {
                    expected: "`<name>.<lang>.md`, e.g. `about.kk.md`",
                },
            ));
            continue;
        };
        if !is_slug(name) {
            problems.push(Problem::new(
                file,
                ProblemKind::BadSlug {
                    slug: name.to_owned(),
                },
            ));
            continue;
        }
        if RESERVED_NAMES.contains(&name) {
            let other = format!("the generated listing /{lang}/{name}/");
            problems.push(Problem::new(
                file,
                ProblemKind::DuplicateSlug {
                    slug: name.to_owned(),
                    other,
                },
            ));
            continue;
        }
        if let Some(problem) = language_not_configured(&file, lang, config) {
            problems.push(problem);
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::io(IoAction::Read, &path, e))?;
        if let Some(translation) = read(&file, lang, &text, config, problems) {
            pages.entry(name.to_owned()).or_default().push(translation);
        }
    }
    Ok(pages
        .into_iter()
        .map(|(name, mut translations)| {
            translations.sort_by_key(|t| config.languages.iter().position(|l| *l == t.lang));
            Page { name, translations }
        })
        .collect())
}

fn read(
    file: &str,
    lang: &str,
    text: &str,
    config: &Config,
    problems: &mut Vec<Problem>,
) -> Option<PageTranslation> {
    let split = frontmatter::split(text)
        .map_err(|kind| problems.push(Problem::new(file, kind).at_line(1)))
        .ok()?;
    let source = TomlSource::parse(file, split.toml, 2)
        .map_err(|p| problems.push(p))
        .ok()?;
    let fields = source.fields();
    fields.reject_unknown(FIELDS, problems);
    let title = fields.require(
        fields.string("title", problems),
        "title",
        "title = \"...\"",
        problems,
    )?;
    Some(PageTranslation {
        lang: lang.to_owned(),
        source: file.to_owned(),
        title: title.value,
        description: fields.string("description", problems).map(|d| d.value),
        body: Markdown::render(split.body, config),
    })
}
