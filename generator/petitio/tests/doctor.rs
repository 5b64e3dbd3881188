//! `petitio doctor` against real servers, healthy and with each problem it looks for put in
//! place: the real binary checks `petitio serve` (pages and API on one origin), and pages
//! built for and served by a plain static host (`common::static_host`) whose signatures go
//! to `petitio serve` on another port, with the log key and a signed note. Each fault is
//! made the way it happens in production: the API's `ALLOWED_ORIGINS` without the pages'
//! origin, the API's port closed, a policy without the API, a note forged, older or
//! abandoning this origin, an API deployed with fewer petitions than the pages. Exact
//! report lines and exit codes are asserted.

mod common;

use std::process::{Command, Output};

use common::server::{petition, site, Server, SLUG};
use common::static_host::StaticHost;
use common::{stderr, stdout, TestSite};
use petitio_signatures::notes::{generate, NoteSigner};

/// The key pair of Go's `sumdb/note` documentation: public, so fit for fixtures only.
const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_PRIVATE: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

const NOTE_PATH: &str = "/.well-known/petitio-where";

/// `petitio doctor <url> --petition serve-test`.
fn doctor(url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_petitio"))
        .args(["doctor", url, "--petition", SLUG])
        .output()
        .unwrap()
}

/// The findings of a healthy site with the note of sequence 1 and one endpoint.
const NOTE_OK: &str = "ok: note: sequence 1 signed by PeterNeumann+c74f20a3";
const CSP_OK: &str = "ok: csp: connect-src allows 1 endpoint, form-action 1 form target";

/// The fix under `warn: api`.
const API_WARN_FIX: &str = "  fix: signers fail over to the ones that answer; check that the \
    endpoint's host name has a DNS record and that the worker has a route there (the steps \
    `petitio relocate` printed), then `scripts/deploy`";

fn api_ok(api_origin: &str, pages_origin: &str) -> String {
    format!("ok: api: {api_origin}/api answers from {pages_origin}")
}

fn cors_ok(api_origin: &str, pages_origin: &str) -> String {
    format!("ok: cors: {api_origin}/api lets {pages_origin} read and sign")
}

fn manifest_ok(api_origin: &str) -> String {
    format!("ok: manifest: the API at {api_origin}/api knows all 5 petitions the pages list")
}

/// Asserts the whole report: the page checked on `origin`, then `findings` (each line).
fn assert_whole_report(output: &Output, origin: &str, findings: &[String]) {
    let mut expected = format!("petitio doctor: {origin}/kk/petitions/{SLUG}/\n");
    for line in findings {
        expected.push_str(line);
        expected.push('\n');
    }
    assert_eq!(stdout(output), expected);
}

fn failed(output: &Output, site: &str, failed: usize) {
    assert_eq!(output.status.code(), Some(1), "{}", stdout(output));
    assert_eq!(
        stderr(output),
        format!(
            "error: {failed} of 5 checks failed for {site}/\n  \
             Fix what each FAIL line says, then run `petitio doctor` again.\n"
        )
    );
}

fn passed(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stdout(output));
    assert_eq!(stderr(output), "");
}

/// The API: `petitio serve` on the test site, with `env`.
fn api(env: &[(&str, &str)]) -> (TestSite, Server) {
    let site = site();
    let server = Server::start_with(&site, &[], env);
    (site, server)
}

/// Pages on a static host whose signatures go to `petitio serve` on another port, which
/// allows their origin (the pages are built by the test: [`pages`]): the host, the pages'
/// origin, the API's origin and the API (stopped when dropped).
fn split() -> (StaticHost, String, String, (TestSite, Server)) {
    let host = StaticHost::bind();
    let pages_origin = host.origin();
    let api = api(&[("ALLOWED_ORIGINS", &pages_origin)]);
    let api_origin = api.1.origin();
    (host, pages_origin, api_origin, api)
}

/// Asserts the report holds `text`.
fn assert_reports(output: &Output, text: &str) {
    let report = stdout(output);
    assert!(report.contains(text), "{report}");
}

/// Pages with Peter's key and a signed note (sequence 1), built for `host`'s origin as the
/// main one, signing through `endpoints`, served by `host` with the build's own policy.
fn pages(host: &StaticHost, endpoints: &[String]) -> TestSite {
    let site = site();
    configure(&site, &format!("{}/", host.origin()), endpoints);
    site.run_ok(&["where", "sign"]);
    site.run_ok(&["build", "--no-search"]);
    host.serve(site.path("dist"));
    host.set_csp(Some(&built_csp(&site)));
    site
}

