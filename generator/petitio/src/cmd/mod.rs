//! One module per command; each turns parsed arguments into library calls and prints results.

mod build;
mod check;
mod doctor;
mod keygen;
mod new;
mod relocate;
mod serve;
mod verify;
mod where_sign;
mod witness;

use petitio_site::error::Problem;

use crate::cli::{Cli, Command};
use crate::error::Error;

pub fn run(cli: Cli) -> Result<(), Error> {
    let root = cli.root;
    match cli.command {
        Command::New { slug, lang } => new::run(&root, &slug, lang.as_deref()),
        Command::Check => check::run(&root),
        Command::Build {
            out,
            base_url,
            drafts,
            counts,
            bundle,
            no_search,
        } => {
            let (out, counts) = (root.join(out), counts.map(|file| root.join(file)));
            build::run(root, out, base_url, drafts, counts, bundle, !no_search)
        }
        Command::Relocate {
            new_base_url,
            keep_old_as_mirror,
            worker_config,
            out,
            moved_out,
            key_file,
        } => relocate::run(crate::relocate::RelocateOptions {
            key_file,
            worker_config: root.join(worker_config),
            out: root.join(out),
            moved_out: root.join(moved_out),
            root,
            new_base_url,
            keep_old_as_mirror,
        }),
        Command::Keygen {
            name,
            key_file,
            witness: true,
            ..
        } => keygen::run_witness(&root, name, key_file),
        Command::Keygen {
            name,
            key_file,
            force,
            show_private_key,
            witness: false,
        } => keygen::run(
            crate::keygen::KeygenOptions {
                root,
                name,
                key_file,
                force,
            },
            show_private_key,
        ),
        Command::Where(crate::cli::WhereCommand::Sign { key_file }) => {
            where_sign::run(crate::where_sign::WhereSignOptions { root, key_file })
        }
        Command::Serve(args) => serve::run(root, args),
        Command::Verify(args) => verify::run(crate::verify::VerifyOptions {
            site: args.site,
            petition: args.petition,
            receipt: args.receipt,
            key: args.key,
            state: args.state,
            witnesses: args.witnesses,
            default_state: "verify.json",
        }),
        Command::Witness(args) => witness::run(args),
        Command::Doctor { url, petition } => {
            doctor::run(crate::doctor::DoctorOptions { url, petition })
        }
    }
}

/// Prints warnings to stderr, one per line, as errors are printed (`warning: <file>:<line>: ...`).
fn print_warnings(warnings: &[Problem]) {
    for warning in warnings {
        eprintln!("{warning}");
    }
}
