//! `petitio new` scaffolds a draft that passes `check`, and refuses bad slugs, unknown
//! languages and existing folders with exact messages.

mod common;

use common::{stderr, TestSite};

#[test]
fn a_new_petition_passes_check() {
    let site = TestSite::copy("valid");
    let output = site.run_ok(&["new", "night-buses", "--lang", "ru"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("index.ru.md"));
    let text = site.read("content/petitions/night-buses/index.ru.md");
    for field in [
        "title",
        "summary",
        "addressee",
        "author",
        "created",
        "deadline",
        "status",
        "status_reason",
        "goal",
        "milestones",
        "tags",
        "image",
        "[response]",
        "[[updates]]",
    ] {
        assert!(text.contains(field), "scaffold mentions {field}");
    }
    assert!(text.contains("status = \"draft\""));
    site.run_ok(&["check"]);
    // A draft is not published unless asked for.
    site.run_ok(&["build"]);
    assert!(!site.path("dist/ru/petitions/night-buses").exists());
    site.run_ok(&["build", "--drafts"]);
    assert!(site
        .path("dist/ru/petitions/night-buses/index.html")
        .exists());
}

#[test]
fn refuses_bad_slugs_existing_folders_and_unknown_languages() {
    let site = TestSite::copy("valid");
    let bad = site.run(&["new", "Clean Air"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(stderr(&bad), "error: `Clean Air` is not a valid slug: use lowercase ASCII letters, digits and hyphens, e.g. `clean-air`\n");

    let existing = site.run(&["new", "clean-air"]);
    assert_eq!(existing.status.code(), Some(1));
    assert_eq!(
        stderr(&existing),
        format!(
            "error: {} already exists; pick another slug or edit the existing petition\n",
            site.path("content/petitions/clean-air").display()
        )
    );

    let language = site.run(&["new", "fresh", "--lang", "de"]);
    assert_eq!(language.status.code(), Some(1));
    assert_eq!(
        stderr(&language),
        "error: language `de` is not in `languages` of petitio.toml (kk, ru, en)\n"
    );
    assert!(!site.path("content/petitions/fresh").exists());
}

#[test]
fn help_shows_examples_for_every_command() {
    let site = TestSite::copy("valid");
    for command in [
        &["new"][..],
        &["check"],
        &["build"],
        &["serve"],
        &["keygen"],
        &["where", "sign"],
        &["relocate"],
        &["verify"],
        &["witness"],
        &["doctor"],
    ] {
        let output = site.run_ok(&[command, &["--help"]].concat());
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            help.contains("Examples:\n  petitio "),
            "{command:?}: {help}"
        );
    }
    let version = site.run_ok(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("petitio {}\n", env!("CARGO_PKG_VERSION"))
    );
}