/// petitio.toml with `base_url`, `api_endpoints` and Peter's key (its private half in the
/// default key file).
fn configure(site: &TestSite, base_url: &str, endpoints: &[String]) {
    let listed: Vec<String> = endpoints.iter().map(|e| format!("\"{e}\"")).collect();
    let config = site
        .read("petitio.toml")
        .replace("https://petitions.example/", base_url)
        .replace(
            "api_url = \"/api\"",
            &format!("api_endpoints = [{}]", listed.join(", ")),
        );
    site.write(
        "petitio.toml",
        &format!("{config}\n[log]\nkey = \"{PETER}\"\n"),
    );
    site.write(".petitio/keys/PeterNeumann.key", PETER_PRIVATE);
}

/// The policy the build's `_headers` gives every page.
fn built_csp(site: &TestSite) -> String {
    site.read("dist/_headers")
        .lines()
        .find_map(|line| line.trim().strip_prefix("Content-Security-Policy: "))
        .unwrap()
        .to_owned()
}

/// A port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_site_on_petitio_serve_passes_every_check() {
    let (_site, server) = api(&[]);
    let origin = server.origin();
    let output = doctor(&origin);
    assert_whole_report(
        &output,
        &origin,
        &[
            format!("ok: api: {origin}/api answers from {origin}"),
            format!("ok: cors: the API is on the page's own origin {origin}: nothing to allow"),
            CSP_OK.into(),
            "ok: note: the page follows no note (the site has no [log] key): nothing to check"
                .into(),
            format!("ok: manifest: the API at {origin}/api knows all 5 petitions the pages list"),
        ],
    );
    passed(&output);
}

#[test]
fn pages_on_a_static_host_pass_every_check_and_each_cors_refusal_fails() {
    let (host, pages_origin, api_origin, api_server) = split();
    let _pages = pages(&host, &[format!("{api_origin}/api")]);
    let output = doctor(&pages_origin);
    assert_whole_report(
        &output,
        &pages_origin,
        &[
            api_ok(&api_origin, &pages_origin),
            cors_ok(&api_origin, &pages_origin),
            CSP_OK.into(),
            NOTE_OK.into(),
            manifest_ok(&api_origin),
        ],
    );
    passed(&output);
    drop(api_server);

    // The operator forgot the pages' origin in ALLOWED_ORIGINS.
    let (_api_site, server) = api(&[]);
    let api_origin = server.origin();
    let _pages = pages(&host, &[format!("{api_origin}/api")]);
    let output = doctor(&pages_origin);
    assert_whole_report(
        &output,
        &pages_origin,
        &[
            api_ok(&api_origin, &pages_origin),
            format!(
                "FAIL: cors: the API refuses the page's origin {pages_origin}: {api_origin}/api \
                 (the sign preflight answered HTTP 403 without allowing it)"
            ),
            format!(
                "  fix: add {pages_origin} to ALLOWED_ORIGINS in edge-worker/wrangler.toml and \
                 deploy (`petitio relocate` lists the main origin and the mirrors there), or set \
                 SIGN_FROM_ANY_ORIGIN = \"true\" (with email confirmation or Turnstile on)"
            ),
            CSP_OK.into(),
            NOTE_OK.into(),
            manifest_ok(&api_origin),
        ],
    );
    failed(&output, &pages_origin, 1);
    drop(server);

    // Signing from any origin (with email confirmation): allowed, and said so.
    let (_api_site, server) = api(&[
        ("SIGN_FROM_ANY_ORIGIN", "true"),
        ("SIGNATURE_CONFIRMATION", "email"),
    ]);
    let api_origin = server.origin();
    let _pages = pages(&host, &[format!("{api_origin}/api")]);
    let output = doctor(&pages_origin);
    assert_reports(
        &output,
        &format!(
            "\nok: cors: {api_origin}/api lets {pages_origin} read and sign (signing from any \
             origin is on: SIGN_FROM_ANY_ORIGIN)\n"
        ),
    );
    passed(&output);
}

