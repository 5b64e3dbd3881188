//! `petitio serve`: hand the options to the dev server (`petitio_serve`).
//!
//! The server renders into `<root>/.petitio/site`, never into `dist/`, so the live-reload
//! script it injects can never end up in a deployed build.

use std::path::PathBuf;

use petitio_render::BuildOptions;
use petitio_serve::ServeOptions;

use crate::error::Error;

use crate::cli::ServeArgs;

pub fn run(root: PathBuf, args: ServeArgs) -> Result<(), Error> {
    // Absolute, because the watcher reports absolute paths and rebuilds compare them with
    // the root: with the default root "." no edit matched a source and none was rebuilt.
    let root = std::path::absolute(&root).unwrap_or(root);
    let mut build = BuildOptions::new(root);
    build.out = build.root.join(".petitio").join("site");
    build.drafts = args.drafts;
    build.indexer = Some(std::sync::Arc::new(petitio_search::Pagefind));
    let mut opts = ServeOptions::new(build);
    opts.host = args.host;
    opts.port = args.port;
    opts.allowed_hosts = args.allowed_hosts;
    opts.client_address = args.trust_proxy_header.unwrap_or_default();
    opts.smtp = args.smtp;
    Ok(petitio_serve::run(opts)?)
}
