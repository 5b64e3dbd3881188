//! Markdown to HTML, safely.
//!
//! Raw HTML in Markdown is shown as text unless `allow_raw_html = true`, so content can never
//! inject a script. Every other way Markdown makes markup is held to the same rule:
//!
//! * links and images keep only relative URLs and http(s), mailto and tel ones; anything else
//!   (`javascript:`, `vbscript:`, `data:`, whatever the case or the spacing) becomes `#`;
//! * a heading keeps only its `{#id}` and `{.class}` attributes, each checked; any other
//!   attribute (`{onfocus=...}`) is left out and reported, as is an id the page itself uses
//!   (`sign`, `result-...`): [`Refused`];
//! * footnotes get ids of their own (`fn-1`, `fn-2`, in order of appearance), never the
//!   label the writer chose, so a footnote cannot take an id of the page either.
//!
//! Root-relative links and images (`/kk/about/`) get the site's base path, so content stays
//! correct when the site moves under a sub-path.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::config::Config;
use crate::error::ProblemKind;

/// Markdown source with its rendered HTML.
#[derive(Debug, Clone, Default)]
pub struct Markdown {
    pub source: String,
    pub html: String,
}

/// Something written in the Markdown that the HTML leaves out, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Byte offset in the Markdown source.
    pub offset: usize,
    pub kind: ProblemKind,
}

impl Markdown {
    /// Renders `source`; what it had to leave out is returned beside it, for `check` to report.
    pub fn render(source: &str, config: &Config) -> (Markdown, Vec<Refused>) {
        let (html, refused) = to_html(source, config.allow_raw_html, &config.base_path);
        let markdown = Markdown {
            source: source.to_owned(),
            html,
        };
        (markdown, refused)
    }

    /// The line of `source` that byte `offset` is on, counting the first as `first_line`.
    pub fn line_of(source: &str, first_line: usize, offset: usize) -> usize {
        let before = &source.as_bytes()[..offset.min(source.len())];
        first_line + before.iter().filter(|&&b| b == b'\n').count()
    }

    /// The HTML of the source with every root-relative link and image (`/kk/about/`, given
    /// as `kk/about/`) written by `link` instead of under the base path.
    pub fn relinked(&self, config: &Config, link: impl Fn(&str) -> String) -> String {
        // What the renderer refuses was reported when the content was loaded.
        to_html_linking(&self.source, config.allow_raw_html, &link).0
    }
}

/// Ids of elements the pages of the theme have (themes/default/templates), and the prefixes
/// of those made from data (`sign-error-<field>`, `result-<outcome>`, `update-<date>`) and of
/// footnotes (`fn-`). The signature API sends visitors to `#sign-error-...` and `#result-...`:
/// a heading with one of these ids would catch that link instead of the form. A test keeps
/// this list in step with the templates.
const RESERVED_IDS: &[&str] = &[
    "answered-heading",
    "confirm",
    "form-alternatives-hint",
    "languages-heading",
    "main",
    "open-heading",
    "page-result",
    "progress-heading",
    "reason",
    "regions",
    "regions-chart-title",
    "regions-heading",
    "response",
    "response-heading",
    "share-heading",
    "sign",
    "search",
    "tags-heading",
    "updates",
    "updates-heading",
    "verify",
    "verify-heading",
    "verify-receipt",
    "withdraw",
];
const RESERVED_ID_PREFIXES: &[&str] =
    &["sign-", "result-", "update-", "fn-", "withdraw-", "search-"];

/// Longest heading id or class, in bytes.
const MAX_NAME_BYTES: usize = 64;

/// Whether a heading may take `id`: the page itself does not use it.
pub fn is_reserved_id(id: &str) -> bool {
    RESERVED_IDS.contains(&id) || RESERVED_ID_PREFIXES.iter().any(|p| id.starts_with(p))
}