#[test]
fn an_api_port_closed_fails_api_and_warns_while_another_endpoint_answers() {
    let (host, pages_origin, api_origin, api_server) = split();
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let _pages = pages(
        &host,
        &[format!("{closed}/api"), format!("{api_origin}/api")],
    );
    let output = doctor(&pages_origin);
    assert_whole_report(
        &output,
        &pages_origin,
        &[
            format!(
                "warn: api: {api_origin}/api answers, but this one does not: {closed}/api \
                 (connection refused (nothing listens there))"
            ),
            API_WARN_FIX.into(),
            cors_ok(&api_origin, &pages_origin),
            "ok: csp: connect-src allows 2 endpoints, form-action 2 form targets".into(),
            NOTE_OK.into(),
            manifest_ok(&api_origin),
        ],
    );
    passed(&output);

    // The API's port closed too: nothing answers.
    drop(api_server);
    let output = doctor(&pages_origin);
    assert_whole_report(
        &output,
        &pages_origin,
        &[
            format!(
                "FAIL: api: no API endpoint answers from {pages_origin}: {closed}/api \
                 (connection refused (nothing listens there)); {api_origin}/api (connection \
                 refused (nothing listens there))"
            ),
            "  fix: check that the endpoint's host name has a DNS record and that the worker \
             has a route there (the steps `petitio relocate` printed), then `scripts/deploy`"
                .into(),
            "warn: cors: not checked: no API endpoint answered".into(),
            "  fix: fix `api` first".into(),
            "ok: csp: connect-src allows 2 endpoints, form-action 2 form targets".into(),
            NOTE_OK.into(),
            "warn: manifest: not checked: no API endpoint answered".into(),
            "  fix: fix `api` first".into(),
        ],
    );
    failed(&output, &pages_origin, 1);
}

#[test]
fn a_policy_without_the_api_fails_csp() {
    let (host, pages_origin, api_origin, _api_server) = split();
    let _pages = pages(&host, &[format!("{api_origin}/api")]);
    // A host that sends its own policy, naming only the page's origin.
    host.set_csp(Some(
        "default-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
    ));
    let output = doctor(&pages_origin);
    let report = stdout(&output);
    assert!(
        report.contains(&format!(
            "\nFAIL: csp: the page's policy connect-src blocks {api_origin}/api; form-action \
             blocks {api_origin}\n  fix: serve the _headers of the same build as the pages \
             (`petitio build` lists every endpoint of api_endpoints in connect-src and \
             form-action)\n"
        )),
        "{report}"
    );
    assert_eq!(report.matches("\nok: ").count(), 4, "{report}");
    failed(&output, &pages_origin, 1);

    // No policy at all: a warning, not a failure.
    host.set_csp(None);
    let output = doctor(&pages_origin);
    assert_reports(
        &output,
        "\nwarn: csp: the page carries no Content-Security-Policy (neither header nor \
             <meta>): nothing blocks the API, nor injected script\n",
    );
    passed(&output);
}

#[test]
fn a_forged_an_older_or_an_abandoning_note_fails_note() {
    let (host, pages_origin, api_origin, _api_server) = split();
    let pages = pages(&host, &[format!("{api_origin}/api")]);
    let first = pages.read("where.note");
    let note_at = format!("{pages_origin}{NOTE_PATH}");
    let note_line = |report: &str| {
        report
            .split_once("\nok: csp: ")
            .and_then(|(_, rest)| rest.split_once('\n'))
            .map(|(_, rest)| rest.split("\nok: manifest").next().unwrap().to_owned())
            .unwrap()
    };

    // A note signed by another key (a re-registered domain's).
    let (other_private, _) = generate("PeterNeumann").unwrap();
    let forged = NoteSigner::from_private_key(&other_private)
        .unwrap()
        .sign(
            petitio_model::log_key::VerifierKey::parse(PETER)
                .unwrap()
                .verify_note(&first)
                .unwrap(),
        )
        .unwrap();
    host.replace(NOTE_PATH, Some(&forged));
    let output = doctor(&pages_origin);
    let republish = "  fix: publish the committed where.note here with the build (`petitio \
                     build` copies it to .well-known/petitio-where; `petitio where sign` signs it)";
    assert_eq!(
        note_line(&stdout(&output)),
        format!(
            "FAIL: note: the note at {note_at} is not signed by the page's key \
             PeterNeumann+c74f20a3\n{republish}"
        )
    );
    failed(&output, &pages_origin, 1);

    // Signed by the page's key, but naming another log (a note replayed from elsewhere).
    let other_log = NoteSigner::from_private_key(PETER_PRIVATE)
        .unwrap()
        .sign(&format!(
            "{}\n",
            first
                .split("\n\n")
                .next()
                .unwrap()
                .replace("key PeterNeumann\n", "key other-log\n")
        ))
        .unwrap();
    host.replace(NOTE_PATH, Some(&other_log));
    let output = doctor(&pages_origin);
    assert_eq!(
        note_line(&stdout(&output)),
        format!(
            "FAIL: note: the note at {note_at} names the log other-log, not the page's \
             PeterNeumann\n{republish}"
        )
    );
    failed(&output, &pages_origin, 1);

    // No note here.
    host.replace(NOTE_PATH, None);
    let output = doctor(&pages_origin);
    assert_eq!(
        note_line(&stdout(&output)),
        format!("FAIL: note: no note at {note_at} (HTTP 404)\n{republish}")
    );
    failed(&output, &pages_origin, 1);

    // The pages were rebuilt with sequence 2, the note left at 1.
    pages.run_ok(&["where", "sign"]);
    pages.run_ok(&["build", "--no-search"]);
    host.replace(NOTE_PATH, Some(&first));
    let output = doctor(&pages_origin);
    assert_eq!(
        note_line(&stdout(&output)),
        format!(
            "FAIL: note: the note at {note_at} has sequence 1, lower than the 2 the page was \
             built with: pages ignore it\n{republish}"
        )
    );
    failed(&output, &pages_origin, 1);

    // The site moved on (sequence 3) and gave this origin up.
    let moved_to = format!("http://127.0.0.1:{}", closed_port());
    let config = pages
        .read("petitio.toml")
        .replace(&format!("{pages_origin}/"), &format!("{moved_to}/"));
    pages.write("petitio.toml", &config);
    pages.run_ok(&["where", "sign"]);
    host.replace(NOTE_PATH, Some(&pages.read("where.note")));
    let output = doctor(&pages_origin);
    assert_eq!(
        note_line(&stdout(&output)),
        format!(
            "FAIL: note: this origin was abandoned in sequence 3; the site is now at \
             {moved_to}\n  fix: serve the \"we moved\" site (dist-moved/ from `petitio \
             relocate`) here, linking to {moved_to}"
        )
    );
    failed(&output, &pages_origin, 1);
}

