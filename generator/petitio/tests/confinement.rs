//! Issue #10, item 1: nothing outside its own folder is ever published. A link committed in
//! any folder the build reads (petitions, pages, the theme's and the site's templates, static
//! files and strings, `petitio.toml`) that leads out of that folder makes `check` and `build`
//! fail with the link's path and target, and the linked file's bytes appear nowhere: not in
//! `dist/`, not in what the command prints. A link to a file inside the same folder is
//! followed. `relocate` and `new` hold to the same rule. (The fixtures
//! `tests/sites/invalid/symlink-*` commit such links; `invalid_sites.rs` runs them.)

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{snapshot, stderr, TestSite};

const SECRET: &str = "petitio-test-fake-secret-4b1d-do-not-publish";

/// A folder outside every site, holding a file with the secret.
struct Outside {
    dir: tempfile::TempDir,
}

impl Outside {
    fn new() -> Outside {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), format!("{SECRET}\n")).unwrap();
        Outside { dir }
    }

    fn secret(&self) -> PathBuf {
        self.dir.path().join("secret.txt")
    }
}

/// Replaces the file `relative` of `site` (if any) by a link to `target`.
fn link(site: &TestSite, relative: &str, target: &Path) {
    let path = site.path(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    symlink(target, &path).unwrap();
}

fn outside_message(relative: &str, target: &str, folder: &str) -> String {
    format!(
        "error: {relative}: is a link to `{target}`, which is not a file inside {folder}; the build publishes \
         only files inside their own folder: put the file itself here instead of the link\n"
    )
}

/// The command failed with exactly `expected`, and the secret is in nothing it printed or
/// left in the site's output folder.
fn assert_refused(site: &TestSite, output: &Output, expected: &str, what: &str) {
    assert_eq!(output.status.code(), Some(1), "{what}: {}", stderr(output));
    assert_eq!(stderr(output), expected, "{what}");
    let printed = [&output.stdout[..], &output.stderr[..]].concat();
    assert!(
        !String::from_utf8_lossy(&printed).contains(SECRET),
        "{what}: the secret was printed"
    );
    let dist = site.path("dist");
    if dist.exists() {
        for (path, bytes) in snapshot(&dist) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(SECRET),
                "{what}: the secret was published in {path}"
            );
        }
    }
}

#[test]
fn a_link_out_of_any_folder_the_build_reads_is_refused_by_check_and_build() {
    let outside = Outside::new();
    let secret = outside.secret();
    let shown = secret.display().to_string();
    for (relative, folder) in [
        (
            "content/petitions/clean-air/cover.png",
            "content/petitions/clean-air/",
        ),
        (
            "content/petitions/clean-air/index.en.md",
            "content/petitions/clean-air/",
        ),
        ("content/pages/about.kk.md", "content/pages/"),
        ("themes/default/static/site.css", "themes/default/static/"),
        (
            "themes/default/templates/partials/card.html",
            "themes/default/templates/",
        ),
        ("themes/default/i18n/en.toml", "themes/default/i18n/"),
        ("static/extra.css", "static/"),
        ("templates/page.html", "templates/"),
        ("i18n/ru.toml", "i18n/"),
        ("petitio.toml", "the site's folder"),
    ] {
        let site = TestSite::copy("valid");
        link(&site, relative, &secret);
        let expected = outside_message(relative, &shown, folder);
        for command in ["check", "build"] {
            let output = site.run(&[command]);
            assert_refused(&site, &output, &expected, &format!("{command} {relative}"));
            assert!(!site.path("dist").exists(), "{relative}: dist/ was written");
        }
    }
}

#[test]
fn a_refused_build_keeps_the_previous_output_and_publishes_nothing_of_the_target() {
    let outside = Outside::new();
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let before = snapshot(&site.path("dist"));
    let relative = "content/petitions/clean-air/cover.png";
    link(&site, relative, &outside.secret());
    let output = site.run(&["build"]);
    let expected = outside_message(
        relative,
        &outside.secret().display().to_string(),
        "content/petitions/clean-air/",
    );
    assert_refused(&site, &output, &expected, "build over a previous build");
    assert_eq!(snapshot(&site.path("dist")), before, "dist/ changed");
}

#[test]
fn the_process_environment_is_never_published_through_proc() {
    // The deploy runs with its token in the environment: a link to /proc/self/environ
    // would publish it. Relative to the petition folder, and absolute.
    for target in [
        "/proc/self/environ",
        "../../../../../../../../proc/self/environ",
    ] {
        let site = TestSite::copy("valid");
        let relative = "content/petitions/clean-air/cover.png";
        link(&site, relative, Path::new(target));
        let expected = outside_message(relative, target, "content/petitions/clean-air/");
        for command in ["check", "build"] {
            let output = site
                .command(&[command])
                .env("CLOUDFLARE_API_TOKEN", SECRET)
                .output()
                .unwrap();
            assert_refused(&site, &output, &expected, &format!("{command} {target}"));
        }
    }
}

