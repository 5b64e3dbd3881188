//! The binary's one error type: every library crate's error, and the few failures that
//! belong to a command itself (`new`, `relocate`), with their messages in one place. The
//! `Display` of [`Error`] is the complete text `main` prints to stderr; tests compare it
//! byte for byte.

use std::path::PathBuf;

use petitio_model::log_key::{NoteVerifyProblem, VerifierKeyProblem};
use petitio_model::transparency::{CountProblem, EntryProblem, ReceiptProblem};

use petitio_serve::ServeError;
use petitio_site::error::ProblemKind;

/// Everything that can make a command fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading, checking, rendering or writing the site (the site crate's errors included).
    #[error(transparent)]
    Build(#[from] petitio_render::Error),

    /// The dev server failed (its messages live in `petitio_serve::error`).
    #[error("{}", serve_message(.0))]
    Serve(#[from] ServeError),

    /// A slug given on the command line (`petitio new`): the same rules as in `content/`.
    #[error("error: {kind}")]
    InvalidSlug { kind: ProblemKind },

    #[error("error: {} already exists; pick another slug or edit the existing petition", .path.display())]
    PetitionExists { path: PathBuf },

    #[error("error: language `{lang}` is not in `languages` of petitio.toml ({})", .configured.join(", "))]
    UnknownLanguage {
        lang: String,
        configured: Vec<String>,
    },

    #[error(
        "error: `{url}` is not a usable site address: {reason}\n  \
         Give the new address like https://new.example/ or https://new.example/petitions/"
    )]
    InvalidBaseUrl { url: String, reason: String },

    #[error("error: {}: {reason}\n  Fix the file by hand, then run `petitio relocate` again.", .path.display())]
    RelocateConfig { path: PathBuf, reason: String },

    #[error("error: the site already lives at {url}; nothing to relocate")]
    RelocateSameUrl { url: String },

    #[error("error: {}: {reason}\n  Fix the file by hand, then run `petitio keygen` again.", .path.display())]
    KeygenConfig { path: PathBuf, reason: String },

    #[error(
        "error: petitio.toml already has a log key ({key}); a new one would break every note \
         and checkpoint signed with it for whoever pinned it\n  \
         Keep it, or replace it with `petitio keygen --force` (docs/keys.md, \"Rotation\")."
    )]
    KeygenKeyExists { key: String },

    #[error(
        "error: {} already exists and may hold a private key in use\n  \
         Move it away, name another file with --key-file, or replace it with --force.",
        .path.display()
    )]
    KeyFileExists { path: PathBuf },

    #[error("error: cannot write the private key to {}: {source}", .path.display())]
    WriteKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: petitio.toml has no log key (`[log] key`) to sign the note with\n  \
         Make one with `petitio keygen` (docs/keys.md), then run `petitio where sign` again."
    )]
    WhereNoLogKey,

    #[error(
        "error: cannot read the private key {}: {source}\n  \
         Name the file with --key-file (`petitio keygen` wrote it, by default under .petitio/keys/).",
        .path.display()
    )]
    ReadKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: {} holds the private key {file}, but petitio.toml's log key is {config}\n  \
         Name the key file of {config} with --key-file; readers check notes against petitio.toml's key.",
        .path.display()
    )]
    WhereKeyMismatch {
        path: PathBuf,
        file: String,
        config: String,
    },

    #[error("error: cannot read {}: {source}", .path.display())]
    ReadWhereNote {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: {} is not a note signed by the log key {key}, so its sequence number is unknown\n  \
         Restore the committed one (git checkout where.note); after rotating the key, move it away \
         to start again at sequence 1 (readers who hold a higher one will ignore the new note \
         until it passes theirs).",
        .path.display()
    )]
    WhereOldNoteUnsigned { path: PathBuf, key: String },

    /// `petitio.toml` gives values a note cannot carry (a config that loads always can).
    #[error("error: the note petitio.toml calls for is not valid: {0}")]
    WhereNoteText(petitio_model::where_note::WhereNoteError),

    /// `petitio verify`: the site's address.
    #[error(
        "error: `{url}` is not a site address\n  \
         Give it as https://petitions.example/ (http:// only for a server on this machine or network)."
    )]
    VerifySiteUrl { url: String },

    #[error("error: {0}")]
    Fetch(#[from] FetchError),

    /// `petitio doctor`: the site's address.
    #[error(
        "error: `{url}` is not a site address\n  \
         Give the site's root like https://petitions.example/ (http:// for a server on this machine)."
    )]
    DoctorUrl { url: String },

    #[error(
        "error: cannot load {url}: {reason}\n  \
         Check the address; if the site does not answer at all, its DNS record and the worker \
         route come first (the steps `petitio relocate` printed)."
    )]
    DoctorPage { url: String, reason: String },

    #[error(
        "error: {site} publishes no manifest listing its petitions (_petitio/manifest.json)\n  \
         Name the petition whose page to check with --petition SLUG."
    )]
    DoctorNoManifest { site: String },

    #[error(
        "error: {site} has no petition `{slug}` in its manifest\n  \
         Give the slug of a published petition (it is in the page's address), or leave out --petition."
    )]
    DoctorUnknownPetition { site: String, slug: String },

    #[error(
        "error: {failed} of {total} checks failed for {site}\n  \
         Fix what each FAIL line says, then run `petitio doctor` again."
    )]
    DoctorFailed {
        site: String,
        failed: usize,
        total: usize,
    },

    #[error("error: {url} is not the site's open data: {reason}")]
    OpenData { url: String, reason: String },

    #[error(
        "error: no folder for the verifier's state: neither XDG_STATE_HOME nor HOME is set\n  \
         Name the file with --state."
    )]
    NoStateFolder,

    #[error(
        "error: cannot read the verifier's state file {}: {reason}\n  \
         Fix it or move it away (it holds the checkpoints seen so far; without it a rollback \
         since then goes unnoticed).",
        .path.display()
    )]
    StateRead { path: PathBuf, reason: String },

    #[error("error: cannot write the verifier's state file {}: {reason}", .path.display())]
    StateWrite { path: PathBuf, reason: String },

    #[error(
        "error: {site} publishes no log key in its open data, and none was given\n  \
         Give the site's key with --key (its petitio.toml's [log] key, printed on its petition pages)."
    )]
    NoLogKey { site: String },

    #[error("error: `{key}` is not a log key: {problem}")]
    BadLogKey {
        key: String,
        problem: VerifierKeyProblem,
    },

    #[error(
        "error: the log key of {site} is now {now}, but {pinned} was pinned for it in {}\n  \
         A site replaces its key rarely and says so (docs/keys.md, \"Rotation\"): check the new \
         key with its operator another way; to accept it, remove the site from the state file.",
        .state.display()
    )]
    LogKeyChanged {
        site: String,
        pinned: String,
        now: String,
        state: PathBuf,
    },

    #[error("error: {site} has no petition `{slug}` in its open data")]
    UnknownPetition { site: String, slug: String },

    #[error("error: the receipt is not valid: {problem}")]
    BadReceipt { problem: ReceiptProblem },

    #[error(
        "error: the receipt is for the petition `{receipt}`, not `{petition}`\n  \
         Leave out --petition: the receipt names its petition."
    )]
    ReceiptOtherPetition { receipt: String, petition: String },

    /// `petitio verify`: some logs did not pass (each was reported on its own line).
    #[error("error: {failed} of {total} petition logs of {site} failed verification")]
    VerifyFailed {
        site: String,
        failed: usize,
        total: usize,
    },

    /// `petitio keygen --witness` and `petitio witness`.
    #[error("error: `{name}` is not a witness key name: {rule}")]
    WitnessKeyName { name: String, rule: &'static str },

    #[error("error: the system gave no randomness for a key: {reason}")]
    WitnessRandomness { reason: String },

    #[error(
        "error: cannot read the witness key {}: {source}\n  \
         Make one with `petitio keygen --witness --key-file FILE`.",
        .path.display()
    )]
    WitnessKeyRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "error: the witness key file does not hold a witness private key \
         (PRIVATE+KEY+<name>+<id>+<key>, as `petitio keygen --witness` writes it)"
    )]
    WitnessKeyMalformed,

    #[error(
        "error: `{text}` is not a witness to check with\n  \
         Give it as <witness verifier key> (its cosignature on the site's own checkpoint) \
         or <witness verifier key>@<address where it publishes>, e.g. \
         volunteer-1+1a2b3c4d+BK…@https://witness.example/"
    )]
    WitnessArgument { text: String },

    #[error("error: cannot write the cosigned checkpoint {}: {reason}", .path.display())]
    WriteCosigned { path: PathBuf, reason: String },

    #[error(
        "error: {site} refused {refused} of the {submitted} cosignature(s) submitted; \
         the reasons are above"
    )]
    CosignaturesRefused {
        site: String,
        refused: usize,
        submitted: usize,
    },

    /// Making or reading a log key (`petitio_signatures::notes`).
    #[error("error: {0}")]
    LogKey(#[from] petitio_signatures::error::NoteError),
}

