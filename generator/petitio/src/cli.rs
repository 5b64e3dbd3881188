//! Command-line arguments (clap) and their help text, with examples for every command.
//! Parsing only: `main.rs` dispatches to `cmd/`. Every default is defined here, once (clap
//! prints it in the help); a relative path is taken from `--root`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use petitio_serve::{AllowedHost, ClientAddress, DEFAULT_LIMITS, DEFAULT_PORT};

#[derive(Debug, Parser)]
#[command(
    name = "petitio",
    version,
    about = "Build petition sites that can move to a new domain in minutes",
    after_help = "Examples:\n  petitio new clean-air-almaty --lang ru\n  petitio check\n  petitio build --base-url https://mirror.example/\n  petitio serve --port 8080"
)]
pub struct Cli {
    /// The site's folder (where petitio.toml is); other relative paths are taken from it
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a petition folder with a file listing every field, as a draft
    #[command(
        after_help = "Examples:\n  petitio new clean-air-almaty\n  petitio new clean-air-almaty --lang ru"
    )]
    New {
        /// Lowercase ASCII letters, digits and hyphens, e.g. clean-air-almaty
        slug: String,
        /// Language of the first file [default: the site's default language]
        #[arg(long)]
        lang: Option<String>,
    },

    /// Validate all content and every internal link, writing nothing
    #[command(after_help = "Examples:\n  petitio check\n  petitio check --root ./my-site")]
    Check,

    /// Build the site into a folder, replacing it only if the build succeeds
    #[command(
        after_help = "Examples:\n  petitio build\n  petitio build --out public --base-url https://mirror.example/petitions/\n  petitio build --counts counts.json --drafts\n  petitio build --bundle"
    )]
    Build {
        /// Output folder
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
        /// Absolute URL the site is served at; overrides base_url of petitio.toml
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include petitions with status "draft"
        #[arg(long)]
        drafts: bool,
        /// JSON file of signature counts to show ({"slug": 120, ...}, as GET /api/counts returns)
        #[arg(long, value_name = "FILE")]
        counts: Option<PathBuf>,
        /// Also write <out>.tar.gz and <out>.zip: the site with page-relative links, for
        /// volunteers to host copies on any domain or subpath (signing goes to the main API)
        #[arg(long)]
        bundle: bool,
        /// Skip the search index (pagefind/); the search pages then offer the listings only
        #[arg(long)]
        no_search: bool,
    },

    /// Move the site to a new domain: config, worker origins and route, rebuild, "we moved" site
    #[command(
        after_help = "The KV namespace is not touched, so every signature and count carries over.\n\nExamples:\n  petitio relocate https://new.example/\n  petitio relocate https://new.example/ --keep-old-as-mirror\n  petitio relocate https://x.example/petitions/ --moved-out old-domain-site"
    )]
    Relocate {
        /// The new absolute address of the site, e.g. https://new.example/
        new_base_url: String,
        /// Keep the old address among the mirrors (only if it is still reachable)
        #[arg(long)]
        keep_old_as_mirror: bool,
        /// The worker config to update (skipped if absent)
        #[arg(long, value_name = "FILE", default_value = "edge-worker/wrangler.toml")]
        worker_config: PathBuf,
        /// Output folder of the rebuilt site
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
        /// Where to write the "we moved" site for the old domain
        #[arg(long, value_name = "DIR", default_value = "dist-moved")]
        moved_out: PathBuf,
        /// The log key's private half, to sign the next where.note when the site has one
        /// [default: .petitio/keys/<name of petitio.toml's key>.key]
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },

    /// Make the operator's log key: its public half into petitio.toml, its private half
    /// into a file, to install as the worker's LOG_SIGNING_KEY secret
    #[command(
        after_help = "The key (Ed25519, C2SP signed-note format) signs the transparency log's checkpoints and the note naming the site's current addresses; see docs/keys.md.\n\nExamples:\n  petitio keygen\n  petitio keygen --name clean-air-kz\n  petitio keygen --force   # rotate: replaces the key in petitio.toml"
    )]
    Keygen {
        /// The key's name, for good: a stable name of the site's log, not a domain (letters,
        /// digits, `.`, `_`, `-`) [default: the replaced key's name, else petitio-<random hex>]
        #[arg(long)]
        name: Option<String>,
        /// Where to write the private key [default: .petitio/keys/<name>.key, git-ignored]
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Replace the key petitio.toml has (and an existing key file): see docs/keys.md,
        /// "Rotation", for what that breaks
        #[arg(long)]
        force: bool,
        /// Also print the private key (it is otherwise only written to the key file)
        #[arg(long)]
        show_private_key: bool,
        /// Make a witness's key instead (C2SP tlog-cosignature), for `petitio witness`;
        /// petitio.toml is not touched [default name: witness-<random hex>, default file:
        /// .petitio/keys/<name>.key]
        #[arg(long, conflicts_with_all = ["force", "show_private_key"])]
        witness: bool,
    },

    /// The signed "where we are now" note (where.note) that copies, embeds and pages follow
    /// when the site moves
    #[command(subcommand)]
    Where(WhereCommand),

    /// Serve the site and the signature API locally, rebuilding on changes
    #[command(after_help = serve_after_help())]
    Serve(ServeArgs),

    /// Check a site's transparency logs from outside: signed checkpoints, every entry, the
    /// published counts and, with a receipt, that your signature is included
    #[command(
        after_help = "Remembers the checkpoints it has seen (--state) and fails on a log that is not a consistent extension of them (rollback, fork, rewritten history). Exits 0 only if every log passes. See docs/transparency.md.\n\nExamples:\n  petitio verify https://petitions.example/\n  petitio verify https://petitions.example/ --petition clean-air-almaty\n  petitio verify https://petitions.example/ --receipt petitio-receipt-v1:clean-air-almaty:3f9c…"
    )]
    Verify(VerifyArgs),

    /// Check the live site as a signer's browser meets it: API reachable from the page's
    /// origin, CORS, the page's CSP, the signed note, the API's petitions against the pages'
    #[command(
        after_help = "One line per check (ok, warn, FAIL), each problem with its fix; exits non-zero when a check fails. Every request gives up after 5 s. Run it after each step `petitio relocate` prints.\n\nExamples:\n  petitio doctor https://new.example/\n  petitio doctor https://mirror.example/ --petition clean-air-almaty"
    )]
    Doctor {
        /// The site's root address on the origin to check, e.g. https://petitions.example/
        url: String,
        /// The petition whose page is read [default: the first open one in the site's manifest]
        #[arg(long, value_name = "SLUG")]
        petition: Option<String>,
    },

    /// Witness a site's logs: verify each (consistent with what this witness saw before)
    /// and cosign its checkpoint (C2SP tlog-cosignature), for the site or a mirror to publish
    #[command(
        after_help = "Run it from cron; see docs/transparency.md, \"Verifying and witnessing\".\n\nExamples:\n  petitio keygen --witness --name volunteer-almaty --key-file ~/witness.key\n  petitio witness https://petitions.example/ --key ~/witness.key --submit\n  petitio witness https://petitions.example/ --key ~/witness.key --out cosigned/"
    )]
    Witness(WitnessArgs),
}