#[test]
fn a_linked_folder_is_refused_wherever_it_points() {
    let outside = Outside::new();
    std::fs::create_dir_all(outside.dir.path().join("petition")).unwrap();
    std::fs::write(
        outside.dir.path().join("petition/index.kk.md"),
        format!("+++\ntitle = \"x\"\ncreated = 2026-03-01\n+++\n{SECRET}\n"),
    )
    .unwrap();
    let cases = [
        (
            "content/petitions/evil",
            outside.dir.path().join("petition"),
        ),
        // Petitions and pages both live under it: reported once.
        ("content", outside.dir.path().to_path_buf()),
        ("static", outside.dir.path().to_path_buf()),
        ("themes/default/i18n", outside.dir.path().to_path_buf()),
        // Inside the site, but another petition's folder: still not its own.
        ("content/petitions/twin", PathBuf::from("clean-air")),
    ];
    for (relative, target) in cases {
        let site = TestSite::copy("valid");
        let path = site.path(relative);
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path).unwrap();
        }
        link(&site, relative, &target);
        let expected = format!(
            "error: {relative}: is a link to `{}`: a folder of the site must be a real folder, not a link, \
             so that nothing outside it is published; put the folder itself here\n",
            target.display()
        );
        for command in ["check", "build"] {
            let output = site.run(&[command]);
            assert_refused(&site, &output, &expected, &format!("{command} {relative}"));
        }
    }
}

#[test]
fn a_link_to_a_file_inside_the_same_folder_is_published() {
    let site = TestSite::copy("valid");
    let folder = site.path("content/petitions/clean-air");
    let original = std::fs::read(folder.join("cover.png")).unwrap();
    std::fs::create_dir_all(folder.join("photos")).unwrap();
    std::fs::rename(
        folder.join("cover.png"),
        folder.join("photos/cover-2026.png"),
    )
    .unwrap();
    symlink("photos/cover-2026.png", folder.join("cover.png")).unwrap();
    site.run_ok(&["check"]);
    site.run_ok(&["build"]);
    let published: Vec<Vec<u8>> = snapshot(&site.path("dist/assets/petitions/clean-air"))
        .into_values()
        .collect();
    assert_eq!(published, [original]);

    // A link to a file of another petition's folder is not inside its own folder.
    let other = site.path("content/petitions/bus-lanes/cover.png");
    std::fs::remove_file(folder.join("cover.png")).unwrap();
    std::fs::copy(folder.join("photos/cover-2026.png"), &other).unwrap();
    symlink("../bus-lanes/cover.png", folder.join("cover.png")).unwrap();
    let output = site.run(&["build"]);
    assert_eq!(
        stderr(&output),
        outside_message(
            "content/petitions/clean-air/cover.png",
            "../bus-lanes/cover.png",
            "content/petitions/clean-air/"
        )
    );
}

#[test]
fn relocate_reads_and_writes_no_config_through_a_link_out() {
    let outside = Outside::new();
    let worker_config = outside.dir.path().join("wrangler.toml");
    let worker_text = "name = \"w\"\n[vars]\nALLOWED_ORIGINS = \"https://petitions.example\"\n";
    std::fs::write(&worker_config, worker_text).unwrap();
    let site = TestSite::copy("valid");
    link(&site, "edge-worker/wrangler.toml", &worker_config);
    let output = site.run(&["relocate", "https://new.example/"]);
    assert_refused(
        &site,
        &output,
        &outside_message(
            "edge-worker/wrangler.toml",
            &worker_config.display().to_string(),
            "edge-worker/",
        ),
        "relocate",
    );
    assert_eq!(
        std::fs::read_to_string(&worker_config).unwrap(),
        worker_text
    );
    assert!(site
        .read("petitio.toml")
        .contains("https://petitions.example/"));

    let site = TestSite::copy("valid");
    link(&site, "petitio.toml", &outside.secret());
    let output = site.run(&["relocate", "https://new.example/"]);
    assert_refused(
        &site,
        &output,
        &outside_message(
            "petitio.toml",
            &outside.secret().display().to_string(),
            "the site's folder",
        ),
        "relocate petitio.toml",
    );
    assert_eq!(
        std::fs::read_to_string(outside.secret()).unwrap(),
        format!("{SECRET}\n")
    );
}

#[test]
fn new_writes_no_petition_through_a_linked_folder() {
    let outside = Outside::new();
    let site = TestSite::copy("valid");
    std::fs::remove_dir_all(site.path("content/petitions")).unwrap();
    link(&site, "content/petitions", outside.dir.path());
    let output = site.run(&["new", "fresh"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: content/petitions: is a link to `{}`: a folder of the site must be a real folder, not a link, \
             so that nothing outside it is published; put the folder itself here\n",
            outside.dir.path().display()
        )
    );
    assert!(!outside.dir.path().join("fresh").exists());
}
