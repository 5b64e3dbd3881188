//! The API's configuration, read from Worker variables and secrets by name (or from
//! `petitio serve`'s equivalents) and validated once, so handlers never see a bad value.

use crate::error::ConfigError;
use crate::identity::{SigningKey, MIN_SIGNING_KEY_BYTES};
use crate::notes::LogSigningKey;

use petitio_model::weburl::{is_loopback, parse_http_url, parse_origin};

/// Cloudflare's Turnstile verification endpoint.
pub const DEFAULT_TURNSTILE_VERIFY_URL: &str =
    "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const DEFAULT_BURST: &str = "5/60";
const DEFAULT_SUSTAINED: &str = "30/3600";
const DEFAULT_SETTLE_SECONDS: &str = "60";
/// The published counts change once a minute (the counting job) and are served with a
/// 30-second public cache lifetime; an isolate may reuse its last read for this long.
const DEFAULT_COUNTS_CACHE_SECONDS: &str = "5";

/// How long after a message to a signer another one may go to them (per petition).
const DEFAULT_MAIL_INTERVAL_SECONDS: &str = "600";
/// KV's shortest `expirationTtl`.
pub const MIN_MAIL_INTERVAL_SECONDS: u64 = 60;

/// Whether a signature counts at once or only once its signer confirms it by email
/// (`SIGNATURE_CONFIRMATION`, default `email`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// A sign request records the signature.
    None,
    /// A sign request sends a message from `EMAIL_FROM`; its link's button records it.
    Email,
}

/// At most `max_requests` per `window_seconds`, per client address and petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max_requests: u32,
    pub window_seconds: u64,
}

/// Turnstile is checked only when a secret is configured.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnstileConfig {
    pub secret: String,
    pub verify_url: String,
}

impl std::fmt::Debug for TurnstileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnstileConfig")
            .field("secret", &"<redacted>")
            .field("verify_url", &self.verify_url)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    pub signing_key: SigningKey,
    /// Origins allowed to call the API from a browser on another origin (CORS and the CSRF
    /// check), serialised as browsers send them (`weburl::parse_origin`).
    pub allowed_origins: Vec<String>,
    /// `SIGN_FROM_ANY_ORIGIN`: the operator lets pages on any origin call the API (copies
    /// sign without being listed), allowed only while every signature is confirmed by email
    /// or challenged by Turnstile (`api::origin::OriginPolicy`).
    pub any_origin: bool,
    pub turnstile: Option<TurnstileConfig>,
    pub burst_limit: RateLimit,
    pub sustained_limit: RateLimit,
    /// How long after a bucket ends before it is sealed: KV's propagation bound.
    pub settle_seconds: u64,
    /// How long an isolate reuses the published counts it last read (0: read every time).
    pub counts_cache_seconds: u64,
    /// Where the static site lives when it is not the API's origin (no-JS redirects).
    /// (The site's time zone is the manifest's `utc_offset`, from petitio.toml, so the
    /// pages and the API agree on when a deadline day ends.)
    pub site_origin: Option<String>,
    pub confirmation: Confirmation,
    /// The sender of confirmation and withdrawal messages (required with `Email`;
    /// without it, withdrawals cannot be requested).
    pub email_from: Option<String>,
    /// At most one message per signer and petition in this many seconds.
    pub mail_interval_seconds: u64,
    /// `LOG_SIGNING_KEY`: the operator's private log key, which signs notes (checkpoints,
    /// the "where we are" note). Never a reason to refuse the configuration: without it,
    /// or with one that does not match the published key, only notes stop
    /// (`LogSigningKey::signer_for` says why).
    pub log_signing_key: LogSigningKey,
}

