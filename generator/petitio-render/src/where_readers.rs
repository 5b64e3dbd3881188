//! What a page needs to follow the signed "where we are now" note (#15): the verifier key
//! it checks the note against, the sequence of the note the site was built with, and the
//! places to fetch newer notes from. The page script (`petitio.js`, "where we are now")
//! reads them from `<body data-where-*>`; the CSP must let it fetch from every place and
//! reach the API endpoints a newer note may name.
//!
//! The places are every origin the site knows, each with the note's path under the site's
//! base path: `base_url`, each mirror, and the origin of each absolute API endpoint (the
//! worker serves the site there too); the page adds its own copy (a relative link). A
//! blocked origin does not answer; a re-registered one answers with a note the page
//! refuses (another key, or not a higher sequence).
//!
//! A newer note may move the API anywhere, which no build can know, so a site whose pages
//! follow notes (it has a `[log] key`) lets the script connect to any `https:` origin, and,
//! when the site itself runs on this machine (local tests and previews, where the note's
//! rules allow `http://`), to its loopback hosts on any port. Script sources stay `'self'`:
//! only the site's own script connects, and only to endpoints a note signed by the site's
//! key names.

use petitio_model::urls;
use petitio_model::weburl::{is_loopback, parse_http_url};
use petitio_site::config::Config;

/// The note's readers' settings for one render's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteReaders {
    /// The verifier key (`<name>+<key id>+<key>`).
    pub key: String,
    /// The sequence of the note the site was built with; 0 without one.
    pub sequence: u64,
    /// The note's absolute URL on every origin the site knows, each once, in order.
    pub places: Vec<String>,
    /// What `connect-src` adds for them: the places' origins, `https:`, and `http://<host>:*`
    /// for each loopback host the site uses.
    pub connect_sources: Vec<String>,
}

impl NoteReaders {
    /// `None` when the site has no log key, or only `petitio serve`'s local one: its pages
    /// follow no note.
    pub fn new(config: &Config, api_endpoints: &[String]) -> Option<NoteReaders> {
        let key = config
            .log_key
            .as_ref()
            .filter(|_| !config.log_key_is_local)?;
        let site_roots = std::iter::once(config.base_url.clone()).chain(
            config
                .mirrors
                .iter()
                .map(|mirror| format!("{}/", mirror.trim_end_matches('/'))),
        );
        let api_roots = api_endpoints
            .iter()
            .filter_map(|endpoint| parse_http_url(endpoint))
            .map(|url| format!("{}{}", url.origin().ascii_serialization(), config.base_path));
        let mut places = Vec::new();
        let mut connect_sources = Vec::new();
        let mut loopback_sources = Vec::new();
        for root in site_roots.chain(api_roots) {
            let Some(url) = parse_http_url(&root) else {
                continue;
            };
            push_once(&mut places, format!("{root}{}", urls::WHERE_NOTE));
            push_once(&mut connect_sources, url.origin().ascii_serialization());
            if url.scheme() == "http" && is_loopback(&url) {
                let host = url.host_str().unwrap_or_default();
                push_once(&mut loopback_sources, format!("http://{host}:*"));
            }
        }
        connect_sources.push("https:".to_owned());
        connect_sources.extend(loopback_sources);
        Some(NoteReaders {
            key: key.as_str().to_owned(),
            sequence: config.where_note.as_ref().map_or(0, |w| w.note.sequence),
            places,
            connect_sources,
        })
    }
}

fn push_once(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    fn config(extra: &str) -> Config {
        Config::parse(
            &format!(
                "base_url = \"https://a.example/sub/\"\n{extra}[title]\nkk = \"T\"\n[log]\nkey = \"{KEY}\"\n"
            ),
            None,
        )
        .unwrap()
    }

    #[test]
    fn every_origin_the_site_knows_is_a_place_and_any_https_api_is_reachable() {
        let site = config("mirrors = [\"https://m.example/copy\"]\n");
        let endpoints = [
            "/api".to_owned(),
            "https://w.example/api".to_owned(),
            "https://w.example/v2".to_owned(),
        ];
        let readers = NoteReaders::new(&site, &endpoints).unwrap();
        assert_eq!(readers.key, KEY);
        assert_eq!(readers.sequence, 0);
        assert_eq!(
            readers.places,
            [
                "https://a.example/sub/.well-known/petitio-where",
                "https://m.example/copy/.well-known/petitio-where",
                "https://w.example/sub/.well-known/petitio-where",
            ]
        );
        assert_eq!(
            readers.connect_sources,
            [
                "https://a.example",
                "https://m.example",
                "https://w.example",
                "https:"
            ]
        );
    }

    #[test]
    fn a_local_site_reaches_its_loopback_hosts_on_any_port() {
        let site = Config::parse(
            &format!(
                "base_url = \"http://127.0.0.1:8000/\"\nmirrors = [\"http://localhost:9000/\"]\n[title]\nkk = \"T\"\n[log]\nkey = \"{KEY}\"\n"
            ),
            None,
        )
        .unwrap();
        let readers = NoteReaders::new(&site, &["http://127.0.0.1:8001/api".to_owned()]).unwrap();
        assert_eq!(
            readers.connect_sources,
            [
                "http://127.0.0.1:8000",
                "http://localhost:9000",
                "http://127.0.0.1:8001",
                "https:",
                "http://127.0.0.1:*",
                "http://localhost:*",
            ]
        );
    }

    #[test]
    fn a_site_without_a_log_key_follows_no_note() {
        let site = Config::parse(
            "base_url = \"https://a.example/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        assert_eq!(NoteReaders::new(&site, &["/api".to_owned()]), None);
    }

    #[test]
    fn pages_made_with_petitio_serves_local_key_follow_no_note() {
        let mut site = config("");
        assert!(NoteReaders::new(&site, &["/api".to_owned()]).is_some());
        site.log_key_is_local = true;
        assert_eq!(NoteReaders::new(&site, &["/api".to_owned()]), None);
    }
}
