//! `petitio build --bundle`: the built site as `<out>.tar.gz` and `<out>.zip`, for volunteers
//! who host copies.
//!
//! A normal build links pages root-relatively under the base path (`/petitions/en/...`), which
//! works only when the site sits at that path. A volunteer's copy may sit on any domain and in
//! any folder, so the archives hold a rewritten copy of the output:
//!
//! * every internal root-relative URL in HTML (`href`, `src`, `srcset`, `action`, `poster`,
//!   `data-i18n`, `style="...url(...)"`, a meta refresh's `url=`) and in CSS `url(...)` becomes
//!   page-relative (`../../assets/site.x.css`); folders stay folders (`../open/`), since static
//!   hosts serve `index.html` for them;
//! * URLs of the signature API (`action`, `data-api`) become absolute on the main site's origin:
//!   a copy has no API of its own. The main worker must list the copy's origin in
//!   `ALLOWED_ORIGINS`;
//! * `_headers` applies to the whole copy (`/*` instead of the base path); its CSP, and a
//!   page's own `<meta http-equiv="Content-Security-Policy">` (the embeddable counter), allow
//!   posting to and fetching from the main API.
//! * many hosts of copies ignore `_headers`, so every page that has no policy of its own gets
//!   the site's policy as a `<meta http-equiv="Content-Security-Policy">` element (all of it
//!   that a `<meta>` can carry: `hosting::meta_content_security_policy`), and `README.txt`
//!   at the top of the archive lists the headers a host should still send.
//!
//! Absolute URLs (canonical links, Open Graph, feeds, sitemap, open data) are left as they are:
//! they name the main site on purpose. Both archives are written to a temporary file beside the
//! target and renamed into place, so a reader never sees half an archive.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use url::Url;

use crate::config::Config;
use crate::confine::SiteRoot;
use crate::error::{Error, IoAction};
use crate::render::escape_html;
use crate::render::hosting;

/// The file at the top of every archive that says how to host the copy.
pub const README: &str = "README.txt";

/// What `write_bundles` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    pub tar_gz: PathBuf,
    pub tar_gz_bytes: u64,
    pub zip: PathBuf,
    pub zip_bytes: u64,
    /// Files in each archive.
    pub files: usize,
}

/// The two archive paths beside the output folder: `dist` → (`dist.tar.gz`, `dist.zip`).
pub fn bundle_paths(out: &Path) -> Result<(PathBuf, PathBuf), Error> {
    let name = out
        .file_name()
        .and_then(|name| name.to_str())
        .filter(|name| !name.is_empty())
        .ok_or_else(|| Error::BundleName {
            out: out.to_path_buf(),
        })?;
    let parent = out.parent().unwrap_or_else(|| Path::new(""));
    Ok((
        parent.join(format!("{name}.tar.gz")),
        parent.join(format!("{name}.zip")),
    ))
}

/// Writes `<out>.tar.gz` and `<out>.zip` from the built site in `out`.
pub fn write_bundles(out: &Path, config: &Config) -> Result<BundleReport, Error> {
    let (tar_gz, zip) = bundle_paths(out)?;
    let rewriter = Rewriter::new(config);
    let mut files = vec![Entry {
        path: README.to_owned(),
        bytes: rewriter.readme(config).into_bytes(),
    }];
    files.extend(collect(out, &rewriter)?);
    write_atomically(&tar_gz, |file| write_tar_gz(file, &files))?;
    write_atomically(&zip, |file| write_zip(file, &files))?;
    Ok(BundleReport {
        tar_gz_bytes: size(&tar_gz)?,
        zip_bytes: size(&zip)?,
        tar_gz,
        zip,
        files: files.len(),
    })
}

/// One file of the bundle: its path inside the archive (with `/`) and its bytes.
struct Entry {
    path: String,
    bytes: Vec<u8>,
}

/// Reads every file under `out` (sorted, so archives are reproducible) and rewrites the text
/// files whose links depend on where the site is served. The build writes no links; one found
/// in `out` is followed only to a file inside `out` (`confine`), so an archive never holds a
/// file from elsewhere.
fn collect(out: &Path, rewriter: &Rewriter) -> Result<Vec<Entry>, Error> {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = SiteRoot::new(parent)?.require_folder(&name)?;
    let mut entries = Vec::new();
    for (relative, path) in folder.files()? {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(IoAction::Read, &path, e))?;
        let bytes = rewriter.file(&relative, bytes);
        entries.push(Entry {
            path: relative,
            bytes,
        });
    }
    Ok(entries)
}

