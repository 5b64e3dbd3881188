//! Fuzzes the generator's Markdown renderer (raw HTML off, as sites have it by default) with
//! arbitrary text: it must never panic, and the HTML it makes must carry no script. The
//! output is read back by a tag scanner that follows the HTML tokenizer (tags, attributes in
//! every quoting, character references), and every tag and attribute must be on the list
//! below: no `<script>`, `<iframe>`, `<object>`, `<embed>` or `<style>`, no `on*=` handler,
//! no URL with a scheme other than http(s), mailto and tel (`javascript:`, `vbscript:`,
//! `data:`), no heading id the page itself uses.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use petitio_site::config::Config;
use petitio_site::markdown::{is_reserved_id, Markdown};

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let text = "base_url = \"https://p.example/sub/\"\n[title]\nkk = \"T\"\n";
        let config = Config::parse(text, None).expect("the fuzz config is valid");
        assert!(!config.allow_raw_html);
        config
    })
}

/// The tags Markdown may make, each with the attributes it may carry.
const ALLOWED: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("img", &["src", "alt", "title"]),
    ("h1", &["id", "class"]),
    ("h2", &["id", "class"]),
    ("h3", &["id", "class"]),
    ("h4", &["id", "class"]),
    ("h5", &["id", "class"]),
    ("h6", &["id", "class"]),
    ("code", &["class"]),
    ("th", &["style"]),
    ("td", &["style"]),
    ("div", &["class", "id"]),
    ("sup", &["class"]),
    ("ol", &["start"]),
    ("p", &[]),
    ("em", &[]),
    ("strong", &[]),
    ("del", &[]),
    ("blockquote", &[]),
    ("pre", &[]),
    ("ul", &[]),
    ("li", &[]),
    ("hr", &[]),
    ("br", &[]),
    ("table", &[]),
    ("thead", &[]),
    ("tbody", &[]),
    ("tr", &[]),
];

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let (markdown, _refused) = Markdown::render(source, config());
    for tag in scan(&markdown.html) {
        check(&tag, &markdown.html);
    }
});

/// A start or end tag as a browser's tokenizer reads it.
#[derive(Debug)]
struct ScannedTag {
    name: String,
    end: bool,
    /// Lowercased names, values with character references decoded.
    attributes: Vec<(String, String)>,
}

fn check(tag: &ScannedTag, html: &str) {
    let Some((_, allowed)) = ALLOWED.iter().find(|(name, _)| *name == tag.name) else {
        panic!("tag <{}> is not allowed in\n{html}", tag.name);
    };
    if tag.end {
        assert!(tag.attributes.is_empty(), "{tag:?} in\n{html}");
        return;
    }
    for (name, value) in &tag.attributes {
        assert!(!name.starts_with("on"), "handler {name} in\n{html}");
        assert!(
            allowed.contains(&name.as_str()),
            "attribute {name} on <{}> in\n{html}",
            tag.name
        );
        match name.as_str() {
            "href" | "src" => assert!(is_safe_url(value), "{name}={value:?} in\n{html}"),
            "style" => assert!(
                [
                    "text-align: left",
                    "text-align: center",
                    "text-align: right"
                ]
                .contains(&value.as_str()),
                "style={value:?} in\n{html}"
            ),
            "id" if tag.name.starts_with('h') => {
                assert!(is_plain(value), "id={value:?} in\n{html}");
                assert!(!is_reserved_id(value), "reserved id={value:?} in\n{html}");
            }
            "id" => assert!(
                value
                    .strip_prefix("fn-")
                    .is_some_and(|n| n.parse::<u32>().is_ok()),
                "footnote id={value:?} in\n{html}"
            ),
            // A code block's class is `language-` and the first word of its info string.
            "class" if tag.name == "code" => {
                assert!(value.starts_with("language-"), "class={value:?} in\n{html}")
            }
            "class" => assert!(value.split(' ').all(is_plain), "class={value:?} in\n{html}"),
            "start" => assert!(value.parse::<u64>().is_ok(), "start={value:?}"),
            _ => {}
        }
    }
}

fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A URL as a browser resolves it: tabs and newlines removed, leading spaces and controls
/// dropped; a scheme, if any, is one of the four Markdown keeps.
fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    match cleaned.find([':', '/', '?', '#']) {
        Some(end) if cleaned[end..].starts_with(':') => {
            let scheme = cleaned[..end].to_ascii_lowercase();
            ["http", "https", "mailto", "tel"].contains(&scheme.as_str())
        }
        _ => true,
    }
}

/// Every tag of `html`. Any other markup (`<!`, `<?`, a `<` that opens nothing) would mean
/// Markdown text reached the output unescaped, so it fails at once.
fn scan(html: &str) -> Vec<ScannedTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        i += offset + 1;
        let end = bytes.get(i) == Some(&b'/');
        if end {
            i += 1;
        }
        assert!(
            bytes.get(i).is_some_and(u8::is_ascii_alphabetic),
            "markup other than a tag at byte {i} of\n{html}"
        );
        let name_end = i + html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(html.len() - i);
        let name = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        let mut attributes = Vec::new();
        loop {
            i += html[i..]
                .find(|c: char| !(c.is_ascii_whitespace() || c == '/'))
                .unwrap_or(html.len() - i);
            if i >= html.len() {
                panic!("unclosed tag <{name}> in\n{html}");
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            // An attribute name runs to whitespace, `/`, `>` or `=` (its first character may
            // be `=` itself).
            let start = i;
            i += 1;
            i += html[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>' || c == '=')
                .unwrap_or(html.len() - i);
            let attribute = html[start..i].to_ascii_lowercase();
            let after_space = i + html[i..]
                .find(|c: char| !c.is_ascii_whitespace())
                .unwrap_or(html.len() - i);
            let mut value = String::new();
            if bytes.get(after_space) == Some(&b'=') {
                i = after_space + 1;
                i += html[i..]
                    .find(|c: char| !c.is_ascii_whitespace())
                    .unwrap_or(html.len() - i);
                let raw = match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let close = html[i + 1..]
                            .find(quote as char)
                            .unwrap_or_else(|| panic!("unclosed attribute value in\n{html}"));
                        let raw = &html[i + 1..i + 1 + close];
                        i += close + 2;
                        raw
                    }
                    _ => {
                        let len = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .unwrap_or(html.len() - i);
                        let raw = &html[i..i + len];
                        i += len;
                        raw
                    }
                };
                value = decode_references(raw);
            }
            attributes.push((attribute, value));
        }
        tags.push(ScannedTag {
            name,
            end,
            attributes,
        });
    }
    tags
}

/// Decodes the character references a browser decodes in an attribute value: numeric ones
/// and the named ones that can spell a scheme or a quote.
fn decode_references(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&s| s <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "colon" => Some(':'),
            "Tab" => Some('\t'),
            "NewLine" => Some('\n'),
            _ => entity.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
