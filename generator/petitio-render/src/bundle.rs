//! `petitio build --bundle`: the site as `<out>.tar.gz` and `<out>.zip`, for volunteers who
//! host copies.
//!
//! A normal build links pages root-relatively under the base path (`/petitions/en/...`), which
//! works only when the site sits at that path. A volunteer's copy may sit on any domain and in
//! any folder, so the bundle is the site rendered a second time, from the same loaded content
//! and theme, in the page-relative [`UrlMode`]:
//!
//! * every internal link and asset (in pages, their Markdown and the cards) is relative to
//!   the page (`../../assets/site.x.css`); folders stay folders (`../open/`), since static
//!   hosts serve `index.html` for them;
//! * the signature API (the form's `action`, the script's `data-api`) is absolute on the main
//!   site's origin: a copy has no API of its own. When the operator has set
//!   `SIGN_FROM_ANY_ORIGIN` (possible while signatures are confirmed by email or
//!   challenged), the API accepts them from any origin, so a copy signs as it is; otherwise
//!   the main worker must list the copy's origin in `ALLOWED_ORIGINS` (ARCHITECTURE.md,
//!   "Which origins may sign");
//! * `_headers` applies to the whole copy (`/*` instead of the base path); its CSP, and the
//!   embeddable counter's own `<meta>` policy, allow posting to and fetching from the main API;
//! * many hosts of copies ignore `_headers`, so every page that has no policy of its own
//!   carries the site's policy as a `<meta http-equiv="Content-Security-Policy">` element
//!   (all of it that a `<meta>` can carry: `hosting::meta_content_security_policy`; the
//!   templates write it when the render gives them `csp_meta`), and `README.txt` at the top
//!   of the archive lists the headers a host should still send.
//!
//! Absolute URLs (canonical links, Open Graph, feeds, sitemap) and the open data, whose links
//! are documented as root-relative, are the same as in `dist/`, and so are `robots.txt` and
//! the manifest. Both archives are written to a temporary file beside the target and renamed
//! into place, so a reader never sees half an archive; their entries are in the order of a
//! sorted walk of the folder, so they are reproducible.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use petitio_site::config::Config;
use petitio_site::content::Site;
use petitio_site::counts::Counts;
use petitio_site::error::IoAction;

use crate::error::Error;
use crate::hosting;
use crate::output::write_through_temporary;
use crate::renderer::{PartsCache, RenderOptions, Renderer};
use crate::sink::Sink;
use crate::theme::Theme;
use crate::url_mode::{Linker, UrlMode};

/// The file at the top of every archive that says how to host the copy.
pub const README: &str = "README.txt";

/// What `write_bundles` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    pub tar_gz: PathBuf,
    pub tar_gz_bytes: u64,
    pub zip: PathBuf,
    pub zip_bytes: u64,
    /// Files in each archive.
    pub files: usize,
}

/// The two archive paths beside the output folder: `dist` → (`dist.tar.gz`, `dist.zip`).
pub fn bundle_paths(out: &Path) -> Result<(PathBuf, PathBuf), Error> {
    let name = out
        .file_name()
        .and_then(|name| name.to_str())
        .filter(|name| !name.is_empty())
        .ok_or_else(|| Error::BundleName {
            out: out.to_path_buf(),
        })?;
    let parent = out.parent().unwrap_or_else(|| Path::new(""));
    Ok((
        parent.join(format!("{name}.tar.gz")),
        parent.join(format!("{name}.zip")),
    ))
}

/// Renders `site` with `theme` in the page-relative mode and writes `<out>.tar.gz` and
/// `<out>.zip` from it.
pub fn write_bundles(
    site: &Site,
    theme: Arc<Theme>,
    counts: Counts,
    out: &Path,
) -> Result<BundleReport, Error> {
    let (tar_gz, zip) = bundle_paths(out)?;
    let options = RenderOptions {
        mode: UrlMode::PageRelative,
        ..RenderOptions::new(counts)
    };
    let renderer = Renderer::with_theme(site, theme, options, &PartsCache::new(), None)?;
    let collected = Collected::default();
    renderer.render(&renderer.all_jobs(), &collected)?;
    let mut files = vec![Entry {
        path: README.to_owned(),
        bytes: readme(&site.config, renderer.linker()).into_bytes(),
    }];
    files.extend(collected.sorted());
    write_atomically(&tar_gz, |file| write_tar_gz(file, &files))?;
    write_atomically(&zip, |file| write_zip(file, &files))?;
    Ok(BundleReport {
        tar_gz_bytes: size(&tar_gz)?,
        zip_bytes: size(&zip)?,
        tar_gz,
        zip,
        files: files.len(),
    })
}

