//! The signature API's configuration for local use: the same variables as production
//! (see `petitio_signatures`'s `ApiConfig`), with defaults that make a fresh checkout work with
//! no setup. Any variable can be overridden by an environment variable of the same name.
//!
//! * `SIGNING_KEY`: generated randomly on first run and kept in `<data_dir>/signing.key`
//!   (mode 0600), so signer ids stay stable across restarts and duplicates are recognised.
//! * `LOG_SIGNING_KEY`: the log key (docs/keys.md), made on first run and kept in
//!   `<data_dir>/log-signing.key` (mode 0600, named `petitio-local`). The site is built
//!   with its public key in place of petitio.toml's `[log] key`, so local pages show, and
//!   notes verify against, the key that really signs here; the operator's own key stays
//!   off this machine's pages.
//! * `ALLOWED_ORIGINS`: the server's own origins, plus any listed in the environment.
//! * `SIGNATURE_CONFIRMATION`: `email` as in production, with `EMAIL_FROM` defaulting to
//!   `petitio@localhost` (messages go to the outbox, or to `--smtp`'s server).
//!
//! `PETITIO_TALLY_INTERVAL_SECS` (default 5) sets how often the counting job runs.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use petitio_model::log_key::VerifierKey;
use petitio_signatures::config::ApiConfig;
use petitio_signatures::notes::{self, LogSigningKey, NoteSigner};

use crate::error::ServeError;

/// File in the data directory holding the local signing key (hex).
pub const SIGNING_KEY_FILE: &str = "signing.key";

/// File in the data directory holding the local log key (a signed-note private key).
pub const LOG_KEY_FILE: &str = "log-signing.key";

/// The name of the local log key (a name of its own: never mistaken for the site's).
pub const LOCAL_LOG_KEY_NAME: &str = "petitio-local";

/// Environment variable overriding how often the counting job runs.
pub const TALLY_INTERVAL_VAR: &str = "PETITIO_TALLY_INTERVAL_SECS";

/// The sender of local confirmation messages unless `EMAIL_FROM` says otherwise.
pub const LOCAL_EMAIL_FROM: &str = "petitio@localhost";

const DEFAULT_TALLY_INTERVAL: Duration = Duration::from_secs(5);

const SIGNING_KEY_BYTES: usize = 32;

/// What the server needs to run the signature API locally.
#[derive(Debug)]
pub struct LocalSettings {
    pub api: ApiConfig,
    pub tally_interval: Duration,
    /// The public half of the log key the API signs with: what the local build publishes.
    pub log_key: Option<VerifierKey>,
}

impl LocalSettings {
    /// Builds the settings for a server reachable at `origins`, reading overrides
    /// through `env`.
    pub fn load(
        data_dir: &Path,
        origins: &[String],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ServeError> {
        // As in production, an empty value counts as unset.
        let env = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let local_signing_key = match env("SIGNING_KEY") {
            Some(_) => None,
            None => Some(load_or_create_signing_key(data_dir)?),
        };
        let local_log_key = match env("LOG_SIGNING_KEY") {
            Some(_) => None,
            None => Some(load_or_create_log_key(data_dir)?),
        };
        let allowed = allowed_origins(origins, env("ALLOWED_ORIGINS").as_deref());
        let api = ApiConfig::from_lookup(|name| match name {
            "ALLOWED_ORIGINS" => Some(allowed.clone()),
            "SIGNING_KEY" => env(name).or_else(|| local_signing_key.clone()),
            "LOG_SIGNING_KEY" => env(name).or_else(|| local_log_key.clone()),
            // A local preview shows each published count at once; the worker's default
            // reuse of a read for a few seconds only saves KV reads in production.
            "COUNTS_CACHE_SECONDS" => env(name).or_else(|| Some("0".into())),
            // Confirmation by email works with no setup: messages go to the outbox.
            "EMAIL_FROM" => env(name).or_else(|| Some(LOCAL_EMAIL_FROM.into())),
            _ => env(name),
        })?;
        let tally_interval = match env(TALLY_INTERVAL_VAR) {
            None => DEFAULT_TALLY_INTERVAL,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(seconds) if seconds >= 1 => Duration::from_secs(seconds),
                _ => return Err(ServeError::TallyInterval(text)),
            },
        };
        let log_key = match &api.log_signing_key {
            LogSigningKey::Set(signer) => Some(signer.verifier_key().clone()),
            LogSigningKey::Unset | LogSigningKey::Invalid(_) => None,
        };
        Ok(Self {
            api,
            tally_interval,
            log_key,
        })
    }
}

/// The server's own origins followed by the comma-separated `from_env` ones, each once.
pub fn allowed_origins(own: &[String], from_env: Option<&str>) -> String {
    let extra = from_env
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty());
    let mut allowed: Vec<&str> = Vec::new();
    for origin in own.iter().map(String::as_str).chain(extra) {
        if !allowed.contains(&origin) {
            allowed.push(origin);
        }
    }
    allowed.join(",")
}

