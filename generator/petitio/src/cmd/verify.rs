//! `petitio verify`: one line per petition (`ok: …` on stdout, `error: <slug>: …` on
//! stderr), then a summary; a failure of any log is the command's error.

use petitio_model::numbers::group_digits;

use crate::error::Error;
use crate::verify::{verify, Verified, VerifyOptions};

pub fn run(opts: VerifyOptions) -> Result<(), Error> {
    let report = verify(&opts)?;
    for (slug, outcome) in &report.outcomes {
        match outcome {
            Ok(verified) => println!("{}", ok_line(slug, verified)),
            Err(problem) => eprintln!("error: {slug}: {problem}"),
        }
    }
    let total = report.passed()?;
    println!(
        "verified {} petition log{} of {}",
        group_digits(total as u64, ","),
        if total == 1 { "" } else { "s" },
        report.site
    );
    Ok(())
}

fn ok_line(slug: &str, verified: &Verified) -> String {
    if verified.note.is_empty() {
        return format!("ok: {slug}: no log yet, and no sealed signature published");
    }
    let mut line = format!(
        "ok: {slug}: {} signature{}, log size {}, root {}",
        group_digits(verified.count, ","),
        if verified.count == 1 { "" } else { "s" },
        group_digits(verified.size, ","),
        verified.root
    );
    if !verified.compared {
        line.push_str(" (the site publishes no sealed count to compare)");
    }
    for (witness, size) in &verified.witnessed {
        line.push_str(&match size {
            Some(size) => format!(
                "\nok: {slug}: extends the checkpoint of size {} the witness {witness} cosigned",
                group_digits(*size, ",")
            ),
            None => {
                format!("\nok: {slug}: the checkpoint carries the witness {witness}'s cosignature")
            }
        });
    }
    if let Some(included) = &verified.receipt {
        line.push_str(&format!(
            "\nok: {slug}: the receipt's signature is entry {} (bucket {}), included in this root",
            included.index, included.bucket
        ));
        if let Some(at) = included.withdrawn_at {
            line.push_str(&format!("; it was withdrawn by entry {at}"));
        }
    }
    line
}
