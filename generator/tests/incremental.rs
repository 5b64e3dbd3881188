//! `Incremental` (kept by `petitio serve`): renders in place, re-renders only what a petition
//! edit shows, everything after a template change, and leaves the output untouched when a
//! rebuild fails.

mod common;

use common::{snapshot, TestSite};
use petitio::{BuildOptions, Incremental};

fn start(site: &TestSite) -> (Incremental, petitio::BuildReport) {
    let mut opts = BuildOptions::new(site.root());
    opts.out = site.path("out");
    opts.extra_body_scripts = vec!["/_petitio/livereload.js".to_owned()];
    Incremental::new(opts).unwrap()
}

#[test]
fn first_render_writes_everything_with_the_extra_scripts() {
    let site = TestSite::copy("valid");
    let (_builder, report) = start(&site);
    assert_eq!(
        (
            report.pages_written,
            report.files_written,
            report.files_unchanged
        ),
        (53, 80, 0)
    );
    let page = site.read("out/kk/index.html");
    assert!(page.contains("<script src=\"/_petitio/livereload.js\" defer></script>\n</body>"));
}

#[test]
fn a_petition_edit_re_renders_only_what_shows_it() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    // A page no job of this change renders: if the rebuild touched it, this marker would vanish.
    site.write("out/ru/petitions/old-park/index.html", "marker");
    let file = "content/petitions/bus-lanes/index.ru.md";
    let edited = site
        .read(file)
        .replace("Автобусные полосы в Астане", "Автобусные полосы в столице");
    site.write(file, &edited);

    let report = builder.rebuild(&[site.path(file)]).unwrap();
    assert!(site
        .read("out/ru/petitions/bus-lanes/index.html")
        .contains("<h1>Автобусные полосы в столице</h1>"));
    assert!(site
        .read("out/ru/responded/index.html")
        .contains("Автобусные полосы в столице"));
    assert!(site
        .read("out/data/petitions/bus-lanes.json")
        .contains("Автобусные полосы в столице"));
    assert_eq!(site.read("out/ru/petitions/old-park/index.html"), "marker");
    assert!(report.files_written < 20, "{report:?}");
    assert!(report.files_unchanged > 0, "{report:?}");
}

#[test]
fn a_template_change_re_renders_everything_and_a_failed_rebuild_changes_nothing() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    site.write("out/ru/petitions/old-park/index.html", "marker");
    site.write(
        "templates/partials/card.html",
        "<article class=\"card\">{{ card.title }}</article>\n",
    );
    let report = builder
        .rebuild(&[site.path("templates/partials/card.html")])
        .unwrap();
    assert_ne!(site.read("out/ru/petitions/old-park/index.html"), "marker");
    assert!(
        report.files_written > 0 && report.files_unchanged > 0,
        "{report:?}"
    );

    let before = snapshot(&site.path("out"));
    let file = "content/petitions/bus-lanes/index.kk.md";
    site.write(
        file,
        &site.read(file).replace("goal = 10000", "goal = \"many\""),
    );
    let error = builder.rebuild(&[site.path(file)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "error: content/petitions/bus-lanes/index.kk.md:8: field `goal`: expected a whole number above 0, found \"many\""
    );
    assert_eq!(snapshot(&site.path("out")), before);
}

#[test]
fn a_deleted_petition_disappears_from_the_output() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    let folder = site.path("content/petitions/old-park");
    std::fs::remove_dir_all(&folder).unwrap();
    builder.rebuild(&[folder.join("index.ru.md")]).unwrap();
    assert!(!site.path("out/ru/petitions/old-park").exists());
    assert!(!site.path("out/data/petitions/old-park.json").exists());
    assert!(!site
        .read("out/ru/archive/index.html")
        .contains("Сохранить старый парк"));
}
