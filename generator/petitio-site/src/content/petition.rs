//! Petitions: one folder per slug, one `index.<lang>.md` per language, merged into one value.
//!
//! Shared fields (dates, status, goal, tags, ...) may be given once, in the default language's
//! file, or repeated with the same value; per-language fields (title, summary, ...) live in each
//! translation. Every rule of docs/content-format.md is checked here.

use std::fmt::Display;
use std::path::Path;

use crate::confine::display_path;
use crate::confine::Folder;
use crate::content::{
    language_not_configured, list_dir, render_markdown, slug_problem, Loading, MarkdownAt,
};
use crate::error::{Error, Problem, ProblemKind};
use crate::frontmatter::{self, Fields, Located, TomlSource};
use crate::markdown::Markdown;
use petitio_model::date::Date;
use petitio_model::slug::is_image_name;
use petitio_model::status::Status;

const FIELDS: &[&str] = &[
    "title",
    "summary",
    "addressee",
    "author",
    "created",
    "deadline",
    "status",
    "status_reason",
    "goal",
    "milestones",
    "tags",
    "image",
    "response",
    "updates",
];
const RESPONSE_FIELDS: &[&str] = &["date", "from", "text"];
const UPDATE_FIELDS: &[&str] = &["date", "text"];

/// A petition with all its translations.
#[derive(Debug, Clone)]
pub struct Petition {
    pub slug: String,
    pub created: Date,
    pub deadline: Option<Date>,
    pub status: Status,
    pub goal: Option<u64>,
    pub milestones: Vec<u64>,
    pub tags: Vec<String>,
    /// File name of the cover image inside the petition folder.
    pub image: Option<String>,
    pub response_date: Option<Date>,
    /// In the order of `languages` in petitio.toml.
    pub translations: Vec<Translation>,
    /// Warnings about it (`Site::warnings` gathers them).
    pub warnings: Vec<Problem>,
}

impl Petition {
    pub fn translation(&self, lang: &str) -> Option<&Translation> {
        self.translations.iter().find(|t| t.lang == lang)
    }

    /// The translation in `lang`, else the first one (every petition has at least one).
    pub fn translation_or_first(&self, lang: &str) -> &Translation {
        self.translation(lang).unwrap_or(&self.translations[0])
    }

    /// The date the petition last changed visibly: its response, latest update, or creation.
    pub fn last_activity(&self) -> Date {
        let updates = self
            .translations
            .iter()
            .flat_map(|t| t.updates.iter().map(|u| u.date));
        updates
            .chain(self.response_date)
            .chain([self.created])
            .max()
            .unwrap_or(self.created)
    }
}

/// The per-language part of a petition.
#[derive(Debug, Clone)]
pub struct Translation {
    pub lang: String,
    /// Source file relative to the site root.
    pub source: String,
    pub title: String,
    pub summary: Option<String>,
    pub addressee: Option<String>,
    pub author: Option<String>,
    pub status_reason: Option<String>,
    pub body: Markdown,
    pub response: Option<ResponseText>,
    pub updates: Vec<Update>,
}

#[derive(Debug, Clone)]
pub struct ResponseText {
    pub from: Option<String>,
    pub text: Markdown,
}

#[derive(Debug, Clone)]
pub struct Update {
    pub date: Date,
    pub text: Markdown,
}

/// The fields read from one `index.<lang>.md`, before merging.
struct FileFields {
    lang: String,
    source: String,
    title: Option<Located<String>>,
    summary: Option<Located<String>>,
    addressee: Option<Located<String>>,
    author: Option<Located<String>>,
    status_reason: Option<Located<String>>,
    created: Option<Located<Date>>,
    deadline: Option<Located<Date>>,
    status: Option<Located<Status>>,
    goal: Option<Located<u64>>,
    milestones: Option<Located<Vec<u64>>>,
    tags: Option<Located<Vec<String>>>,
    image: Option<Located<String>>,
    response_date: Option<Located<Date>>,
    response: Option<(Option<String>, Located<String>)>,
    /// Date, text and the text's field name (`updates[1].text`).
    updates: Vec<(Date, Located<String>, String)>,
    body: String,
    body_line: usize,
    /// Line where front matter starts, for problems about missing shared fields.
    start_line: usize,
    status_line: usize,
    milestones_line: usize,
    /// Whether `created` is written in this file (even if invalid: that is reported already).
    created_given: bool,
}