/// Reads `<data_dir>/signing.key`, or creates it (0600) with a fresh random key.
pub fn load_or_create_signing_key(data_dir: &Path) -> Result<String, ServeError> {
    let path = data_dir.join(SIGNING_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => Err(ServeError::EmptySigningKey { path }),
        Ok(text) => Ok(text.trim().to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(|source| ServeError::CreateDataDir {
                path: data_dir.to_path_buf(),
                source,
            })?;
            let mut bytes = [0u8; SIGNING_KEY_BYTES];
            getrandom::fill(&mut bytes)
                .map_err(|error| ServeError::Randomness(error.to_string()))?;
            let key = hex::encode(bytes);
            write_secret(&path, &key).map_err(|source| ServeError::WriteSigningKey {
                path: path.clone(),
                source,
            })?;
            Ok(key)
        }
        Err(source) => Err(ServeError::ReadSigningKey { path, source }),
    }
}

/// Reads `<data_dir>/log-signing.key`, or creates it (0600) with a new key pair named
/// [`LOCAL_LOG_KEY_NAME`]; returns the private key's text.
pub fn load_or_create_log_key(data_dir: &Path) -> Result<String, ServeError> {
    let path = data_dir.join(LOG_KEY_FILE);
    let file_error = |source| ServeError::LogKeyFile {
        path: path.clone(),
        source,
    };
    let key_error = |problem: petitio_signatures::error::NoteError| ServeError::LogKey {
        path: path.clone(),
        problem: problem.to_string(),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            NoteSigner::from_private_key(&text).map_err(key_error)?;
            Ok(text.trim().to_owned())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(|source| ServeError::CreateDataDir {
                path: data_dir.to_path_buf(),
                source,
            })?;
            let (private, _) = notes::generate(LOCAL_LOG_KEY_NAME).map_err(key_error)?;
            write_secret(&path, &private).map_err(file_error)?;
            Ok(private)
        }
        Err(source) => Err(file_error(source)),
    }
}

/// Writes `text` to a new file readable and writable by its owner only.
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_key_is_created_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_signing_key(dir.path()).unwrap();
        assert_eq!(first.len(), SIGNING_KEY_BYTES * 2);
        assert_eq!(load_or_create_signing_key(dir.path()).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SIGNING_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_empty_signing_key_file_is_an_error_saying_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SIGNING_KEY_FILE);
        std::fs::write(&path, "\n").unwrap();
        let error = load_or_create_signing_key(dir.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the signing key {} is empty\n  \
                   Delete it to generate a new one, or set SIGNING_KEY in the environment.",
                path.display()
            )
        );
    }

    #[test]
    fn the_log_key_is_made_once_and_the_environment_overrides_it() {
        let dir = tempfile::tempdir().unwrap();
        let origins = ["http://127.0.0.1:8080".to_owned()];
        let settings = LocalSettings::load(dir.path(), &origins, |_| None).unwrap();
        let key = settings.log_key.unwrap();
        assert_eq!(key.name(), LOCAL_LOG_KEY_NAME);
        let again = LocalSettings::load(dir.path(), &origins, |_| None).unwrap();
        assert_eq!(again.log_key, Some(key.clone()));
        let (private, public) = notes::generate("from-env").unwrap();
        let from_env = LocalSettings::load(dir.path(), &origins, |name| {
            (name == "LOG_SIGNING_KEY").then(|| private.clone())
        })
        .unwrap();
        assert_eq!(from_env.log_key, Some(public));
    }

    #[test]
    fn a_broken_log_key_file_says_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_KEY_FILE);
        std::fs::write(&path, "not a key").unwrap();
        assert_eq!(
            load_or_create_log_key(dir.path()).unwrap_err().to_string(),
            format!(
                "the local log key {} cannot be used: the log signing key is not a signed-note \
                 private key (`PRIVATE+KEY+<name>+<key id>+<key>`, as `petitio keygen` writes \
                 it), or its name breaks the rule for key names (1 to 64 ASCII letters, \
                 digits, `.`, `_` and `-`, starting with a letter or digit)\n  \
                 Delete it to make a new one, or set LOG_SIGNING_KEY in the environment.",
                path.display()
            )
        );
    }

    #[test]
    fn origins_from_the_environment_are_added_to_the_servers_own() {
        let own = [
            "http://127.0.0.1:8080".to_owned(),
            "http://localhost:8080".to_owned(),
        ];
        assert_eq!(
            allowed_origins(&own, Some(" https://a.example, http://localhost:8080,,")),
            "http://127.0.0.1:8080,http://localhost:8080,https://a.example"
        );
        assert_eq!(
            allowed_origins(&own, None),
            "http://127.0.0.1:8080,http://localhost:8080"
        );
    }

    #[test]
    fn a_tally_interval_of_zero_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let error = LocalSettings::load(dir.path(), &["http://127.0.0.1:8080".into()], |name| {
            (name == TALLY_INTERVAL_VAR).then(|| "0".to_owned())
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "PETITIO_TALLY_INTERVAL_SECS must be a whole number of seconds from 1, got `0`"
        );
    }

    #[test]
    fn an_interval_from_the_environment_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let settings = LocalSettings::load(dir.path(), &["http://127.0.0.1:8080".into()], |name| {
            (name == TALLY_INTERVAL_VAR).then(|| "2".to_owned())
        })
        .unwrap();
        assert_eq!(settings.tally_interval, Duration::from_secs(2));
    }
}
