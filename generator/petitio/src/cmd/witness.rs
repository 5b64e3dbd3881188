//! `petitio witness`: verify a site's logs as `petitio verify` does (with the witness's own
//! state: consistency since its last view), then cosign each checkpoint that passed and
//! print the cosignature lines (`<slug> <line>`), writing the cosigned notes with `--out`
//! and posting each line to the site with `--submit` (reporting per petition whether the
//! site accepted it). A log that fails is not cosigned, a refused cosignature is reported
//! with the site's reason, and either makes the command fail.

use std::time::{SystemTime, UNIX_EPOCH};

use petitio_model::urls::log_checkpoint;

use crate::cli::WitnessArgs;
use crate::error::Error;
use crate::verify::submit::{submit, Submission};
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
    let mut cosigned = 0;
    let mut refused = 0;
    let mut submitted = 0;
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
        cosigned += 1;
        if let Some(out) = &args.out {
            let path = out.join(log_checkpoint(slug));
            let cosigned = key.cosigned_note(&verified.note, &verified.text, &line);
            std::fs::create_dir_all(path.parent().expect("a checkpoint path has folders"))
                .and_then(|()| std::fs::write(&path, cosigned))
                .map_err(|e| Error::WriteCosigned {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
        }
        if args.submit {
            submitted += 1;
            match submit(&report.site, slug, &line) {
                Submission::Accepted => eprintln!("{slug}: cosignature accepted by the site"),
                Submission::Refused { status, reason } => {
                    refused += 1;
                    eprintln!(
                        "error: {slug}: the site refused the cosignature (HTTP {status}): {reason}"
                    );
                }
            }
        }
    }
    report.passed()?;
    if refused > 0 {
        return Err(Error::CosignaturesRefused {
            site: report.site.clone(),
            refused,
            submitted,
        });
    }
    eprintln!(
        "cosigned {cosigned} checkpoint{} of {} as {}",
        if cosigned == 1 { "" } else { "s" },
        report.site,
        key.name()
    );
    Ok(())
}
