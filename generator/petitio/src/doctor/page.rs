//! What a served petition page says about where its signers go, read the way a browser
//! would act on it: the API endpoints (`data-api`, made absolute against the page), the
//! no-JS form's targets (`action`, each `formaction`), the "where we are now" note it
//! follows (`<body data-where-key data-where-sequence>`) and its Content-Security-Policy
//! (the response header and any `<meta http-equiv>` copy, each enforced on its own).
//!
//! The pages are the theme's (`petition.html`, `base.html`), so their attributes are
//! double-quoted as Tera writes them; attribute values are read with the character
//! references the autoescape writes decoded.

use petitio_model::weburl::{parse_http_url, Url};
use petitio_model::where_note::WhereNote;

use super::csp::Policy;

/// A petition page as served.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's origin, as a browser sends it in `Origin`.
    pub origin: String,
    /// Every API endpoint the page's script tries, absolute, in order, without a final `/`.
    pub endpoints: Vec<String>,
    /// Where the form without JavaScript posts: its `action`, then each `formaction`.
    pub form_targets: Vec<Url>,
    /// The verifier key and sequence of the note the page follows, when it follows one.
    pub where_key: Option<String>,
    pub where_sequence: u64,
    /// Every policy the browser enforces on the page: the header's, then the `<meta>`'s.
    pub policies: Vec<Policy>,
}

impl Page {
    /// Reads `html`, served at `url` with `csp_header` (the `Content-Security-Policy`
    /// header, if any).
    pub fn read(url: Url, html: &str, csp_header: Option<&str>) -> Page {
        let origin = url.origin().ascii_serialization();
        let absolute = |text: &str| {
            url.join(text)
                .ok()
                .filter(|u| parse_http_url(u.as_str()).is_some())
        };
        let endpoints = attribute(html, "data-api")
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(absolute)
            .map(|endpoint| endpoint.as_str().trim_end_matches('/').to_owned())
            .collect();
        let form_targets = tag(html, "<form id=\"sign\"")
            .and_then(|form| attribute(form, "action"))
            .into_iter()
            .chain(attributes(html, "formaction"))
            .filter_map(|target| absolute(&target))
            .collect();
        let body = tag(html, "<body").unwrap_or_default();
        let policies = csp_header
            .into_iter()
            .map(str::to_owned)
            .chain(meta_policy(html))
            .map(|text| Policy::parse(&text))
            .collect();
        Page {
            origin,
            endpoints,
            form_targets,
            where_key: attribute(body, "data-where-key"),
            where_sequence: attribute(body, "data-where-sequence")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            policies,
        }
    }
}

impl Page {
    /// The endpoints the page's script tries when it follows `note` (`endpointsOf` in
    /// `petitio.js`): the note's, then the page's own not on an origin the note abandoned.
    pub fn endpoints_following(&self, note: &WhereNote) -> Vec<String> {
        let mut endpoints: Vec<String> = note.api_endpoints.clone();
        for endpoint in &self.endpoints {
            let abandoned = parse_http_url(endpoint)
                .is_some_and(|url| note.abandoned.contains(&url.origin().ascii_serialization()));
            if !abandoned && !endpoints.contains(endpoint) {
                endpoints.push(endpoint.clone());
            }
        }
        endpoints
    }
}

/// The policy of `<meta http-equiv="Content-Security-Policy" content="...">`, if any.
fn meta_policy(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = rest.find("<meta ") {
        let meta = tag(&rest[at..], "<meta ")?;
        if attribute(meta, "http-equiv")
            .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
        {
            return attribute(meta, "content");
        }
        rest = &rest[at + meta.len()..];
    }
    None
}

/// The first tag starting with `start`, up to its `>`.
fn tag<'h>(html: &'h str, start: &str) -> Option<&'h str> {
    let at = html.find(start)?;
    let end = html[at..].find('>')?;
    Some(&html[at..at + end + 1])
}

/// The value of the first `name="..."` in `html`.
fn attribute(html: &str, name: &str) -> Option<String> {
    attributes(html, name).into_iter().next()
}

/// The value of every `name="..."` in `html`, in order.
fn attributes(html: &str, name: &str) -> Vec<String> {
    let marker = format!(" {name}=\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let value = &html[at + marker.len()..];
            value.find('"').map(|end| decode(&value[..end]))
        })
        .collect()
}

/// `text` with the character references the theme's escaping writes decoded.
fn decode(text: &str) -> String {
    [
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#x2F;", "/"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_endpoints_form_targets_note_and_policies() {
        let html = "<html><head><meta charset=\"utf-8\">\
            <meta http-equiv=\"Content-Security-Policy\" content=\"connect-src &#39;self&#39; https://w.example\">\
            </head><body data-i18n=\"x\" data-where-key=\"k+1+A\" data-where-sequence=\"3\">\
            <article data-api=\"/api https://w.example/api/\">\
            <form id=\"sign\" class=\"sign-form\" method=\"post\" action=\"/api/petitions/p/signatures\" data-api=\"/api\">\
            <button formaction=\"https://w.example/api/petitions/p/signatures\">";
        let url = Url::parse("https://a.example/kk/petitions/p/").unwrap();
        let page = Page::read(url, html, Some("connect-src 'self'"));
        assert_eq!(page.origin, "https://a.example");
        assert_eq!(
            page.endpoints,
            ["https://a.example/api", "https://w.example/api"]
        );
        assert_eq!(
            page.form_targets
                .iter()
                .map(Url::as_str)
                .collect::<Vec<_>>(),
            [
                "https://a.example/api/petitions/p/signatures",
                "https://w.example/api/petitions/p/signatures"
            ]
        );
        assert_eq!(page.where_key.as_deref(), Some("k+1+A"));
        assert_eq!(page.where_sequence, 3);
        assert_eq!(page.policies.len(), 2);
    }
}