/// Turns the root-relative URLs of one build into URLs that work from any location.
struct Rewriter {
    /// `/` or `/sub/`: the prefix of every internal link.
    base_path: String,
    /// The API path when the API is on the site's own origin (`/api`), else `None`.
    api_path: Option<String>,
    /// The main site's origin, `https://a.example`.
    origin: String,
    /// The `<meta>` policy element for pages that have none (filled in by `new`).
    csp_meta: String,
}

impl Rewriter {
    fn new(config: &Config) -> Rewriter {
        let origin = Url::parse(&config.base_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        let api_path = config
            .api_url
            .starts_with('/')
            .then(|| config.api_url.trim_end_matches('/').to_owned());
        let mut rewriter = Rewriter {
            base_path: config.base_path.clone(),
            api_path,
            origin,
            csp_meta: String::new(),
        };
        let policy = rewriter.csp_allowing_api(&hosting::meta_content_security_policy(config));
        rewriter.csp_meta = format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
            escape_html(&policy)
        );
        rewriter
    }

    /// `README.txt`: what the archive is, and the headers a host should send with it.
    fn readme(&self, config: &Config) -> String {
        let mut text = format!(
            "A copy of {base}\n\n\
             This archive is the whole site as static files whose links work from any domain and\n\
             any folder. Put its files on any static host. Signing goes to the main site's API\n\
             ({api}): ask its operators to add this copy's address to ALLOWED_ORIGINS.\n\n\
             Headers\n\n\
             Every page carries the site's Content-Security-Policy in a\n\
             <meta http-equiv=\"Content-Security-Policy\"> element, so even a host that sends no\n\
             headers runs no inline or foreign script. A <meta> policy cannot carry\n\
             {header_only}, and the other protections exist only as headers, so if\n\
             your host lets you set response headers, send these with every file (the file\n\
             _headers holds the same rules in the format Cloudflare Pages and Netlify read):\n\n",
            base = config.base_url,
            api = if self.api_path.is_some() {
                format!("{}{}", self.origin, config.api_url)
            } else {
                config.api_url.clone()
            },
            header_only = hosting::HEADER_ONLY_DIRECTIVES.join(", "),
        );
        for (name, value) in hosting::security_headers(config) {
            let value = match name {
                "Content-Security-Policy" => self.csp_allowing_api(&value),
                _ => value,
            };
            text.push_str(&format!("  {name}: {value}\n"));
        }
        text.push_str(
            "\nexcept on the embeddable counters, which other sites may frame: leave out\n\
             Content-Security-Policy and X-Frame-Options there (each carries its own policy in a\n\
             <meta> element):\n\n",
        );
        for path in hosting::FRAMEABLE_PATHS {
            text.push_str(&format!("  /{path}\n"));
        }
        text
    }

    /// The bytes of file `path` as they go into the archive.
    fn file(&self, path: &str, bytes: Vec<u8>) -> Vec<u8> {
        let depth = path.matches('/').count();
        let is_html = path.ends_with(".html");
        let is_css = path.ends_with(".css");
        let is_headers = path == "_headers";
        if !(is_html || is_css || is_headers) {
            return bytes;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(not_text) => return not_text.into_bytes(),
        };
        let rewritten = if is_html {
            self.with_policy(self.html(&text, depth))
        } else if is_css {
            self.css(&text, depth)
        } else {
            self.headers(&text)
        };
        rewritten.into_bytes()
    }

