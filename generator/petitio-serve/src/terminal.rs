//! Every line `petitio serve` prints while running, in one place. Errors that stop the
//! server are not here: they are returned as `ServeError` (build errors among them).

use std::fmt::Display;
use std::path::Path;
use std::time::Duration;

use petitio_render::BuildReport;

/// The site is up; `url` is what to open in a browser (tests read it from this line).
pub fn serving(url: &str, data_dir: &Path) {
    println!(
        "Serving {url} (signatures are kept in {}). Press Ctrl-C to stop.",
        data_dir.display()
    );
}

/// The log key the local API signs with, which the local pages show instead of
/// petitio.toml's (printed once, at start).
pub fn local_log_key(key: &petitio_model::log_key::VerifierKey) {
    println!("Local log key {key}: local pages show it instead of petitio.toml's.");
}

/// A confirmation or withdrawal message went to the outbox: where, and the link to
/// follow (the address is not shown).
pub fn message_written(path: &Path, link: &str) {
    println!(
        "Message written to {}; its confirmation link: {link}",
        path.display()
    );
}

/// Bound to every interface: other machines use this machine's address, which the
/// server does not know.
pub fn reachable_from_other_machines(port: u16) {
    println!(
        "Listening on every interface: other machines open http://<this machine's address>:{port}/ \
         (a name for it needs --allowed-host NAME)."
    );
}

/// The system refused a connection (too many open files, for instance).
pub fn accept_failed(error: &dyn Display, retry_in: Duration) {
    eprintln!(
        "warning: cannot accept a connection: {error}\n  Trying again in {} s.",
        retry_in.as_secs()
    );
}

pub fn built(report: &BuildReport) {
    println!(
        "Built {} pages in {} ms.",
        report.pages_written,
        report.elapsed.as_millis()
    );
}

pub fn first_build_failed(error: &dyn Display) {
    eprintln!("{error}\n  Serving anyway; pages show this error until it is fixed.");
}

pub fn rebuilt(report: &BuildReport) {
    println!(
        "Rebuilt {} pages in {} ms.",
        report.pages_written,
        report.elapsed.as_millis()
    );
}

pub fn rebuild_failed(error: &dyn Display) {
    eprintln!(
        "{error}\n  Still serving the previous build; pages show this error until it is fixed."
    );
}

pub fn counting_failed(error: &dyn Display, retry_in: Duration) {
    eprintln!(
        "warning: the counting job failed: {error}\n  It runs again in {} s.",
        retry_in.as_secs()
    );
}

pub fn watch_failed(error: &dyn Display) {
    eprintln!("warning: watching for changes: {error}");
}

pub fn stopped() {
    println!("Stopped.");
}