/// ASCII letters, digits, `-` and `_`, starting with a letter: an id or class that needs no
/// escaping in HTML, CSS or a URL fragment.
fn is_plain_name(name: &str) -> bool {
    name.len() <= MAX_NAME_BYTES
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn to_html(source: &str, allow_raw_html: bool, base_path: &str) -> (String, Vec<Refused>) {
    to_html_linking(source, allow_raw_html, &|path: &str| {
        format!("{base_path}{path}")
    })
}

/// The HTML of `source`, root-relative links written by `link` (given the path after the
/// `/`), and what was refused.
fn to_html_linking(
    source: &str,
    allow_raw_html: bool,
    link: &dyn Fn(&str) -> String,
) -> (String, Vec<Refused>) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let rebase = |url| rebase(url, link);
    let mut refused = Vec::new();
    let mut footnotes = FootnoteIds::default();
    let events = Parser::new_ext(source, options)
        .into_offset_iter()
        .map(|(event, range)| match event {
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
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut heading = HeadingAttributes {
                    range,
                    refused: &mut refused,
                };
                Event::Start(Tag::Heading {
                    level,
                    id: id.and_then(|id| heading.id(id)),
                    classes: classes.into_iter().filter(|c| heading.class(c)).collect(),
                    attrs: heading.refuse_all(attrs),
                })
            }
            Event::FootnoteReference(label) => Event::FootnoteReference(footnotes.id(label)),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(footnotes.id(label)))
            }
            other => other,
        });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    refused.sort_by_key(|r| r.offset);
    (html, refused)
}

/// The checks of one heading's `{...}` attributes; what fails is recorded in `refused`.
struct HeadingAttributes<'r> {
    range: Range<usize>,
    refused: &'r mut Vec<Refused>,
}

impl HeadingAttributes<'_> {
    fn refuse(&mut self, kind: ProblemKind) {
        self.refused.push(Refused {
            offset: self.range.start,
            kind,
        });
    }

    fn id<'a>(&mut self, id: CowStr<'a>) -> Option<CowStr<'a>> {
        if !is_plain_name(&id) {
            self.refuse(ProblemKind::HeadingIdInvalid { id: id.to_string() });
            None
        } else if is_reserved_id(&id) {
            self.refuse(ProblemKind::HeadingIdReserved { id: id.to_string() });
            None
        } else {
            Some(id)
        }
    }

    fn class(&mut self, class: &str) -> bool {
        let plain = is_plain_name(class);
        if !plain {
            self.refuse(ProblemKind::HeadingClassInvalid {
                class: class.to_owned(),
            });
        }
        plain
    }

    /// Refuses every `key=value` attribute: none is kept.
    fn refuse_all<'a>(
        &mut self,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    ) -> Vec<(CowStr<'a>, Option<CowStr<'a>>)> {
        for (key, value) in attrs {
            let attribute = match value {
                Some(value) => format!("{key}={value}"),
                None => key.to_string(),
            };
            self.refuse(ProblemKind::HeadingAttribute { attribute });
        }
        Vec::new()
    }
}

/// `fn-<n>` for the n-th footnote label seen, the same for its references and definition.
#[derive(Default)]
struct FootnoteIds {
    numbers: HashMap<String, usize>,
}

