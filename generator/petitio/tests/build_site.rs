//! Building the valid multilingual fixture with the real binary: every page exists, every
//! internal link resolves, feeds and sitemap are XML, open data follows docs/open-data.md,
//! nothing from content becomes script, and no page carries inline script or style.

mod common;

use std::collections::BTreeMap;

use common::{attributes, snapshot, TestSite};

fn built() -> (TestSite, BTreeMap<String, Vec<u8>>) {
    let site = TestSite::copy("valid");
    site.write("counts.json", r#"{"clean-air": {"count": 12500, "by_region": {"almaty-city": 12000, "abroad": 500}, "reached": {"10000": "2026-03-05T19:30:00Z"}}, "bus-lanes": 7}"#);
    let output = site.run_ok(&[
        "build",
        "--counts",
        site.path("counts.json").to_str().unwrap(),
    ]);
    let summary = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        summary.starts_with("Built 77 pages (158 files) into "),
        "{summary}"
    );
    let files = snapshot(&site.path("dist"));
    (site, files)
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not built"))
            .clone(),
    )
    .unwrap()
}

#[test]
fn every_expected_page_and_file_exists() {
    let (_site, files) = built();
    let mut expected = vec![
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "_headers",
        "_petitio/manifest.json",
        "data/petitions.json",
        "data/petitions.csv",
        "data/petitions/clean-air.json",
        "data/petitions/spam-removed.json",
    ];
    let per_language = [
        "index.html",
        "atom.xml",
        "open/index.html",
        "responded/index.html",
        "closed/index.html",
        "archive/index.html",
        "tags/index.html",
        "tags/ecology/index.html",
        "about/index.html",
        "petitions/clean-air/index.html",
        "petitions/clean-air/signed/index.html",
        "petitions/clean-air/embed/index.html",
        "petitions/clean-air/badge.svg",
        "petitions/clean-air/atom.xml",
        "tags/ecology/atom.xml",
    ];
    let localised: Vec<String> = ["kk", "ru", "en"]
        .iter()
        .flat_map(|lang| per_language.iter().map(move |p| format!("{lang}/{p}")))
        .collect();
    expected.extend(localised.iter().map(String::as_str));
    expected.extend([
        "ru/petitions/old-park/index.html",
        "kk/petitions/spam-removed/index.html",
    ]);
    for path in expected {
        assert!(files.contains_key(path), "{path} missing");
    }
    assert!(
        !files.contains_key("en/petitions/old-park/index.html"),
        "no page for a language the petition lacks"
    );
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("assets/site.") && p.ends_with(".css")),
        "hashed stylesheet"
    );
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("assets/i18n.kk.") && p.ends_with(".json")),
        "script messages"
    );
}

#[test]
fn every_internal_link_and_asset_resolves() {
    let (_site, files) = built();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for url in attributes(&html, "href")
            .into_iter()
            .chain(attributes(&html, "src"))
        {
            if !url.starts_with('/') {
                continue;
            }
            let target = url
                .split(['#', '?'])
                .next()
                .unwrap()
                .trim_start_matches('/');
            let file = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else {
                target.to_owned()
            };
            assert!(
                files.contains_key(&file),
                "{path}: link {url} does not resolve"
            );
        }
    }
}

