//! `petitio keygen` on a fixture site with the real binary: the public key lands in
//! petitio.toml (comments kept) and in the built manifest, the private key in an owner-only
//! file that signs notes the public key verifies; an existing key is replaced only with
//! `--force` (and a warning); mistakes change nothing. Exact output asserted.

mod common;

use common::{stderr, stdout, TestSite};
use petitio_model::log_key::VerifierKey;
use petitio_signatures::notes::{self, NoteSigner};

/// The key petitio.toml's `[log]` table holds.
fn published_key(site: &TestSite) -> VerifierKey {
    let text = site.read("petitio.toml");
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    VerifierKey::parse(doc["log"]["key"].as_str().unwrap()).unwrap()
}

fn expected_stdout(key: &VerifierKey, file: &str, ignored: &str) -> String {
    format!(
        "Made the log key {short} (Ed25519, signed-note format).\n  \
         public key, now petitio.toml's [log] key (printed on every petition page and in open data):\n    \
         {key}\n  \
         private key: {file} (readable by you only; {ignored}keep an offline copy, never commit or publish it)\n\
         Install it as the worker's secret (it signs notes only with the key the site publishes):\n  \
         wrangler secret put LOG_SIGNING_KEY --config edge-worker/wrangler.toml < {file}\n\
         Then deploy (scripts/deploy) so pages and open data show the new key.\n",
        short = key.short(),
    )
}

#[test]
fn a_new_key_goes_to_petitio_toml_and_an_owner_only_file() {
    let site = TestSite::copy("valid");
    let before = site.read("petitio.toml");
    let output = site.run_ok(&["keygen", "--name", "clean-air-kz"]);
    let key = published_key(&site);
    assert_eq!(key.name(), "clean-air-kz");
    let file = site.path(".petitio/keys/clean-air-kz.key");
    assert_eq!(
        stdout(&output),
        expected_stdout(
            &key,
            &file.display().to_string(),
            "git-ignored under .petitio/; "
        )
    );
    assert_eq!(stderr(&output), "");
    // The rest of petitio.toml is as it was; the key comes with a comment saying what it is.
    let after = site.read("petitio.toml");
    assert_eq!(
        after,
        format!(
            "{before}\n# The operator's log key (docs/keys.md): its public half, printed on \
             every petition page\n# and in open data. `petitio keygen` wrote it; the private \
             half is the worker's\n# LOG_SIGNING_KEY secret.\n[log]\nkey = \"{key}\"\n"
        )
    );
    // The private key is never printed unless asked, signs, and matches the public one.
    let private = std::fs::read_to_string(&file).unwrap();
    assert!(
        private.starts_with("PRIVATE+KEY+clean-air-kz+"),
        "{private}"
    );
    assert!(!stdout(&output).contains(&private));
    let signer = NoteSigner::from_private_key(&private).unwrap();
    assert_eq!(signer.verifier_key(), &key);
    let note = signer.sign("a note\n").unwrap();
    assert_eq!(notes::verify(&note, &key), Ok("a note\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The site with its key checks and builds; the manifest carries the key.
    site.run_ok(&["check"]);
    site.run_ok(&["build", "--no-search"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&site.read("dist/_petitio/manifest.json")).unwrap();
    assert_eq!(manifest["log_key"].as_str(), Some(key.as_str()));
    assert_key_shown(&site, Some(&key));
}

/// Petition pages print the key in their "Verify this count" section, and open data
/// carries it at the top of the index and of each petition's file; a site without a key
/// shows neither.
fn assert_key_shown(site: &TestSite, key: Option<&VerifierKey>) {
    let page = site.read("dist/en/petitions/clean-air/index.html");
    let index: serde_json::Value =
        serde_json::from_str(&site.read("dist/data/petitions.json")).unwrap();
    let detail: serde_json::Value =
        serde_json::from_str(&site.read("dist/data/petitions/clean-air.json")).unwrap();
    match key {
        Some(key) => {
            let section = format!(
                "<h2 id=\"verify-heading\">Verify this count</h2>\n        <p>The site&#39;s \
                 operator signs what it publishes about its counts with one key. Its public \
                 key, to check those signatures with (Ed25519, in the signed-note format of \
                 transparency logs):</p>\n        <p><code class=\"log-key\" \
                 translate=\"no\">{key}</code></p>"
            );
            assert!(page.contains(&section), "{page}");
            // The petition's log: its checkpoint linked from the page and the open data.
            assert!(
                page.contains("The checkpoint: <a href=\"/log/clean-air/checkpoint\""),
                "{page}"
            );
            let log = serde_json::json!({
                "checkpoint": "/log/clean-air/checkpoint",
                "origin": format!("{}/clean-air", key.name()),
                "key": key.as_str(),
            });
            assert_eq!(detail["links"]["log"], log);
            let entry = index["petitions"].as_array().unwrap().iter();
            let entry = entry.clone().find(|p| p["slug"] == "clean-air").unwrap();
            assert_eq!(entry["links"]["log"], log);
            assert_eq!(index["log"]["key"].as_str(), Some(key.as_str()));
            assert_eq!(detail["log"]["key"].as_str(), Some(key.as_str()));
            let ru = site.read("dist/ru/petitions/clean-air/index.html");
            assert!(ru.contains("Проверить этот подсчёт"), "{ru}");
            assert!(ru.contains(key.as_str()));
        }
        None => {
            assert!(!page.contains("verify-heading"), "{page}");
            assert!(index.get("log").is_none());
            assert!(detail.get("log").is_none());
            assert!(detail["links"].get("log").is_none());
        }
    }
}

#[test]
fn a_site_without_a_key_shows_none() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build", "--no-search"]);
    assert_key_shown(&site, None);
}

#[test]
fn an_existing_key_is_replaced_only_with_force() {
    let site = TestSite::copy("valid");
    site.run_ok(&["keygen", "--name", "clean-air-kz"]);
    let first = published_key(&site);
    let config = site.read("petitio.toml");
    let file = site.path(".petitio/keys/clean-air-kz.key");
    let private = std::fs::read_to_string(&file).unwrap();

    let refused = site.run(&["keygen"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        stderr(&refused),
        format!(
            "error: petitio.toml already has a log key ({}); a new one would break every note \
             and checkpoint signed with it for whoever pinned it\n  Keep it, or replace it \
             with `petitio keygen --force` (docs/keys.md, \"Rotation\").\n",
            first.short()
        )
    );
    assert_eq!(site.read("petitio.toml"), config);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), private);

    // Rotation keeps the log's name, warns of what it breaks, and may print the key.
    let rotated = site.run_ok(&["keygen", "--force", "--show-private-key"]);
    let second = published_key(&site);
    assert_eq!(second.name(), "clean-air-kz");
    assert_ne!(second, first);
    assert_eq!(
        stderr(&rotated),
        format!(
            "warning: replaced the log key {}. Notes and checkpoints signed with it no longer \
             verify against petitio.toml's key; pages, open data, bundles and mirrors built \
             before show the old key until rebuilt; tell whoever pinned it (witnesses, \
             monitors, people checking bundles) the new one (docs/keys.md, \"Rotation\").\n",
            first.short()
        )
    );
    let new_private = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        NoteSigner::from_private_key(&new_private)
            .unwrap()
            .verifier_key(),
        &second
    );
    let expected = expected_stdout(
        &second,
        &file.display().to_string(),
        "git-ignored under .petitio/; ",
    )
    .replace(
        "publish it)\n",
        &format!("publish it)\n    {new_private}\n"),
    );
    assert_eq!(stdout(&rotated), expected);
}

