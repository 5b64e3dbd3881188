//! Where rendered files go: a folder, the changed-files collector of `petitio serve`, the
//! link checker or a bundle's archive.

use crate::error::Error;

/// Where rendered files go. Implementations must be safe to call from many threads.
pub trait Sink: Sync {
    /// Receives the file at `path` (relative to the site root, `/`-separated).
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error>;
}