/// Loads the petition in `folder`. The outer error is I/O; the inner one lists content problems.
pub fn load(loading: &Loading<'_>, folder: &Path) -> Result<Result<Petition, Vec<Problem>>, Error> {
    let (root, config) = (loading.root, loading.config);
    let slug = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder_name = display_path(root, folder);
    let mut problems = Vec::new();
    if let Some(kind) = slug_problem(&slug) {
        problems.push(Problem::new(folder_name.clone(), kind));
    }
    let folder = match loading.folders.folder(&folder_name) {
        Ok(folder) => folder,
        Err(problem) => {
            problems.push(problem);
            return Ok(Err(problems));
        }
    };
    let mut files = Vec::new();
    for path in list_dir(folder.path())? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.ends_with(".md") {
            continue;
        }
        let file = display_path(root, &path);
        let Some(lang) = name
            .strip_prefix("index.")
            .and_then(|n| n.strip_suffix(".md"))
            .filter(|l| !l.contains('.'))
        else {
            problems.push(Problem::new(
                file,
                ProblemKind::BadFileName {
                    expected: "`index.<lang>.md`, e.g. `index.kk.md`",
                },
            ));
            continue;
        };
        if let Some(problem) = language_not_configured(&file, lang, config) {
            problems.push(problem);
            continue;
        }
        let Some(text) = folder.text(&path, &mut problems)? else {
            continue;
        };
        if let Some(fields) = read_file(&file, lang, &text, &mut problems) {
            files.push(fields);
        }
    }
    if files.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            folder_name.clone(),
            ProblemKind::NoTranslations,
        ));
    }
    // The default language first, then the configured order: the first file giving a shared field sets it.
    files.sort_by_key(|f| {
        (
            f.lang != config.default_language,
            config.languages.iter().position(|l| *l == f.lang),
        )
    });
    if files.is_empty() {
        return Ok(Err(problems));
    }
    let petition = merge(slug, &folder, &folder_name, files, loading, &mut problems);
    Ok(if problems.is_empty() {
        Ok(petition)
    } else {
        Err(problems)
    })
}

fn read_file(
    file: &str,
    lang: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Option<FileFields> {
    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err(kind) => {
            problems.push(Problem::new(file, kind).at_line(1));
            return None;
        }
    };
    let source = match TomlSource::parse(file, split.toml, 2) {
        Ok(source) => source,
        Err(problem) => {
            problems.push(problem);
            return None;
        }
    };
    let fields = source.fields();
    fields.reject_unknown(FIELDS, problems);
    let title = fields.string("title", problems);
    fields.require(title.as_ref(), "title", "title = \"...\"", problems);
    let status =
        fields
            .string("status", problems)
            .and_then(|status| match Status::parse(&status.value) {
                Some(parsed) => Some(Located {
                    value: parsed,
                    line: status.line,
                }),
                None => {
                    let expected = Status::ALL
                        .map(|s| format!("\"{}\"", s.as_str()))
                        .join(", ");
                    problems.push(fields.problem(
                        "status",
                        ProblemKind::Expected {
                            expected: format!("one of {expected}"),
                            found: format!("{:?}", status.value),
                        },
                    ));
                    None
                }
            });
    let tags = fields.strings(
        "tags",
        "an array of tags like [\"ecology\", \"almaty\"]",
        problems,
    );
    if let Some(tags) = &tags {
        for kind in tags.value.iter().filter_map(|tag| slug_problem(tag)) {
            problems.push(fields.problem("tags", kind));
        }
    }
    let (response_date, response) = read_response(&fields, problems);
    let updates = fields
        .tables("updates", problems)
        .into_iter()
        .filter_map(|update| {
            update.reject_unknown(UPDATE_FIELDS, problems);
            let date = update.require(
                update.date("date", problems),
                "date",
                "date = 2026-04-01",
                problems,
            );
            let text = update.require(
                update.markdown("text", problems),
                "text",
                "text = \"...\"",
                problems,
            );
            Some((date?.value, text?, update.field_name("text")))
        })
        .collect();
    Some(FileFields {
        lang: lang.to_owned(),
        source: file.to_owned(),
        start_line: 1,
        status_line: fields.line_of("status"),
        created_given: fields.has("created"),
        milestones_line: fields.line_of("milestones"),
        title,
        summary: fields.string("summary", problems),
        addressee: fields.string("addressee", problems),
        author: fields.string("author", problems),
        status_reason: fields.string("status_reason", problems),
        created: fields.date("created", problems),
        deadline: fields.date("deadline", problems),
        status,
        goal: fields.positive_integer("goal", problems),
        milestones: fields.positive_integers("milestones", problems),
        tags,
        image: fields.string("image", problems),
        response_date,
        response,
        updates,
        body: split.body.to_owned(),
        body_line: split.body_line,
    })
}