#[test]
fn a_note_older_than_the_main_origins_is_stale() {
    // This host is a mirror; the main origin is another host.
    let mirror = StaticHost::bind();
    let main = StaticHost::bind();
    let mirror_origin = mirror.origin();
    let main_origin = main.origin();
    let (_api_site, server) = api(&[("ALLOWED_ORIGINS", &mirror_origin)]);
    let api_origin = server.origin();
    let pages = site();
    configure(
        &pages,
        &format!("{main_origin}/"),
        &[format!("{api_origin}/api")],
    );
    let config = pages.read("petitio.toml").replace(
        "mirrors = [\"https://mirror.example/\"]",
        &format!("mirrors = [\"{mirror_origin}/\"]"),
    );
    pages.write("petitio.toml", &config);
    pages.run_ok(&["where", "sign"]);
    pages.run_ok(&["build", "--no-search"]);
    mirror.serve(pages.path("dist"));
    mirror.set_csp(Some(&built_csp(&pages)));
    main.replace(NOTE_PATH, Some(&pages.read("where.note")));
    let output = doctor(&mirror_origin);
    assert_reports(
        &output,
        &format!(
            "\nok: note: sequence 1 signed by PeterNeumann+c74f20a3, as at the main origin \
             {main_origin}\n"
        ),
    );
    passed(&output);

    // The main origin publishes sequence 2; the mirror still has 1.
    pages.run_ok(&["where", "sign"]);
    main.replace(NOTE_PATH, Some(&pages.read("where.note")));
    let output = doctor(&mirror_origin);
    assert_reports(
        &output,
        &format!(
            "\nFAIL: note: stale: the note here has sequence 1, but the main origin \
             {main_origin} publishes sequence 2\n  fix: copy \
             {main_origin}{NOTE_PATH} to {mirror_origin}{NOTE_PATH} (or deploy the new build \
             here)\n"
        ),
    );
    failed(&output, &mirror_origin, 1);
}

#[test]
fn an_api_deployed_before_a_new_petition_fails_manifest() {
    let (host, pages_origin, api_origin, _api_server) = split();
    // The pages' build has a petition the API's does not.
    let pages = site();
    pages.write(
        "content/petitions/new-petition/index.kk.md",
        &petition("Жаңа петиция."),
    );
    configure(
        &pages,
        &format!("{pages_origin}/"),
        &[format!("{api_origin}/api")],
    );
    pages.run_ok(&["where", "sign"]);
    pages.run_ok(&["build", "--no-search"]);
    host.serve(pages.path("dist"));
    host.set_csp(Some(&built_csp(&pages)));
    let output = doctor(&pages_origin);
    assert!(
        stdout(&output).ends_with(&format!(
            "\nok: note: sequence 1 signed by PeterNeumann+c74f20a3\nFAIL: manifest: the API \
             at {api_origin}/api does not know 1 of all 6 petitions the pages list \
             (new-petition): its manifest is older than the content\n  fix: deploy the worker \
             with the same build as the pages (`scripts/deploy`)\n"
        )),
        "{}",
        stdout(&output)
    );
    failed(&output, &pages_origin, 1);
}

