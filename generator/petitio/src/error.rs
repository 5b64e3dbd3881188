//! The binary's one error type: every library crate's error, and the few failures that
//! belong to a command itself (`new`, `relocate`), with their messages in one place. The
//! `Display` of [`Error`] is the complete text `main` prints to stderr; tests compare it
//! byte for byte.

use std::path::PathBuf;

use petitio_serve::ServeError;
use petitio_site::error::ProblemKind;

/// Everything that can make a command fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading, checking, rendering or writing the site (the site crate's errors included).
    #[error(transparent)]
    Build(#[from] petitio_render::Error),

    /// The dev server failed (its messages live in `petitio_serve::error`).
    #[error("{}", serve_message(.0))]
    Serve(#[from] ServeError),

    /// A slug given on the command line (`petitio new`): the same rules as in `content/`.
    #[error("error: {kind}")]
    InvalidSlug { kind: ProblemKind },

    #[error("error: {} already exists; pick another slug or edit the existing petition", .path.display())]
    PetitionExists { path: PathBuf },

    #[error("error: language `{lang}` is not in `languages` of petitio.toml ({})", .configured.join(", "))]
    UnknownLanguage {
        lang: String,
        configured: Vec<String>,
    },

    #[error(
        "error: `{url}` is not a usable site address: {reason}\n  \
         Give the new address like https://new.example/ or https://new.example/petitions/"
    )]
    InvalidBaseUrl { url: String, reason: String },

    #[error("error: {}: {reason}\n  Fix the file by hand, then run `petitio relocate` again.", .path.display())]
    RelocateConfig { path: PathBuf, reason: String },

    #[error("error: the site already lives at {url}; nothing to relocate")]
    RelocateSameUrl { url: String },

    #[error("error: {}: {reason}\n  Fix the file by hand, then run `petitio keygen` again.", .path.display())]
    KeygenConfig { path: PathBuf, reason: String },

    #[error(
        "error: petitio.toml already has a log key ({key}); a new one would break every note \
         and checkpoint signed with it for whoever pinned it\n  \
         Keep it, or replace it with `petitio keygen --force` (docs/keys.md, \"Rotation\")."
    )]
    KeygenKeyExists { key: String },

    #[error(
        "error: {} already exists and may hold a private key in use\n  \
         Move it away, name another file with --key-file, or replace it with --force.",
        .path.display()
    )]
    KeyFileExists { path: PathBuf },

    #[error("error: cannot write the private key to {}: {source}", .path.display())]
    WriteKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: petitio.toml has no log key (`[log] key`) to sign the note with\n  \
         Make one with `petitio keygen` (docs/keys.md), then run `petitio where sign` again."
    )]
    WhereNoLogKey,

    #[error(
        "error: cannot read the private key {}: {source}\n  \
         Name the file with --key-file (`petitio keygen` wrote it, by default under .petitio/keys/).",
        .path.display()
    )]
    ReadKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: {} holds the private key {file}, but petitio.toml's log key is {config}\n  \
         Name the key file of {config} with --key-file; readers check notes against petitio.toml's key.",
        .path.display()
    )]
    WhereKeyMismatch {
        path: PathBuf,
        file: String,
        config: String,
    },

    #[error("error: cannot read {}: {source}", .path.display())]
    ReadWhereNote {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: {} is not a note signed by the log key {key}, so its sequence number is unknown\n  \
         Restore the committed one (git checkout where.note); after rotating the key, move it away \
         to start again at sequence 1 (readers who hold a higher one will ignore the new note \
         until it passes theirs).",
        .path.display()
    )]
    WhereOldNoteUnsigned { path: PathBuf, key: String },

    /// `petitio.toml` gives values a note cannot carry (a config that loads always can).
    #[error("error: the note petitio.toml calls for is not valid: {0}")]
    WhereNoteText(petitio_model::where_note::WhereNoteError),

    /// Making or reading a log key (`petitio_signatures::notes`).
    #[error("error: {0}")]
    LogKey(#[from] petitio_signatures::error::NoteError),
}

impl From<petitio_site::Error> for Error {
    fn from(error: petitio_site::Error) -> Error {
        Error::Build(error.into())
    }
}

/// A build error that stopped the server reads as it does from `petitio build`; the
/// server's own failures are prefixed like every other error.
fn serve_message(error: &ServeError) -> String {
    match error {
        ServeError::Build(build) => build.to_string(),
        other => format!("error: {other}"),
    }
}
