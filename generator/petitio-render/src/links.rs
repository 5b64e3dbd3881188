//! Internal link and anchor checking for `petitio check`.
//!
//! The site is rendered into a [`LinkCollector`] that keeps, per HTML page, only its internal
//! links and element ids (never the HTML itself), so checking a large site stays lean. Every
//! root-relative link (under the base path) must resolve to a produced file, and a `#fragment`
//! must name an element id on the target page.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use crate::error::Error;
use crate::sink::Sink;
use petitio_site::error::{Problem, ProblemKind};

/// The internal links and ids of one page.
#[derive(Debug, Default)]
struct PageLinks {
    links: Vec<String>,
    ids: HashSet<String>,
}

/// A [`Sink`] that records what link checking needs.
pub struct LinkCollector {
    base_path: String,
    files: Mutex<HashSet<String>>,
    pages: Mutex<BTreeMap<String, PageLinks>>,
}

impl LinkCollector {
    pub fn new(base_path: &str) -> LinkCollector {
        LinkCollector {
            base_path: base_path.to_owned(),
            files: Mutex::default(),
            pages: Mutex::default(),
        }
    }

    /// Every broken link or anchor, in page order.
    pub fn problems(self) -> Vec<Problem> {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        let pages = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut problems = Vec::new();
        for (path, page) in &pages {
            for href in &page.links {
                let (target, fragment) = match href.split_once('#') {
                    Some((target, fragment)) => (target, Some(fragment)),
                    None => (href.as_str(), None),
                };
                let target = target.split('?').next().unwrap_or_default();
                let site_path = target.strip_prefix(&self.base_path).unwrap_or(target);
                if site_path.starts_with(petitio_model::urls::LOG_DIR) {
                    // The transparency logs are served (worker, `petitio serve`), not built.
                    continue;
                }
                let resolved = if target.is_empty() {
                    Some(path.clone())
                } else {
                    resolve(
                        target.strip_prefix(&self.base_path).unwrap_or(target),
                        &files,
                    )
                };
                let Some(resolved) = resolved else {
                    problems.push(Problem::new(
                        path.clone(),
                        ProblemKind::BrokenLink { href: href.clone() },
                    ));
                    continue;
                };
                if let Some(anchor) = fragment.filter(|f| !f.is_empty()) {
                    let has_id = pages.get(&resolved).is_some_and(|p| p.ids.contains(anchor));
                    if !has_id {
                        problems.push(Problem::new(
                            path.clone(),
                            ProblemKind::BrokenAnchor {
                                href: href.clone(),
                                anchor: anchor.to_owned(),
                            },
                        ));
                    }
                }
            }
        }
        problems
    }
}

fn resolve(relative: &str, files: &HashSet<String>) -> Option<String> {
    let candidates = if relative.is_empty() || relative.ends_with('/') {
        vec![format!("{relative}index.html")]
    } else {
        vec![relative.to_owned(), format!("{relative}/index.html")]
    };
    candidates.into_iter().find(|c| files.contains(c))
}

impl Sink for LinkCollector {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            let links = attribute_values(&html, "href")
                .chain(attribute_values(&html, "src"))
                .filter(|v| {
                    v.starts_with('#') || (v.starts_with(&self.base_path) && !v.starts_with("//"))
                })
                .collect();
            let ids = attribute_values(&html, "id").collect();
            self.pages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_owned(), PageLinks { links, ids });
        }
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned());
        Ok(())
    }
}

/// Values of `name="..."` attributes in `html`, with `&amp;` unescaped.
fn attribute_values<'h>(html: &'h str, name: &str) -> impl Iterator<Item = String> + 'h {
    let needle = format!("{name}=\"");
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find(&needle)?;
        let preceded_by_space = rest[..start].ends_with(|c: char| c.is_ascii_whitespace());
        rest = &rest[start + needle.len()..];
        let end = rest.find('"')?;
        let value = &rest[..end];
        rest = &rest[end..];
        if preceded_by_space {
            return Some(value.replace("&amp;", "&"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pages: &[(&str, &str)]) -> Vec<String> {
        let collector = LinkCollector::new("/");
        for (path, html) in pages {
            collector.put(path, html.as_bytes().to_vec()).unwrap();
        }
        collector
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn resolves_folders_files_and_anchors() {
        let problems = check(&[
            (
                "index.html",
                r##"<a href="/kk/">x</a> <a href="/kk/#top">t</a> <img src="/a.css"> <a href="#here">h</a> <p id="here">"##,
            ),
            ("kk/index.html", r#"<main id="top"></main>"#),
            ("a.css", ""),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn reports_missing_pages_and_anchors() {
        let problems = check(&[(
            "kk/index.html",
            r##"<a href="/kk/nope/">x</a> <a href="/kk/#gone">y</a> <a data-href="/ignored">z</a>"##,
        )]);
        assert_eq!(
            problems,
            [
                "error: kk/index.html: link to `/kk/nope/` does not resolve to any page or file of the site",
                "error: kk/index.html: link to `/kk/#gone`: the page has no element with id `gone`",
            ]
        );
    }
}
