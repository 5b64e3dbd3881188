//! `petitio keygen`: make the log key and say how to install it; a rotation warns first
//! of what it breaks.

use crate::error::Error;
use crate::keygen::{keygen, KeygenOptions};

pub fn run(opts: KeygenOptions, show_private_key: bool) -> Result<(), Error> {
    let report = keygen(&opts)?;
    if let Some(old) = &report.replaced {
        eprintln!(
            "warning: replaced the log key {old}. Notes and checkpoints signed with it no \
             longer verify against petitio.toml's key; pages, open data, bundles and mirrors \
             built before show the old key until rebuilt; tell whoever pinned it (witnesses, \
             monitors, people checking bundles) the new one (docs/keys.md, \"Rotation\")."
        );
    }
    let key = &report.verifier_key;
    let file = report.key_file.display();
    println!(
        "Made the log key {} (Ed25519, signed-note format).",
        key.short()
    );
    println!("  public key, now petitio.toml's [log] key (printed on every petition page and in open data):");
    println!("    {key}");
    let ignored = if report.in_default_place {
        "git-ignored under .petitio/; "
    } else {
        ""
    };
    println!("  private key: {file} (readable by you only; {ignored}keep an offline copy, never commit or publish it)");
    if show_private_key {
        println!("    {}", report.private_key);
    }
    println!(
        "Install it as the worker's secret (it signs notes only with the key the site publishes):"
    );
    println!("  wrangler secret put LOG_SIGNING_KEY --config edge-worker/wrangler.toml < {file}");
    println!("Then deploy (scripts/deploy) so pages and open data show the new key.");
    Ok(())
}

/// `petitio keygen --witness`: a witness's key (C2SP tlog-cosignature), written to its file;
/// its verifier key printed for the site's operator and readers.
pub fn run_witness(
    root: &std::path::Path,
    name: Option<String>,
    key_file: Option<std::path::PathBuf>,
) -> Result<(), Error> {
    let name = match name {
        Some(name) => name,
        None => petitio_signatures::notes::random_key_name()?.replacen("petitio-", "witness-", 1),
    };
    let key = crate::witness::WitnessKey::generate(&name)?;
    let file = root.join(key_file.unwrap_or_else(|| crate::keygen::default_key_file(&name)));
    crate::keygen::write_private_key(&file, &key.private_text(), false)?;
    println!("Made the witness key {name} (Ed25519, C2SP tlog-cosignature/v1).");
    println!(
        "  verifier key (give it to the site's operator and to readers who check cosignatures):"
    );
    println!("    {}", key.verifier_key());
    println!(
        "  private key: {} (readable by you only; never publish it)",
        file.display()
    );
    println!(
        "Witness with: petitio witness <site URL> --key {}",
        file.display()
    );
    Ok(())
}