type ResponseFields = (
    Option<Located<Date>>,
    Option<(Option<String>, Located<String>)>,
);

fn read_response(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> ResponseFields {
    let Some(response) = fields.table("response", problems) else {
        return (None, None);
    };
    response.reject_unknown(RESPONSE_FIELDS, problems);
    let date = response.date("date", problems);
    let from = response.string("from", problems).map(|f| f.value);
    let text = response.require(
        response.markdown("text", problems),
        "text",
        "text = \"...\"",
        problems,
    );
    (date, text.map(|text| (from, text)))
}

fn merge(
    slug: String,
    folder: &Folder,
    folder_name: &str,
    files: Vec<FileFields>,
    loading: &Loading<'_>,
    problems: &mut Vec<Problem>,
) -> Petition {
    let config = loading.config;
    let first = &files[0];
    let created = shared(&files, "created", |f| f.created.as_ref(), problems);
    if created.is_none() && !files.iter().any(|f| f.created_given) {
        problems.push(
            Problem::new(
                first.source.clone(),
                ProblemKind::MissingField {
                    example: "created = 2026-03-01",
                },
            )
            .at_line(first.start_line)
            .in_field("created"),
        );
    }
    let status = shared(&files, "status", |f| f.status.as_ref(), problems).unwrap_or(Status::Open);
    let goal = shared(&files, "goal", |f| f.goal.as_ref(), problems);
    let milestones =
        shared(&files, "milestones", |f| f.milestones.as_ref(), problems).unwrap_or_default();
    check_milestones(&files, &milestones, goal, problems);
    let image = shared(&files, "image", |f| f.image.as_ref(), problems);
    if let Some((giver, image)) = first_given(&files, |f| f.image.as_ref()) {
        let kind = if !is_image_name(&image.value) {
            Some(ProblemKind::ImageName {
                image: image.value.clone(),
            })
        } else {
            match folder.file(&folder.path().join(&image.value)) {
                Ok(Some(_)) => None,
                Ok(None) => Some(ProblemKind::ImageMissing {
                    image: image.value.clone(),
                    folder: format!("{folder_name}/"),
                }),
                Err(link) => {
                    problems.push(link);
                    None
                }
            }
        };
        if let Some(kind) = kind {
            problems.push(
                Problem::new(giver.source.clone(), kind)
                    .at_line(image.line)
                    .in_field("image"),
            );
        }
    }
    let warnings = check_dates(&files, status, loading.today, problems);
    let deadline = shared(&files, "deadline", |f| f.deadline.as_ref(), problems);
    let petition = Petition {
        created: created.unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        }),
        deadline,
        // What the site shows and the API goes by: closed once the deadline day is over,
        // whatever the front matter still says (`check` warns about that: `check_dates`).
        status: status.effective(deadline, loading.today),
        goal,
        milestones,
        tags: shared(&files, "tags", |f| f.tags.as_ref(), problems).unwrap_or_default(),
        image,
        response_date: shared(
            &files,
            "response.date",
            |f| f.response_date.as_ref(),
            problems,
        ),
        translations: Vec::new(),
        warnings,
        slug,
    };
    let translations = files
        .into_iter()
        .map(|file| {
            if status.needs_reason() && file.status_reason.is_none() {
                problems.push(
                    Problem::new(
                        file.source.clone(),
                        ProblemKind::StatusReasonMissing {
                            status: status.as_str().to_owned(),
                        },
                    )
                    .at_line(if file.status.is_some() {
                        file.status_line
                    } else {
                        file.start_line
                    })
                    .in_field("status_reason"),
                );
            }
            let source = file.source.as_str();
            let mut markdown = |text: &str, line: usize, field: Option<String>| {
                let at = MarkdownAt {
                    file: source,
                    line,
                    field,
                };
                render_markdown(text, at, config, problems)
            };
            let body = markdown(&file.body, file.body_line, None);
            let response = file.response.map(|(from, text)| ResponseText {
                from,
                text: markdown(&text.value, text.line, Some("response.text".to_owned())),
            });
            let mut updates: Vec<Update> = file
                .updates
                .iter()
                .map(|(date, text, field)| Update {
                    date: *date,
                    text: markdown(&text.value, text.line, Some(field.clone())),
                })
                .collect();
            updates.sort_by_key(|update| std::cmp::Reverse(update.date));
            Translation {
                title: file.title.map(|t| t.value).unwrap_or_default(),
                summary: file.summary.map(|s| s.value),
                addressee: file.addressee.map(|a| a.value),
                author: file.author.map(|a| a.value),
                status_reason: file.status_reason.map(|r| r.value),
                body,
                response,
                updates,
                lang: file.lang,
                source: file.source,
            }
        })
        .collect::<Vec<_>>();
    let mut translations = translations;
    translations.sort_by_key(|t| config.languages.iter().position(|l| *l == t.lang));
    Petition {
        translations,
        ..petition
    }
}