#[test]
fn check_passes_on_the_valid_site() {
    let site = TestSite::copy("valid");
    let output = site.run_ok(&["check"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "No problems: 4 petitions, 1 pages, internal links of 114 rendered files checked\n"
    );
    assert!(!site.path("dist").exists(), "check writes nothing");
}

#[test]
fn feeds_and_sitemap_are_xml_with_alternates() {
    let (_site, files) = built();
    for lang in ["kk", "ru", "en"] {
        let feed = text(&files, &format!("{lang}/atom.xml"));
        let doc = roxmltree::Document::parse(&feed).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "feed");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2005/Atom")
        );
        let entries = root.children().filter(|n| n.has_tag_name("entry")).count();
        assert!(entries >= 1, "{lang} feed has entries");
    }
    // RFC 4287: every feed has an author (the site; the people behind a petition may be
    // anonymous), an absolute id, `updated`, and a `self` link to where it is published;
    // every entry an absolute id and `updated`. (`scripts/test` also validates every feed
    // against the RFC's RELAX NG grammar: tests/tools/validate-atom.)
    let feeds: Vec<&String> = files.keys().filter(|p| p.ends_with("atom.xml")).collect();
    assert_eq!(
        feeds.len(),
        3 + 7 + 9,
        "{feeds:?}: a feed per language, petition page and tag page"
    );
    for path in feeds {
        let feed = text(&files, path);
        let doc = roxmltree::Document::parse(&feed).unwrap();
        let root = doc.root_element();
        let child = |node: roxmltree::Node<'_, '_>, name: &str| -> Option<String> {
            let found = node.children().find(|c| c.has_tag_name(name))?;
            Some(found.text().unwrap_or_default().to_owned())
        };
        let author = root.children().find(|c| c.has_tag_name("author")).unwrap();
        assert!(!child(author, "name").unwrap().is_empty(), "{path}: author");
        assert!(
            child(root, "id")
                .unwrap()
                .starts_with("https://petitions.example/"),
            "{path}"
        );
        assert!(child(root, "updated").unwrap().ends_with('Z'), "{path}");
        let own = root
            .children()
            .find(|c| c.has_tag_name("link") && c.attribute("rel") == Some("self"))
            .unwrap();
        assert_eq!(
            own.attribute("href"),
            Some(format!("https://petitions.example/{path}").as_str())
        );
        let mut ids = Vec::new();
        for entry in root.children().filter(|n| n.has_tag_name("entry")) {
            let id = child(entry, "id").unwrap();
            assert!(id.starts_with("https://petitions.example/"), "{path}: {id}");
            assert!(child(entry, "updated").is_some(), "{path}: {id}");
            ids.push(id);
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "{path}: entry ids are unique");
    }
    // A petition's feed: its creation, response, updates; a tag's: its petitions.
    let bus_lanes = text(&files, "kk/petitions/bus-lanes/atom.xml");
    assert!(bus_lanes.contains("<title>Ресми жауап: Астанада автобус жолақтары</title>"));
    assert!(!bus_lanes.contains("clean-air"), "only its own entries");
    let removed = text(&files, "kk/petitions/spam-removed/atom.xml");
    assert!(
        removed.contains(
            "<id>https://petitions.example/kk/petitions/spam-removed/#status-removed</id>"
        ),
        "a status that ends signing is an entry: {removed}"
    );
    let ecology = text(&files, "en/tags/ecology/atom.xml");
    assert!(ecology.contains("<title>Clean air for Almaty</title>"));
    assert!(!ecology.contains("bus-lanes"), "only the tag's petitions");
    // Pages announce their feed in the head and link to it visibly.
    let page = text(&files, "en/petitions/clean-air/index.html");
    assert!(page.contains(r#"<link rel="alternate" type="application/atom+xml" title="Clean air for Almaty" href="/en/petitions/clean-air/atom.xml">"#));
    assert!(page.contains(r#"<p class="follow"><a href="/en/petitions/clean-air/atom.xml" type="application/atom+xml">"#));
    let tag_page = text(&files, "ru/tags/ecology/index.html");
    assert!(tag_page.contains(
        r#"<p class="follow"><a href="/ru/tags/ecology/atom.xml" type="application/atom+xml">"#
    ));

    let kk_feed = text(&files, "kk/atom.xml");
    assert!(
        kk_feed.contains("<title>Ресми жауап: Астанада автобус жолақтары</title>"),
        "responses are entries"
    );
    assert!(
        kk_feed.contains("#update-2026-04-01"),
        "updates are entries"
    );
    assert!(
        !kk_feed.contains("<p>"),
        "feeds carry summaries, not page HTML"
    );

    let sitemap = text(&files, "sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let urls: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("url"))
        .collect();
    let locs: Vec<&str> = urls
        .iter()
        .filter_map(|u| u.children().find(|c| c.has_tag_name("loc"))?.text())
        .collect();
    assert!(locs.contains(&"https://petitions.example/ru/petitions/clean-air/"));
    assert!(
        !locs.iter().any(|l| l.contains("/signed/")),
        "result pages are not in the sitemap"
    );
    let clean_air = urls
        .iter()
        .find(|u| {
            u.children()
                .any(|c| c.text() == Some("https://petitions.example/kk/petitions/clean-air/"))
        })
        .unwrap();
    let alternates = clean_air
        .children()
        .filter(|c| c.has_tag_name(("http://www.w3.org/1999/xhtml", "link")))
        .count();
    assert_eq!(alternates, 3);
}

#[test]
fn open_data_follows_the_documented_schema() {
    let (_site, files) = built();
    let index: serde_json::Value = serde_json::from_slice(&files["data/petitions.json"]).unwrap();
    assert_eq!(index["schema_version"], 1);
    let petitions = index["petitions"].as_array().unwrap();
    assert_eq!(petitions.len(), 4);
    let clean_air = petitions.iter().find(|p| p["slug"] == "clean-air").unwrap();
    assert_eq!(clean_air["state"], "open");
    assert_eq!(clean_air["created"], "2026-03-01");
    assert_eq!(clean_air["deadline"], "2026-09-01");
    assert_eq!(clean_air["signature_count"], 12500);
    assert_eq!(clean_air["title"]["en"], "Clean air for Almaty");
    assert_eq!(clean_air["links"]["json"], "/data/petitions/clean-air.json");
    assert_eq!(clean_air["links"]["html"]["ru"], "/ru/petitions/clean-air/");
    assert_eq!(
        clean_air["links"]["signatures"],
        "/api/petitions/clean-air/signatures"
    );

    let detail: serde_json::Value =
        serde_json::from_slice(&files["data/petitions/clean-air.json"]).unwrap();
    let keys: Vec<&str> = detail
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "created",
            "deadline",
            "goal",
            "image",
            "links",
            "milestones",
            "milestones_reached",
            "response_date",
            "schema_version",
            "signature_count",
            "signatures_by_region",
            "slug",
            "state",
            "tags",
            "translations"
        ]
    );
    assert_eq!(detail["signatures_by_region"]["almaty-city"], 12000);
    assert_eq!(detail["milestones"], serde_json::json!([10000, 25000]));
    assert_eq!(
        detail["milestones_reached"],
        serde_json::json!({"10000": "2026-03-05T19:30:00Z"})
    );
    let kk = &detail["translations"]["kk"];
    assert_eq!(kk["author"], "Таза ауа бастамашыл тобы");
    assert_eq!(kk["updates"][0]["date"], "2026-04-01");
    assert!(detail["translations"]["ru"]["author"].is_null());

    let bus: serde_json::Value =
        serde_json::from_slice(&files["data/petitions/bus-lanes.json"]).unwrap();
    assert_eq!(bus["response_date"], "2026-05-02");
    assert_eq!(
        bus["translations"]["ru"]["response"]["from"],
        "Акимат города Астаны"
    );

    let csv = text(&files, "data/petitions.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\"slug\",\"state\",\"created\",\"deadline\",\"response_date\",\"goal\",\"signature_count\",\
         \"milestones_reached\",\"title_kk\",\"title_ru\",\"title_en\",\"url_kk\",\"url_ru\",\"url_en\""
    );
    assert_eq!(
        lines.next().unwrap(),
        "\"bus-lanes\",\"responded\",\"2026-01-10\",\"2026-04-10\",\"2026-05-02\",\"10000\",\"7\",\"\",\
         \"Астанада автобус жолақтары\",\"Автобусные полосы в Астане\",\"\",\
         \"/kk/petitions/bus-lanes/\",\"/ru/petitions/bus-lanes/\",\"\""
    );
}

/// Issue #10, item 3: a title written as a spreadsheet formula reaches the CSV as text.
#[test]
fn csv_cells_never_start_a_formula() {
    let site = TestSite::copy("valid");
    site.write(
        "content/petitions/formula/index.kk.md",
        "+++\ntitle = '=HYPERLINK(\"https://evil.example/\",\"click\")'\ncreated = 2026-03-01\n+++\nBody\n",
    );
    site.write(
        "content/petitions/formula/index.ru.md",
        "+++\ntitle = \"@SUM(1+1)\"\n+++\nBody\n",
    );
    site.write(
        "content/petitions/formula/index.en.md",
        "+++\ntitle = \"\\t-2+3\"\n+++\nBody\n",
    );
    site.run_ok(&["build"]);
    let csv = site.read("dist/data/petitions.csv");
    let row = csv
        .lines()
        .find(|line| line.starts_with("\"formula\""))
        .unwrap();
    assert!(
        row.contains(",\"'=HYPERLINK(\"\"https://evil.example/\"\",\"\"click\"\")\",\"'@SUM(1+1)\",\"'\t-2+3\","),
        "{row}"
    );
}

#[test]
fn content_never_becomes_script() {
    let (_site, files) = built();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        assert!(
            !html.contains("<script>alert"),
            "{path}: raw script from content"
        );
        assert!(
            !html.contains("<img src=x onerror"),
            "{path}: raw img from a title"
        );
    }
    let ru = text(&files, "ru/petitions/clean-air/index.html");
    assert!(ru.contains("<h1>Сделаем воздух Алматы чистым &lt;img src=x onerror=alert(1)&gt;</h1>"));
    assert!(ru.contains("Воздух Алматы загрязнён. &lt;script&gt;alert(1)&lt;/script&gt;"));
    let kk = text(&files, "kk/petitions/clean-air/index.html");
    assert!(
        kk.contains("</p>\n&lt;script&gt;alert(1)&lt;/script&gt;\n</div>"),
        "a raw HTML block is escaped too"
    );
}

/// Issue #14, item 6: a milestone shows the day it was reached (in the site's time zone,
/// +05:00: 19:30 UTC is the next day), filled live where the page is served with the API.
#[test]
fn a_reached_milestone_shows_its_date_and_a_fill_pattern_for_the_live_one() {
    let (_site, files) = built();
    let en = text(&files, "en/petitions/clean-air/index.html");
    assert!(
        en.contains(
            r#"10,000<span class="reached-on" data-fill="text" data-fill-for="clean-air" data-fill-text=" (reached {reached_on:10000})"> (reached 2026-03-06)</span></li>"#
        ),
        "{en}"
    );
    assert!(en.contains(
        r#"25,000<span class="reached-on" data-fill="text" data-fill-for="clean-air" data-fill-text=" (reached {reached_on:25000})"></span></li>"#
    ));
    let kk = text(&files, "kk/petitions/clean-air/index.html");
    assert!(kk.contains(" (2026-03-06 жетті)</span>"));
}

#[test]
fn no_inline_script_style_or_handlers() {
    let (_site, files) = built();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for (start, _) in html.match_indices("<script") {
            let tag = &html[start..start + html[start..].find('>').unwrap()];
            assert!(tag.contains(" src=\""), "{path}: inline script {tag}");
            assert!(
                html[start..].starts_with(&format!("{tag}></script>")),
                "{path}: script with a body"
            );
        }
        assert!(
            !html.contains(" style=\"") && !html.contains("<style"),
            "{path}: inline style"
        );
        assert!(
            !html.contains(" onerror=\"")
                && !html.contains(" onclick=\"")
                && !html.contains(" onload=\""),
            "{path}: handler"
        );
    }
}

