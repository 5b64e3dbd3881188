//! Reading and rewriting the operator's config files (`petitio.toml`, the worker's
//! `wrangler.toml`) for the commands that edit them (`relocate`, `keygen`): read only from
//! inside their folder, replaced atomically so a failure leaves the old file whole.

use std::io::Write as _;
use std::path::Path;

use petitio_site::confine::SiteRoot;

use crate::error::Error;

/// Replaces a file's contents atomically: written to a new temporary file beside it (created
/// exclusively, so never through a link left there), then renamed over it (which replaces a
/// link rather than writing through it).
pub fn replace_file(path: &Path, text: &str) -> Result<(), Error> {
    Ok(petitio_render::output::write_through_temporary(
        path,
        ".petitio-edit-",
        |file| file.write_all(text.as_bytes()),
    )?)
}

/// Reads a config file a command rewrites (`petitio.toml`, the worker's), only from inside
/// its own folder (`confine`); under the site root, no folder on the way may be a link.
pub fn read_config(root: &Path, path: &Path) -> Result<String, Error> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let folder = match parent.strip_prefix(root) {
        Ok(relative) => SiteRoot::new(root)?.require_folder(&relative.to_string_lossy())?,
        Err(_) => SiteRoot::new(parent)?.require_folder("")?,
    };
    Ok(folder.read_to_string(path)?)
}