/// The first file giving a field, and the value it gives: the value the petition takes.
fn first_given<'f, T>(
    files: &'f [FileFields],
    get: impl Fn(&'f FileFields) -> Option<&'f Located<T>>,
) -> Option<(&'f FileFields, &'f Located<T>)> {
    files.iter().find_map(|f| get(f).map(|v| (f, v)))
}

/// The rules between the dates and today: `created` not in the future (one day of slack for
/// time zones ahead of UTC), the deadline not before `created` (errors), and an open
/// petition's deadline not passed (the warning returned).
fn check_dates(
    files: &[FileFields],
    status: Status,
    today: Date,
    problems: &mut Vec<Problem>,
) -> Vec<Problem> {
    let created = first_given(files, |f| f.created.as_ref());
    let deadline = first_given(files, |f| f.deadline.as_ref());
    let at = |(file, value): (&FileFields, &Located<Date>), field: &str, kind| {
        Problem::new(file.source.clone(), kind)
            .at_line(value.line)
            .in_field(field)
    };
    if let Some(given @ (_, created)) = created {
        if created.value > today.next_day() {
            let kind = ProblemKind::CreatedInFuture {
                created: created.value,
                today,
            };
            problems.push(at(given, "created", kind));
        }
    }
    if let (Some((_, created)), Some(given @ (_, deadline))) = (created, deadline) {
        if deadline.value < created.value {
            let kind = ProblemKind::DeadlineBeforeCreated {
                deadline: deadline.value,
                created: created.value,
            };
            problems.push(at(given, "deadline", kind));
        }
    }
    match deadline {
        Some(given @ (_, deadline)) if status == Status::Open && deadline.value < today => {
            let kind = ProblemKind::DeadlinePassed {
                deadline: deadline.value,
                today,
            };
            vec![at(given, "deadline", kind)]
        }
        _ => Vec::new(),
    }
}

/// The value of a shared field: from the first file giving it; any different value is a contradiction.
fn shared<T: Clone + PartialEq + Shown>(
    files: &[FileFields],
    field: &str,
    get: impl Fn(&FileFields) -> Option<&Located<T>>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let mut givers = files.iter().filter_map(|f| get(f).map(|v| (f, v)));
    let (first_file, first) = givers.next()?;
    for (file, value) in givers {
        if value.value != first.value {
            problems.push(
                Problem::new(
                    file.source.clone(),
                    ProblemKind::Contradiction {
                        other_file: first_file.source.clone(),
                        other_line: first.line,
                        here: value.value.shown(),
                        there: first.value.shown(),
                    },
                )
                .at_line(value.line)
                .in_field(field),
            );
        }
    }
    Some(first.value.clone())
}

fn check_milestones(
    files: &[FileFields],
    milestones: &[u64],
    goal: Option<u64>,
    problems: &mut Vec<Problem>,
) {
    let ascending = milestones.windows(2).all(|w| w[0] < w[1]);
    let within_goal = goal.is_none_or(|goal| milestones.iter().all(|&m| m <= goal));
    if ascending && within_goal {
        return;
    }
    let giver = files
        .iter()
        .find(|f| f.milestones.is_some())
        .unwrap_or(&files[0]);
    let expected = match goal {
        Some(goal) => format!("ascending numbers up to the goal ({goal})"),
        None => "ascending numbers".to_owned(),
    };
    problems.push(
        Problem::new(
            giver.source.clone(),
            ProblemKind::Expected {
                expected,
                found: milestones.to_vec().shown(),
            },
        )
        .at_line(giver.milestones_line)
        .in_field("milestones"),
    );
}

/// How a shared value is quoted in a contradiction message.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for String {
    fn shown(&self) -> String {
        format!("{self:?}")
    }
}

impl Shown for Status {
    fn shown(&self) -> String {
        format!("\"{}\"", self.as_str())
    }
}

impl Shown for Date {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for u64 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl<T: Display> Shown for Vec<T> {
    fn shown(&self) -> String {
        format!(
            "[{}]",
            self.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
