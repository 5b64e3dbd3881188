//! Every way `petitio serve` can fail, with the user-facing message for each, in one
//! place. A build error is carried unchanged (`ServeError::Build`): its text is the
//! renderer's.

use std::net::SocketAddr;
use std::path::PathBuf;

use petitio_signatures::error::ConfigError;
use petitio_signatures::store::StoreError;

/// A failure of the dev server, or a build error that stops it.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The first build failed in a way no edit can fix (not a site, a disk that refuses).
    #[error(transparent)]
    Build(#[from] petitio_render::Error),

    #[error(
        "--smtp {0:?} is not an SMTP URL: write it as smtp://host:port (plain SMTP, e.g. a \
         relay on this machine)"
    )]
    SmtpUrl(String),

    #[error(
        "cannot create the data directory {}: {source}\n  \
         Check that its parent exists and is writable, or choose another data directory.",
        path.display()
    )]
    CreateDataDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "cannot open the signature database {}: {source}\n  \
         If another `petitio serve` is using this data directory, stop it first.",
        path.display()
    )]
    OpenDatabase {
        path: PathBuf,
        source: Box<redb::Error>,
    },

    #[error(
        "cannot read the signing key {}: {source}\n  \
         Make it readable, or delete it to generate a new one (signatures already stored \
         would no longer be recognised as duplicates).",
        path.display()
    )]
    ReadSigningKey {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "cannot write the signing key {}: {source}\n  \
         Check that the data directory is writable.",
        path.display()
    )]
    WriteSigningKey {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "the signing key {} is empty\n  \
         Delete it to generate a new one, or set SIGNING_KEY in the environment.",
        path.display()
    )]
    EmptySigningKey { path: PathBuf },

    #[error("cannot generate a signing key: the system's random number generator failed ({0})")]
    Randomness(String),

    #[error(
        "cannot read or write the local log key {}: {source}\n  \
         Check that the data directory is writable.",
        path.display()
    )]
    LogKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "the local log key {} cannot be used: {problem}\n  \
         Delete it to make a new one, or set LOG_SIGNING_KEY in the environment.",
        path.display()
    )]
    LogKey { path: PathBuf, problem: String },

    #[error(
        "invalid signature API configuration: {0}\n  \
         Fix or unset the environment variable it names."
    )]
    ApiConfig(#[from] ConfigError),

    #[error("PETITIO_TALLY_INTERVAL_SECS must be a whole number of seconds from 1, got `{0}`")]
    TallyInterval(String),

    #[error("{name} must be a whole number from 1 to {max}, got `{value}`")]
    Limit {
        name: &'static str,
        value: String,
        max: u32,
    },

    #[error(
        "`{0}` is not a host name or address: give the name alone, without scheme, port or \
         path, e.g. --allowed-host petitions.lan"
    )]
    AllowedHost(String),

    #[error(
        "`{0}` is not a header name: give the header your proxy sets to the client's \
         address, e.g. --trust-proxy-header CF-Connecting-IP"
    )]
    ProxyHeader(String),

    #[error(
        "cannot listen on {addr}: {source}\n  \
         Is another server using this port? Choose another with --port."
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },

    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),

    #[error("cannot listen for Ctrl-C and SIGTERM: {0}")]
    Signals(std::io::Error),

    #[error(
        "cannot watch {} for changes: {source}\n  \
         On Linux, raise fs.inotify.max_user_watches if the limit is reached.",
        path.display()
    )]
    Watch {
        path: PathBuf,
        source: Box<notify::Error>,
    },

    #[error(
        "cannot read {}: {source}\n  \
         The build writes it; run `petitio build` to see whether the build is complete.",
        path.display()
    )]
    ReadBuildOutput {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "the manifest {} is not valid: {source}\n  \
         It is written by the build; this is a bug in petitio, please report it.",
        path.display()
    )]
    InvalidManifest {
        path: PathBuf,
        source: serde_json::Error,
    },

    #[error(
        "{}:{line}: {problem}\n  \
         The build writes this file; this is a bug in petitio, please report it.",
        path.display()
    )]
    InvalidHeadersFile {
        path: PathBuf,
        line: usize,
        problem: HeadersProblem,
    },
}

/// What is wrong with a line of a `_headers` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadersProblem {
    #[error("a header line comes before any path pattern")]
    HeaderWithoutPattern,
    #[error("`{0}` is neither `Name: value` nor `! Name`")]
    MalformedHeader(String),
    #[error("the pattern `{0}` does not start with `/`")]
    PatternNotAPath(String),
}

/// The local signature database failed; `StoreError` carries the detail to the API, which
/// answers 503 so the client retries.
pub(crate) fn store_failure(error: impl Into<redb::Error>) -> StoreError {
    StoreError::Unavailable(format!("local signature database: {}", error.into()))
}

/// Body of the 421 answer to a request for a host name the server does not answer for
/// (`None`: the request names no host at all).
pub(crate) fn host_not_allowed(host: Option<&str>) -> String {
    const ANSWERS_FOR: &str = "it answers for 127.0.0.1, localhost, [::1], the address it \
        listens on and the names given with --allowed-host, so that no other site can reach \
        it through its own name (DNS rebinding)";
    match host {
        Some(host) => format!(
            "petitio serve does not answer for the host `{host}`: {ANSWERS_FOR}.\n\
             To open it under this name, restart it with `petitio serve --allowed-host {host}`.\n"
        ),
        None => format!("petitio serve needs the request to name its host: {ANSWERS_FOR}.\n"),
    }
}

/// Body of the 408 answer when a request's body is not received in time.
pub(crate) fn body_too_slow(limit: std::time::Duration) -> String {
    format!(
        "the request's body did not arrive within {} s; send it at once\n",
        limit.as_secs_f64()
    )
}

/// Body of the 503 answer when every live-reload stream is taken.
pub(crate) fn too_many_live_reload_streams(limit: usize) -> String {
    format!(
        "too many pages are open for live reload (at most {limit}); close some tabs, or \
         reload this one later\n"
    )
}

/// Body of the 500 answer when a file of the built site cannot be read.
pub(crate) fn static_file_failure(error: &std::io::Error) -> String {
    format!("cannot read the file from the build output: {error}")
}

/// Body of the 500 answer when the signature API produced a response HTTP cannot carry.
pub(crate) fn invalid_api_response(error: &axum::http::Error) -> String {
    format!("the signature API produced an invalid response: {error}")
}

/// Why a Turnstile token could not be checked (the API then answers 503, not a refusal).
#[derive(Debug, thiserror::Error)]
pub enum TurnstileFailure {
    #[error(
        "petitio serve can only reach a plain-http verifier on this machine, not {0}; \
         set TURNSTILE_VERIFY_URL to one, or unset TURNSTILE_SECRET to sign without \
         Turnstile locally"
    )]
    NotPlainHttp(String),
    #[error("cannot reach the Turnstile verifier: {0}")]
    Connection(std::io::Error),
    #[error("the Turnstile verifier did not answer within {} s", .0.as_secs())]
    TimedOut(std::time::Duration),
    #[error("the Turnstile verifier answered with status {0}")]
    Status(String),
    #[error("the Turnstile verifier's answer is not HTTP")]
    NotHttp,
    /// The body could not be read; `petitio_signatures` says why.
    #[error("{0}")]
    Unreadable(String),
}
