//! Markdown to HTML, safely.
//!
//! Raw HTML in Markdown is shown as text unless `allow_raw_html = true`, so content can never
//! inject a script. Root-relative links and images (`/kk/about/`) get the site's base path, so
//! content stays correct when the site moves under a sub-path; a render that links otherwise
//! (the page-relative bundle) renders the source again with [`Markdown::relinked`].

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::config::Config;

/// Markdown source with its rendered HTML.
#[derive(Debug, Clone, Default)]
pub struct Markdown {
    pub source: String,
    pub html: String,
}

impl Markdown {
    pub fn render(source: &str, config: &Config) -> Markdown {
        Markdown {
            source: source.to_owned(),
            html: to_html(source, config.allow_raw_html, &config.base_path),
        }
    }

    /// The HTML of the source with every root-relative link and image (`/kk/about/`, given
    /// as `kk/about/`) written by `link` instead of under the base path.
    pub fn relinked(&self, config: &Config, link: impl Fn(&str) -> String) -> String {
        to_html_linking(&self.source, config.allow_raw_html, &link)
    }
}

fn to_html(source: &str, allow_raw_html: bool, base_path: &str) -> String {
    to_html_linking(source, allow_raw_html, &|path: &str| {
        format!("{base_path}{path}")
    })
}

fn to_html_linking(source: &str, allow_raw_html: bool, link: &dyn Fn(&str) -> String) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let rebase = |url| rebase(url, link);
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) if !allow_raw_html => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rebase(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rebase(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Links root-relative URLs with `link` (given the path after the `/`) and replaces unsafe
/// ones with `#`.
fn rebase<'a>(url: CowStr<'a>, link: &dyn Fn(&str) -> String) -> CowStr<'a> {
    if !is_safe_url(&url) {
        return CowStr::Borrowed("#");
    }
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') => link(rest).into(),
        _ => url,
    }
}

/// Relative URLs and http(s), mailto and tel links; anything else (`javascript:`, `data:`) is not.
fn is_safe_url(url: &str) -> bool {
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(end) if url[end..].starts_with(':') => {
            let scheme = url[..end].to_ascii_lowercase();
            ["http", "https", "mailto", "tel"].contains(&scheme.as_str())
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let source = "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n";
        let safe = to_html(source, false, "/");
        assert!(
            !safe.contains("<script") && !safe.contains("<img"),
            "{safe}"
        );
        assert!(
            safe.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{safe}"
        );
        assert!(to_html(source, true, "/").contains("<script>alert(1)</script>"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let html = to_html(
            "[a](/kk/about/) [b](https://x.example/) [c](//cdn.example/x) ![i](/img.png)",
            false,
            "/sub/",
        );
        assert!(html.contains("href=\"/sub/kk/about/\""), "{html}");
        assert!(html.contains("href=\"https://x.example/\""), "{html}");
        assert!(html.contains("href=\"//cdn.example/x\""), "{html}");
        assert!(html.contains("src=\"/sub/img.png\""), "{html}");
    }

    #[test]
    fn javascript_urls_are_neutralised_by_the_renderer() {
        let html = to_html("[x](javascript:alert(1))", false, "/");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }

    #[test]
    fn a_relinked_copy_links_root_relative_urls_its_own_way() {
        let config = Config::parse(
            "base_url = \"https://a.example/sub/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let markdown = Markdown::render(
            "[a](/kk/about/) [b](https://x.example/) ![i](/img.png)",
            &config,
        );
        assert!(
            markdown.html.contains("href=\"/sub/kk/about/\""),
            "{}",
            markdown.html
        );
        let relinked = markdown.relinked(&config, |path| format!("../../{path}"));
        assert!(relinked.contains("href=\"../../kk/about/\""), "{relinked}");
        assert!(
            relinked.contains("href=\"https://x.example/\""),
            "{relinked}"
        );
        assert!(relinked.contains("src=\"../../img.png\""), "{relinked}");
    }
}
