//! The site crate's one error type and every message about the sources, in one place.
//!
//! Content problems are collected, not thrown: a [`Problem`] names the file, the line, the
//! field and what was expected, and [`Error::Content`] carries all of them so `petitio check`
//! and `petitio build` report every problem in one run. The `Display` of [`Error`] is the
//! complete text printed to stderr; tests compare it byte for byte.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use petitio_model::date::Date;
use petitio_model::log_key::NoteVerifyProblem;
use petitio_model::slug::{suggest_slug, IMAGE_EXTENSIONS, MAX_NAME_CHARS};
use petitio_model::transparency::MAX_REGION_BYTES;

/// Everything that can be wrong with a site's sources, or with reading them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more problems in `petitio.toml`, `content/` or the rendered links.
    #[error("{}", render_problems(.0))]
    Content(Vec<Problem>),

    #[error(
        "error: {}: no `petitio.toml` here\n  \
         Run petitio in a site's folder (or pass `--root <DIR>`); docs/content-format.md shows the layout.",
        .root.display()
    )]
    NotASite { root: PathBuf },

    #[error("error: cannot {action} {}: {source}", .path.display())]
    Io {
        action: IoAction,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "error: {}: {cause}\n  \
         The counts file must be JSON like {{\"slug\": 120}} or {{\"slug\": {{\"count\": 120, \"by_region\": {{\"almaty-city\": 80}}}}}}.",
        .path.display()
    )]
    Counts { path: PathBuf, cause: String },

    #[error(
        "error: PETITIO_TODAY is {value:?}, not a date like 2026-12-01\n  \
         It replaces today's date (for tests and reproducible builds); unset it to use the real date."
    )]
    InvalidToday { value: String },
}

/// What was being done to a file when the operating system said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    Read,
    Write,
    CreateFolder,
    Remove,
    Rename,
}

impl fmt::Display for IoAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoAction::Read => "read",
            IoAction::Write => "write",
            IoAction::CreateFolder => "create folder",
            IoAction::Remove => "remove",
            IoAction::Rename => "rename",
        })
    }
}

impl Error {
    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(action: IoAction, path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}

/// One problem found in a source file, with where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    /// Boxed: problems travel in `Result`s, and some kinds carry several strings.
    pub kind: Box<ProblemKind>,
}

impl Problem {
    pub fn new(file: impl Into<String>, kind: ProblemKind) -> Problem {
        Problem {
            file: file.into(),
            line: None,
            field: None,
            kind: Box::new(kind),
        }
    }

    pub fn at_line(mut self, line: usize) -> Problem {
        self.line = Some(line);
        self
    }

    pub fn in_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}

