//! A site overrides the theme file by file: `templates/`, `static/` and `i18n/<lang>.toml`
//! (key by key, including optional `tag_names`).

mod common;

use common::{snapshot, TestSite};

#[test]
fn site_files_replace_the_themes() {
    let site = TestSite::copy("valid");
    site.write("static/site.css", "body { color: black; }\n");
    site.write(
        "i18n/ru.toml",
        "[nav]\nopen = \"Идёт сбор\"\n\n[tag_names]\necology = \"Экология\"\n",
    );
    site.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">{{ title }}</h1>{% endblock content %}");
    site.run_ok(&["build"]);
    let files = snapshot(&site.path("dist"));
    let css: Vec<_> = files
        .iter()
        .filter(|(p, _)| p.starts_with("assets/site."))
        .collect();
    assert_eq!(css.len(), 1);
    assert_eq!(css[0].1, b"body { color: black; }\n");

    let ru = site.read("dist/ru/petitions/clean-air/index.html");
    assert!(ru.contains(r#"<a href="/ru/open/">Идёт сбор</a>"#));
    assert!(ru.contains(r#"<a href="/ru/tags/ecology/">Экология</a>"#));
    assert!(
        ru.contains(r#"<a href="/ru/closed/">Закрытые</a>"#),
        "other keys still come from the theme"
    );
    assert!(site
        .read("dist/kk/petitions/clean-air/index.html")
        .contains(r#"<a href="/kk/tags/ecology/">ecology</a>"#));
    assert!(site
        .read("dist/en/about/index.html")
        .contains("<h1 id=\"custom\">About</h1>"));
}