impl ApiConfig {
    /// Reads the Worker vars/secrets by name: SIGNING_KEY (required, >= 32 bytes),
    /// ALLOWED_ORIGINS (comma-separated, e.g. "https://a.example,https://b.example"),
    /// TURNSTILE_SECRET (optional), TURNSTILE_VERIFY_URL (optional, default Cloudflare's
    /// siteverify URL), RATE_LIMIT_BURST (default "5/60" = 5 per 60 s per IP per petition),
    /// RATE_LIMIT_SUSTAINED (default "30/3600"), SETTLE_SECONDS (default "60"),
    /// COUNTS_CACHE_SECONDS (default "5"),
    /// SITE_ORIGIN (optional; where the static site lives when it is not the API's origin),
    /// SIGNATURE_CONFIRMATION ("email", the default, or "none"), EMAIL_FROM (the sender,
    /// required with "email"), MAIL_INTERVAL_SECONDS (default "600", at least 60),
    /// LOG_SIGNING_KEY (optional secret: the private log key, `petitio keygen`),
    /// SIGN_FROM_ANY_ORIGIN ("false", the default, or "true": pages on any origin may call
    /// the API; refused unless signatures are confirmed by email or challenged).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<ApiConfig, ConfigError> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let or_default = |name: &str, default: &str| read(name).unwrap_or_else(|| default.into());