    /// The URL to use in the bundle for `url` found in a file `depth` folders deep, or `None`
    /// to keep it (external, absolute, a fragment, protocol-relative).
    fn url(&self, url: &str, depth: usize) -> Option<String> {
        if !url.starts_with('/') || url.starts_with("//") {
            return None;
        }
        if let Some(api) = &self.api_path {
            let rest = url.strip_prefix(api.as_str());
            if rest.is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')
            }) {
                return Some(format!("{}{url}", self.origin));
            }
        }
        let inside = if url == self.base_path.trim_end_matches('/') {
            ""
        } else {
            url.strip_prefix(self.base_path.as_str())?
        };
        let up = "../".repeat(depth);
        Some(match (up.is_empty(), inside.is_empty()) {
            (true, true) => "./".to_owned(),
            (true, false) if inside.starts_with('?') || inside.starts_with('#') => {
                format!("./{inside}")
            }
            _ => format!("{up}{inside}"),
        })
    }

    /// `page` with the site's `<meta>` policy right after its `<meta charset>` (else after
    /// `<head>`, else at the start), unless it carries a policy of its own.
    fn with_policy(&self, page: String) -> String {
        let lower = page.to_ascii_lowercase();
        if lower.contains("http-equiv=\"content-security-policy\"") {
            return page;
        }
        let after = |start: Option<usize>| {
            start.and_then(|start| lower[start..].find('>').map(|end| start + end + 1))
        };
        let at = after(lower.find("<meta charset"))
            .or_else(|| after(lower.find("<head")))
            .unwrap_or(0);
        let mut out = String::with_capacity(page.len() + self.csp_meta.len() + 1);
        out.push_str(&page[..at]);
        if at > 0 {
            out.push('\n');
        }
        out.push_str(&self.csp_meta);
        if at == 0 {
            out.push('\n');
        }
        out.push_str(&page[at..]);
        out
    }

    /// Rewrites the URL-bearing attributes of an HTML document.
    fn html(&self, text: &str, depth: usize) -> String {
        let mut out = String::with_capacity(text.len() + 256);
        let mut rest = text;
        while let Some((before, name, quote, value, after)) = next_attribute(rest) {
            out.push_str(before);
            out.push_str(name);
            out.push('=');
            out.push(quote);
            out.push_str(&self.attribute(name, value, depth));
            out.push(quote);
            rest = after;
        }
        out.push_str(rest);
        out
    }

    fn attribute(&self, name: &str, value: &str, depth: usize) -> String {
        let keep = || value.to_owned();
        match name {
            "srcset" => value
                .split(',')
                .map(|candidate| {
                    let candidate = candidate.trim();
                    let (url, descriptor) = candidate
                        .split_once(char::is_whitespace)
                        .unwrap_or((candidate, ""));
                    let url = self.url(url, depth).unwrap_or_else(|| url.to_owned());
                    if descriptor.is_empty() {
                        url
                    } else {
                        format!("{url} {}", descriptor.trim())
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            "style" => self.css(value, depth),
            "content" if value.contains("connect-src") || value.contains("form-action") => {
                self.csp_allowing_api(value)
            }
            "content" => match refresh_target(value) {
                Some((prefix, url)) => match self.url(url, depth) {
                    Some(new) => format!("{prefix}{new}"),
                    None => keep(),
                },
                None => keep(),
            },
            _ => self.url(value, depth).unwrap_or_else(keep),
        }
    }

    /// Rewrites `url(...)` references of a style sheet (or a `style` attribute).
    fn css(&self, text: &str, depth: usize) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("url(") {
            let (before, after) = rest.split_at(start + "url(".len());
            out.push_str(before);
            let trimmed = after.trim_start();
            out.push_str(&after[..after.len() - trimmed.len()]);
            let quote = trimmed
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'' || *c == '`');
            let (quote_text, body) = match quote {
                Some(q) => (&trimmed[..q.len_utf8()], &trimmed[q.len_utf8()..]),
                None => ("", trimmed),
            };
            let end = match quote {
                Some(q) => body.find(q),
                None => body.find(')'),
            };
            let Some(end) = end else {
                out.push_str(trimmed);
                rest = "";
                break;
            };
            let url = body[..end].trim_end();
            let kept_space = &body[url.len()..end];
            out.push_str(quote_text);
            out.push_str(&self.url(url, depth).unwrap_or_else(|| url.to_owned()));
            out.push_str(kept_space);
            rest = &body[end..];
        }
        out.push_str(rest);
        out
    }

    /// A Content-Security-Policy (from `_headers`, or a meta element's HTML-escaped value)
    /// that also lets forms post to and the script fetch from the main site's API.
    fn csp_allowing_api(&self, csp: &str) -> String {
        if self.api_path.is_none() {
            return csp.to_owned();
        }
        let origin = &self.origin;
        let mut csp = csp.to_owned();
        for directive in ["connect-src", "form-action"] {
            for own in ["'self'", "&#39;self&#39;", "&#x27;self&#x27;"] {
                csp = csp.replace(
                    &format!("{directive} {own}"),
                    &format!("{directive} {own} {origin}"),
                );
            }
        }
        csp
    }

    /// `_headers` for a copy: rules apply from the copy's root, and the CSP lets the signing
    /// form and the script reach the main site's API.
    fn headers(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            if !line.starts_with(char::is_whitespace) {
                if let Some(rest) = line.strip_prefix(self.base_path.as_str()) {
                    out.push('/');
                    out.push_str(rest);
                    continue;
                }
            }
            if line.trim_start().starts_with("Content-Security-Policy:") {
                out.push_str(&self.csp_allowing_api(line));
            } else {
                out.push_str(line);
            }
        }
        out
    }
}

