//! The render crate's one error type: what can go wrong turning a loaded site into files
//! (the theme, its templates, writing the output, naming the archives), with every message
//! in one place. Problems with the sources themselves are the site crate's
//! [`petitio_site::Error`], carried unchanged.

use std::io;
use std::path::{Path, PathBuf};

use petitio_site::error::{IoAction, Problem};

/// Everything that can make a render or a build fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sources: content problems, a missing `petitio.toml`, a file that cannot be
    /// read or written, a bad counts file.
    #[error(transparent)]
    Site(#[from] petitio_site::Error),

    #[error(
        "error: theme `{theme}` not found: expected a folder {}\n  \
         Set `theme` in petitio.toml to a folder under themes/, or remove it to use \"default\".",
        .path.display()
    )]
    ThemeMissing { theme: String, path: PathBuf },

    #[error("error: template `{name}`: {cause}\n  Fix the template (in templates/ or the theme) and build again.")]
    Template { name: String, cause: String },

    #[error("error: cannot load the templates: {cause}\n  Fix the template (in templates/ or the theme) and build again.")]
    TemplateSyntax { cause: String },

    #[error(
        "error: cannot name archives after the output folder `{}`\n  \
         Pass --out with a folder name, e.g. --out dist (the archives become dist.tar.gz and dist.zip).",
        .out.display()
    )]
    BundleName { out: PathBuf },

    #[error("error: cannot build the search index: {cause}\n  This is a bug in Petitio or its search library (Pagefind): please report it with the content that triggers it.")]
    SearchIndex { cause: String },
}

impl Error {
    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(action: IoAction, path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Site(petitio_site::Error::io(action, path, source))
    }

    /// Problems found in what was rendered (links) or in the theme's files (i18n).
    pub fn content(problems: Vec<Problem>) -> Error {
        Error::Site(petitio_site::Error::Content(problems))
    }

    /// An error rendering template `name`, with its whole cause chain.
    pub fn template(name: impl Into<String>, error: &tera::Error) -> Error {
        Error::Template {
            name: name.into(),
            cause: cause_chain(error),
        }
    }

    /// An error parsing the templates (Tera names the file in its message).
    pub fn template_syntax(error: &tera::Error) -> Error {
        Error::TemplateSyntax {
            cause: cause_chain(error),
        }
    }
}

/// Tera's message and every `source()` under it, one `Reason:` line each.
fn cause_chain(error: &tera::Error) -> String {
    let mut cause = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause.push_str("\n  Reason: ");
        cause.push_str(inner.to_string().trim_start());
        source = inner.source();
    }
    cause
}
