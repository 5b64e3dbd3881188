//! `petitio where sign`: sign the note and say what it says and what to do next.

use crate::error::Error;
use crate::where_sign::{sign, WhereSignOptions};

pub fn run(opts: WhereSignOptions) -> Result<(), Error> {
    let report = sign(&opts)?;
    let note = &report.note;
    println!(
        "Signed the note {} (sequence {}, {}) with the log key {}.",
        report.path.display(),
        note.sequence,
        note.date,
        report.key.short()
    );
    println!("  main origin: {}", note.main_origin);
    println!("  origins: {}", note.origins.join(", "));
    println!("  API endpoints: {}", note.api_endpoints.join(", "));
    if !note.abandoned.is_empty() {
        println!("  abandoned: {}", note.abandoned.join(", "));
    }
    println!(
        "Commit it, then build and deploy: every origin publishes it at /{}.",
        petitio_model::urls::WHERE_NOTE
    );
    Ok(())
}
