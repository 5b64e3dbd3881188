//! Cross-checking a log with its witnesses. `petitio verify --witness <VKEY>@<URL>`: the
//! witness publishes the latest checkpoint it cosigned at `<URL>/log/<slug>/checkpoint`
//! (`petitio witness --out`), and the site's current checkpoint must be that one or a
//! consistent extension of it: otherwise the site showed the witness another log than it
//! shows this reader (a split view), or took entries back since.
//! `petitio verify --witness <VKEY>`: the site's own checkpoint must carry the witness's
//! cosignature (the site collects them: `petitio witness --submit`), which then covers
//! exactly the checkpoint this reader got.

use tlog_tiles::{Checkpoint, Hash};

use super::fetch::Site;
use super::log::extends;
use super::tiles::HttpTiles;
use crate::error::{Error, LogProblem};
use petitio_model::cosignature::CosignatureKey;
use petitio_model::log_key::VerifierKey;
use petitio_model::urls::log_checkpoint;

/// A witness to check against: its verifier key and where it publishes (`None`: on the
/// site's own checkpoint).
pub struct WitnessSource {
    pub key: CosignatureKey,
    pub site: Option<Site>,
}

/// The site's own checkpoint as the reader got it: the signed note and its text.
pub struct OwnCheckpoint<'c> {
    pub url: &'c str,
    pub note: &'c str,
    pub text: &'c str,
}

impl WitnessSource {
    /// Reads `<witness verifier key>@<URL>` or `<witness verifier key>`. (A verifier
    /// key's base64 holds no `@`.)
    pub fn parse(text: &str) -> Result<WitnessSource, Error> {
        let bad = || Error::WitnessArgument {
            text: text.to_owned(),
        };
        let (key, url) = match text.split_once('@') {
            Some((key, url)) => (key, Some(url)),
            None => (text, None),
        };
        Ok(WitnessSource {
            key: CosignatureKey::parse(key).map_err(|_| bad())?,
            site: url.map(Site::new).transpose()?,
        })
    }

    /// The size of the checkpoint the witness cosigned where it publishes, once the site's
    /// tree of `size` and `root` is shown to be it or to extend it; `None` when the
    /// witness's cosignature is on the site's own checkpoint (`own`).
    pub fn check(
        &self,
        slug: &str,
        log_key: &VerifierKey,
        tiles: &HttpTiles,
        (size, root): (u64, Hash),
        own: &OwnCheckpoint<'_>,
    ) -> Result<Option<u64>, LogProblem> {
        let witness = self.key.name().to_owned();
        let Some(site) = &self.site else {
            if !self.key.cosigned(own.note, own.text) {
                return Err(LogProblem::WitnessNotCosigned {
                    witness,
                    url: own.url.to_owned(),
                });
            }
            return Ok(None);
        };
        let path = log_checkpoint(slug);
        let url = site.url(&path);
        let note = site
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
        Ok(Some(witnessed))
    }
}
