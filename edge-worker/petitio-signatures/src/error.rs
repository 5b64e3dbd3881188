//! The crate's errors: `ConfigError` for the operator (a bad Worker variable), `ApiError`
//! for a client (one variant per way a request can fail, each with its HTTP status and
//! stable `code`). Storage failures are `store::StoreError`. The client-facing text of every
//! `ApiError`, in kk/ru/en, is in `messages`; the operator-facing text is here.

/// A Worker variable or secret is missing or malformed. Messages name the variable and
/// say how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "SIGNING_KEY is not set: create a random secret of at least 32 bytes \
         (e.g. `openssl rand -hex 32`) and set it with `wrangler secret put SIGNING_KEY`"
    )]
    MissingSigningKey,
    #[error(
        "SIGNING_KEY is {length} bytes long, but at least 32 are needed: \
         replace it with a longer random secret (e.g. `openssl rand -hex 32`)"
    )]
    ShortSigningKey { length: usize },
    #[error(
        "{variable} contains {value:?}, which is not an origin: write scheme and host \
         only, like \"https://petitio.example\" or \"http://127.0.0.1:8080\" (no path)"
    )]
    InvalidOrigin {
        variable: &'static str,
        value: String,
    },
    #[error(
        "{variable} is {value:?}, but it must be \"<requests>/<seconds>\" with both numbers \
         above zero, like \"5/60\""
    )]
    InvalidRateLimit {
        variable: &'static str,
        value: String,
    },
    #[error("SETTLE_SECONDS is {value:?}, but it must be a whole number of seconds, like \"60\"")]
    InvalidSettleSeconds { value: String },
    #[error(
        "COUNTS_CACHE_SECONDS is {value:?}, but it must be a whole number of seconds, like \"5\" \
         (0 reads the published counts on every request)"
    )]
    InvalidCountsCacheSeconds { value: String },
    #[error(
        "TURNSTILE_VERIFY_URL is {value:?}, but it must be an https:// URL \
         (http:// only to this machine: localhost, 127.0.0.1 or [::1]) with no user name, \
         password or #fragment, or unset for Cloudflare's siteverify endpoint"
    )]
    InvalidVerifyUrl { value: String },
    #[error(
        "SIGNATURE_CONFIRMATION is \"email\" (the default), but EMAIL_FROM is not set: set it \
         to the sender address (on Cloudflare, one of the send_email binding's allowed \
         senders, on a domain onboarded to Email Service), or set \
         SIGNATURE_CONFIRMATION = \"none\" to count signatures without confirmation"
    )]
    MissingEmailFrom,
    #[error(
        "SIGN_FROM_ANY_ORIGIN is \"true\", but signatures are neither confirmed by email \
         (SIGNATURE_CONFIRMATION = \"email\") nor challenged (TURNSTILE_SECRET): any web page \
         could then add signatures through its visitors' browsers. Turn one of them on, or set \
         SIGN_FROM_ANY_ORIGIN = \"false\" and list the site's origins in ALLOWED_ORIGINS"
    )]
    AnyOriginUnprotected,
    #[error(
        "SIGN_FROM_ANY_ORIGIN is {value:?}, but it must be \"true\" (pages on any origin may \
         sign) or \"false\" (only the origins in ALLOWED_ORIGINS)"
    )]
    InvalidAnyOrigin { value: String },
    #[error(
        "SIGNATURE_CONFIRMATION is {value:?}, but it must be \"email\" (a signature counts \
         once its signer confirms it by email) or \"none\""
    )]
    InvalidConfirmation { value: String },
    #[error(
        "MAIL_INTERVAL_SECONDS is {value:?}, but it must be a whole number of seconds, at \
         least 60 (KV's shortest expiry), like \"600\""
    )]
    InvalidMailInterval { value: String },
}

/// Signing or verifying a signed note (`notes`), or reading the private log key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error(
        "the log signing key is not a signed-note private key \
         (`PRIVATE+KEY+<name>+<key id>+<key>`, as `petitio keygen` writes it), or its name \
         breaks the rule for key names ({rule})",
        rule = petitio_model::log_key::KEY_NAME_RULE
    )]
    PrivateKey,
    #[error("`{name}` is not a log key name: use {rule}", rule = petitio_model::log_key::KEY_NAME_RULE)]
    KeyName { name: String },
    #[error(
        "a note's text must be UTF-8 ending with a newline, with no control characters \
         but newlines, and under 1 MB"
    )]
    Text,
    #[error("not a signed note: a text, a blank line, then signature lines `\u{2014} <name> <signature>`")]
    Malformed,
    #[error("the note carries no signature by the key {key}")]
    NotSignedBy { key: String },
    #[error(
        "the note's signature by the key {key} is not valid: the text or the signature was changed"
    )]
    BadSignature { key: String },
    #[error("the operating system gave no randomness to make a key: {reason}")]
    Randomness { reason: String },
}

