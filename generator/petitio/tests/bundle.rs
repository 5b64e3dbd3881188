//! `petitio build --bundle` through the real binary: `dist.tar.gz` and `dist.zip` hold the same
//! files as `dist/`, every internal link in them is page-relative and leads to a file of the
//! archive, and the signing form posts to the main site's API (a copy has none of its own).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use common::{attributes, read_tar_gz, snapshot, stderr, TestSite};

const BASE_URL: &str = "https://a.example/sub/";

/// Every file of a `.zip` (path -> bytes), read with the zip crate.
fn read_zip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        assert!(entry.is_file(), "{}", entry.name());
        let name = entry.name().to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert!(files.insert(name.clone(), bytes).is_none(), "{name} twice");
    }
    files
}

/// The archive path a relative `link` in file `from` leads to, or `None` for links that leave
/// the site (absolute URLs, `mailto:`, fragments of the same page).
fn resolve(from: &str, link: &str) -> Option<String> {
    if link.is_empty()
        || link.starts_with('#')
        || link.starts_with('/')
        || link.starts_with("data:")
        || link.contains("://")
        || link.starts_with("mailto:")
        || link.starts_with("tel:")
    {
        return None;
    }
    let path = link.split(['?', '#']).next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file itself
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                assert!(parts.pop().is_some(), "{link} in {from} leaves the bundle");
            }
            other => parts.push(other),
        }
    }
    let mut resolved = parts.join("/");
    if path.is_empty() || path.ends_with('/') || path.ends_with("/.") || path == "." {
        if !resolved.is_empty() {
            resolved.push('/');
        }
        resolved.push_str("index.html");
    }
    Some(resolved)
}

/// Every URL-bearing attribute value of `html` (srcset split into its URLs).
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for name in ["href", "src", "action", "data-i18n", "poster"] {
        found.extend(attributes(html, name));
    }
    for set in attributes(html, "srcset") {
        found.extend(
            set.split(',')
                .filter_map(|c| c.split_whitespace().next())
                .map(str::to_owned),
        );
    }
    for refresh in attributes(html, "content") {
        if let Some((_, url)) = refresh.split_once("url=") {
            if refresh.starts_with(|c: char| c.is_ascii_digit()) {
                found.push(url.to_owned());
            }
        }
    }
    found
}

fn built_with_bundle() -> (TestSite, String) {
    let site = TestSite::copy("valid");
    let output = site.run_ok(&["build", "--bundle", "--base-url", BASE_URL]);
    (site, String::from_utf8(output.stdout).unwrap())
}

#[test]
fn archives_hold_the_same_files_as_dist_and_report_their_sizes() {
    let (site, stdout) = built_with_bundle();
    let dist = snapshot(&site.path("dist"));
    let tar_gz = site.path("dist.tar.gz");
    let zip = site.path("dist.zip");
    let from_tar = read_tar_gz(&tar_gz);
    let from_zip = read_zip(&zip);
    let names = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    // Every file but the search index, whose result URLs are the main site's (a copy's
    // search page offers the listings instead).
    let mut expected_names: Vec<String> = names(&dist)
        .into_iter()
        .filter(|name| !name.starts_with("pagefind/"))
        .collect();
    assert!(
        dist.contains_key("pagefind/pagefind-entry.json"),
        "dist has the index"
    );
    expected_names.push("README.txt".to_owned());
    expected_names.sort();
    assert_eq!(names(&from_tar), expected_names);
    assert_eq!(from_tar, from_zip, "both archives hold the same bytes");
    // Files without links are copied as they are.
    for path in ["_petitio/manifest.json", "data/petitions.json"] {
        assert_eq!(from_tar[path], dist[path], "{path}");
    }

    let line = format!(
        "Bundle for copies on any domain ({} files): {} ({} bytes), {} ({} bytes)\n",
        expected_names.len(),
        tar_gz.display(),
        std::fs::metadata(&tar_gz).unwrap().len(),
        zip.display(),
        std::fs::metadata(&zip).unwrap().len()
    );
    assert!(stdout.ends_with(&line), "{stdout}");

    // Written through temporary files that are renamed into place: none is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".petitio-bundle-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn every_internal_link_in_the_bundle_is_relative_and_leads_to_a_file_of_it() {
    let (site, _) = built_with_bundle();
    let files = read_tar_gz(&site.path("dist.tar.gz"));
    let names: BTreeSet<&str> = files.keys().map(String::as_str).collect();
    let mut relative_links = 0;
    let mut forms = 0;
    let mut meta_policies = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = std::str::from_utf8(bytes).unwrap();
        for attribute in [" href=\"/", " src=\"/", " action=\"/", " data-i18n=\"/"] {
            assert!(
                !html.contains(attribute),
                "{path} still has a root-relative{attribute}"
            );
        }
        for link in links(html) {
            if let Some(target) = resolve(path, &link) {
                assert!(
                    names.contains(target.as_str()),
                    "{path}: {link} -> {target}, which the bundle lacks"
                );
                relative_links += 1;
            }
        }
        for action in attributes(html, "action") {
            assert!(
                action.starts_with("https://a.example/api/petitions/"),
                "{path}: form action {action} is not the main site's API"
            );
            forms += 1;
        }
        for api in attributes(html, "data-api") {
            assert_eq!(api, "https://a.example/api", "{path}");
        }
        for csp in attributes(html, "content")
            .iter()
            .filter(|c| c.contains("connect-src"))
        {
            assert!(
                csp.contains("connect-src &#39;self&#39; https://a.example;"),
                "{path}: the page's CSP blocks the main API: {csp}"
            );
            meta_policies += 1;
        }
    }
    assert!(relative_links > 100, "only {relative_links} links checked");
    assert!(forms > 0, "no signing form in the bundle");
    assert!(
        meta_policies > 0,
        "no page with its own CSP (the embed) in the bundle"
    );

    // The style sheet's url(...) references resolve from the style sheet's own folder.
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".css")) {
        let css = std::str::from_utf8(bytes).unwrap();
        assert!(!css.contains("url(/"), "{path}");
        for (start, _) in css.match_indices("url(") {
            let rest = &css[start + 4..];
            let url = rest[..rest.find(')').unwrap()].trim_matches(['"', '\'', ' ']);
            if let Some(target) = resolve(path, url) {
                assert!(names.contains(target.as_str()), "{path}: {url}");
            }
        }
    }

    // A copy's host applies the headers to the whole copy, and lets the form reach the API.
    let headers = std::str::from_utf8(&files["_headers"]).unwrap();
    assert!(headers.starts_with("/*\n"), "{headers}");
    assert!(!headers.contains("/sub/"), "{headers}");
    assert!(
        headers.contains("form-action 'self' https://a.example;"),
        "{headers}"
    );
    assert!(
        headers.contains("connect-src 'self' https://a.example;"),
        "{headers}"
    );
}

