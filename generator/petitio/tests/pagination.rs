//! Long listings are split into pages of `PER_PAGE` petitions linked with rel=prev/next, and
//! every page link resolves.

mod common;

use common::TestSite;

#[test]
fn long_listings_are_paginated() {
    let site = TestSite::copy("valid");
    for i in 0..50 {
        site.write(
            &format!("content/petitions/extra-{i:02}/index.kk.md"),
            &format!("+++\ntitle = \"Қосымша {i}\"\ncreated = 2025-01-01\ntags = [\"many\"]\n+++\nМәтін.\n"),
        );
    }
    site.run_ok(&["check"]);
    site.run_ok(&["build"]);
    // 51 open petitions: 48 on the first page, 3 on the second.
    let first = site.read("dist/kk/open/index.html");
    let second = site.read("dist/kk/open/page/2/index.html");
    assert_eq!(first.matches("<article class=\"card\"").count(), 48);
    assert_eq!(second.matches("<article class=\"card\"").count(), 3);
    assert!(first.contains(r#"<a href="/kk/open/page/2/" rel="next">"#));
    assert!(second.contains(r#"<a href="/kk/open/" rel="prev">"#));
    assert!(second.contains("2 беттің 2-і"));
    assert!(site.path("dist/en/tags/many/page/2/index.html").exists());
    assert!(!site.path("dist/kk/open/page/3").exists());
}