/// Attributes whose values hold URLs (or, for `content` and `style`, may hold one).
const URL_ATTRIBUTES: [&str; 9] = [
    "href",
    "src",
    "srcset",
    "action",
    "poster",
    "data-i18n",
    "data-api",
    "content",
    "style",
];

/// The next quoted URL-bearing attribute in `text`:
/// (text before the name, name, quote, value, text after the closing quote).
fn next_attribute(text: &str) -> Option<(&str, &str, char, &str, &str)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text[from..].find('=') {
        let eq = from + offset;
        from = eq + 1;
        let quote = match bytes.get(eq + 1) {
            Some(b'"') => '"',
            Some(b'\'') => '\'',
            _ => continue,
        };
        let Some(name) = URL_ATTRIBUTES.iter().find(|name| {
            text[..eq].ends_with(**name)
                && text[..eq - name.len()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_whitespace)
        }) else {
            continue;
        };
        let value_start = eq + 2;
        let value_len = text[value_start..].find(quote)?;
        let value_end = value_start + value_len;
        return Some((
            &text[..eq - name.len()],
            &text[eq - name.len()..eq],
            quote,
            &text[value_start..value_end],
            &text[value_end + 1..],
        ));
    }
    None
}

/// For a meta refresh value `0; url=/kk/`: (`0; url=`, `/kk/`).
fn refresh_target(value: &str) -> Option<(&str, &str)> {
    let (delay, rest) = value.split_once(';')?;
    if delay.trim().is_empty() || !delay.trim().chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let trimmed = rest.trim_start();
    if !trimmed.get(..4)?.eq_ignore_ascii_case("url=") {
        return None;
    }
    let split = value.len() - trimmed.len() + 4;
    Some((&value[..split], &value[split..]))
}

fn write_tar_gz(file: &mut File, entries: &[Entry]) -> io::Result<()> {
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(entry.bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &entry.path, entry.bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()
}

fn write_zip(file: &mut File, entries: &[Entry]) -> io::Result<()> {
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for entry in entries {
        zip.start_file(entry.path.as_str(), options)?;
        zip.write_all(&entry.bytes)?;
    }
    zip.finish()?.flush()
}

/// Writes `target` through a temporary file in the same folder, renamed into place when done.
fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), Error> {
    crate::output::write_through_temporary(target, ".petitio-bundle-", write)
}

