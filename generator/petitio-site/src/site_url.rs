//! Site addresses for `petitio relocate`: the new address, the old one and the mirrors,
//! parsed with the `url` crate (`petitio_model::weburl`'s rules: http(s), a host, no user
//! name or password, no white space), with a reason for each refusal.

use petitio_model::weburl::Url;

/// A site address: an absolute http(s) URL of the site root, always ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl(Url);

impl SiteUrl {
    /// Parses and normalises a site address (adds the trailing slash); the error says why
    /// `text` cannot be one.
    pub fn parse(text: &str) -> Result<SiteUrl, String> {
        let text = text.trim();
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("it must not contain white space".into());
        }
        let mut url = Url::parse(text).map_err(|e| e.to_string())?;
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
        // The URL Standard would drop the tab and name another host than the text shows.
        assert_eq!(
            SiteUrl::parse("https://exa\tmple.org/").unwrap_err(),
            "it must not contain white space"
        );
    }
}