/// `README.txt`: what the archive is, and the headers a host should send with it.
fn readme(config: &Config, linker: &Linker) -> String {
    let mut text = format!(
        "A copy of {base}\n\n\
         This archive is the whole site as static files whose links work from any domain and\n\
         any folder. Put its files on any static host. Signing goes to the main site's API\n\
         ({api}, tried in this order). If its operators let any address sign (they can while\n\
         each signature is confirmed by email or with a Turnstile challenge), this copy signs\n\
         as it is: open a petition here and sign to check. If signing answers that this\n\
         address may not sign, ask them to add this copy's address to ALLOWED_ORIGINS.\n\n\
         Headers\n\n\
         Every page carries the site's Content-Security-Policy in a\n\
         <meta http-equiv=\"Content-Security-Policy\"> element, so even a host that sends no\n\
         headers runs no inline or foreign script. A <meta> policy cannot carry\n\
         {header_only}, and the other protections exist only as headers, so if\n\
         your host lets you set response headers, send these with every file (the file\n\
         _headers holds the same rules in the format Cloudflare Pages and Netlify read):\n\n",
        base = config.base_url,
        api = linker.api_endpoints().join(", "),
        header_only = hosting::HEADER_ONLY_DIRECTIVES.join(", "),
    );
    for (name, value) in hosting::security_headers(linker) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text.push_str(
        "\nexcept on the embeddable counters, which other sites may frame: leave out\n\
         Content-Security-Policy and X-Frame-Options there (each carries its own policy in a\n\
         <meta> element):\n\n",
    );
    for path in hosting::frameable_paths() {
        text.push_str(&format!("  /{path}\n"));
    }
    text
}

/// One file of the bundle: its path inside the archive (with `/`) and its bytes.
struct Entry {
    path: String,
    bytes: Vec<u8>,
}

/// The rendered files, kept in memory until every job has rendered.
#[derive(Default)]
struct Collected {
    entries: Mutex<Vec<Entry>>,
}

impl Collected {
    /// The files in the order a sorted walk of their folder meets them (`data/petitions/`
    /// before `data/petitions.csv`).
    fn sorted(self) -> Vec<Entry> {
        let mut entries = self.entries.into_inner().unwrap_or_else(|e| e.into_inner());
        entries.sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
        entries
    }
}

impl Sink for Collected {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Entry {
                path: path.to_owned(),
                bytes,
            });
        Ok(())
    }
}

fn write_tar_gz(file: &mut File, entries: &[Entry]) -> io::Result<()> {
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(entry.bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &entry.path, entry.bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()
}

fn write_zip(file: &mut File, entries: &[Entry]) -> io::Result<()> {
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for entry in entries {
        zip.start_file(entry.path.as_str(), options)?;
        zip.write_all(&entry.bytes)?;
    }
    zip.finish()?.flush()
}

/// Writes `target` through a temporary file in the same folder, renamed into place when done.
fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), Error> {
    write_through_temporary(target, ".petitio-bundle-", write)
}

fn size(path: &Path) -> Result<u64, Error> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::io(IoAction::Read, path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_in_the_order_of_a_sorted_walk() {
        let collected = Collected::default();
        for path in [
            "data/petitions.json",
            "data/petitions/b.json",
            "_headers",
            "data/petitions.csv",
            "404.html",
            "data/petitions/a.json",
        ] {
            collected.put(path, Vec::new()).unwrap();
        }
        let paths: Vec<String> = collected.sorted().into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "404.html",
                "_headers",
                "data/petitions/a.json",
                "data/petitions/b.json",
                "data/petitions.csv",
                "data/petitions.json",
            ]
        );
    }

    #[test]
    fn bundle_paths_sit_beside_the_output_folder() {
        assert_eq!(
            bundle_paths(Path::new("/x/dist")).unwrap(),
            (
                PathBuf::from("/x/dist.tar.gz"),
                PathBuf::from("/x/dist.zip")
            )
        );
        assert_eq!(
            bundle_paths(Path::new("/")).unwrap_err().to_string(),
            "error: cannot name archives after the output folder `/`\n  \
             Pass --out with a folder name, e.g. --out dist (the archives become dist.tar.gz and dist.zip)."
        );
    }
}
