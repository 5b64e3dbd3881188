//! `petitio build`: build atomically, with the search index (`petitio_search`) unless
//! `--no-search`, and print what was written; with `--bundle`, also the archives for
//! volunteers' copies (`petitio_render::bundle`).

use std::path::PathBuf;
use std::sync::Arc;

use petitio_render::{BuildOptions, Indexer};
use petitio_search::Pagefind;

use crate::error::Error;

pub fn run(
    root: PathBuf,
    out: PathBuf,
    base_url: Option<String>,
    drafts: bool,
    counts: Option<PathBuf>,
    bundle: bool,
    search: bool,
) -> Result<(), Error> {
    let indexer: Option<Arc<dyn Indexer>> = search.then(|| Arc::new(Pagefind) as Arc<dyn Indexer>);
    let opts = BuildOptions {
        out,
        base_url,
        drafts,
        counts,
        bundle,
        indexer,
        ..BuildOptions::new(root)
    };
    let report = petitio_render::build(&opts)?;
    super::print_warnings(&report.warnings);
    println!(
        "Built {} pages ({} files) into {} in {:.2} s",
        report.pages_written,
        report.files_written,
        opts.out.display(),
        report.elapsed.as_secs_f64()
    );
    if let Some(written) = report.bundle {
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
