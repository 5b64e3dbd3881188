//! Cross-checking a log with its witnesses (`petitio verify --witness <VKEY>@<URL>`): each
//! witness publishes the latest checkpoint it cosigned at `<URL>/log/<slug>/checkpoint`
//! (`petitio witness --out`). The site's current checkpoint must be that one or a
//! consistent extension of it: otherwise the site showed the witness another log than it
//! shows this reader (a split view), or took entries back since.

use tlog_tiles::{Checkpoint, Hash};

use super::fetch::Site;
use super::log::extends;
use super::tiles::HttpTiles;
use crate::error::{Error, LogProblem};
use crate::witness::CosignatureKey;
use petitio_model::log_key::VerifierKey;
use petitio_model::urls::log_checkpoint;

/// A witness to check against: its verifier key and where it publishes.
pub struct WitnessSource {
    pub key: CosignatureKey,
    pub site: Site,
}

impl WitnessSource {
    /// Reads `<witness verifier key>@<URL>`.
    pub fn parse(text: &str) -> Result<WitnessSource, Error> {
        let bad = || Error::WitnessArgument {
            text: text.to_owned(),
        };
        let (key, url) = text.split_once('@').ok_or_else(bad)?;
        Ok(WitnessSource {
            key: CosignatureKey::parse(key).ok_or_else(bad)?,
            site: Site::new(url)?,
        })
    }

    /// The size of the checkpoint the witness cosigned, once the site's tree of `size` and
    /// `root` is shown to be it or to extend it.
    pub fn check(
        &self,
        slug: &str,
        log_key: &VerifierKey,
        tiles: &HttpTiles,
        size: u64,
        root: Hash,
    ) -> Result<u64, LogProblem> {
        let path = log_checkpoint(slug);
        let url = self.site.url(&path);
        let witness = self.key.name().to_owned();
        let note = self
            .site
            .get_optional(&path)
            .map_err(LogProblem::Fetch)?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| LogProblem::WitnessNone {
                witness: witness.clone(),
                url: url.clone(),
            })?;
        let text = log_key
            .verify_note(&note)
            .map_err(|problem| LogProblem::NotSigned {
                url: url.clone(),
                key: log_key.short(),
                problem,
            })?;
        if !self.key.cosigned(&note, text) {
            return Err(LogProblem::WitnessNotCosigned {
                witness,
                url: url.clone(),
            });
        }
        let checkpoint = Checkpoint::from_bytes(text.as_bytes())
            .map_err(|_| LogProblem::CheckpointMalformed { url: url.clone() })?;
        let witnessed = checkpoint.size();
        if checkpoint.origin() != petitio_model::transparency::origin(log_key.name(), slug) {
            return Err(LogProblem::WrongOrigin {
                found: checkpoint.origin().to_owned(),
                expected: petitio_model::transparency::origin(log_key.name(), slug),
            });
        }
        if witnessed > size {
            return Err(LogProblem::WitnessAhead {
                witness,
                witnessed,
                size,
            });
        }
        if !extends(tiles, size, root, witnessed, *checkpoint.hash())? {
            return Err(LogProblem::SplitView {
                witness,
                witnessed,
                size,
            });
        }
        Ok(witnessed)
    }
}
