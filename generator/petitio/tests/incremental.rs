//! `Incremental` (kept by `petitio serve`): renders in place, re-renders only what a petition
//! edit shows, everything after a template change, and leaves the output untouched when a
//! rebuild fails.

mod common;

use std::sync::Arc;

use common::{snapshot, TestSite};
use petitio_render::{BuildOptions, BuildReport};
use petitio_serve::Incremental;

fn start(site: &TestSite) -> (Incremental, BuildReport) {
    let mut opts = BuildOptions::new(site.root());
    opts.out = site.path("out");
    opts.extra_body_scripts = vec!["/_petitio/livereload.js".to_owned()];
    opts.indexer = Some(Arc::new(petitio_search::Pagefind));
    Incremental::new(opts).unwrap()
}

/// Builds the site from scratch into `full/` and compares it with `out/`, byte for byte.
fn assert_same_as_full_build(site: &TestSite, step: &str) {
    let mut opts = BuildOptions::new(site.root());
    opts.out = site.path("full");
    opts.extra_body_scripts = vec!["/_petitio/livereload.js".to_owned()];
    opts.indexer = Some(Arc::new(petitio_search::Pagefind));
    petitio_render::build(&opts).unwrap();
    let (incremental, full) = (snapshot(&site.path("out")), snapshot(&site.path("full")));
    let differing: Vec<&String> = incremental
        .keys()
        .chain(full.keys())
        .filter(|path| incremental.get(*path) != full.get(*path))
        .collect();
    assert!(differing.is_empty(), "after {step}: {differing:?} differ");
}

/// Inserts `text` into a theme template right after the first occurrence of `after`, and
/// returns the path of the file changed.
fn edit_theme_template(site: &TestSite, name: &str, after: &str, text: &str) -> std::path::PathBuf {
    let file = format!("themes/default/templates/{name}");
    let source = site.read(&file);
    let at = source
        .find(after)
        .unwrap_or_else(|| panic!("{after} in {name}"))
        + after.len();
    site.write(&file, &format!("{}{text}{}", &source[..at], &source[at..]));
    site.path(&file)
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
        (77, 155, 0)
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
    // Its pages, confirm and withdraw pages in every language, its feed, the listings
    // and feeds that show it, its open data: about 21 files, far fewer than the site's.
    assert!(report.files_written < 24, "{report:?}");
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
fn a_template_edit_re_renders_only_the_pages_that_read_it() {
    let site = TestSite::copy("valid");
    let (mut builder, first) = start(&site);
    // Listing pages do not read petition.html: a rebuild that re-rendered one would
    // overwrite this marker.
    site.write("out/ru/responded/index.html", "marker");
    let changed = edit_theme_template(&site, "petition.html", "{% block content %}", "<p>P1</p>");
    let report = builder.rebuild(&[changed]).unwrap();
    assert!(site
        .read("out/ru/petitions/bus-lanes/index.html")
        .contains("<p>P1</p>"));
    assert_eq!(site.read("out/ru/responded/index.html"), "marker");
    let petition_pages = snapshot(&site.path("out"))
        .keys()
        .filter(|path| path.contains("/petitions/") && path.ends_with("/index.html"))
        .filter(|path| {
            !["/signed/", "/embed/", "/confirm/", "/withdraw/", "/verify/"]
                .iter()
                .any(|page| path.contains(page))
        })
        .count();
    assert_eq!(
        (report.pages_written, report.files_written),
        (petition_pages, petition_pages),
        "{report:?}"
    );
    assert!(report.pages_written < first.pages_written / 2, "{report:?}");
}

#[test]
fn after_template_edits_the_output_is_what_a_full_build_writes() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);

    let changed = edit_theme_template(&site, "petition.html", "{% block content %}", "<p>P1</p>");
    builder.rebuild(&[changed]).unwrap();
    assert_same_as_full_build(&site, "a petition.html edit");

    // A new partial, included by the listing template: both files in one save.
    site.write("themes/default/templates/partials/note.html", "<p>N1</p>");
    let listing = edit_theme_template(
        &site,
        "listing.html",
        "{% block content %}",
        "{% include \"partials/note.html\" %}",
    );
    let partial = site.path("themes/default/templates/partials/note.html");
    builder.rebuild(&[listing, partial.clone()]).unwrap();
    assert!(site
        .read("out/ru/responded/index.html")
        .contains("<p>N1</p>"));
    assert_same_as_full_build(&site, "a new included partial");

    // Then the partial alone: the pages that include it change, the petition pages do not.
    site.write("out/ru/petitions/bus-lanes/index.html", "marker");
    site.write("themes/default/templates/partials/note.html", "<p>N2</p>");
    builder.rebuild(&[partial]).unwrap();
    assert!(site
        .read("out/ru/responded/index.html")
        .contains("<p>N2</p>"));
    assert_eq!(site.read("out/ru/petitions/bus-lanes/index.html"), "marker");
    let petition = edit_theme_template(&site, "petition.html", "{% block content %}", "<p>P2</p>");
    builder.rebuild(&[petition]).unwrap();
    assert_same_as_full_build(&site, "an edited partial, then petition.html");

    let base = edit_theme_template(&site, "base.html", "<body", " data-b1");
    builder.rebuild(&[base]).unwrap();
    assert_same_as_full_build(&site, "a base.html edit");

    // Templates that extend nothing, edited in one save.
    let embed = edit_theme_template(&site, "embed.html", "<head>", "<meta name=\"e1\">");
    let redirect = edit_theme_template(&site, "redirect.html", "<head>", "<meta name=\"r1\">");
    builder.rebuild(&[embed, redirect]).unwrap();
    assert_same_as_full_build(&site, "embed.html and redirect.html edits");

    let card = edit_theme_template(&site, "partials/card.html", "<article", " data-c1");
    builder.rebuild(&[card]).unwrap();
    assert!(site.read("out/ru/responded/index.html").contains("data-c1"));
    assert_same_as_full_build(&site, "a card.html edit");
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