#[test]
fn mistakes_change_nothing() {
    let site = TestSite::copy("valid");
    let config = site.read("petitio.toml");

    let bad_name = site.run(&["keygen", "--name", "petitions.example/log"]);
    assert_eq!(bad_name.status.code(), Some(1));
    assert_eq!(
        stderr(&bad_name),
        "error: `petitions.example/log` is not a log key name: use 1 to 64 ASCII letters, \
         digits, `.`, `_` and `-`, starting with a letter or digit\n"
    );

    std::fs::create_dir_all(site.path("keys")).unwrap();
    std::fs::write(site.path("keys/log.key"), "something else").unwrap();
    let existing = site.run(&["keygen", "--key-file", "keys/log.key"]);
    assert_eq!(existing.status.code(), Some(1));
    assert_eq!(
        stderr(&existing),
        format!(
            "error: {} already exists and may hold a private key in use\n  Move it away, \
             name another file with --key-file, or replace it with --force.\n",
            site.path("keys/log.key").display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(site.path("keys/log.key")).unwrap(),
        "something else"
    );
    assert_eq!(site.read("petitio.toml"), config);
    assert!(!site.path(".petitio").exists());

    // Another file, named by the operator: not git-ignored, and the output does not say so.
    let elsewhere = site.run_ok(&["keygen", "--name", "kz-log", "--key-file", "keys/kz.key"]);
    let key = published_key(&site);
    let file = site.path("keys/kz.key");
    assert_eq!(
        stdout(&elsewhere),
        expected_stdout(&key, &file.display().to_string(), "")
    );
    assert!(std::fs::read_to_string(file)
        .unwrap()
        .starts_with("PRIVATE+KEY+kz-log+"));
}
