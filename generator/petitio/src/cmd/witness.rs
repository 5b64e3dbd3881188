//! `petitio witness`: verify a site's logs as `petitio verify` does (with the witness's own
//! state: consistency since its last view), then cosign each checkpoint that passed and
//! print the cosignature lines (`<slug> <line>`), writing the cosigned notes with `--out`.
//! A log that fails is not cosigned, and the command fails.

use std::time::{SystemTime, UNIX_EPOCH};

use petitio_model::urls::log_checkpoint;

use crate::cli::WitnessArgs;
use crate::error::Error;
use crate::verify::{verify, VerifyOptions};
use crate::witness::WitnessKey;

pub fn run(args: WitnessArgs) -> Result<(), Error> {
    let text = std::fs::read_to_string(&args.key).map_err(|source| Error::WitnessKeyRead {
        path: args.key.clone(),
        source,
    })?;
    let key = WitnessKey::parse(&text)?;
    let report = verify(&VerifyOptions {
        site: args.site,
        petition: None,
        receipt: None,
        key: None,
        state: args.state,
        witnesses: Vec::new(),
        default_state: "witness.json",
    })?;
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    for (slug, outcome) in &report.outcomes {
        let verified = match outcome {
            // No log yet: nothing to cosign.
            Ok(verified) if verified.note.is_empty() => continue,
            Ok(verified) => verified,
            Err(problem) => {
                eprintln!("error: {slug}: {problem}");
                continue;
            }
        };
        let line = key.cosign(&verified.text, timestamp);
        print!("{slug} {line}");
        if let Some(out) = &args.out {
            let path = out.join(log_checkpoint(slug));
            let cosigned = format!("{}{line}", verified.note);
            std::fs::create_dir_all(path.parent().expect("a checkpoint path has folders"))
                .and_then(|()| std::fs::write(&path, cosigned))
                .map_err(|e| Error::WriteCosigned {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
        }
    }
    let total = report.passed()?;
    eprintln!(
        "cosigned {total} checkpoint{} of {} as {}",
        if total == 1 { "" } else { "s" },
        report.site,
        key.name()
    );
    Ok(())
}
