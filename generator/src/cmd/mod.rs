//! One module per command; each turns parsed arguments into library calls and prints results.

mod build;
mod check;
mod new;
mod serve;

use petitio::Error;

use crate::cli::{Cli, Command};

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
        } => build::run(root, out, base_url, drafts, counts),
        Command::Serve { port, drafts } => serve::run(root, port, drafts),
    }
}
