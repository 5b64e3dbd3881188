//! The verifier's memory between runs (`--state FILE`, default
//! `$XDG_STATE_HOME/petitio/verify.json`, else `~/.local/state/petitio/verify.json`): per
//! site, the log key pinned on first use, and per petition the largest checkpoint seen
//! (size and root). Nothing else is kept across runs: tiles and entries are fetched again.
//!
//! A later checkpoint must be a consistent extension of the remembered one; a smaller one
//! (rollback) or one of the same size with another root (fork) is refused by the caller
//! ([`super::log`]). The file is replaced atomically (write beside it, rename), and only
//! with checkpoints that passed every check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The state file's format version.
const VERSION: u32 = 1;

/// Everything remembered.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    version: u32,
    /// Site URL (as given, normalised to end in `/`) → what is pinned for it.
    sites: BTreeMap<String, SiteState>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SiteState {
    /// The verifier key of the site's log, pinned on first use.
    pub key: Option<String>,
    /// Slug → the largest checkpoint seen that passed.
    #[serde(default)]
    pub logs: BTreeMap<String, SeenCheckpoint>,
}

/// A checkpoint remembered: its tree size and root hash (base64, as the checkpoint writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenCheckpoint {
    pub size: u64,
    pub root: String,
}

/// The default state file `file_name`, from the XDG base directory rules.
pub fn default_path(file_name: &str) -> Option<PathBuf> {
    let state_home = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state"))
        })?;
    Some(state_home.join("petitio").join(file_name))
}

impl State {
    /// Reads the state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, Error> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State {
                    version: VERSION,
                    ..State::default()
                })
            }
            Err(source) => {
                return Err(Error::StateRead {
                    path: path.to_owned(),
                    reason: source.to_string(),
                })
            }
        };
        let state: State = serde_json::from_slice(&bytes).map_err(|e| Error::StateRead {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if state.version != VERSION {
            return Err(Error::StateRead {
                path: path.to_owned(),
                reason: format!("version {} is not {VERSION}", state.version),
            });
        }
        Ok(state)
    }

    /// Writes the state file (its folder created as needed), replacing it atomically.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let write_error = |source: std::io::Error| Error::StateWrite {
            path: path.to_owned(),
            reason: source.to_string(),
        };
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(write_error)?;
        }
        let mut text = serde_json::to_string_pretty(self).expect("plain values serialise");
        text.push('\n');
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, text).map_err(write_error)?;
        std::fs::rename(&temporary, path).map_err(write_error)
    }

    /// What is pinned for `site` (empty the first time).
    pub fn site(&self, site: &str) -> SiteState {
        self.sites.get(site).cloned().unwrap_or_default()
    }

    /// Pins `key` for `site` (first use).
    pub fn pin_key(&mut self, site: &str, key: &str) {
        self.sites.entry(site.to_owned()).or_default().key = Some(key.to_owned());
    }

    /// Remembers `seen` for `site`'s petition `slug` if it is larger than what was seen.
    pub fn remember(&mut self, site: &str, slug: &str, seen: SeenCheckpoint) {
        let logs = &mut self.sites.entry(site.to_owned()).or_default().logs;
        match logs.get(slug) {
            Some(old) if old.size >= seen.size => {}
            _ => {
                logs.insert(slug.to_owned(), seen);
            }
        }
    }
}