/// `LOG_SIGNING_KEY` cannot sign the site's notes. Counting and signing go on; only notes
/// (log checkpoints, the "where we are" note) stop until the operator fixes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogKeyError {
    #[error(
        "LOG_SIGNING_KEY is not set, but petitio.toml publishes the log key {published}: \
         install its private key with `wrangler secret put LOG_SIGNING_KEY --config \
         edge-worker/wrangler.toml < .petitio/keys/<name>.key` (docs/keys.md). Signing of \
         notes is off until then; counting goes on"
    )]
    Missing { published: String },
    #[error(
        "LOG_SIGNING_KEY is not usable: {problem}. Install the file `petitio keygen` wrote \
         (docs/keys.md). Signing of notes is off until then; counting goes on"
    )]
    Invalid { problem: NoteError },
    #[error(
        "LOG_SIGNING_KEY is the key {secret}, but petitio.toml publishes no log key \
         (`[log] key`), so nobody could check its notes: add its public key to petitio.toml \
         (`petitio keygen` does) and deploy. Signing of notes is off until then; counting goes on"
    )]
    Unpublished { secret: String },
    #[error(
        "LOG_SIGNING_KEY is the key {secret}, but the site publishes the log key \
         {published}: install the private key of {published} (or, after rotating, deploy the \
         site built with the new key). Signing of notes is off until then; counting goes on"
    )]
    Mismatch { secret: String, published: String },
}

/// A field of the sign request, as named in JSON bodies, forms and error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
    Region,
    Consent,
    ShowName,
    Lang,
    TurnstileToken,
    /// The token of a confirmation message.
    Token,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Region => "region",
            Field::Consent => "consent",
            Field::ShowName => "show_name",
            Field::Lang => "lang",
            Field::TurnstileToken => "turnstile_token",
            Field::Token => "token",
        }
    }
}

/// What is wrong with the sign request's input: one variant per (field, problem) that
/// validation can find, so every one has its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidInput {
    NameMissing,
    NameTooLong,
    NameControlCharacters,
    /// Nothing but white space and characters that show nothing.
    NameInvisible,
    /// A bidi embedding, override or isolate, which would reorder the name's text.
    NameBidiControls,
    EmailMissing,
    EmailTooLong,
    EmailMalformed,
    /// The local part or a domain label mixes scripts: a look-alike address.
    EmailMixedScripts,
    RegionMissing,
    RegionUnknown,
    ConsentMissing,
    LangUnknown,
    /// Text where a yes/no was expected, or the other way round.
    WrongType(Field),
}

impl InvalidInput {
    pub fn field(self) -> Field {
        match self {
            InvalidInput::NameMissing
            | InvalidInput::NameTooLong
            | InvalidInput::NameControlCharacters
            | InvalidInput::NameInvisible
            | InvalidInput::NameBidiControls => Field::Name,
            InvalidInput::EmailMissing
            | InvalidInput::EmailTooLong
            | InvalidInput::EmailMalformed
            | InvalidInput::EmailMixedScripts => Field::Email,
            InvalidInput::RegionMissing | InvalidInput::RegionUnknown => Field::Region,
            InvalidInput::ConsentMissing => Field::Consent,
            InvalidInput::LangUnknown => Field::Lang,
            InvalidInput::WrongType(field) => field,
        }
    }
}

/// Why a petition does not accept signatures now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotOpenReason {
    /// Status `draft`: not yet published.
    NotYetOpen,
    /// Any status after `open` (closed, responded, rejected, ...).
    Closed,
    /// The deadline day is over in the site's time zone.
    DeadlinePassed,
}

