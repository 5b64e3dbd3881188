//! `petitio build`: build atomically and print what was written.

use std::path::PathBuf;

use petitio::{BuildOptions, Error};

pub fn run(
    root: PathBuf,
    out: Option<PathBuf>,
    base_url: Option<String>,
    drafts: bool,
    counts: Option<PathBuf>,
) -> Result<(), Error> {
    let mut opts = BuildOptions::new(root);
    if let Some(out) = out {
        opts.out = out;
    }
    opts.base_url = base_url;
    opts.drafts = drafts;
    opts.counts = counts;
    let report = petitio::build(&opts)?;
    println!(
        "Built {} pages ({} files) into {} in {:.2} s",
        report.pages_written,
        report.files_written,
        opts.out.display(),
        report.elapsed.as_secs_f64()
    );
    Ok(())
}