#[test]
fn petition_page_has_the_signing_form_and_build_time_count() {
    let (_site, files) = built();
    let kk = text(&files, "kk/petitions/clean-air/index.html");
    for fragment in [
        r#"<form id="sign" class="sign-form" method="post" action="/api/petitions/clean-air/signatures""#,
        r#"name="name""#,
        r#"name="email""#,
        r#"<select id="sign-region" name="region" required"#,
        r#"<option value="almaty-city">Алматы қаласы</option>"#,
        r#"name="consent" type="checkbox""#,
        r#"<input type="hidden" name="lang" value="kk">"#,
        r#"<input id="sign-website" name="website" type="text" tabindex="-1" autocomplete="off">"#,
        r#"<div class="visually-hidden" aria-hidden="true">"#,
        r#"id="sign-result""#,
        "12\u{202f}500",
        r#"data-goal="50000" data-milestones="10000,25000""#,
        "1 наурыз 2026 ж.",
        "https://t.me/share/url?url=",
        r#"<meta property="og:image" content="https://petitions.example/assets/petitions/clean-air/cover."#,
        r#"<meta name="twitter:card" content="summary_large_image">"#,
        r#"<img class="cover" src="/assets/petitions/clean-air/cover."#,
        r#"<link rel="alternate" hreflang="ru" href="https://petitions.example/ru/petitions/clean-air/">"#,
        r#"<meta property="og:url" content="https://petitions.example/kk/petitions/clean-air/">"#,
    ] {
        assert!(kk.contains(fragment), "missing {fragment:?}");
    }
    // Names are stored nowhere (docs/privacy.md): the form offers no "show my name".
    assert!(!kk.contains("show_name"), "a show-my-name control");
    let en = text(&files, "en/petitions/clean-air/index.html");
    assert!(en.contains("12,500") && en.contains("1 March 2026"));
    let ru = text(&files, "ru/petitions/clean-air/index.html");
    assert!(ru.contains("1 марта 2026 г."));

    let removed = text(&files, "kk/petitions/spam-removed/index.html");
    assert!(
        !removed.contains("<form"),
        "a removed petition shows no form"
    );
    assert!(
        removed.contains("Ережелерді бұзды."),
        "and shows its reason"
    );
    let archive = text(&files, "kk/archive/index.html");
    assert!(archive.contains("Жойылған петиция") && archive.contains("Ережелерді бұзды."));
}