impl FootnoteIds {
    fn id(&mut self, label: CowStr<'_>) -> CowStr<'static> {
        let next = self.numbers.len() + 1;
        let number = *self.numbers.entry(label.to_string()).or_insert(next);
        format!("fn-{number}").into()
    }
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

/// Relative URLs and http(s), mailto and tel links; anything else (`javascript:`, `data:`) is
/// not. Whatever comes before the first `:` (when no `/`, `?` or `#` comes first) is the
/// scheme a browser would see, after it drops tabs, newlines and leading spaces: it must be
/// one of the four exactly (in any case), so `java\tscript:` and ` javascript:` are refused
/// too. Entities (`&#58;`) are decoded by the Markdown parser before this check.
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

    fn html(source: &str) -> String {
        to_html(source, false, "/").0
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let source = "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n";
        let safe = html(source);
        assert!(
            !safe.contains("<script") && !safe.contains("<img"),
            "{safe}"
        );
        assert!(
            safe.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{safe}"
        );
        assert!(to_html(source, true, "/")
            .0
            .contains("<script>alert(1)</script>"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let (html, _) = to_html(
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
    fn script_urls_are_neutralised_however_they_are_written() {
        for source in [
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](<java\nscript:alert(1)>)",
            "[x](< javascript:alert(1)>)",
            "[x](&#106;avascript:alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html,<script>alert(1)</script>)",
            "![x](data:image/svg+xml;base64,PHN2Zz4=)",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = html(source);
            let urls: Vec<&str> = ["href=\"", "src=\""]
                .iter()
                .flat_map(|attribute| html.split(attribute).skip(1))
                .map(|rest| &rest[..rest.find('"').unwrap()])
                .collect();
            assert!(urls.iter().all(|url| *url == "#"), "{source:?}: {html}");
        }
        assert!(
            html("[m](mailto:a@b.example) <a@b.example>").contains("href=\"mailto:a@b.example\"")
        );
    }

    #[test]
    fn headings_keep_checked_ids_and_classes_only() {
        const SOURCE: &str = "## Hi {tabindex=0 autofocus onfocus=alert(1)}\n\n## Budget {#budget .wide}\n\n## Form {#sign}\n\n## Odd {#a:b .x%y}\n";
        let (html, refused) = to_html(SOURCE, false, "/");
        assert_eq!(
            html,
            "<h2>Hi</h2>\n<h2 id=\"budget\" class=\"wide\">Budget</h2>\n<h2>Form</h2>\n<h2>Odd</h2>\n"
        );
        let kinds: Vec<String> = refused.iter().map(|r| r.kind.to_string()).collect();
        assert_eq!(
            kinds,
            [
                "heading attribute `tabindex=0` is not allowed: a heading keeps only `{#id}` and `{.class}`; remove it",
                "heading attribute `autofocus` is not allowed: a heading keeps only `{#id}` and `{.class}`; remove it",
                "heading attribute `onfocus=alert(1)` is not allowed: a heading keeps only `{#id}` and `{.class}`; remove it",
                "heading id `sign` is used by the page itself (the signing form, its results or a section); pick another id",
                "heading id `a:b` is not allowed: use up to 64 ASCII letters, digits, `-` and `_`, starting with a letter",
                "heading class `x%y` is not allowed: use up to 64 ASCII letters, digits, `-` and `_`, starting with a letter",
            ]
        );
        let lines: Vec<usize> = refused
            .iter()
            .map(|r| Markdown::line_of(SOURCE, 1, r.offset))
            .collect();
        assert_eq!(lines, [1, 1, 1, 5, 7, 7]);
        assert_eq!(Markdown::line_of("a\nb\nc", 7, 4), 9);
    }

    #[test]
    fn footnotes_get_their_own_ids() {
        let html = html("Text[^sign] and[^2].\n\n[^sign]: One.\n[^2]: Two.\n");
        assert!(html.contains("<a href=\"#fn-1\">1</a>"), "{html}");
        assert!(html.contains("<a href=\"#fn-2\">2</a>"), "{html}");
        assert!(html.contains("id=\"fn-1\""), "{html}");
        assert!(html.contains("id=\"fn-2\""), "{html}");
        assert!(
            !html.contains("\"sign\"") && !html.contains("#sign"),
            "{html}"
        );
    }

    /// Every id the default theme's templates write is reserved (a literal one exactly, one
    /// made from data by the literal part before `{{`), so no heading can take it.
    #[test]
    fn reserved_ids_cover_every_id_of_the_default_theme() {
        let templates =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes/default/templates");
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(templates) {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for (start, _) in text.match_indices(" id=\"") {
                let value = &text[start + 5..];
                let value = &value[..value.find('"').unwrap()];
                let literal = value.split("{{").next().unwrap();
                assert!(
                    is_reserved_id(literal)
                        || value != literal && is_reserved_id(&format!("{literal}x")),
                    "{}: id `{value}` is not reserved",
                    entry.path().display()
                );
                seen += 1;
            }
        }
        assert!(seen > 30, "{seen}");
    }

    #[test]
    fn a_relinked_copy_links_root_relative_urls_its_own_way() {
        let config = Config::parse(
            "base_url = \"https://a.example/sub/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let (markdown, _) = Markdown::render(
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
