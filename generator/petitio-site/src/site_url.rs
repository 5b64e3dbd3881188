//! Site addresses, parsed with the `url` crate: the absolute URL a site is served at (its
//! `base_url`, a mirror, a new address to relocate to) and the origin of a separate API.
//! `petitio.toml` and `petitio relocate` accept and normalise them by the same rules.

use url::Url;

/// A site address: an absolute http(s) URL of the site root, always ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl(Url);

impl SiteUrl {
    /// Parses and normalises a site address (adds the trailing slash); the error says why
    /// `text` cannot be one.
    pub fn parse(text: &str) -> Result<SiteUrl, String> {
        let mut url = Url::parse(text.trim()).map_err(|e| e.to_string())?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err("it must start with https:// (or http://)".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("it has no host name".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("it must not have a query (?...) or fragment (#...)".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("it must not contain a user name or password".into());
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(SiteUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `scheme://host[:port]`, as browsers send it in the `Origin` header.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The path the site lives under, e.g. `/` or `/petitions/`.
    pub fn base_path(&self) -> &str {
        self.0.path()
    }

    /// The absolute URL of a path relative to the site root (`ru/petitions/x/`).
    pub fn join(&self, relative: &str) -> String {
        format!("{}{}", self.as_str(), relative.trim_start_matches('/'))
    }
}

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL; `None` for anything else
/// (a path like `/api`, another scheme, no host).
pub fn http_origin(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    let is_http = matches!(url.scheme(), "http" | "https");
    (is_http && url.host_str().is_some_and(|host| !host.is_empty()))
        .then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> SiteUrl {
        SiteUrl::parse(text).unwrap()
    }

    #[test]
    fn site_url_gets_a_trailing_slash_and_knows_its_origin() {
        let site = url("https://x.example:8443/petitions");
        assert_eq!(site.as_str(), "https://x.example:8443/petitions/");
        assert_eq!(site.origin(), "https://x.example:8443");
        assert_eq!(site.base_path(), "/petitions/");
        assert_eq!(
            site.join("/ru/open/"),
            "https://x.example:8443/petitions/ru/open/"
        );
    }

    #[test]
    fn site_url_rejects_what_cannot_be_a_site_root() {
        // The reasons `petitio relocate` shows are tested with its whole message there.
        assert_eq!(
            SiteUrl::parse("x.example").unwrap_err(),
            "relative URL without a base"
        );
        assert_eq!(SiteUrl::parse("https://").unwrap_err(), "empty host");
        assert_eq!(
            SiteUrl::parse("file:///srv/site/").unwrap_err(),
            "it must start with https:// (or http://)"
        );
    }

    #[test]
    fn only_absolute_http_urls_have_an_origin() {
        assert_eq!(
            http_origin("https://api.example:8443/api").as_deref(),
            Some("https://api.example:8443")
        );
        assert_eq!(http_origin("/api"), None);
        assert_eq!(http_origin("ftp://x.example/api"), None);
        assert_eq!(http_origin("mailto:a@b.example"), None);
    }
}
