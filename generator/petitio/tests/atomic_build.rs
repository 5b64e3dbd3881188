//! A build that fails halfway (a template error while rendering, or a content error) leaves
//! the previous `dist/` byte for byte intact, and leaves no temporary folder behind.

mod common;

use common::{snapshot, stderr, TestSite};

fn siblings(site: &TestSite) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_template_error_while_rendering_keeps_the_previous_dist() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let before = snapshot(&site.path("dist"));
    // Only the signed pages use this template, so the failure comes after other pages were written.
    site.write("templates/signed.html", "{% extends \"base.html\" %}{% block content %}{{ petition.missing.field }}{% endblock content %}");
    let folders_before = siblings(&site);
    let output = site.run(&["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .starts_with("error: template `signed.html`: Failed to render 'signed.html'"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&site.path("dist")), before);
    assert_eq!(siblings(&site), folders_before);
}

#[test]
fn a_content_error_keeps_the_previous_dist() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let before = snapshot(&site.path("dist"));
    site.write(
        "content/petitions/zzz-late/index.kk.md",
        "+++\ntitle = \"Кеш\"\ncreated = 2026-02-30\n+++\n",
    );
    let output = site.run(&["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "error: content/petitions/zzz-late/index.kk.md:3: invalid TOML: invalid date-time value is out of range\n");
    assert_eq!(snapshot(&site.path("dist")), before);
}

#[test]
fn a_successful_build_replaces_dist_completely() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    site.write("dist/stale.html", "from an older build");
    std::fs::remove_dir_all(site.path("content/petitions/old-park")).unwrap();
    site.run_ok(&["build"]);
    assert!(!site.path("dist/stale.html").exists());
    assert!(!site.path("dist/ru/petitions/old-park").exists());
    assert!(site.path("dist/ru/petitions/clean-air/index.html").exists());
}

#[test]
fn a_template_syntax_error_names_the_file_and_position() {
    let site = TestSite::copy("valid");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ oops( }}{% endblock content %}",
    );
    let output = site.run(&["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: cannot load the templates: Failed to parse 'page.html'\n  Reason: --> 1:54\n  |\n\
         1 | {% extends \"base.html\" %}{% block content %}{{ oops( }}{% endblock content %}\n  \
         |                                                      ^---\n  |\n  \
         = expected an identifier (must start with a-z)\n  \
         Fix the template (in templates/ or the theme) and build again.\n"
    );
    assert!(!site.path("dist").exists());
}