/// Every way an API request can fail. `api` maps each to one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Invalid(InvalidInput),
    MalformedBody,
    BodyTooLarge,
    UnsupportedContentType,
    ForbiddenOrigin,
    ChallengeFailed,
    ChallengeUnavailable,
    RateLimited {
        retry_after_seconds: u64,
    },
    StorageUnavailable,
    /// No manifest yet: `petitio serve` has not built the site once.
    SiteNotBuilt,
    PetitionNotFound,
    RouteNotFound,
    NotOpen(NotOpenReason),
    MethodNotAllowed {
        allow: &'static str,
    },
    /// The confirmation token is missing, malformed, altered or for another petition.
    TokenInvalid,
    /// The confirmation token is older than its lifetime.
    TokenExpired,
    /// The signature changed after the token was issued (an older link).
    TokenSuperseded,
    /// A message went to this signer of this petition less than `MAIL_INTERVAL_SECONDS` ago.
    MailRateLimited {
        retry_after_seconds: u64,
    },
    /// The message could not be handed to the mail service.
    MailUnavailable,
    /// This site sends no email (no `EMAIL_FROM`), so no signature can be withdrawn here:
    /// only a message to the address proves the withdrawal is its owner's.
    WithdrawalUnavailable,
    /// A witness's cosignature submitted for a petition's checkpoint was refused.
    Cosignature(CosignatureRefusal),
}

/// Why a witness's cosignature (`POST log/<slug>/cosignature`) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignatureRefusal {
    /// Not one cosignature line `— <name> <base64>` of a cosignature's size.
    Malformed,
    /// Over `cosignatures::MAX_COSIGNATURE_BYTES`.
    TooLarge,
    /// A key (`<name>+<key id>`) not among the site's `[log] witnesses`.
    UnknownWitness { witness: String },
    /// A valid-looking line that does not verify over the petition's current checkpoint.
    NotCurrent,
    /// The petition has no checkpoint (no log, or no such petition).
    NoLog,
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid(_) | ApiError::MalformedBody | ApiError::TokenInvalid => 400,
            ApiError::TokenExpired => 410,
            ApiError::TokenSuperseded => 409,
            ApiError::MailRateLimited { .. } => 429,
            ApiError::MailUnavailable => 503,
            ApiError::WithdrawalUnavailable => 501,
            ApiError::Cosignature(refusal) => match refusal {
                CosignatureRefusal::Malformed => 400,
                CosignatureRefusal::UnknownWitness { .. } => 403,
                CosignatureRefusal::NoLog => 404,
                CosignatureRefusal::NotCurrent => 409,
                CosignatureRefusal::TooLarge => 413,
            },
            ApiError::ForbiddenOrigin | ApiError::ChallengeFailed => 403,
            ApiError::PetitionNotFound | ApiError::RouteNotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::NotOpen(_) => 409,
            ApiError::BodyTooLarge => 413,
            ApiError::UnsupportedContentType => 415,
            ApiError::RateLimited { .. } => 429,
            ApiError::StorageUnavailable
            | ApiError::ChallengeUnavailable
            | ApiError::SiteNotBuilt => 503,
        }
    }

    /// Stable machine-readable code: part of the API and of the no-JS redirect URLs.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Invalid(_) => "invalid_input",
            ApiError::MalformedBody => "malformed_body",
            ApiError::BodyTooLarge => "body_too_large",
            ApiError::UnsupportedContentType => "unsupported_content_type",
            ApiError::ForbiddenOrigin => "forbidden_origin",
            ApiError::ChallengeFailed => "challenge_failed",
            ApiError::ChallengeUnavailable => "challenge_unavailable",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::StorageUnavailable => "storage_unavailable",
            ApiError::SiteNotBuilt => "site_not_built",
            ApiError::PetitionNotFound => "petition_not_found",
            ApiError::RouteNotFound => "not_found",
            ApiError::NotOpen(_) => "petition_not_open",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::TokenInvalid => "token_invalid",
            ApiError::TokenExpired => "token_expired",
            ApiError::TokenSuperseded => "token_superseded",
            ApiError::MailRateLimited { .. } => "mail_rate_limited",
            ApiError::MailUnavailable => "mail_unavailable",
            ApiError::WithdrawalUnavailable => "withdrawal_unavailable",
            ApiError::Cosignature(refusal) => match refusal {
                CosignatureRefusal::Malformed => "cosignature_malformed",
                CosignatureRefusal::TooLarge => "cosignature_too_large",
                CosignatureRefusal::UnknownWitness { .. } => "witness_unknown",
                CosignatureRefusal::NotCurrent => "checkpoint_not_current",
                CosignatureRefusal::NoLog => "log_not_found",
            },
        }
    }

    pub fn field(&self) -> Option<Field> {
        match self {
            ApiError::Invalid(input) => Some(input.field()),
            _ => None,
        }
    }
}
