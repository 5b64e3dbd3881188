//! The hook through which a build adds a search index: the renderer defines what an
//! [`Indexer`] is and calls it inside the atomic build (and `petitio serve` after each
//! rebuild); `petitio-search` implements it with Pagefind. The renderer itself never links
//! the indexer's libraries (an async runtime among them), and `check` and the bundle, which
//! have no index, do not run it.

use petitio_site::content::Site;
use petitio_site::counts::Counts;

use crate::error::Error;
use crate::theme::Theme;

/// Makes the files of a search index for a site.
pub trait Indexer: Send + Sync + std::fmt::Debug {
    /// The index's files for `site` as the theme names things and `counts` (the build's
    /// snapshot) stand: paths relative to the output folder, and their bytes.
    fn files(
        &self,
        site: &Site,
        theme: &Theme,
        counts: &Counts,
    ) -> Result<Vec<(String, Vec<u8>)>, Error>;
}
