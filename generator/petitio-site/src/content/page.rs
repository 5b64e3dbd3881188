//! Static pages: `content/pages/<name>.<lang>.md` with a title and an optional description,
//! published at `/<lang>/<name>/`.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::confine::display_path;
use crate::content::{
    language_not_configured, list_dir, render_markdown, slug_problem, Loading, MarkdownAt,
    PAGES_DIR,
};
use crate::error::{Error, Problem, ProblemKind};
use crate::frontmatter::{self, TomlSource};
use crate::markdown::Markdown;
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
pub fn load_all(loading: &Loading<'_>, problems: &mut Vec<Problem>) -> Result<Vec<Page>, Error> {
    let (root, config) = (loading.root, loading.config);
    let folder = match loading.folders.folder(PAGES_DIR) {
        Ok(folder) => folder,
        Err(problem) => {
            problems.push(problem);
            return Ok(Vec::new());
        }
    };
    let mut pages: BTreeMap<String, Vec<PageTranslation>> = BTreeMap::new();
    for path in list_dir(folder.path())? {
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
        if let Some(kind) = slug_problem(name) {
            problems.push(Problem::new(file, kind));
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
        let Some(text) = folder.text(&path, problems)? else {
            continue;
        };
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
        body: render_markdown(
            split.body,
            MarkdownAt {
                file,
                line: split.body_line,
                field: None,
            },
            config,
            problems,
        ),
    })
}