/// `petitio witness`'s options.
#[derive(Debug, Args)]
pub struct WitnessArgs {
    /// The site's address, e.g. https://petitions.example/
    pub site: String,
    /// The witness's private key file (`petitio keygen --witness` wrote it)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The file remembering the checkpoints this witness saw [default:
    /// $XDG_STATE_HOME/petitio/witness.json, else ~/.local/state/petitio/witness.json]
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Also write each cosigned checkpoint (the site's note with this witness's line added)
    /// to <DIR>/log/<slug>/checkpoint
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also post each cosignature to the site (`log/<slug>/cosignature`), which serves it
    /// with its checkpoint if it lists this witness in `[log] witnesses`; a refused one
    /// makes the command fail, with the site's reason
    #[arg(long)]
    pub submit: bool,
}

/// `petitio verify`'s options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The site's address, e.g. https://petitions.example/
    pub site: String,
    /// Check this petition only [default: every petition in the site's open data]
    #[arg(long, value_name = "SLUG")]
    pub petition: Option<String>,
    /// A signer's receipt (petitio-receipt-v1:<slug>:<secret>): prove its signature is in
    /// the log (implies its petition)
    #[arg(long, value_name = "RECEIPT")]
    pub receipt: Option<String>,
    /// The site's log key (<name>+<id>+<key>) [default: the one its open data publishes,
    /// pinned in the state file on first use]
    #[arg(long, value_name = "VKEY")]
    pub key: Option<String>,
    /// The file remembering keys and checkpoints seen [default:
    /// $XDG_STATE_HOME/petitio/verify.json, else ~/.local/state/petitio/verify.json]
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A witness to cross-check with (repeatable): its verifier key, whose cosignature the
    /// site's own checkpoint must carry (`petitio witness --submit`), or `VKEY@URL`, the
    /// address where the witness publishes its cosigned checkpoints (`petitio witness
    /// --out`): each log must be the checkpoint it cosigned or extend it
    #[arg(long = "witness", value_name = "VKEY[@URL]")]
    pub witnesses: Vec<String>,
}

/// `petitio where ...`.
#[derive(Debug, Subcommand)]
pub enum WhereCommand {
    /// Sign a new note from petitio.toml (sequence + 1) into where.note, with the log key's
    /// private half; commit it, and `petitio build` publishes it
    #[command(
        after_help = "Origins the last note listed that petitio.toml no longer has are marked abandoned. See docs/keys.md.\n\nExamples:\n  petitio where sign\n  petitio where sign --key-file /media/usb/clean-air-kz.key"
    )]
    Sign {
        /// The private key [default: .petitio/keys/<name of petitio.toml's key>.key]
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },
}

/// `petitio serve`'s options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every interface,
    /// for a LAN) or one of this machine's addresses
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Include petitions with status "draft"
    #[arg(long)]
    pub drafts: bool,
    /// Also answer requests for this host name or address (repeatable). Only 127.0.0.1,
    /// localhost, [::1], the --host address and the address a request arrived on are
    /// answered otherwise, so that no web page can reach the server through a name of
    /// its own (DNS rebinding)
    #[arg(long = "allowed-host", value_name = "NAME", value_parser = AllowedHost::parse)]
    pub allowed_hosts: Vec<AllowedHost>,
    /// Count rate limits against the client address this header gives (its right-most
    /// entry, e.g. X-Forwarded-For, CF-Connecting-IP), not against the TCP peer. Only
    /// behind a reverse proxy that sets it: any client can send it
    #[arg(long, value_name = "NAME", value_parser = ClientAddress::trusting)]
    pub trust_proxy_header: Option<ClientAddress>,
    /// Send confirmation messages to this SMTP server (smtp://host:port, plain SMTP)
    /// instead of writing them to .petitio/outbox/ and printing their links
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,
}

/// The limits `serve` applies, then examples.
fn serve_after_help() -> String {
    format!(
        "{}\nExamples:\n  petitio serve\n  petitio serve --port 3000 --drafts\n  \
         petitio serve --host 0.0.0.0 --allowed-host petitions.lan\n  \
         petitio serve --trust-proxy-header X-Forwarded-For   # behind nginx or Caddy on this machine",
        DEFAULT_LIMITS.describe()
    )
}