impl From<petitio_site::Error> for Error {
    fn from(error: petitio_site::Error) -> Error {
        Error::Build(error.into())
    }
}

/// A build error that stopped the server reads as it does from `petitio build`; the
/// server's own failures are prefixed like every other error.
fn serve_message(error: &ServeError) -> String {
    match error {
        ServeError::Build(build) => build.to_string(),
        other => format!("error: {other}"),
    }
}

/// A file of a site that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot fetch {url}: {reason}")]
pub struct FetchError {
    pub url: String,
    pub reason: String,
}

/// What is wrong with one petition's log (`petitio verify`), printed as
/// `error: <slug>: <problem>`.
#[derive(Debug, thiserror::Error)]
pub enum LogProblem {
    #[error("{0}")]
    Fetch(FetchError),

    #[error("the checkpoint at {url} {}", not_signed(.problem, .key))]
    NotSigned {
        url: String,
        key: String,
        problem: NoteVerifyProblem,
    },

    #[error("the checkpoint at {url} is not a C2SP checkpoint (origin, tree size, root hash)")]
    CheckpointMalformed { url: String },

    #[error(
        "the checkpoint is of the log `{found}`, not `{expected}`: another petition's or site's"
    )]
    WrongOrigin { found: String, expected: String },

    #[error(
        "rollback: the checkpoint's tree size is {now}, smaller than the size {seen} seen before: \
         the log lost entries it had published"
    )]
    Rollback { seen: u64, now: u64 },

    #[error(
        "fork: the checkpoint of size {size} has root {root}, but root {seen_root} was seen \
         before at that size: the site shows different logs to different readers"
    )]
    Fork {
        size: u64,
        seen_root: String,
        root: String,
    },

    #[error(
        "history rewritten: the log of size {now} is not an extension of the log of size {seen} \
         seen before (root {seen_root})"
    )]
    NotExtension {
        seen: u64,
        seen_root: String,
        now: u64,
    },

    #[error("entry bundle {path} is malformed: an entry's length runs past its end")]
    BundleMalformed { path: String },

    #[error(
        "entry bundle {path} holds {found} entries, but the checkpoint's tree has {expected} \
         there: an entry was dropped or added"
    )]
    BundleWidth {
        path: String,
        found: usize,
        expected: u32,
    },

    #[error("entry {index} (in {path}) is the tree's entry {at}: entries were reordered")]
    EntryMoved { index: u64, at: u64, path: String },

    #[error("entry {index} (in {path}) is not the entry the tree holds there: it was altered")]
    EntryAltered { index: u64, path: String },

    #[error(
        "the entries hash to the root {computed}, not to the checkpoint's {root}, and the hash \
         tiles do not show which entry differs"
    )]
    RootMismatch { computed: String, root: String },

    #[error("the hash tiles do not match the checkpoint: {reason}")]
    Tiles { reason: String },

    #[error("hash tile {path} is not the one the entries make")]
    TileMismatch { path: String },

    #[error("entry {index} is not a valid entry: {problem}")]
    EntryMalformed { index: usize, problem: EntryProblem },

    #[error("the count rule fails: {0}")]
    CountRule(CountProblem),

    #[error(
        "the site has no checkpoint at {url}, but a log of size {seen} was seen before: the \
         log was taken down"
    )]
    LogGone { url: String, seen: u64 },

    #[error(
        "the site has no checkpoint at {url}, but publishes {published} sealed signatures at \
         log size {size}"
    )]
    NoLogForCount {
        url: String,
        published: u64,
        size: u64,
    },

    #[error(
        "the site publishes its sealed count at log size {published_size}, but the checkpoint's \
         tree has only {size} entries"
    )]
    PublishedAhead { published_size: u64, size: u64 },

    #[error(
        "the site publishes {published} sealed signatures at log size {size}, but the log's \
         first {size} entries count {logged}"
    )]
    CountMismatch {
        published: u64,
        size: u64,
        logged: u64,
    },

    #[error(
        "the receipt's signature is not in the log: no signature entry has its commitment \
         {commitment} (counted signatures are logged when their minute is sealed)"
    )]
    ReceiptNotFound { commitment: String },

    #[error("the witness {witness} has cosigned no checkpoint of this log ({url})")]
    WitnessNone { witness: String, url: String },

    #[error("the checkpoint at {url} carries no valid cosignature by the witness {witness}")]
    WitnessNotCosigned { witness: String, url: String },

    #[error(
        "the witness {witness} cosigned a log of size {witnessed}, but the site shows only \
         {size} entries: it shows this reader an older log than it showed the witness"
    )]
    WitnessAhead {
        witness: String,
        witnessed: u64,
        size: u64,
    },

    #[error(
        "split view: the log of size {size} is not an extension of the log of size {witnessed} \
         the witness {witness} cosigned"
    )]
    SplitView {
        witness: String,
        witnessed: u64,
        size: u64,
    },

    #[error(
        "the inclusion proof of the receipt's entry {index} does not check against the checkpoint"
    )]
    InclusionFailed { index: u64 },
}

fn not_signed(problem: &NoteVerifyProblem, key: &str) -> String {
    match problem {
        NoteVerifyProblem::Malformed => "is not a signed note".into(),
        NoteVerifyProblem::NotSignedBy => format!("is not signed by the log key {key}"),
        NoteVerifyProblem::BadSignature => format!(
            "has a signature by {key} that does not verify: the checkpoint was changed after signing"
        ),
    }
}
