//! `petitio where sign` and the build's publishing of `where.note` (#15), with the real
//! binary on a fixture site: the note says what petitio.toml says, its sequence goes up by
//! one each time, origins the site left become abandoned, `petitio build` publishes the
//! committed note byte for byte at `.well-known/petitio-where` (readable from any origin),
//! and mistakes (no key, the wrong key file, a note not ours) change nothing. Exact output
//! asserted. The refused notes are fixtures under tests/sites/invalid/where-note-*.

mod common;

use common::{read_tar_gz, stderr, stdout, TestSite, TODAY};
use petitio_model::log_key::VerifierKey;
use petitio_model::where_note::WhereNote;

/// The key pair of Go's `sumdb/note` documentation: public, so fit for fixtures only.
const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_PRIVATE: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

/// The valid fixture with Peter's key in petitio.toml and its private half in the default
/// key file.
fn site_with_key() -> TestSite {
    let site = TestSite::copy("valid");
    let config = site.read("petitio.toml");
    site.write(
        "petitio.toml",
        &format!("{config}\n[log]\nkey = \"{PETER}\"\n"),
    );
    site.write(".petitio/keys/PeterNeumann.key", PETER_PRIVATE);
    site
}

/// The text of the committed note, checked against Peter's key.
fn committed(site: &TestSite) -> WhereNote {
    let signed = site.read("where.note");
    let key = VerifierKey::parse(PETER).unwrap();
    WhereNote::parse(key.verify_note(&signed).unwrap()).unwrap()
}

#[test]
fn a_signed_note_says_what_petitio_toml_says_and_the_build_publishes_it() {
    let site = site_with_key();
    let output = site.run_ok(&["where", "sign"]);
    let path = site.path("where.note");
    assert_eq!(
        stdout(&output),
        format!(
            "Signed the note {} (sequence 1, {TODAY}) with the log key PeterNeumann+c74f20a3.\n  \
             main origin: https://petitions.example\n  \
             origins: https://petitions.example, https://mirror.example\n  \
             API endpoints: https://petitions.example/api\n\
             Commit it, then build and deploy: every origin publishes it at /.well-known/petitio-where.\n",
            path.display()
        )
    );
    assert_eq!(stderr(&output), "");
    let signed = site.read("where.note");
    assert!(
        signed.starts_with(&format!(
            "petitio-where/v1\nkey PeterNeumann\nsequence 1\nmain https://petitions.example\n\
             origin https://petitions.example\norigin https://mirror.example\n\
             api https://petitions.example/api\ndate {TODAY}\n\n\u{2014} PeterNeumann "
        )),
        "{signed}"
    );

    site.run_ok(&["build", "--no-search"]);
    assert_eq!(site.read("dist/.well-known/petitio-where"), signed);
    let headers = site.read("dist/_headers");
    assert!(
        headers.contains(
            "\n/.well-known/petitio-where\n  Content-Type: text/plain; charset=utf-8\n  \
             Access-Control-Allow-Origin: *\n  Cache-Control: "
        ),
        "{headers}"
    );
}

#[test]
fn pages_and_bundles_carry_the_key_the_sequence_and_the_places_to_look() {
    let site = site_with_key();
    site.run_ok(&["where", "sign"]);
    site.run_ok(&["build", "--no-search", "--bundle"]);
    let places = "https://petitions.example/.well-known/petitio-where \
                  https://mirror.example/.well-known/petitio-where";
    let body = |own: &str| {
        format!(
            "data-where-key=\"{PETER}\" data-where-sequence=\"1\" data-where-at=\"{own} {places}\">"
        )
    };
    let page = site.read("dist/en/open/index.html");
    assert!(page.contains(&body("/.well-known/petitio-where")), "{page}");
    // The bundle's copy looks in its own folder first, and may reach any https API.
    let bundle = read_tar_gz(&site.path("dist.tar.gz"));
    let copy = String::from_utf8(bundle["en/open/index.html"].clone()).unwrap();
    assert!(
        copy.contains(&body("../../.well-known/petitio-where")),
        "{copy}"
    );
    assert!(
        copy.contains(
            "connect-src &#39;self&#39; https://petitions.example https://mirror.example https:;"
        ),
        "{copy}"
    );
}

#[test]
fn each_note_follows_the_last_and_abandons_the_origins_the_site_left() {
    let site = site_with_key();
    site.run_ok(&["where", "sign"]);
    assert_eq!(committed(&site).sequence, 1);
    // The domain is blocked: the site moves, the old domain is dropped.
    let config = site
        .read("petitio.toml")
        .replace("https://petitions.example/", "https://new.example/");
    site.write("petitio.toml", &config);
    let output = site.run_ok(&["where", "sign"]);
    assert!(
        stdout(&output).contains(&format!(
            "(sequence 2, {TODAY}) with the log key PeterNeumann+c74f20a3.\n  \
             main origin: https://new.example\n  \
             origins: https://new.example, https://mirror.example\n  \
             API endpoints: https://new.example/api\n  \
             abandoned: https://petitions.example\n"
        )),
        "{}",
        stdout(&output)
    );
    // And again: the mirror goes too; the abandoned stay abandoned.
    site.write(
        "petitio.toml",
        &config.replace("mirrors = [\"https://mirror.example/\"]", "mirrors = []"),
    );
    site.run_ok(&["where", "sign"]);
    let note = committed(&site);
    assert_eq!(note.sequence, 3);
    assert_eq!(note.origins, ["https://new.example"]);
    assert_eq!(
        note.abandoned,
        ["https://petitions.example", "https://mirror.example"]
    );
    site.run_ok(&["build", "--no-search"]);
    assert_eq!(
        site.read("dist/.well-known/petitio-where"),
        site.read("where.note")
    );
}

