//! `petitio`: the command-line entry point. Parses arguments, runs one command, and turns an
//! error into its message on stderr and exit status 1.

mod cli;
mod cmd;
mod config_file;
mod doctor;
mod error;
mod keygen;
mod relocate;
mod verify;
mod where_sign;
mod witness;

use std::process::ExitCode;

use clap::Parser;

/// A build allocates and frees millions of short strings on every core at once; glibc's
/// allocator was a quarter of a build's samples (BENCHMARKS.md, "Where `petitio build`
/// spends its time").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
