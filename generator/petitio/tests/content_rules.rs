//! Issue #10, item 5: what `build` would fail on, `check` refuses first (the fixtures under
//! `tests/sites/invalid/`: `tag-too-long`, `image-name`, `dates`, run by `invalid_sites.rs`);
//! and what is only suspicious, a warning: `check` and `build` print it and succeed
//! (`tests/sites/warnings/`). "Today" is `PETITIO_TODAY` (2026-06-01 in every fixture test).

mod common;

use common::{repo_root, stderr, TestSite, TODAY};

fn expected_warnings() -> String {
    std::fs::read_to_string(repo_root().join("tests/sites/warnings/expected-warnings.txt")).unwrap()
}

#[test]
fn an_open_petition_past_its_deadline_is_a_warning_for_check_and_build() {
    let site = TestSite::copy("warnings");
    let checked = site.run(&["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert_eq!(stderr(&checked), expected_warnings());
    let built = site.run(&["build"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert_eq!(stderr(&built), expected_warnings());
    assert!(site.path("dist/kk/petitions/late/index.html").is_file());
}

/// Issue #14, item 2: from the first day after its deadline (in the site's time zone), an
/// open petition is shown closed everywhere: its page (no form), the listings, the open
/// data and the manifest the signature API reads. `on-time` (no deadline) stays open.
#[test]
fn a_petition_past_its_deadline_is_built_closed_everywhere() {
    let site = TestSite::copy("warnings");
    site.run_ok(&["build"]);
    let page = site.read("dist/kk/petitions/late/index.html");
    assert!(
        page.contains("<span class=\"badge badge-closed\">"),
        "{page}"
    );
    assert!(
        !page.contains("<form id=\"sign\""),
        "no form on a closed petition"
    );
    // Where a no-JS signer of a page built earlier is sent back (`results::error_page`).
    assert!(
        page.contains(
            "<p class=\"notice\" id=\"sign\"><span id=\"sign-error-petition_not_open\"></span>"
        ),
        "{page}"
    );
    let open = site.read("dist/kk/open/index.html");
    assert!(!open.contains("data-petition=\"late\""), "{open}");
    assert!(open.contains("data-petition=\"on-time\""), "{open}");
    assert!(site
        .read("dist/kk/closed/index.html")
        .contains("data-petition=\"late\""));
    let manifest = site.read("dist/_petitio/manifest.json");
    assert!(manifest.contains("\"utc_offset\":\"+05:00\""), "{manifest}");
    assert!(
        manifest.contains("{\"slug\":\"late\",\"status\":\"closed\""),
        "{manifest}"
    );
    assert!(site
        .read("dist/data/petitions/late.json")
        .contains("\"state\": \"closed\""));
    // The day of the deadline itself is still open.
    let on_the_day = site
        .command(&["build"])
        .env("PETITIO_TODAY", "2026-05-31")
        .output()
        .unwrap();
    assert_eq!(on_the_day.status.code(), Some(0), "{}", stderr(&on_the_day));
    let page = site.read("dist/kk/petitions/late/index.html");
    assert!(
        page.contains("data-deadline=\"2026-05-31\" data-utc-offset=\"300\""),
        "{page}"
    );
}

#[test]
fn warnings_give_way_to_errors() {
    let site = TestSite::copy("warnings");
    site.write(
        "content/petitions/broken/index.kk.md",
        "+++\ntitle = \"x\"\n+++\n",
    );
    let output = site.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: content/petitions/broken/index.kk.md:1: field `created`: required but missing; add it, e.g. `created = 2026-03-01`\n"
    );
}

#[test]
fn today_comes_from_petitio_today_and_a_bad_value_is_refused() {
    let site = TestSite::copy("warnings");
    // A day on which the deadline has not passed: no warning.
    let output = site
        .command(&["check"])
        .env("PETITIO_TODAY", "2026-05-31")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "");
    let output = site
        .command(&["check"])
        .env("PETITIO_TODAY", "tomorrow")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: PETITIO_TODAY is \"tomorrow\", not a date like 2026-12-01\n  \
         It replaces today's date (for tests and reproducible builds); unset it to use the real date.\n"
    );
}

#[test]
fn new_refuses_a_slug_check_would_refuse_and_dates_the_draft_today() {
    let site = TestSite::copy("valid");
    let long = "a".repeat(101);
    let output = site.run(&["new", &long]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: `{long}` is 101 characters long; a slug, tag or page name may have at most 100 \
             (it becomes a folder and part of every link to it): shorten it\n"
        )
    );
    site.run_ok(&["new", "fresh"]);
    let text = site.read("content/petitions/fresh/index.kk.md");
    assert!(text.contains(&format!("\ncreated = {TODAY}\n")), "{text}");
    site.run_ok(&["check"]);
}
