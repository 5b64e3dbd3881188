//! The search index `petitio build` writes (Pagefind as a library, `petitio-search`): one
//! index per language with every petition page of that language, the search page of each
//! language (the listings and topics without JavaScript), `--no-search`, and the cache rule.
//! What a search finds, with filters, is tested in a browser: tests/e2e/search.test.mjs.

mod common;

use common::{snapshot, TestSite};

#[test]
fn the_index_has_every_petition_page_in_its_language() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let files = snapshot(&site.path("dist"));
    let entry: serde_json::Value =
        serde_json::from_slice(&files["pagefind/pagefind-entry.json"]).unwrap();
    let pages = |lang: &str| entry["languages"][lang]["page_count"].as_u64();
    // kk: clean-air, bus-lanes, spam-removed; ru: clean-air, bus-lanes, old-park; en: clean-air.
    assert_eq!(
        (pages("kk"), pages("ru"), pages("en")),
        (Some(3), Some(3), Some(1))
    );
    for file in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-ui.js",
        "pagefind/pagefind-ui.css",
    ] {
        assert!(files.contains_key(file), "{file}");
    }
    let search = String::from_utf8(files["ru/search/index.html"].clone()).unwrap();
    assert!(
        search.contains(r#"data-search-index="/pagefind/""#),
        "{search}"
    );
    for link in [
        "/ru/open/",
        "/ru/responded/",
        "/ru/closed/",
        "/ru/archive/",
        "/ru/tags/ecology/",
    ] {
        assert!(search.contains(&format!("<a href=\"{link}\">")), "{link}");
    }
    let home = String::from_utf8(files["kk/index.html"].clone()).unwrap();
    assert!(
        home.contains(r#"<a href="/kk/search/">"#),
        "every page links to search"
    );
    let headers = String::from_utf8(files["_headers"].clone()).unwrap();
    assert!(
        headers.contains("\n/pagefind/*\n  Cache-Control: public, max-age=300\n"),
        "{headers}"
    );
    assert!(
        headers.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "Pagefind's wasm may run"
    );
}

#[test]
fn no_search_builds_the_search_pages_without_an_index() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build", "--no-search"]);
    let files = snapshot(&site.path("dist"));
    assert!(!files.keys().any(|path| path.starts_with("pagefind/")));
    assert!(files.contains_key("en/search/index.html"));
}