#[test]
fn a_site_without_a_note_publishes_none() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build", "--no-search"]);
    assert!(!site.path("dist/.well-known").exists());
    assert!(!site.read("dist/_headers").contains("petitio-where"));
}

#[test]
fn mistakes_are_refused_and_change_nothing() {
    // No log key in petitio.toml.
    let site = TestSite::copy("valid");
    let output = site.run(&["where", "sign"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: petitio.toml has no log key (`[log] key`) to sign the note with\n  \
         Make one with `petitio keygen` (docs/keys.md), then run `petitio where sign` again.\n"
    );
    assert!(!site.path("where.note").exists());

    // No key file where it is looked for.
    let site = site_with_key();
    std::fs::remove_file(site.path(".petitio/keys/PeterNeumann.key")).unwrap();
    let output = site.run(&["where", "sign"]);
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot read the private key {}: No such file or directory (os error 2)\n  \
             Name the file with --key-file (`petitio keygen` wrote it, by default under .petitio/keys/).\n",
            site.path(".petitio/keys/PeterNeumann.key").display()
        )
    );
    assert!(!site.path("where.note").exists());

    // The private key of another log key.
    site.run_ok(&[
        "keygen",
        "--force",
        "--name",
        "other",
        "--key-file",
        "other.key",
    ]);
    let config = site.read("petitio.toml");
    let other = VerifierKey::parse(config.lines().last().unwrap().split('"').nth(1).unwrap())
        .unwrap()
        .short();
    let output = site.run(&["where", "sign", "--key-file", "/dev/null"]);
    assert_eq!(
        stderr(&output),
        "error: the log signing key is not a signed-note private key (`PRIVATE+KEY+<name>+<key id>+<key>`, \
         as `petitio keygen` writes it), or its name breaks the rule for key names (1 to 64 ASCII letters, \
         digits, `.`, `_` and `-`, starting with a letter or digit)\n"
    );
    site.write("peter.key", PETER_PRIVATE);
    let output = site.run(&["where", "sign", "--key-file", "peter.key"]);
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} holds the private key PeterNeumann+c74f20a3, but petitio.toml's log key is {other}\n  \
             Name the key file of {other} with --key-file; readers check notes against petitio.toml's key.\n",
            site.path("peter.key").display()
        )
    );
    assert!(!site.path("where.note").exists());

    // A committed note not signed by the key: its sequence is unknown.
    let site = site_with_key();
    let forged = std::fs::read_to_string(
        common::repo_root().join("tests/sites/invalid/where-note-changed/where.note"),
    )
    .unwrap();
    site.write("where.note", &forged);
    let output = site.run(&["where", "sign"]);
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} is not a note signed by the log key PeterNeumann+c74f20a3, so its sequence \
             number is unknown\n  Restore the committed one (git checkout where.note); after \
             rotating the key, move it away to start again at sequence 1 (readers who hold a \
             higher one will ignore the new note until it passes theirs).\n",
            site.path("where.note").display()
        )
    );
    assert_eq!(site.read("where.note"), forged);
}

#[test]
fn relocate_signs_the_next_note_for_the_new_address() {
    let site = site_with_key();
    site.run_ok(&["where", "sign"]);
    let output = site.run_ok(&["relocate", "https://new.example/"]);
    assert!(
        stdout(&output).contains(&format!(
            "\n  {}: signed sequence 2 for the new address (abandoned: https://petitions.example); commit it\n",
            site.path("where.note").display()
        )),
        "{}",
        stdout(&output)
    );
    // The mirrors must publish the new note too, and `petitio doctor` checks it there.
    assert!(
        stdout(&output).contains(
            "Mirrors: publish the new build on https://mirror.example/ (pages, _headers, \
             .well-known/petitio-where). Checked by `csp`, `note` and `manifest` on each.\n"
        ),
        "{}",
        stdout(&output)
    );
    let note = committed(&site);
    assert_eq!(note.sequence, 2);
    assert_eq!(note.main_origin, "https://new.example");
    assert_eq!(
        note.origins,
        ["https://new.example", "https://mirror.example"]
    );
    assert_eq!(
        site.read("dist/.well-known/petitio-where"),
        site.read("where.note")
    );

    // Without the key file, nothing moves: the note and petitio.toml stay as they were.
    std::fs::remove_file(site.path(".petitio/keys/PeterNeumann.key")).unwrap();
    let (config, signed) = (site.read("petitio.toml"), site.read("where.note"));
    let output = site.run(&["relocate", "https://newer.example/"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).starts_with("error: cannot read the private key "),
        "{}",
        stderr(&output)
    );
    assert_eq!(site.read("petitio.toml"), config);
    assert_eq!(site.read("where.note"), signed);
}