#[test]
fn a_body_edit_leaves_listing_pages_alone() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    // Listing pages show cards (title, summary, dates, status), not bodies: a rebuild that
    // re-rendered one would overwrite this marker.
    site.write("out/ru/responded/index.html", "marker");
    let file = "content/petitions/bus-lanes/index.ru.md";
    site.write(file, &format!("{}\nНовый абзац.\n", site.read(file)));

    builder.rebuild(&[site.path(file)]).unwrap();
    assert!(site
        .read("out/ru/petitions/bus-lanes/index.html")
        .contains("<p>Новый абзац.</p>"));
    assert_eq!(site.read("out/ru/responded/index.html"), "marker");
}

#[test]
fn after_any_series_of_petition_edits_the_output_is_what_a_full_build_writes() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    let same_as_full_build = |step: &str| assert_same_as_full_build(&site, step);

    let body = "content/petitions/bus-lanes/index.kk.md";
    site.write(body, &format!("{}\nЖаңа абзац.\n", site.read(body)));
    builder.rebuild(&[site.path(body)]).unwrap();
    same_as_full_build("a body edit");

    let status = "content/petitions/clean-air/index.kk.md";
    let closed = site
        .read(status)
        .replace("status = \"open\"", "status = \"closed\"")
        .replace(
            "tags = [\"ecology\", \"almaty\"]",
            "tags = [\"ecology\", \"air\"]",
        );
    site.write(status, &closed);
    builder.rebuild(&[site.path(status)]).unwrap();
    same_as_full_build("a status and tag change");

    let feed_before = site.read("out/kk/atom.xml");
    let retitled = site
        .read(body)
        .replace("Астанада автобус жолақтары", "Астанадағы автобус жолақтары")
        .replacen(
            "\n+++\n",
            "\n[[updates]]\ndate = 2026-06-01\ntext = \"Жобасы жарияланды.\"\n+++\n",
            1,
        );
    site.write(body, &retitled);
    builder.rebuild(&[site.path(body)]).unwrap();
    same_as_full_build("a new title and update");
    assert_ne!(
        site.read("out/kk/atom.xml"),
        feed_before,
        "the feed shows the update"
    );

    let cover = site.path("content/petitions/clean-air/cover.png");
    let mut picture = std::fs::read(&cover).unwrap();
    picture.extend_from_slice(b"another picture");
    std::fs::write(&cover, picture).unwrap();
    builder.rebuild(std::slice::from_ref(&cover)).unwrap();
    same_as_full_build("a new cover picture");

    let folder = site.path("content/petitions/old-park");
    std::fs::remove_dir_all(&folder).unwrap();
    builder.rebuild(&[folder]).unwrap();
    same_as_full_build("a deletion");

    std::fs::create_dir(site.path("content/petitions/new-benches")).unwrap();
    let added = "content/petitions/new-benches/index.kk.md";
    let text = site
        .read(body)
        .replace("Астанада автобус жолақтары", "Саябаққа жаңа орындықтар")
        .replace("status = \"responded\"", "status = \"open\"")
        .replace(
            "tags = [\"transport\"]",
            "tags = [\"parks\", \"transport\"]",
        );
    let text = match text.find("\n[response]") {
        Some(at) => format!("{}\n+++\nОрындықтар керек.\n", &text[..at]),
        None => text,
    };
    site.write(added, &text);
    builder.rebuild(&[site.path(added)]).unwrap();
    same_as_full_build("an added petition");

    let draft = text.replace("status = \"open\"", "status = \"draft\"");
    site.write(added, &draft);
    builder.rebuild(&[site.path(added)]).unwrap();
    same_as_full_build("a petition turned into a draft");
}

#[test]
fn a_broken_petition_then_its_fix_rebuild_from_memory() {
    let site = TestSite::copy("valid");
    let (mut builder, _) = start(&site);
    let file = "content/petitions/bus-lanes/index.kk.md";
    let good = site.read(file);
    site.write(
        file,
        &good.replace("created = 2026-01-10", "created = 2026-13-10"),
    );
    let error = builder.rebuild(&[site.path(file)]).unwrap_err();
    assert!(error.to_string().contains("field `created`"), "{error}");

    // The fix re-renders that petition only: the model survived the failure.
    site.write("out/ru/petitions/old-park/index.html", "marker");
    site.write(
        file,
        &good.replace("Бөлінген жолақтар керек.", "Жолақтар керек."),
    );
    let report = builder.rebuild(&[site.path(file)]).unwrap();
    assert!(site
        .read("out/kk/petitions/bus-lanes/index.html")
        .contains("Жолақтар керек."));
    assert_eq!(site.read("out/ru/petitions/old-park/index.html"), "marker");
    // Its pages, confirm and withdraw pages in every language, its feed, the listings
    // and feeds that show it, its open data: about 21 files, far fewer than the site's.
    assert!(report.files_written < 24, "{report:?}");
}
