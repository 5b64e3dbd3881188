//! `petitio where sign`: write and sign the "where we are now" note (#15), `where.note` next
//! to `petitio.toml`, on the operator's machine with the log key's private half.
//!
//! Who signs decides who can move the site's readers. Signing here, from the key file the
//! operator keeps, means neither CI (which only publishes the committed file, checked by
//! `petitio build`) nor the worker (whose `LOG_SIGNING_KEY` signs log checkpoints) ever
//! decides where signers go: a seized CI can publish only a note the operator signed, and
//! readers accept only a higher sequence than they hold. (A seized key can do more:
//! docs/keys.md, "If the key is seized or leaks".)
//!
//! The note says what `petitio.toml` says now: `base_url`'s origin is the main one, the
//! mirrors follow, every API endpoint is made absolute. Its sequence is the committed
//! note's plus one; every origin the committed note listed that the site no longer has is
//! abandoned from now on (readers never go back to it), and so stays every origin it
//! already called abandoned.

use std::path::{Path, PathBuf};

use petitio_model::log_key::VerifierKey;
use petitio_model::where_note::WhereNote;
use petitio_signatures::notes::NoteSigner;
use petitio_site::config::{Config, CONFIG_FILE};
use petitio_site::where_file::WHERE_FILE;

use crate::config_file::{read_config, replace_file};
use crate::error::Error;
use crate::keygen::default_key_file;

/// What to sign with.
#[derive(Debug, Clone)]
pub struct WhereSignOptions {
    pub root: PathBuf,
    /// The private key (`None`: [`default_key_file`] of the config's key, under the root).
    pub key_file: Option<PathBuf>,
}

/// What was signed, and where it went.
#[derive(Debug, Clone)]
pub struct WhereSignReport {
    pub note: WhereNote,
    /// The note signed: what `where.note` holds.
    pub signed: String,
    pub path: PathBuf,
    pub key: VerifierKey,
}

/// Signs a new note from `petitio.toml` and writes it to `where.note`.
pub fn sign(opts: &WhereSignOptions) -> Result<WhereSignReport, Error> {
    let config_path = opts.root.join(CONFIG_FILE);
    if !config_path.is_file() {
        return Err(petitio_site::Error::NotASite {
            root: opts.root.clone(),
        }
        .into());
    }
    let text = read_config(&opts.root, &config_path)?;
    let signer = WhereSigner::new(&opts.root, opts.key_file.as_deref(), &text)?;
    let report = signer.sign(&text)?;
    replace_file(&report.path, &report.signed)?;
    Ok(report)
}

/// Everything signing needs but the config it signs for: read (and checked) first, so a
/// command that signs as one of its steps (`petitio relocate`) fails before writing
/// anything.
pub struct WhereSigner {
    signer: NoteSigner,
    key: VerifierKey,
    path: PathBuf,
    previous: Option<WhereNote>,
}

impl WhereSigner {
    /// The key of `config_text` (petitio.toml's), its private half from `key_file` (default:
    /// [`default_key_file`] under `root`) and the committed note it follows.
    pub fn new(
        root: &Path,
        key_file: Option<&Path>,
        config_text: &str,
    ) -> Result<WhereSigner, Error> {
        let config = parse_config(config_text)?;
        let key = config.log_key.clone().ok_or(Error::WhereNoLogKey)?;
        let key_file =
            root.join(key_file.map_or_else(|| default_key_file(key.name()), Path::to_owned));
        let signer = read_signer(&key_file, &key)?;
        let path = root.join(WHERE_FILE);
        let previous = previous_note(&path, &key)?;
        Ok(WhereSigner {
            signer,
            key,
            path,
            previous,
        })
    }

    /// The signed note `config_text` calls for (nothing written).
    pub fn sign(&self, config_text: &str) -> Result<WhereSignReport, Error> {
        let config = parse_config(config_text)?;
        let note = next_note(&config, &self.key, self.previous.as_ref())?;
        let signed = self
            .signer
            .sign(&note.to_text().map_err(Error::WhereNoteText)?)?;
        Ok(WhereSignReport {
            note,
            signed,
            path: self.path.clone(),
            key: self.key.clone(),
        })
    }
}

/// petitio.toml's text, parsed without the committed note (which may well name origins the
/// site left).
fn parse_config(text: &str) -> Result<Config, Error> {
    Ok(Config::parse(text, None).map_err(petitio_site::Error::Content)?)
}

/// The private key in `path`, which must be the private half of `key`.
fn read_signer(path: &Path, key: &VerifierKey) -> Result<NoteSigner, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadKeyFile {
        path: path.to_owned(),
        source,
    })?;
    let signer = NoteSigner::from_private_key(&text)?;
    if signer.verifier_key() != key {
        return Err(Error::WhereKeyMismatch {
            path: path.to_owned(),
            file: signer.verifier_key().short(),
            config: key.short(),
        });
    }
    Ok(signer)
}

/// The committed note, when there is one; it must be signed by `key` (else the sequence
/// readers hold is unknown).
fn previous_note(path: &Path, key: &VerifierKey) -> Result<Option<WhereNote>, Error> {
    if !path.is_file() {
        return Ok(None);
    }
    let signed = std::fs::read_to_string(path).map_err(|source| Error::ReadWhereNote {
        path: path.to_owned(),
        source,
    })?;
    let not_ours = || Error::WhereOldNoteUnsigned {
        path: path.to_owned(),
        key: key.short(),
    };
    let text = key.verify_note(&signed).map_err(|_| not_ours())?;
    WhereNote::parse(text).map(Some).map_err(|_| not_ours())
}

/// The note `petitio.toml` calls for, following `previous`.
fn next_note(
    config: &Config,
    key: &VerifierKey,
    previous: Option<&WhereNote>,
) -> Result<WhereNote, Error> {
    let origins = config.origins();
    let main_origin = config.origin();
    let api_endpoints = config
        .api_endpoints
        .all()
        .iter()
        .map(|endpoint| {
            if endpoint.starts_with('/') {
                format!("{main_origin}{endpoint}")
            } else {
                endpoint.clone()
            }
        })
        .collect();
    let mut abandoned: Vec<String> = Vec::new();
    if let Some(previous) = previous {
        for origin in previous.abandoned.iter().chain(&previous.origins) {
            if !origins.contains(origin) && !abandoned.contains(origin) {
                abandoned.push(origin.clone());
            }
        }
    }
    let sequence = previous.map_or(1, |previous| previous.sequence + 1);
    Ok(WhereNote {
        key_name: key.name().to_owned(),
        sequence,
        main_origin,
        origins,
        api_endpoints,
        abandoned,
        date: petitio_site::today::today(config.utc_offset)?,
    })
}
