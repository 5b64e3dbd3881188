//! The same content built for two domains differs only in absolute URLs (canonical, feeds,
//! sitemap, Open Graph, share links), no page links to the other domain, and a sub-path
//! base URL prefixes every internal link.

mod common;

use common::{attributes, snapshot, TestSite};

fn build(
    site: &TestSite,
    out: &str,
    base_url: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    site.run_ok(&[
        "build",
        "--out",
        site.path(out).to_str().unwrap(),
        "--base-url",
        base_url,
    ]);
    snapshot(&site.path(out))
}

/// `text` with every form of `base_url` (plain, percent-encoded) replaced by a placeholder.
fn normalise(text: &str, base_url: &str) -> String {
    let encoded = base_url.replace(':', "%3A").replace('/', "%2F");
    text.replace(base_url, "BASE/").replace(&encoded, "BASE%2F")
}

#[test]
fn two_domains_differ_only_in_absolute_urls() {
    let site = TestSite::copy("valid");
    let one = build(&site, "one", "https://one.example/");
    let two = build(&site, "two", "https://two.example");
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        let (a, b) = (
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&two[path]),
        );
        assert!(
            !b.contains("one.example"),
            "{path} of the second build names the first domain"
        );
        assert_eq!(
            normalise(&a, "https://one.example/"),
            normalise(&b, "https://two.example/"),
            "{path}"
        );
    }
    let page = String::from_utf8_lossy(&two["kk/petitions/clean-air/index.html"]).into_owned();
    assert!(page
        .contains(r#"<link rel="canonical" href="https://two.example/kk/petitions/clean-air/">"#));
}

#[test]
fn a_sub_path_prefixes_every_internal_link() {
    let site = TestSite::copy("valid");
    let files = build(&site, "sub", "https://x.example/petitions/");
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for url in attributes(&html, "href")
            .into_iter()
            .chain(attributes(&html, "src"))
            .chain(attributes(&html, "action"))
        {
            if url.starts_with('/') {
                assert!(
                    url.starts_with("/petitions/") || url.starts_with("/api/"),
                    "{path}: {url} escapes the base path"
                );
                if let Some(inner) = url.strip_prefix("/petitions/") {
                    let target = inner.split(['#', '?']).next().unwrap();
                    let file = if target.is_empty() || target.ends_with('/') {
                        format!("{target}index.html")
                    } else {
                        target.to_owned()
                    };
                    assert!(files.contains_key(&file), "{path}: {url} does not resolve");
                }
            }
        }
    }
    let about = String::from_utf8_lossy(&files["kk/about/index.html"]).into_owned();
    assert!(
        about.contains(r#"<a href="/petitions/kk/open/">"#),
        "links written in Markdown get the base path"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&files["_petitio/manifest.json"]).unwrap();
    assert_eq!(manifest["base_path"], "/petitions/");
}

#[test]
fn a_bad_base_url_is_rejected_with_the_reason() {
    let site = TestSite::copy("valid");
    let output = site.run(&["build", "--base-url", "petitions.example"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        common::stderr(&output),
        "error: --base-url: expected an absolute http(s) URL like \"https://petitio.example/\", its path made only of letters, digits, `-._~!$&'()*+,;=:@/` and %-escapes (no query or fragment), found \"petitions.example\"\n"
    );
}
