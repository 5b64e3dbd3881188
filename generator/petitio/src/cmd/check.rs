//! `petitio check`: validate content and links, print every problem or a one-line summary.

use std::path::Path;

use crate::error::Error;

pub fn run(root: &Path) -> Result<(), Error> {
    let report = petitio_render::check(root)?;
    super::print_warnings(&report.warnings);
    println!(
        "No problems: {} petitions, {} pages, internal links of {} rendered files checked",
        report.petitions, report.pages, report.files_checked
    );
    Ok(())
}
