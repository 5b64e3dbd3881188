//! `petitio serve` end to end: the real binary on a copy of a fixture site, spoken to over
//! plain HTTP. Pages carry the CSP of `_headers`; signatures go through the real API into
//! the local database and survive a restart; an edit reloads open pages; a broken file
//! shows its error in the browser until it is fixed, while the server keeps answering.
//! Waits are bounded polls (up to `PATIENCE`), never assertions on how long things take.

mod common;

use std::time::{Duration, Instant};

use common::server::{petition, site, EventStream, Server, PATIENCE, PETITION_FILE, PETITION_PAGE};
use common::TestSite;

/// Front matter that is not TOML.
const BROKEN_PETITION: &str = "+++\ntitle = \n+++\nБұзылған.\n";

/// What `petitio check` says of the site: the message the server must show too.
fn check_errors(site: &TestSite) -> String {
    let checked = site.run(&["check"]);
    assert!(!checked.status.success());
    common::stderr(&checked).trim_end().to_owned()
}

/// The `Content-Security-Policy` the build writes into `_headers` for every path.
fn csp_in_headers_file(site: &TestSite) -> String {
    site.read(".petitio/site/_headers")
        .lines()
        .find_map(|line| line.trim().strip_prefix("Content-Security-Policy: "))
        .expect("_headers sets a CSP")
        .to_owned()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn pages_are_served_as_a_static_host_serves_them_with_the_headers_file_applied() {
    let site = site();
    let server = Server::start(&site);

    let page = server.get(PETITION_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Бірінші нұсқа."));
    assert_eq!(
        page.header("content-security-policy"),
        Some(csp_in_headers_file(&site).as_str())
    );
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page
        .body
        .contains("<script src=\"/_petitio/livereload.js\" defer></script>"));

    let script = server.get("/_petitio/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script
        .body
        .contains("new EventSource(\"/_petitio/livereload\")"));

    let missing = server.get("/kk/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, site.read(".petitio/site/404.html"));

    assert_eq!(server.get("/_headers").status, 404);
    server.stop();
}

#[test]
fn a_signature_is_recorded_once_survives_a_restart_and_is_counted_once() {
    let site = site();
    let server = Server::start(&site);
    let first = server.sign("signer@example.org");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(server.sign("signer@example.org").status, 200);
    server.stop();

    let restarted = Server::start(&site);
    let again = restarted.sign("SIGNER@example.org");
    assert_eq!(again.status, 200, "{}", again.body);
    restarted.wait_for_count(1);
    restarted.stop();
}

/// `petitio serve` makes a local log key once, signs with it, and builds the site with its
/// public half in place of petitio.toml's `[log] key` (docs/keys.md).
#[test]
fn the_local_build_publishes_the_local_log_key_made_once() {
    let site = site();
    site.run_ok(&["keygen", "--name", "operator-log"]);
    let manifest_key = || {
        let manifest: serde_json::Value =
            serde_json::from_str(&site.read(".petitio/site/_petitio/manifest.json")).unwrap();
        manifest["log_key"].as_str().unwrap().to_owned()
    };
    let local_key = || {
        let private = site.read(".petitio/data/log-signing.key");
        let signer = petitio_signatures::notes::NoteSigner::from_private_key(&private).unwrap();
        signer.verifier_key().as_str().to_owned()
    };
    let server = Server::start(&site);
    let first = local_key();
    assert!(first.starts_with("petitio-local+"), "{first}");
    assert_eq!(manifest_key(), first);
    assert!(!site.read("petitio.toml").contains(&first));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(site.path(".petitio/data/log-signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    server.stop();
    let restarted = Server::start(&site);
    assert_eq!(local_key(), first);
    assert_eq!(manifest_key(), first);
    restarted.stop();
}

#[test]
fn nothing_stored_holds_the_email_the_name_or_the_address_in_the_clear() {
    let site = site();
    // The forwarded address is used (and so must not be stored) only when trusted.
    let server = Server::start_with(&site, &["--trust-proxy-header", "CF-Connecting-IP"], &[]);
    assert_eq!(server.sign("private.person@example.org").status, 201);
    assert_eq!(
        server
            .sign_with(
                "second.person@example.org",
                &[("CF-Connecting-IP", "203.0.113.7")]
            )
            .status,
        201
    );
    server.wait_for_count(2);
    server.stop();

    let store = petitio_serve::RedbStore::open(&site.path(".petitio/data")).unwrap();
    let stored = store.dump().unwrap();
    assert!(stored.iter().any(|(key, _)| key.starts_with("sig/")));
    for (key, entry) in stored {
        let text = format!(
            "{key} {} {}",
            String::from_utf8_lossy(&entry.value),
            entry.metadata.unwrap_or_default()
        );
        for secret in [
            "private.person",
            "second.person",
            "example.org",
            "Test Signer",
            "127.0.0.1",
            "203.0.113.7",
        ] {
            assert!(!text.contains(secret), "{secret} stored in {text}");
        }
    }
}

#[test]
fn an_edit_reloads_open_pages_and_a_broken_file_is_shown_until_fixed() {
    let site = site();
    let server = Server::start(&site);
    let mut events = EventStream::open(&server);

    site.write(PETITION_FILE, &petition("Екінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the edited page", |page| {
        page.status == 200 && page.body.contains("Екінші нұсқа.")
    });
    events.wait_for_reload();

    site.write(PETITION_FILE, BROKEN_PETITION);
    let message = check_errors(&site);
    let message = message.as_str();
    let broken = server.wait_for(PETITION_PAGE, "the error page", |page| page.status == 500);
    assert!(
        broken.body.contains(&escape_html(message)),
        "{message}\nnot in\n{}",
        broken.body
    );
    assert_eq!(
        broken.header("content-security-policy"),
        Some(csp_in_headers_file(&site).as_str())
    );
    assert_eq!(server.get("/api/counts").status, 200);
    assert!(server.errors().contains(message));

    site.write(PETITION_FILE, &petition("Үшінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the fixed page", |page| {
        page.status == 200 && page.body.contains("Үшінші нұсқа.")
    });
    server.stop();
}

#[test]
fn started_inside_the_site_folder_it_rebuilds_on_edits() {
    // The root is then "."; the watcher reports absolute paths, which once matched no source.
    let site = site();
    let server = Server::start_in_site_folder(&site);
    site.write(PETITION_FILE, &petition("Екінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the edited page", |page| {
        page.status == 200 && page.body.contains("Екінші нұсқа.")
    });
    server.stop();
}

#[test]
fn a_site_broken_from_the_start_is_served_with_its_error_until_fixed() {
    let site = site();
    site.write(PETITION_FILE, BROKEN_PETITION);
    let message = check_errors(&site);
    let server = Server::start(&site);

    let page = server.get("/kk/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains(&escape_html(&message)), "{}", page.body);
    let api = server.get("/api/counts");
    assert_eq!(api.status, 503);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&api.body).unwrap(),
        serde_json::json!({"error": {
            "code": "site_not_built",
            "message": "The site has not been built yet: fix the error petitio serve shows, \
                        and signing starts working.",
            "field": null
        }})
    );

    site.write(PETITION_FILE, &petition("Түзетілген."));
    server.wait_for(PETITION_PAGE, "the fixed page", |page| {
        page.status == 200 && page.body.contains("Түзетілген.")
    });
    assert_eq!(server.sign("first@example.org").status, 201);
    server.stop();
}

#[test]
fn a_watched_folder_created_while_serving_is_watched_from_then_on() {
    let site = site();
    assert!(!site.path("static").exists());
    let server = Server::start(&site);

    site.write("static/first.txt", "first");
    wait_for_asset(&site, "first.");
    site.write("static/second.txt", "second");
    wait_for_asset(&site, "second.");
    server.stop();
}

/// Waits until the served build has an asset whose name starts with `prefix`.
fn wait_for_asset(site: &TestSite, prefix: &str) {
    let started = Instant::now();
    let assets = site.path(".petitio/site/assets");
    loop {
        let found = std::fs::read_dir(&assets).unwrap().any(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(prefix)
        });
        if found {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no asset {prefix}* in {}",
            assets.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
