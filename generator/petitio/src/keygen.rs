//! `petitio keygen`: make the operator's log key (docs/keys.md).
//!
//! One Ed25519 key in the C2SP signed-note format signs what the site says about itself
//! (log checkpoints, the note naming the current origins and API endpoints). Its public
//! half goes into `petitio.toml` (`[log] key`, edited with `toml_edit` so comments and
//! layout survive); its private half into a file readable by the owner only, by default
//! `.petitio/keys/<name>.key` under the site (git-ignored), from where the operator
//! installs it as the worker's `LOG_SIGNING_KEY` secret. Replacing an existing key
//! (rotation) breaks whoever pinned it, so it takes `--force`.
//!
//! The config is planned (and so checked) before anything is written; the private key is
//! written before `petitio.toml` names its public key, so the config never names a key
//! whose private half was not saved.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use petitio_model::log_key::VerifierKey;
use petitio_signatures::notes;
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::config_file::{read_config, replace_file};
use crate::error::Error;

/// Where the private key goes unless the operator says otherwise (under the site root).
pub fn default_key_file(name: &str) -> PathBuf {
    Path::new(".petitio")
        .join("keys")
        .join(format!("{name}.key"))
}

/// What `keygen` is asked to do.
#[derive(Debug, Clone)]
pub struct KeygenOptions {
    pub root: PathBuf,
    /// The key's name; default: the replaced key's, else a fresh `petitio-<hex>`.
    pub name: Option<String>,
    /// Where the private key goes (`None`: [`default_key_file`] under the root).
    pub key_file: Option<PathBuf>,
    /// Replace an existing key (and key file).
    pub force: bool,
}

/// What `keygen` did.
#[derive(Debug)]
pub struct KeygenReport {
    pub verifier_key: VerifierKey,
    pub private_key: String,
    pub key_file: PathBuf,
    /// Whether the key file is [`default_key_file`] (git-ignored in Petitio's repository).
    pub in_default_place: bool,
    /// The key `--force` replaced.
    pub replaced: Option<String>,
}

/// The key `petitio.toml`'s text holds now (`Ok(None)`: none), refusing a `log` that is not
/// a table.
pub fn current_key(config_path: &Path, text: &str) -> Result<Option<String>, Error> {
    let doc = parse(config_path, text)?;
    let Some(log) = doc.get("log") else {
        return Ok(None);
    };
    let table = log.as_table_like().ok_or_else(|| Error::KeygenConfig {
        path: config_path.to_owned(),
        reason: "`log` must be a table: [log] key = \"...\"".into(),
    })?;
    Ok(table.get("key").map(|key| {
        key.as_str()
            .map_or_else(|| key.to_string().trim().to_owned(), str::to_owned)
    }))
}

/// Sets `[log] key`, keeping the rest of the file (and a comment above an existing key).
pub fn plan_config(config_path: &Path, text: &str, key: &VerifierKey) -> Result<String, Error> {
    let mut doc = parse(config_path, text)?;
    if doc.get("log").is_none() {
        let mut table = Table::new();
        table.decor_mut().set_prefix(
            "\n# The operator's log key (docs/keys.md): its public half, printed on every \
             petition page\n# and in open data. `petitio keygen` wrote it; the private half \
             is the worker's\n# LOG_SIGNING_KEY secret.\n",
        );
        doc.insert("log", Item::Table(table));
    }
    let log = doc["log"]
        .as_table_like_mut()
        .ok_or_else(|| Error::KeygenConfig {
            path: config_path.to_owned(),
            reason: "`log` must be a table: [log] key = \"...\"".into(),
        })?;
    let mut value = Value::from(key.as_str());
    if let Some(old) = log.get("key").and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    log.insert("key", Item::Value(value));
    Ok(doc.to_string())
}

fn parse(config_path: &Path, text: &str) -> Result<DocumentMut, Error> {
    text.parse()
        .map_err(|e: toml_edit::TomlError| Error::KeygenConfig {
            path: config_path.to_owned(),
            reason: e.to_string(),
        })
}

/// Makes the key pair, writes the private key, then `petitio.toml`.
pub fn keygen(opts: &KeygenOptions) -> Result<KeygenReport, Error> {
    let config_path = opts.root.join(petitio_site::config::CONFIG_FILE);
    if !config_path.is_file() {
        return Err(petitio_site::Error::NotASite {
            root: opts.root.clone(),
        }
        .into());
    }
    let text = read_config(&opts.root, &config_path)?;
    let replaced = current_key(&config_path, &text)?;
    if let (Some(key), false) = (&replaced, opts.force) {
        return Err(Error::KeygenKeyExists {
            key: short_form(key),
        });
    }
    let name = match &opts.name {
        Some(name) => name.clone(),
        None => match replaced
            .as_deref()
            .and_then(|key| VerifierKey::parse(key).ok())
        {
            Some(old) => old.name().to_owned(),
            None => notes::random_key_name()?,
        },
    };
    let (private_key, verifier_key) = notes::generate(&name)?;
    let new_config = plan_config(&config_path, &text, &verifier_key)?;
    let key_file = opts.root.join(
        opts.key_file
            .clone()
            .unwrap_or_else(|| default_key_file(&name)),
    );
    write_private_key(&key_file, &private_key, opts.force)?;
    replace_file(&config_path, &new_config)?;
    Ok(KeygenReport {
        verifier_key,
        private_key,
        key_file,
        in_default_place: opts.key_file.is_none(),
        replaced: replaced.as_deref().map(short_form),
    })
}

/// `<name>+<id>` of a key text (the whole text when it is not a key).
fn short_form(key: &str) -> String {
    VerifierKey::parse(key).map_or_else(|_| key.to_owned(), |key| key.short())
}

/// Writes the private key to a new file readable and writable by its owner only (its
/// folders created as needed). An existing file is replaced only with `force`.
pub fn write_private_key(path: &Path, key: &str, force: bool) -> Result<(), Error> {
    let write_error = |source| Error::WriteKeyFile {
        path: path.to_owned(),
        source,
    };
    if path.exists() || path.is_symlink() {
        if !force {
            return Err(Error::KeyFileExists {
                path: path.to_owned(),
            });
        }
        std::fs::remove_file(path).map_err(write_error)?;
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(write_error)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(write_error)?;
    file.write_all(key.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    #[test]
    fn a_log_table_is_added_and_comments_are_kept() {
        let text =
            "# my site\nbase_url = \"https://p.example/\" # canonical\n\n[title]\nkk = \"T\"\n";
        let key = VerifierKey::parse(PETER).unwrap();
        let out = plan_config(Path::new("petitio.toml"), text, &key).unwrap();
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.ends_with(&format!("[log]\nkey = \"{PETER}\"\n")),
            "{out}"
        );
        assert_eq!(
            current_key(Path::new("p"), &out).unwrap().as_deref(),
            Some(PETER)
        );
        // Replacing keeps a comment on the key's line.
        let commented = out.replace(
            &format!("\"{PETER}\""),
            &format!("\"{PETER}\" # since 2026"),
        );
        let (_, other) = notes::generate("other").unwrap();
        let replaced = plan_config(Path::new("p"), &commented, &other).unwrap();
        assert!(
            replaced.contains(&format!("key = \"{other}\" # since 2026")),
            "{replaced}"
        );
    }

    #[test]
    fn a_log_that_is_not_a_table_is_refused() {
        let error = current_key(Path::new("petitio.toml"), "log = 1\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "error: petitio.toml: `log` must be a table: [log] key = \"...\"\n  \
             Fix the file by hand, then run `petitio keygen` again."
        );
    }
}