impl Problem {
    /// Whether this only warns: `check` and `build` print it and go on.
    pub fn is_warning(&self) -> bool {
        matches!(*self.kind, ProblemKind::DeadlinePassed { .. })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = if self.is_warning() {
            "warning"
        } else {
            "error"
        };
        write!(f, "{severity}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

/// What is wrong; the text says what is expected and, where useful, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    NoFrontMatter,
    UnclosedFrontMatter,
    InvalidToml {
        message: String,
    },
    UnknownField {
        expected: &'static [&'static str],
    },
    Expected {
        expected: String,
        found: String,
    },
    MissingField {
        example: &'static str,
    },
    BadSlug {
        slug: String,
    },
    NameTooLong {
        name: String,
    },
    /// A region code longer than a log entry holds.
    RegionCodeTooLong {
        code: String,
    },
    DuplicateSlug {
        slug: String,
        other: String,
    },
    Contradiction {
        other_file: String,
        other_line: usize,
        here: String,
        there: String,
    },
    StatusReasonMissing {
        status: String,
    },
    LanguageNotConfigured {
        lang: String,
        configured: Vec<String>,
    },
    BadFileName {
        expected: &'static str,
    },
    NoTranslations,
    ImageMissing {
        image: String,
        folder: String,
    },
    ImageName {
        image: String,
    },
    StaticFileName {
        name: String,
    },
    LinkOutsideFolder {
        target: String,
        folder: String,
    },
    LinkedFolder {
        target: String,
    },
    DeadlineBeforeCreated {
        deadline: Date,
        created: Date,
    },
    CreatedInFuture {
        created: Date,
        today: Date,
    },
    /// A warning: the build goes on.
    DeadlinePassed {
        deadline: Date,
        today: Date,
    },
    BrokenLink {
        href: String,
    },
    BrokenAnchor {
        href: String,
        anchor: String,
    },
    HeadingAttribute {
        attribute: String,
    },
    HeadingIdInvalid {
        id: String,
    },
    HeadingIdReserved {
        id: String,
    },
    HeadingClassInvalid {
        class: String,
    },
    /// `where.note` without `[log] key` to check it.
    WhereNoteWithoutKey,
    WhereNoteSignature {
        key: String,
        reason: NoteVerifyProblem,
    },
    WhereNoteText {
        problem: String,
    },
    WhereNoteKeyName {
        note: String,
        key: String,
    },
    WhereNoteNoOrigin {
        site: Vec<String>,
        listed: Vec<String>,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::NoFrontMatter => f.write_str(
                "front matter is missing: start the file with a line `+++`, then the TOML fields, then another `+++`",
            ),
            ProblemKind::UnclosedFrontMatter => {
                f.write_str("front matter is not closed: add a line `+++` after the last field")
            }
            ProblemKind::InvalidToml { message } => write!(f, "invalid TOML: {message}"),
            ProblemKind::UnknownField { expected } => {
                write!(f, "unknown field; expected one of: {}", expected.join(", "))
            }
            ProblemKind::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            ProblemKind::MissingField { example } => {
                write!(f, "required but missing; add it, e.g. `{example}`")
            }
            ProblemKind::BadSlug { slug } => write!(
                f,
                "`{slug}` is not a valid slug: use lowercase ASCII letters, digits and hyphens, e.g. `{}`",
                suggest_slug(slug)
            ),
            ProblemKind::NameTooLong { name } => write!(
                f,
                "`{name}` is {} characters long; a slug, tag or page name may have at most {MAX_NAME_CHARS} \
                 (it becomes a folder and part of every link to it): shorten it",
                name.chars().count()
            ),
            ProblemKind::RegionCodeTooLong { code } => write!(
                f,
                "`{code}` is {} bytes long; a region code may have at most {MAX_REGION_BYTES} (every signature's \
                 entry in the public log holds it): shorten it",
                code.len()
            ),
            ProblemKind::DuplicateSlug { slug, other } => write!(
                f,
                "slug `{slug}` is already used by {other}; give this one another name so their pages do not collide"
            ),
            ProblemKind::Contradiction { other_file, other_line, here, there } => write!(
                f,
                "{here} contradicts {there} in {other_file}:{other_line}; a shared field must have the same value \
                 in every language (or be given only in the default language's file)"
            ),
            ProblemKind::StatusReasonMissing { status } => write!(
                f,
                "required when status is \"{status}\": explain the decision in this language, e.g. `status_reason = \"...\"`"
            ),
            ProblemKind::LanguageNotConfigured { lang, configured } => write!(
                f,
                "language `{lang}` is not in `languages` of petitio.toml ({}); rename the file or add the language",
                configured.join(", ")
            ),
            ProblemKind::BadFileName { expected } => write!(f, "unexpected file name; expected {expected}"),
            ProblemKind::NoTranslations => {
                f.write_str("no `index.<lang>.md` file; add one per language, e.g. `index.kk.md`")
            }
            ProblemKind::ImageMissing { image, folder } => write!(
                f,
                "file `{image}` not found in {folder}; put the image there or remove `image`"
            ),
            ProblemKind::ImageName { image } => write!(
                f,
                "`{image}` cannot be a cover image: use a file name of up to {MAX_NAME_CHARS} ASCII letters, \
                 digits, `-`, `_` and `.` ending in {} (an SVG could carry script); rename the file",
                IMAGE_EXTENSIONS.map(|e| format!(".{e}")).join(", ")
            ),
            ProblemKind::StaticFileName { name } => write!(
                f,
                "`{name}` cannot be published: a static file's name must be up to {MAX_NAME_CHARS} ASCII letters, \
                 digits, `-`, `_` and `.` (it becomes part of a URL); rename the file"
            ),
            ProblemKind::LinkOutsideFolder { target, folder } => write!(
                f,
                "is a link to `{target}`, which is not a file inside {folder}; the build publishes only files \
                 inside their own folder: put the file itself here instead of the link"
            ),
            ProblemKind::LinkedFolder { target } => write!(
                f,
                "is a link to `{target}`: a folder of the site must be a real folder, not a link, so that \
                 nothing outside it is published; put the folder itself here"
            ),
            ProblemKind::DeadlineBeforeCreated { deadline, created } => write!(
                f,
                "deadline {deadline} is before `created` ({created}); a petition cannot close before it opens"
            ),
            ProblemKind::CreatedInFuture { created, today } => write!(
                f,
                "{created} is in the future (today is {today} in the site's time zone, `utc_offset`; one day \
                 more is allowed for time zones ahead of it); give the day the petition was published"
            ),
            ProblemKind::DeadlinePassed { deadline, today } => write!(
                f,
                "the deadline {deadline} has passed (today is {today} in the site's time zone, `utc_offset`) \
                 but status is still \"open\"; the site shows it as closed and the signature API no longer \
                 accepts signatures: set `status = \"closed\"` or move the deadline"
            ),
            ProblemKind::WhereNoteWithoutKey => f.write_str(
                "a signed \"where we are now\" note needs the log key that checks it, but petitio.toml \
                 has no `[log] key`: run `petitio keygen`, then `petitio where sign` (or delete where.note)",
            ),
            ProblemKind::WhereNoteSignature { key, reason } => match reason {
                NoteVerifyProblem::Malformed => f.write_str(
                    "not a signed note (its text, a blank line, then signature lines): sign it again \
                     with `petitio where sign`",
                ),
                NoteVerifyProblem::NotSignedBy => write!(
                    f,
                    "carries no signature by the site's log key {key} (petitio.toml `[log] key`), so \
                     every reader would ignore it: sign it again with `petitio where sign`"
                ),
                NoteVerifyProblem::BadSignature => write!(
                    f,
                    "its signature by the log key {key} does not verify: the note was changed after it \
                     was signed; sign it again with `petitio where sign` instead of editing it"
                ),
            },
            ProblemKind::WhereNoteText { problem } => write!(
                f,
                "{problem}; write the note with `petitio where sign`, never by hand"
            ),
            ProblemKind::WhereNoteKeyName { note, key } => write!(
                f,
                "the note names the log `{note}`, but petitio.toml's `[log] key` is the log `{key}`: \
                 sign it again with `petitio where sign`"
            ),
            ProblemKind::WhereNoteNoOrigin { site, listed } => write!(
                f,
                "the note lists the origins {} but none of this site's ({}), so it would send readers \
                 away from the site: after moving it, sign a new note with `petitio where sign`",
                listed.join(", "),
                site.join(", ")
            ),
            ProblemKind::BrokenLink { href } => {
                write!(f, "link to `{href}` does not resolve to any page or file of the site")
            }
            ProblemKind::BrokenAnchor { href, anchor } => {
                write!(f, "link to `{href}`: the page has no element with id `{anchor}`")
            }
            ProblemKind::HeadingAttribute { attribute } => write!(
                f,
                "heading attribute `{attribute}` is not allowed: a heading keeps only `{{#id}}` and `{{.class}}`; remove it"
            ),
            ProblemKind::HeadingIdInvalid { id } => write!(
                f,
                "heading id `{id}` is not allowed: use up to 64 ASCII letters, digits, `-` and `_`, starting with a letter"
            ),
            ProblemKind::HeadingIdReserved { id } => write!(
                f,
                "heading id `{id}` is used by the page itself (the signing form, its results or a section); pick another id"
            ),
            ProblemKind::HeadingClassInvalid { class } => write!(
                f,
                "heading class `{class}` is not allowed: use up to 64 ASCII letters, digits, `-` and `_`, starting with a letter"
            ),
        }
    }
}

fn render_problems(problems: &[Problem]) -> String {
    let mut text = problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > 1 {
        text.push_str(&format!("\nerror: {} problems found", problems.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_names_file_line_and_field() {
        let problem = Problem::new(
            "content/petitions/x/index.ru.md",
            ProblemKind::Expected {
                expected: "a date like 2026-03-01".into(),
                found: "\"tomorrow\"".into(),
            },
        )
        .at_line(4)
        .in_field("created");
        assert_eq!(
            problem.to_string(),
            "error: content/petitions/x/index.ru.md:4: field `created`: expected a date like 2026-03-01, found \"tomorrow\""
        );
    }

    #[test]
    fn several_problems_end_with_a_count() {
        let one = Problem::new("a.md", ProblemKind::NoFrontMatter);
        let text = Error::Content(vec![one.clone(), one]).to_string();
        assert!(text.ends_with("\nerror: 2 problems found"), "{text}");
    }
}