#[test]
fn signed_page_explains_both_outcomes() {
    let (_site, files) = built();
    let page = text(&files, "ru/petitions/clean-air/signed/index.html");
    assert!(page.contains(r#"<p class="lead" data-result-default>"#));
    assert!(page.contains(r#"data-result="recorded" hidden"#));
    assert!(page.contains(r#"data-result="already_signed" hidden"#));
    assert!(page.contains(r#"<meta name="robots" content="noindex">"#));
}

#[test]
fn root_redirects_to_the_default_language_and_lists_all() {
    let (_site, files) = built();
    let index = text(&files, "index.html");
    assert!(index.contains(r#"<meta http-equiv="refresh" content="0; url=/kk/">"#));
    for link in [r#"href="/kk/""#, r#"href="/ru/""#, r#"href="/en/""#] {
        assert!(index.contains(link), "{link}");
    }
}

#[test]
fn headers_manifest_and_robots() {
    let (_site, files) = built();
    let headers = text(&files, "_headers");
    assert!(headers.contains(
        "  Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'\n"
    ));
    assert!(headers.contains("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"));
    assert!(headers.contains("/kk/*\n  Cache-Control: public, max-age=300\n"));

    let manifest: petitio_model::manifest::Manifest =
        serde_json::from_slice(&files["_petitio/manifest.json"]).unwrap();
    assert_eq!(manifest.base_path, "/");
    assert_eq!(manifest.regions.len(), 21);
    let clean_air = manifest
        .petitions
        .iter()
        .find(|p| p.slug == "clean-air")
        .unwrap();
    assert_eq!(
        (
            clean_air.status.as_str(),
            clean_air.deadline.map(|d| d.to_string()).as_deref()
        ),
        ("open", Some("2026-09-01"))
    );
    assert_eq!(clean_air.languages, ["kk", "ru", "en"]);

    assert_eq!(
        text(&files, "robots.txt"),
        "User-agent: *\nDisallow: /*/signed/\nDisallow: /*/confirm/\nDisallow: /*/withdraw/\nAllow: /\n\nSitemap: https://petitions.example/sitemap.xml\n"
    );
}

#[test]
fn counts_file_errors_say_what_shape_is_expected() {
    let site = TestSite::copy("valid");
    site.write("counts.json", r#"{"clean-air": "many"}"#);
    let output = site.run(&[
        "build",
        "--counts",
        site.path("counts.json").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        common::stderr(&output),
        format!(
            "error: {}: data did not match any variant of untagged enum CountEntry at line 1 column 21\n  \
             The counts file must be JSON like {{\"slug\": 120}} or {{\"slug\": {{\"count\": 120, \"by_region\": {{\"almaty-city\": 80}}}}}}.\n",
            site.path("counts.json").display()
        )
    );
}

#[test]
fn count_phrases_take_the_cldr_plural_form() {
    let (_site, files) = built();
    let tags = |lang: &str| text(&files, &format!("{lang}/tags/index.html"));
    assert!(tags("ru").contains(r#"class="muted">1 петиция"#));
    assert!(tags("ru").contains(r#"class="muted">2 петиции"#));
    assert!(tags("en").contains(r#"class="muted">1 petition<"#));
    assert!(tags("en").contains(r#"class="muted">2 petitions<"#));
    let total = |path: &str| text(&files, path);
    assert!(total("ru/archive/index.html").contains(r#"listing-total">3 петиции"#));
    assert!(total("ru/open/index.html").contains(r#"listing-total">1 петиция"#));
    // The badge and the page: 7 and 12 500 take "many" in Russian; kk has one form.
    assert!(total("ru/petitions/bus-lanes/badge.svg")
        .contains(">Автобусные полосы в Астане: 7 подписей</title>"));
    assert!(total("en/petitions/clean-air/index.html").contains(
        "12,500</strong> <span data-plural=\"petition.signatures\" data-fill=\"text\" \
         data-fill-for=\"clean-air\" data-fill-text=\"{plural:one=signature|other=signatures}\">\
         signatures</span>"
    ));
    assert!(total("ru/petitions/clean-air/index.html").contains(
        "12\u{202f}500</strong> <span data-plural=\"petition.signatures\" data-fill=\"text\" \
         data-fill-for=\"clean-air\" \
         data-fill-text=\"{plural:one=подпись|few=подписи|many=подписей|other=подписи}\">\
         подписей</span>"
    ));
    // The manifest gives a page filler each language's plural table (`petitio_model::plurals`).
    let manifest: serde_json::Value =
        serde_json::from_str(&total("_petitio/manifest.json")).unwrap();
    let ru = manifest["plural_tables"]["ru"].as_str().unwrap();
    assert_eq!(
        &ru[..6],
        "413334",
        "0 many, 1 one, 2 few, 3 few, 4 few, 5 many"
    );
    // The progress phrase takes the goal's form ("из 50 000 подписей"), for the script too.
    assert!(total("ru/petitions/clean-air/index.html")
        .contains(r#"data-progress="{count} из {goal} подписей""#));
}
