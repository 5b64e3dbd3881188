//! The search crate's one error type. Its messages name what failed; the renderer's
//! `Error::SearchIndex` carries them to the user.

/// What can make building the index fail: neither comes from the site's content, which
/// the index only reads after the pages rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start Pagefind's runtime: {0}")]
    Runtime(std::io::Error),

    #[error("Pagefind failed while {doing}: {cause}")]
    Pagefind { doing: &'static str, cause: String },
}

impl From<Error> for petitio_render::Error {
    fn from(error: Error) -> petitio_render::Error {
        petitio_render::Error::SearchIndex {
            cause: error.to_string(),
        }
    }
}
