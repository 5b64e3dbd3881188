//! Static search for the built site: [`Pagefind`], the renderer's [`Indexer`] that writes a
//! Pagefind index (Pagefind as a library, not a separate download) into `pagefind/` of the
//! output, one index per language, with filters for status, topic, addressee and region
//! that combine with the text. `records.rs` says what is indexed, `pagefind.rs` runs the
//! indexer; the theme's `search.html` and script show it.
//!
//! Pagefind is async; it runs on a current-thread tokio runtime made for each index, so
//! nothing else of `petitio build` needs a runtime, and only this crate (and the dev server)
//! links tokio.

mod error;
mod pagefind;
mod records;

pub use error::Error;

use petitio_render::{Indexer, Theme};
use petitio_site::content::Site;
use petitio_site::counts::Counts;

/// The Pagefind index of every petition page in every language.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pagefind;

impl Indexer for Pagefind {
    fn files(
        &self,
        site: &Site,
        theme: &Theme,
        counts: &Counts,
    ) -> Result<Vec<(String, Vec<u8>)>, petitio_render::Error> {
        let records = records::records(site, theme, counts);
        Ok(pagefind::index(records)?)
    }
}