#[test]
fn a_bad_address_or_a_site_that_does_not_answer_is_a_clear_error() {
    for url in [
        "ftp://petitions.example/",
        "petitions.example",
        "https://x.example/?a=1",
    ] {
        let output = doctor(url);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(stdout(&output), "");
        assert_eq!(
            stderr(&output),
            format!(
                "error: `{url}` is not a site address\n  Give the site's root like \
                 https://petitions.example/ (http:// for a server on this machine).\n"
            )
        );
    }
    let nothing = format!("http://127.0.0.1:{}/", closed_port());
    // A name that never resolves (RFC 6761), as a new domain before its DNS record.
    let unresolved = "http://petitio-doctor.invalid/";
    for (url, reason) in [
        (
            nothing.as_str(),
            "connection refused (nothing listens there)",
        ),
        (unresolved, "its host name does not resolve (DNS)"),
    ] {
        let output = doctor(url);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            stderr(&output),
            format!(
                "error: cannot load {url}: {reason}\n  \
                 Check the address; if the site does not answer at all, its DNS record and the \
                 worker route come first (the steps `petitio relocate` printed).\n"
            )
        );
    }
}

#[test]
fn an_endpoint_answering_without_cors_headers_fails_cors() {
    let host = StaticHost::bind();
    let pages_origin = host.origin();
    // Something answers at the endpoint's address, but not the API: no CORS headers.
    let impostor = StaticHost::bind();
    let count = format!("/api/petitions/{SLUG}/count");
    impostor.replace(&count, Some("{}"));
    impostor.replace(&format!("/api/petitions/{SLUG}/signatures"), Some(""));
    let _pages = pages(&host, &[format!("{}/api", impostor.origin())]);
    let output = doctor(&pages_origin);
    assert_reports(
        &output,
        &format!(
            "\nFAIL: cors: the API refuses the page's origin {pages_origin}: {}/api (the sign \
             preflight answered HTTP 200 without allowing it)\n",
            impostor.origin()
        ),
    );
    failed(&output, &pages_origin, 1);
}

#[test]
fn an_endpoint_answering_5xx_is_down_while_another_answers() {
    let (host, pages_origin, api_origin, _api_server) = split();
    // A server at the first endpoint's address that fails every request (a broken route).
    let broken = StaticHost::bind();
    broken.fail(&format!("/api/petitions/{SLUG}/count"), 503);
    let _pages = pages(
        &host,
        &[
            format!("{}/api", broken.origin()),
            format!("{api_origin}/api"),
        ],
    );
    let output = doctor(&pages_origin);
    assert_reports(
        &output,
        &format!(
            "\nwarn: api: {api_origin}/api answers, but this one does not: {}/api (answered \
             HTTP 503)\n",
            broken.origin()
        ),
    );
    passed(&output);
}

#[test]
fn an_old_page_is_checked_against_the_api_a_newer_note_names() {
    let (host, pages_origin, api_origin, _api_server) = split();
    // The pages were built when the API was at an address now blocked (its port closed).
    let blocked = format!("http://127.0.0.1:{}", closed_port());
    let pages = pages(&host, &[format!("{blocked}/api")]);
    let output = doctor(&pages_origin);
    assert_reports(
        &output,
        &format!("\nFAIL: api: no API endpoint answers from {pages_origin}: {blocked}/api "),
    );
    failed(&output, &pages_origin, 1);

    // The operator moves the API and signs note 2, published here; the pages stay as built.
    let config = pages.read("petitio.toml").replace(
        &format!("api_endpoints = [\"{blocked}/api\"]"),
        &format!("api_endpoints = [\"{api_origin}/api\"]"),
    );
    pages.write("petitio.toml", &config);
    pages.run_ok(&["where", "sign"]);
    host.replace(NOTE_PATH, Some(&pages.read("where.note")));
    let output = doctor(&pages_origin);
    assert_whole_report(
        &output,
        &pages_origin,
        &[
            format!(
                "warn: api: {api_origin}/api answers, but this one does not: {blocked}/api \
                 (connection refused (nothing listens there)) (following the note of sequence 2)"
            ),
            API_WARN_FIX.into(),
            cors_ok(&api_origin, &pages_origin),
            "ok: csp: connect-src allows 2 endpoints, form-action 1 form target".into(),
            "ok: note: sequence 2 signed by PeterNeumann+c74f20a3".into(),
            manifest_ok(&api_origin),
        ],
    );
    passed(&output);
}
