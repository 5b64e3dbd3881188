//! `petitio build`: build atomically and print what was written; with `--bundle`, also the
//! archives for volunteers' copies (`bundle.rs`).

use std::path::PathBuf;

use petitio::config::Config;
use petitio::{bundle, BuildOptions, Error};

pub fn run(
    root: PathBuf,
    out: Option<PathBuf>,
    base_url: Option<String>,
    drafts: bool,
    counts: Option<PathBuf>,
    with_bundle: bool,
) -> Result<(), Error> {
    let mut opts = BuildOptions::new(root);
    if let Some(out) = out {
        opts.out = out;
    }
    if with_bundle {
        // Fail on an unusable archive name before building anything.
        bundle::bundle_paths(&opts.out)?;
    }
    opts.base_url = base_url;
    opts.drafts = drafts;
    opts.counts = counts;
    let report = petitio::build(&opts)?;
    super::print_warnings(&report.warnings);
    println!(
        "Built {} pages ({} files) into {} in {:.2} s",
        report.pages_written,
        report.files_written,
        opts.out.display(),
        report.elapsed.as_secs_f64()
    );
    if with_bundle {
        let config = Config::load(&opts.root, opts.base_url.as_deref())?;
        let written = bundle::write_bundles(&opts.out, &config)?;
        println!(
            "Bundle for copies on any domain ({} files): {} ({} bytes), {} ({} bytes)",
            written.files,
            written.tar_gz.display(),
            written.tar_gz_bytes,
            written.zip.display(),
            written.zip_bytes
        );
    }
    Ok(())
}
