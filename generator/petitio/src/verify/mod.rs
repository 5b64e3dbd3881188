//! `petitio verify`: check a site's transparency logs from outside, with nothing but HTTP
//! (docs/transparency.md, "Verifying and witnessing"). For each petition, [`log::LogCheck`]
//! checks the signed checkpoint, recomputes the tree from the entries, applies the count
//! rule, compares with the published count and, with a receipt, proves the signer's entry
//! included; [`state`] remembers the largest checkpoint seen so a later run refuses a
//! rollback, a fork or rewritten history. The HTTP client lives here and in no other crate.

pub(crate) mod fetch;
mod log;
mod open_data;
mod state;
pub mod submit;
mod tiles;
mod witnessed;

use std::path::PathBuf;

use petitio_model::log_key::VerifierKey;

pub use self::log::Verified;
use crate::error::{Error, LogProblem};
use fetch::Site;
use log::LogCheck;
use open_data::OpenData;
use petitio_model::transparency::Receipt;
use state::State;

/// What `petitio verify` is asked to do.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub site: String,
    pub petition: Option<String>,
    pub receipt: Option<String>,
    pub key: Option<String>,
    pub state: Option<PathBuf>,
    /// `<witness verifier key>@<URL>` of each witness to cross-check with.
    pub witnesses: Vec<String>,
    /// The state file's name in the state folder when `state` is `None` (`verify.json`;
    /// a witness keeps its own view, `witness.json`).
    pub default_state: &'static str,
}

/// Each petition checked and how it went, in the open data's order.
pub struct Report {
    pub site: String,
    pub outcomes: Vec<(String, Result<Verified, LogProblem>)>,
}

impl Report {
    /// How many logs were checked, or the command's error when any failed (each failure
    /// has been reported on its own line by then).
    pub fn passed(&self) -> Result<usize, Error> {
        let failed = self.outcomes.iter().filter(|(_, o)| o.is_err()).count();
        let total = self.outcomes.len();
        if failed > 0 {
            return Err(Error::VerifyFailed {
                site: self.site.clone(),
                failed,
                total,
            });
        }
        Ok(total)
    }
}

/// Checks the logs and updates the state file with every checkpoint that passed.
pub fn verify(opts: &VerifyOptions) -> Result<Report, Error> {
    let site = Site::new(&opts.site)?;
    let state_path = match &opts.state {
        Some(path) => path.clone(),
        None => state::default_path(opts.default_state).ok_or(Error::NoStateFolder)?,
    };
    let mut state = State::load(&state_path)?;
    let receipt = opts
        .receipt
        .as_deref()
        .map(|text| Receipt::parse(text).map_err(|problem| Error::BadReceipt { problem }))
        .transpose()?;
    let petition = match (&opts.petition, &receipt) {
        (Some(petition), Some(receipt)) if *petition != receipt.slug => {
            return Err(Error::ReceiptOtherPetition {
                receipt: receipt.slug.clone(),
                petition: petition.clone(),
            })
        }
        (petition, receipt) => petition
            .clone()
            .or_else(|| receipt.as_ref().map(|r| r.slug.clone())),
    };
    let witnesses = opts
        .witnesses
        .iter()
        .map(|text| witnessed::WitnessSource::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    let open_data = OpenData::fetch(&site)?;
    let key = log_key(&site, opts.key.as_deref(), &open_data, &state, &state_path)?;
    let slugs: Vec<String> = match petition {
        Some(slug) => {
            if open_data.petition(&slug).is_none() {
                return Err(Error::UnknownPetition {
                    site: site.base().to_owned(),
                    slug,
                });
            }
            vec![slug]
        }
        None => open_data.petitions.iter().map(|(s, _)| s.clone()).collect(),
    };
    let pinned = state.site(site.base());
    let mut outcomes = Vec::with_capacity(slugs.len());
    for slug in slugs {
        let outcome = LogCheck {
            site: &site,
            slug: &slug,
            key: &key,
            seen: pinned.logs.get(&slug),
            published: open_data.petition(&slug).flatten(),
            receipt: receipt.as_ref(),
            witnesses: &witnesses,
        }
        .run();
        if let Ok(verified) = &outcome {
            state.pin_key(site.base(), key.as_str());
            state.remember(site.base(), &slug, verified.seen());
        }
        outcomes.push((slug, outcome));
    }
    state.save(&state_path)?;
    Ok(Report {
        site: site.base().to_owned(),
        outcomes,
    })
}

/// The key to check checkpoints with: `--key`, else the one the site publishes; either
/// must be the key pinned for the site on first use.
fn log_key(
    site: &Site,
    given: Option<&str>,
    open_data: &OpenData,
    state: &State,
    state_path: &std::path::Path,
) -> Result<VerifierKey, Error> {
    let text = given
        .map(str::to_owned)
        .or_else(|| open_data.key.clone())
        .ok_or_else(|| Error::NoLogKey {
            site: site.base().to_owned(),
        })?;
    let key = VerifierKey::parse(text.trim()).map_err(|problem| Error::BadLogKey {
        key: text.clone(),
        problem,
    })?;
    if let Some(pinned) = state.site(site.base()).key {
        if pinned != key.as_str() {
            return Err(Error::LogKeyChanged {
                site: site.base().to_owned(),
                pinned,
                now: key.to_string(),
                state: state_path.to_owned(),
            });
        }
    }
    Ok(key)
}