        let signing_key = read("SIGNING_KEY").ok_or(ConfigError::MissingSigningKey)?;
        if signing_key.len() < MIN_SIGNING_KEY_BYTES {
            return Err(ConfigError::ShortSigningKey {
                length: signing_key.len(),
            });
        }
        let allowed_origins = read("ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|origin| !origin.is_empty())
                    .map(|origin| origin_setting("ALLOWED_ORIGINS", origin))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let turnstile = match read("TURNSTILE_SECRET") {
            None => None,
            Some(secret) => {
                let verify_url = or_default("TURNSTILE_VERIFY_URL", DEFAULT_TURNSTILE_VERIFY_URL);
                let verify_url = acceptable_verify_url(verify_url.trim())
                    .ok_or(ConfigError::InvalidVerifyUrl { value: verify_url })?;
                Some(TurnstileConfig { secret, verify_url })
            }
        };
        let settle = or_default("SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS);
        let counts_cache = or_default("COUNTS_CACHE_SECONDS", DEFAULT_COUNTS_CACHE_SECONDS);
        let email_from = read("EMAIL_FROM").map(|from| from.trim().to_owned());
        let confirmation = match or_default("SIGNATURE_CONFIRMATION", "email").trim() {
            "email" if email_from.is_none() => return Err(ConfigError::MissingEmailFrom),
            "email" => Confirmation::Email,
            "none" => Confirmation::None,
            other => {
                return Err(ConfigError::InvalidConfirmation {
                    value: other.to_owned(),
                })
            }
        };
        let any_origin = match or_default("SIGN_FROM_ANY_ORIGIN", "false").trim() {
            "false" => false,
            "true" if confirmation == Confirmation::None && turnstile.is_none() => {
                return Err(ConfigError::AnyOriginUnprotected)
            }
            "true" => true,
            other => {
                return Err(ConfigError::InvalidAnyOrigin {
                    value: other.to_owned(),
                })
            }
        };
        let mail_interval = or_default("MAIL_INTERVAL_SECONDS", DEFAULT_MAIL_INTERVAL_SECONDS);
        let mail_interval_seconds = mail_interval
            .trim()
            .parse()
            .ok()
            .filter(|seconds| *seconds >= MIN_MAIL_INTERVAL_SECONDS)
            .ok_or(ConfigError::InvalidMailInterval {
                value: mail_interval,
            })?;
        Ok(ApiConfig {
            log_signing_key: LogSigningKey::from_secret(read("LOG_SIGNING_KEY").as_deref()),
            confirmation,
            email_from,
            mail_interval_seconds,
            signing_key: SigningKey::new(signing_key.into_bytes()),
            allowed_origins,
            any_origin,
            turnstile,
            burst_limit: parse_rate_limit(
                "RATE_LIMIT_BURST",
                &or_default("RATE_LIMIT_BURST", DEFAULT_BURST),
            )?,
            sustained_limit: parse_rate_limit(
                "RATE_LIMIT_SUSTAINED",
                &or_default("RATE_LIMIT_SUSTAINED", DEFAULT_SUSTAINED),
            )?,
            settle_seconds: settle
                .trim()
                .parse()
                .map_err(|_| ConfigError::InvalidSettleSeconds { value: settle })?,
            counts_cache_seconds: counts_cache.trim().parse().map_err(|_| {
                ConfigError::InvalidCountsCacheSeconds {
                    value: counts_cache,
                }
            })?,
            site_origin: read("SITE_ORIGIN")
                .map(|origin| origin_setting("SITE_ORIGIN", origin.trim()))
                .transpose()?,
        })
    }

    /// The allowed origin `origin` (an `Origin` header) names, in its configured form.
    pub fn allowed_origin(&self, origin: &str) -> Option<&str> {
        let origin = parse_origin(origin)?;
        self.allowed_origins
            .iter()
            .find(|allowed| **allowed == origin)
            .map(String::as_str)
    }

    pub fn is_allowed_origin(&self, origin: &str) -> bool {
        self.allowed_origin(origin).is_some()
    }
}

/// The secret travels in the body, so only https, or plain http to this machine (local
/// tests), decided on the host the URL really names; no user name or password (they would
/// travel to the verifier too) and no fragment. Returns the URL in its parsed form.
fn acceptable_verify_url(text: &str) -> Option<String> {
    let url = parse_http_url(text)?;
    let secure = url.scheme() == "https" || is_loopback(&url);
    (secure && url.fragment().is_none()).then(|| url.into())
}

/// `http(s)://host[:port]` (a trailing slash is dropped), serialised as browsers send it
/// in `Origin` (`weburl::parse_origin`).
fn origin_setting(variable: &'static str, value: &str) -> Result<String, ConfigError> {
    parse_origin(value).ok_or_else(|| ConfigError::InvalidOrigin {
        variable,
        value: value.to_owned(),
    })
}

fn parse_rate_limit(variable: &'static str, value: &str) -> Result<RateLimit, ConfigError> {
    let invalid = || ConfigError::InvalidRateLimit {
        variable,
        value: value.to_owned(),
    };
    let (requests, seconds) = value.trim().split_once('/').ok_or_else(invalid)?;
    let max_requests: u32 = requests.trim().parse().map_err(|_| invalid())?;
    let window_seconds: u64 = seconds.trim().parse().map_err(|_| invalid())?;
    if max_requests == 0 || window_seconds == 0 {
        return Err(invalid());
    }
    Ok(RateLimit {
        max_requests,
        window_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    /// The configuration from `vars`, with a sender unless `vars` name one.
    fn config(vars: &[(&str, &str)]) -> Result<ApiConfig, ConfigError> {
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.entry("EMAIL_FROM".into())
            .or_insert_with(|| "p@p.example".into());
        ApiConfig::from_lookup(|name| vars.get(name).cloned())
    }

    fn error_text(vars: &[(&str, &str)]) -> String {
        config(vars).unwrap_err().to_string()
    }

    #[test]
    fn defaults() {
        let config = config(&[("SIGNING_KEY", KEY), ("EMAIL_FROM", "p@p.example")]).unwrap();
        assert_eq!(config.confirmation, Confirmation::Email);
        assert_eq!(config.email_from.as_deref(), Some("p@p.example"));
        assert_eq!(config.mail_interval_seconds, 600);
        assert_eq!(
            config.burst_limit,
            RateLimit {
                max_requests: 5,
                window_seconds: 60
            }
        );
        assert_eq!(
            config.sustained_limit,
            RateLimit {
                max_requests: 30,
                window_seconds: 3600
            }
        );
        assert_eq!(config.settle_seconds, 60);
        assert!(config.allowed_origins.is_empty());
        assert_eq!(config.turnstile, None);
        assert_eq!(config.site_origin, None);
        assert_eq!(config.log_signing_key, crate::notes::LogSigningKey::Unset);
    }

    #[test]
    fn reads_every_variable() {
        let config = config(&[
            ("SIGNING_KEY", KEY),
            (
                "ALLOWED_ORIGINS",
                " https://A.example/ , http://127.0.0.1:8080,",
            ),
            ("TURNSTILE_SECRET", "1x0000000000000000000000000000000AA"),
            ("RATE_LIMIT_BURST", "2/10"),
            ("RATE_LIMIT_SUSTAINED", "10/600"),
            ("SETTLE_SECONDS", "90"),
            ("SITE_ORIGIN", "https://site.example"),
            ("SIGNATURE_CONFIRMATION", "none"),
            ("MAIL_INTERVAL_SECONDS", "60"),
            (
                "LOG_SIGNING_KEY",
                "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz\n",
            ),
        ])
        .unwrap();
        let crate::notes::LogSigningKey::Set(log_key) = &config.log_signing_key else {
            panic!("LOG_SIGNING_KEY not read: {:?}", config.log_signing_key);
        };
        assert_eq!(log_key.verifier_key().short(), "PeterNeumann+c74f20a3");
        assert_eq!(config.confirmation, Confirmation::None);
        assert_eq!(config.mail_interval_seconds, 60);
        assert_eq!(
            config.allowed_origins,
            ["https://a.example", "http://127.0.0.1:8080"]
        );
        assert_eq!(
            config.turnstile.as_ref().unwrap().verify_url,
            DEFAULT_TURNSTILE_VERIFY_URL
        );
        assert_eq!(config.burst_limit.max_requests, 2);
        assert_eq!(config.sustained_limit.window_seconds, 600);
        assert_eq!(config.settle_seconds, 90);
        assert_eq!(config.site_origin.as_deref(), Some("https://site.example"));
        assert!(config.is_allowed_origin("https://a.example"));
        assert!(!config.is_allowed_origin("https://b.example"));
    }

    #[test]
    fn explains_each_mistake() {
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("EMAIL_FROM", " ")]),
            "SIGNATURE_CONFIRMATION is \"email\" (the default), but EMAIL_FROM is not set: \
             set it to the sender address (on Cloudflare, one of the send_email binding's \
             allowed senders, on a domain onboarded to Email Service), or set \
             SIGNATURE_CONFIRMATION = \"none\" to count signatures without confirmation"
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("SIGNATURE_CONFIRMATION", "mail")]),
            "SIGNATURE_CONFIRMATION is \"mail\", but it must be \"email\" (a signature \
             counts once its signer confirms it by email) or \"none\""
        );
        assert_eq!(
            error_text(&[
                ("SIGNING_KEY", KEY),
                ("SIGNATURE_CONFIRMATION", "none"),
                ("MAIL_INTERVAL_SECONDS", "30")
            ]),
            "MAIL_INTERVAL_SECONDS is \"30\", but it must be a whole number of seconds, at \
             least 60 (KV's shortest expiry), like \"600\""
        );
        assert_eq!(
            error_text(&[]),
            "SIGNING_KEY is not set: create a random secret of at least 32 bytes \
             (e.g. `openssl rand -hex 32`) and set it with `wrangler secret put SIGNING_KEY`"
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", "short")]),
            "SIGNING_KEY is 5 bytes long, but at least 32 are needed: replace it with a \
             longer random secret (e.g. `openssl rand -hex 32`)"
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("ALLOWED_ORIGINS", "a.example")]),
            "ALLOWED_ORIGINS contains \"a.example\", which is not an origin: write scheme and \
             host only, like \"https://petitio.example\" or \"http://127.0.0.1:8080\" (no path)"
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("SITE_ORIGIN", "https://a.example/x")]),
            "SITE_ORIGIN contains \"https://a.example/x\", which is not an origin: write scheme \
             and host only, like \"https://petitio.example\" or \"http://127.0.0.1:8080\" (no path)"
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("RATE_LIMIT_BURST", "0/60")]),
            "RATE_LIMIT_BURST is \"0/60\", but it must be \"<requests>/<seconds>\" with both \
             numbers above zero, like \"5/60\""
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("SETTLE_SECONDS", "a minute")]),
            "SETTLE_SECONDS is \"a minute\", but it must be a whole number of seconds, like \"60\""
        );
        assert_eq!(
            error_text(&[("SIGNING_KEY", KEY), ("COUNTS_CACHE_SECONDS", "-1")]),
            "COUNTS_CACHE_SECONDS is \"-1\", but it must be a whole number of seconds, like \"5\" \
             (0 reads the published counts on every request)"
        );
        assert_eq!(
            error_text(&[
                ("SIGNING_KEY", KEY),
                ("TURNSTILE_SECRET", "x"),
                ("TURNSTILE_VERIFY_URL", "http://insecure.example/verify")
            ]),
            "TURNSTILE_VERIFY_URL is \"http://insecure.example/verify\", but it must be an \
             https:// URL (http:// only to this machine: localhost, 127.0.0.1 or [::1]) with no \
             user name, password or #fragment, or unset for Cloudflare's siteverify endpoint"
        );
    }

    fn verify_url(value: &str) -> Result<String, ConfigError> {
        config(&[
            ("SIGNING_KEY", KEY),
            ("TURNSTILE_SECRET", "x"),
            ("TURNSTILE_VERIFY_URL", value),
        ])
        .map(|config| config.turnstile.unwrap().verify_url)
    }

    #[test]
    fn the_verify_url_is_checked_on_the_host_it_really_names() {
        for (value, parsed) in [
            (
                "https://verify.example/siteverify",
                "https://verify.example/siteverify",
            ),
            (
                "http://127.0.0.1:9000/siteverify",
                "http://127.0.0.1:9000/siteverify",
            ),
            ("http://localhost/v", "http://localhost/v"),
            ("HTTP://LOCALHOST:9000/v", "http://localhost:9000/v"),
            ("http://[::1]:9000/v", "http://[::1]:9000/v"),
            (" https://verify.example ", "https://verify.example/"),
        ] {
            assert_eq!(verify_url(value).as_deref(), Ok(parsed), "{value}");
        }
        for value in [
            "http://localhost:@evil.example/",
            "http://127.0.0.1:@evil.example/",
            "http://localhost.evil.example/",
            "http://localhost./",
            "https://evil.example#@localhost/",
            "http://evil.example#@localhost/",
            "https://user:secret@verify.example/",
            "http://[::2]:9000/",
            "ftp://localhost/",
            "localhost:9000",
        ] {
            assert_eq!(
                verify_url(value),
                Err(ConfigError::InvalidVerifyUrl {
                    value: value.into()
                }),
                "{value}"
            );
        }
    }

    #[test]
    fn origins_are_parsed_and_serialised_as_browsers_send_them() {
        let config = config(&[
            ("SIGNING_KEY", KEY),
            (
                "ALLOWED_ORIGINS",
                "HTTPS://Mirror.Example:443/,http://[::1]:8080,https://петиция.example",
            ),
            ("SITE_ORIGIN", "https://Site.Example."),
        ])
        .unwrap();
        assert_eq!(
            config.allowed_origins,
            [
                "https://mirror.example",
                "http://[::1]:8080",
                "https://xn--e1agazqz8d.example"
            ]
        );
        assert_eq!(config.site_origin.as_deref(), Some("https://site.example."));
        assert_eq!(
            config.allowed_origin("https://mirror.example"),
            Some("https://mirror.example")
        );
        assert!(config.is_allowed_origin("https://xn--e1agazqz8d.example"));
        assert!(!config.is_allowed_origin("https://mirror.example.evil.example"));
        for value in [
            "https://user@mirror.example",
            "http://localhost:@evil.example",
            "https://mirror.example#x",
            "https://mirror.example?x=1",
        ] {
            assert_eq!(
                error_text(&[("SIGNING_KEY", KEY), ("ALLOWED_ORIGINS", value)]),
                format!(
                    "ALLOWED_ORIGINS contains {value:?}, which is not an origin: write scheme \
                     and host only, like \"https://petitio.example\" or \
                     \"http://127.0.0.1:8080\" (no path)"
                )
            );
        }
    }
}
