//! The committed "where we are now" note (#15): `where.note` next to `petitio.toml`, a C2SP
//! signed note whose text is a [`WhereNote`], signed on the operator's machine by
//! `petitio where sign` with the log key's private half.
//!
//! The build publishes it unchanged (never signs: CI holds no key), so it is checked here,
//! with the config, against what the site itself says: it must verify against
//! `petitio.toml`'s `[log] key`, name that key's log, and list at least one of the site's
//! origins (its `base_url` or a mirror). A note that fails any of these would make every
//! reader ignore it, or send them elsewhere: the build refuses it, naming the fix. A site
//! without the file builds as before.

use std::path::Path;

use petitio_model::log_key::VerifierKey;
use petitio_model::weburl::parse_http_url;
use petitio_model::where_note::WhereNote;

use crate::confine::SiteRoot;
use crate::error::{Error, Problem, ProblemKind};

/// The note's file, next to `petitio.toml`.
pub const WHERE_FILE: &str = "where.note";

/// The signed note as committed, and what its text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWhereNote {
    /// The whole file (text, blank line, signatures): published byte for byte.
    pub signed: String,
    pub note: WhereNote,
}

/// Reads and checks `<root>/where.note` (`Ok(None)` when there is none).
pub fn load(
    root: &Path,
    log_key: Option<&VerifierKey>,
    site_origins: &[String],
) -> Result<Option<SignedWhereNote>, Error> {
    let path = root.join(WHERE_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let signed = SiteRoot::new(root)?
        .require_folder("")?
        .read_to_string(&path)?;
    check(&signed, log_key, site_origins)
        .map(Some)
        .map_err(|problem| Error::Content(vec![problem]))
}

/// Checks a signed note's text against the site's log key and origins.
pub fn check(
    signed: &str,
    log_key: Option<&VerifierKey>,
    site_origins: &[String],
) -> Result<SignedWhereNote, Problem> {
    let problem = |kind| Problem::new(WHERE_FILE, kind);
    let key = log_key.ok_or_else(|| problem(ProblemKind::WhereNoteWithoutKey))?;
    let text = key.verify_note(signed).map_err(|reason| {
        problem(ProblemKind::WhereNoteSignature {
            key: key.short(),
            reason,
        })
    })?;
    let note = WhereNote::parse(text).map_err(|error| {
        let at = problem(ProblemKind::WhereNoteText {
            problem: error.problem.to_string(),
        });
        match error.line {
            Some(line) => at.at_line(line),
            None => at,
        }
    })?;
    if note.key_name != key.name() {
        return Err(problem(ProblemKind::WhereNoteKeyName {
            note: note.key_name,
            key: key.name().to_owned(),
        })
        .at_line(2));
    }
    if !site_origins.iter().any(|origin| note.lists_origin(origin)) {
        return Err(problem(ProblemKind::WhereNoteNoOrigin {
            site: site_origins.to_vec(),
            listed: note.origins,
        }));
    }
    Ok(SignedWhereNote {
        signed: signed.to_owned(),
        note,
    })
}

/// The origin of each URL (`base_url`, mirrors), as the note lists origins.
pub fn origins_of<'u>(urls: impl IntoIterator<Item = &'u str>) -> Vec<String> {
    let mut origins: Vec<String> = Vec::new();
    for url in urls {
        if let Some(origin) = parse_http_url(url).map(|url| url.origin().ascii_serialization()) {
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
    }
    origins
}