/// Issue #10, item 4: hosts of copies often ignore `_headers`, so every page of the bundle
/// carries the policy itself, before anything it loads, and the README names the headers.
#[test]
fn every_page_of_the_bundle_carries_the_policy_and_the_readme_lists_the_headers() {
    let (site, _) = built_with_bundle();
    let files = read_tar_gz(&site.path("dist.tar.gz"));
    let policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
                  connect-src 'self' https://a.example; form-action 'self' https://a.example; \
                  base-uri 'self'; object-src 'none'";
    let element = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy.replace('\'', "&#39;")
    );
    let mut pages = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = std::str::from_utf8(bytes).unwrap();
        assert_eq!(
            html.matches("http-equiv=\"Content-Security-Policy\"")
                .count(),
            1,
            "{path}"
        );
        let at = html
            .find(&element)
            .unwrap_or_else(|| panic!("{path} lacks {element}"));
        for loads in ["<link", "<script", "<style", "<img"] {
            assert!(
                html.find(loads).is_none_or(|first| first > at),
                "{path}: {loads} before the policy"
            );
        }
        pages += 1;
    }
    assert!(pages > 20, "{pages}");

    let readme = std::str::from_utf8(&files["README.txt"]).unwrap();
    let headers = std::str::from_utf8(&files["_headers"]).unwrap();
    let site_wide = headers.split("\n\n").next().unwrap();
    for line in site_wide.lines().skip(1) {
        assert!(
            readme.contains(&format!("{line}\n")),
            "README lacks {line:?}:\n{readme}"
        );
    }
    assert!(readme.contains("frame-ancestors 'none'"), "{readme}");
    assert!(
        readme.contains("\n  /:lang/petitions/:slug/embed/\n"),
        "{readme}"
    );
}

#[test]
fn the_normal_output_keeps_root_relative_links_and_absolute_urls_stay() {
    let (site, _) = built_with_bundle();
    let dist = site.read("dist/en/index.html");
    assert!(dist.contains(" href=\"/sub/"), "dist is not rewritten");
    let files = read_zip(&site.path("dist.zip"));
    let page = std::str::from_utf8(&files["en/index.html"]).unwrap();
    // Canonical and alternate links name the main site on purpose.
    assert!(
        page.contains("rel=\"canonical\" href=\"https://a.example/sub/en/\""),
        "{page}"
    );
    let root = std::str::from_utf8(&files["index.html"]).unwrap();
    assert!(root.contains("content=\"0; url=kk/\""), "{root}");
}

#[test]
fn a_build_without_bundle_writes_no_archive() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    assert!(!site.path("dist.tar.gz").exists());
    assert!(!site.path("dist.zip").exists());
}

#[test]
fn an_output_folder_without_a_name_is_refused_before_building() {
    let site = TestSite::copy("valid");
    let output = site.run(&["build", "--bundle", "--out", "/"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: cannot name archives after the output folder `/`\n  \
         Pass --out with a folder name, e.g. --out dist (the archives become dist.tar.gz and dist.zip).\n"
    );
}
