//! Every invalid fixture under `tests/sites/invalid/<case>/` fails `build` and `check` with
//! exactly the text of its `expected-error.txt`, and exits non-zero.

mod common;

use common::{repo_root, stderr, TestSite};

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(repo_root().join("tests/sites/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

fn expected(case: &str) -> String {
    std::fs::read_to_string(
        repo_root()
            .join("tests/sites/invalid")
            .join(case)
            .join("expected-error.txt"),
    )
    .unwrap()
}

#[test]
fn every_case_is_covered() {
    let cases = cases();
    for required in [
        "api-endpoints",
        "api-url-and-endpoints",
        "bad-date",
        "bad-slug",
        "contradiction",
        "dates",
        "duplicate-slug",
        "heading-attributes",
        "image-name",
        "log-key",
        "log-witnesses",
        "symlink-absolute",
        "symlink-relative",
        "tag-too-long",
        "missing-field",
        "several-problems",
        "status-reason-missing",
        "unknown-field",
        "wrong-type",
        "where-note-changed",
        "where-note-no-origin",
        "where-note-other-key",
    ] {
        assert!(
            cases.iter().any(|c| c == required),
            "missing fixture {required}"
        );
    }
}

#[test]
fn build_fails_with_the_exact_error_and_writes_nothing() {
    for case in cases() {
        let site = TestSite::copy(&format!("invalid/{case}"));
        let output = site.run(&["build"]);
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert_eq!(stderr(&output), expected(&case), "{case}");
        assert!(
            !site.path("dist").exists(),
            "{case}: a failed build must not create dist/"
        );
    }
}

#[test]
fn check_reports_the_same_errors() {
    for case in cases() {
        let site = TestSite::copy(&format!("invalid/{case}"));
        let output = site.run(&["check"]);
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert_eq!(stderr(&output), expected(&case), "{case}");
    }
}

#[test]
fn check_reports_several_problems_at_once() {
    let text = expected("several-problems");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("error: content/"))
            .count(),
        4,
        "{text}"
    );
    assert!(text.ends_with("error: 4 problems found\n"), "{text}");
}

#[test]
fn a_missing_config_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_petitio"))
        .arg("--root")
        .arg(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {}: no `petitio.toml` here\n  Run petitio in a site's folder (or pass `--root <DIR>`); docs/content-format.md shows the layout.\n",
            dir.path().display()
        )
    );
}