fn size(path: &Path) -> Result<u64, Error> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| Error::io(IoAction::Read, path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewriter(base_path: &str, api_url: &str) -> Rewriter {
        Rewriter {
            base_path: base_path.to_owned(),
            api_path: api_url.starts_with('/').then(|| api_url.to_owned()),
            origin: "https://a.example".to_owned(),
            csp_meta: "<meta http-equiv=\"Content-Security-Policy\" content=\"x\">".to_owned(),
        }
    }

    #[test]
    fn internal_urls_become_page_relative_by_depth() {
        let r = rewriter("/sub/", "/api");
        assert_eq!(r.url("/sub/assets/site.css", 0).unwrap(), "assets/site.css");
        assert_eq!(
            r.url("/sub/assets/site.css", 3).unwrap(),
            "../../../assets/site.css"
        );
        assert_eq!(r.url("/sub/en/open/", 1).unwrap(), "../en/open/");
        assert_eq!(r.url("/sub/", 0).unwrap(), "./");
        assert_eq!(r.url("/sub", 2).unwrap(), "../../");
        assert_eq!(r.url("/sub/?result=x", 0).unwrap(), "./?result=x");
        assert_eq!(r.url("/other/", 1), None);
        assert_eq!(r.url("//cdn.example/x", 1), None);
        assert_eq!(r.url("https://a.example/sub/", 1), None);
        assert_eq!(r.url("#main", 1), None);
    }

    #[test]
    fn api_urls_become_absolute_on_the_main_origin() {
        let r = rewriter("/", "/api");
        assert_eq!(
            r.url("/api/petitions/x/signatures", 3).unwrap(),
            "https://a.example/api/petitions/x/signatures"
        );
        assert_eq!(r.url("/api", 3).unwrap(), "https://a.example/api");
        assert_eq!(r.url("/apiary/", 1).unwrap(), "../apiary/");
        let separate = rewriter("/", "https://api.example/api");
        assert_eq!(separate.url("/api/x", 1).unwrap(), "../api/x");
    }

    #[test]
    fn html_attributes_are_rewritten_and_text_is_not() {
        let r = rewriter("/", "/api");
        let page = r#"<meta http-equiv="refresh" content="0; url=/kk/"><meta property="og:image" content="https://a.example/i.png"><link href="/assets/a.css"><form action="/api/petitions/p/signatures" data-api="/api"><body data-i18n='/assets/i18n.json'><img srcset="/a.png 1x, /b.png 2x" src="/a.png" style="background:url('/c.png')"><p>href="/x" stays in text</p><a href="https://t.me/share?url=/x">"#;
        assert_eq!(
            r.html(page, 2),
            r#"<meta http-equiv="refresh" content="0; url=../../kk/"><meta property="og:image" content="https://a.example/i.png"><link href="../../assets/a.css"><form action="https://a.example/api/petitions/p/signatures" data-api="https://a.example/api"><body data-i18n='../../assets/i18n.json'><img srcset="../../a.png 1x, ../../b.png 2x" src="../../a.png" style="background:url('../../c.png')"><p>href="/x" stays in text</p><a href="https://t.me/share?url=/x">"#
        );
    }

    #[test]
    fn css_urls_in_every_quoting_are_rewritten() {
        let r = rewriter("/sub/", "/api");
        assert_eq!(
            r.css(
                "a{b:url(/sub/f.svg)}c{d:url( \"/sub/g.woff2\" )}e{f:url(data:x)}",
                1
            ),
            "a{b:url(../f.svg)}c{d:url( \"../g.woff2\" )}e{f:url(data:x)}"
        );
    }

    #[test]
    fn headers_cover_the_whole_copy_and_allow_the_main_api() {
        let r = rewriter("/sub/", "/api");
        let text = "/sub/*\n  Content-Security-Policy: default-src 'self'; connect-src 'self'; form-action 'self'\n\n/sub/index.html\n  Cache-Control: x\n";
        assert_eq!(
            r.headers(text),
            "/*\n  Content-Security-Policy: default-src 'self'; connect-src 'self' https://a.example; form-action 'self' https://a.example\n\n/index.html\n  Cache-Control: x\n"
        );
    }

    #[test]
    fn a_meta_csp_lets_the_copy_reach_the_main_api() {
        let r = rewriter("/", "/api");
        let page = r#"<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; connect-src &#39;self&#39;; form-action &#39;self&#39;">"#;
        assert_eq!(
            r.html(page, 3),
            r#"<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; connect-src &#39;self&#39; https://a.example; form-action &#39;self&#39; https://a.example">"#
        );
        let separate = rewriter("/", "https://api.example/api");
        assert_eq!(separate.html(page, 3), page);
    }

    #[test]
    fn pages_without_a_policy_get_the_meta_one_after_their_charset() {
        let r = rewriter("/", "/api");
        let meta = "<meta http-equiv=\"Content-Security-Policy\" content=\"x\">";
        assert_eq!(
            r.with_policy(
                "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>".into()
            ),
            format!("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n{meta}\n<title>")
        );
        assert_eq!(
            r.with_policy("<html><HEAD lang=\"kk\"><title>".into()),
            format!("<html><HEAD lang=\"kk\">\n{meta}<title>")
        );
        assert_eq!(r.with_policy("<p>x".into()), format!("{meta}\n<p>x"));
        let own = "<head><meta http-equiv=\"Content-Security-Policy\" content=\"y\">";
        assert_eq!(r.with_policy(own.into()), own);
    }

    #[test]
    fn bundle_paths_sit_beside_the_output_folder() {
        assert_eq!(
            bundle_paths(Path::new("/x/dist")).unwrap(),
            (
                PathBuf::from("/x/dist.tar.gz"),
                PathBuf::from("/x/dist.zip")
            )
        );
        assert_eq!(
            bundle_paths(Path::new("/")).unwrap_err().to_string(),
            "error: cannot name archives after the output folder `/`\n  \
             Pass --out with a folder name, e.g. --out dist (the archives become dist.tar.gz and dist.zip)."
        );
    }
}
