//! `petitio relocate`: run the relocation and print what changed and what to do next.

use crate::error::Error;
use crate::relocate::{relocate, RelocateOptions};

pub fn run(opts: RelocateOptions) -> Result<(), Error> {
    let report = relocate(&opts)?;
    println!("Moved {} -> {}", report.old_base_url, report.new_base_url);
    println!("  petitio.toml: base_url and mirrors updated");
    if report.worker_config_updated {
        println!(
            "  {}: ALLOWED_ORIGINS = {}; route for the new domain",
            opts.worker_config.display(),
            report.allowed_origins.join(",")
        );
    } else {
        println!(
            "  no worker config at {}: set ALLOWED_ORIGINS = {} where the API runs",
            opts.worker_config.display(),
            report.allowed_origins.join(",")
        );
    }
    if let Some(note) = &report.where_note {
        println!(
            "  {}: signed sequence {} for the new address{}; commit it",
            note.path.display(),
            note.note.sequence,
            if note.note.abandoned.is_empty() {
                String::new()
            } else {
                format!(" (abandoned: {})", note.note.abandoned.join(", "))
            }
        );
    }
    println!(
        "  rebuilt {} pages ({} files) into {}",
        report.build.pages_written,
        report.build.files_written,
        opts.out.display()
    );
    println!(
        "  wrote a \"we moved\" site ({} notice pages) into {}: publish it on the old host if it still serves",
        report.moved_pages,
        opts.moved_out.display()
    );
    if report.mirrors.is_empty() {
        println!("  mirrors: none");
    } else {
        println!("  mirrors: {}", report.mirrors.join(", "));
    }
    println!("Done in {:.2} s.", report.elapsed.as_secs_f64());
    println!("Left to do by hand in Cloudflare (with the `petitio doctor` check that verifies each step):");
    for line in report.remaining_steps(&opts.worker_config) {
        println!("{line}");
    }
    Ok(())
}
