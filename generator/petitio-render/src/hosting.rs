//! Files for the host rather than the reader: `_headers` (cache and security headers with a
//! strict CSP), `robots.txt`, and the worker manifest `_petitio/manifest.json`.
//!
//! The Content-Security-Policy is defined once, as a list of directives
//! ([`csp_directives`]): `_headers` sends all of them, and the policies pages carry in a
//! `<meta http-equiv>` element (the embeddable counter; every page of a bundle, which hosts
//! that ignore `_headers` serve) are the same list less what a `<meta>` policy cannot carry.

use std::collections::BTreeMap;

use petitio_model::manifest::{Manifest, ManifestPetition, ManifestWhere, MANIFEST_VERSION};
use petitio_model::urls;
use petitio_site::config::Config;
use petitio_site::content::{Petition, Site};

use crate::url_mode::Linker;

/// Cache lifetime of HTML and data: short, so a moved or updated site is picked up quickly.
const SHORT_CACHE: &str = "public, max-age=300";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Directives a policy delivered in a `<meta http-equiv>` element does not support (CSP
/// Level 3, "meta element"): browsers ignore them there, so only a header can carry them.
pub const HEADER_ONLY_DIRECTIVES: [&str; 3] = ["frame-ancestors", "report-uri", "sandbox"];

/// The Content-Security-Policy, directive by directive: no inline script or style, every
/// API endpoint's origin allowed (to fetch and to post forms to) when pages reach it on
/// another one (`api_endpoints` in petitio.toml, or a bundle's copy), and, only when `turnstile_site_key` is set, exactly the widget's origin as a
/// script and a frame (the widget runs in an iframe of that origin and posts nothing
/// itself: its token goes to the API inside the form).
/// `'wasm-unsafe-eval'` lets the search page's Pagefind compile its WebAssembly
/// (ARCHITECTURE.md, "Search"): it allows compiling wasm only, never JavaScript's `eval`
/// or inline script, and every script still comes from the site itself.
fn csp_directives(linker: &Linker) -> Vec<(&'static str, String)> {
    let api: String = linker
        .api_origins()
        .iter()
        .map(|origin| format!(" {origin}"))
        .collect();
    // Where pages fetch the "where we are now" note, and any API a newer one may name.
    let note_readers: String = linker
        .note_readers()
        .map(|readers| &readers.connect_sources[..])
        .unwrap_or_default()
        .iter()
        .filter(|source| !linker.api_origins().contains(source))
        .map(|source| format!(" {source}"))
        .collect();
    let turnstile = linker
        .turnstile_origin()
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let mut directives = vec![
        ("default-src", "'self'".to_owned()),
        (
            "script-src",
            format!("'self' 'wasm-unsafe-eval'{turnstile}"),
        ),
        ("style-src", "'self'".to_owned()),
        ("img-src", "'self' data:".to_owned()),
        ("connect-src", format!("'self'{api}{note_readers}")),
        ("form-action", format!("'self'{api}")),
        ("frame-ancestors", "'none'".to_owned()),
        ("base-uri", "'self'".to_owned()),
        ("object-src", "'none'".to_owned()),
    ];
    if !turnstile.is_empty() {
        directives.push(("frame-src", format!("'self'{turnstile}")));
    }
    directives
}

fn join_policy<'a>(directives: impl Iterator<Item = &'a (&'static str, String)>) -> String {
    directives
        .map(|(name, sources)| format!("{name} {sources}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The site's Content-Security-Policy, as the `_headers` file sends it.
pub fn content_security_policy(linker: &Linker) -> String {
    join_policy(csp_directives(linker).iter())
}

/// The same policy as a `<meta http-equiv="Content-Security-Policy">` element may carry it:
/// without [`HEADER_ONLY_DIRECTIVES`]. The embeddable counter sets it in its own `<meta>`
/// (its header policy is dropped so that other sites may frame that page and only that
/// page), and every page of a bundle carries it (`bundle.rs`).
pub fn meta_content_security_policy(linker: &Linker) -> String {
    let directives = csp_directives(linker);
    join_policy(
        directives
            .iter()
            .filter(|(name, _)| !HEADER_ONLY_DIRECTIVES.contains(name)),
    )
}

/// The headers `_headers` sends with every file, in order: the policy and the other
/// security headers. A bundle's README lists the same for hosts that need them set by hand.
pub fn security_headers(linker: &Linker) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Security-Policy", content_security_policy(linker)),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("X-Frame-Options", "DENY".to_owned()),
        (
            "Referrer-Policy",
            "strict-origin-when-cross-origin".to_owned(),
        ),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()".to_owned(),
        ),
        ("Strict-Transport-Security", "max-age=31536000".to_owned()),
        ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
    ]
}

/// The pages other sites may frame, as `_headers` patterns: the embeddable counters.
/// `_headers` drops their `Content-Security-Policy` and `X-Frame-Options` headers (the page
/// carries the rest of the policy in its own `<meta>`).
pub fn frameable_paths() -> [String; 2] {
    let embed = urls::embed(":lang", ":slug");
    [embed.clone(), urls::file_of(&embed)]
}

/// `_headers` in the Cloudflare Pages / Netlify format. Rules never overlap on `Cache-Control`:
/// hashed assets get `immutable`, everything else (pages, data, feeds) a short cache. The
/// rules start at the base path, or at a bundle copy's root.
pub fn headers(config: &Config, linker: &Linker) -> String {
    let base = linker.host_base();
    let mut text = format!("{base}*\n");
    for (name, value) in security_headers(linker) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    let short_cached = [
        "",
        urls::ROOT_REDIRECT,
        urls::NOT_FOUND,
        urls::ROBOTS,
        urls::SITEMAP,
        urls::DATA_FILES,
    ]
    .into_iter()
    .map(str::to_owned)
    // The search index: rebuilt with the site, and its entry files keep their names.
    .chain([format!("{}*", urls::SEARCH_INDEX_DIR)])
    .chain(config.languages.iter().map(|lang| format!("{lang}/*")));
    for path in short_cached {
        text.push_str(&format!("\n{base}{path}\n  Cache-Control: {SHORT_CACHE}\n"));
    }
    text.push_str(&format!(
        "\n{base}{}/*\n  Cache-Control: {IMMUTABLE}\n",
        urls::ASSETS_DIR
    ));
    // Open data is public and read-only: any site's script may read it.
    text.push_str(&format!(
        "\n{base}{}\n  Access-Control-Allow-Origin: *\n",
        urls::DATA_FILES
    ));
    // The signed note is read by copies and embeds on any origin, which check its signature;
    // short-cached, so a move reaches readers within minutes.
    if config.where_note.is_some() {
        text.push_str(&format!(
            "\n{base}{}\n  Content-Type: text/plain; charset=utf-8\n  Access-Control-Allow-Origin: *\n  \
             Cache-Control: {SHORT_CACHE}\n",
            urls::WHERE_NOTE
        ));
    }
    // The embeddable counter may be framed by any site: it drops the header policy (its
    // `frame-ancestors 'none'`) and X-Frame-Options, and carries the rest of the policy in
    // its own <meta> element (`meta_content_security_policy`).
    for path in frameable_paths() {
        text.push_str(&format!(
            "\n{base}{path}\n  ! Content-Security-Policy\n  ! X-Frame-Options\n"
        ));
    }
    text
}

/// `robots.txt`: everything may be crawled except the signing result pages and the
/// confirm and withdraw pages.
pub fn robots(config: &Config) -> String {
    let base = &config.base_path;
    let disallowed: String = [urls::SIGNED, urls::CONFIRM, urls::WITHDRAW]
        .iter()
        .map(|page| format!("Disallow: {base}*/{page}\n"))
        .collect();
    format!(
        "User-agent: *\n{disallowed}Allow: {base}\n\nSitemap: {}\n",
        config.absolute_url(urls::SITEMAP)
    )
}

/// The manifest the signature API reads (`petitio_model::manifest::Manifest`), from every
/// petition's [`manifest_entry`] in site order, with the theme's digit group separators.
pub fn manifest<'a>(
    site: &Site,
    number_groups: BTreeMap<String, String>,
    plural_tables: BTreeMap<String, String>,
    entries: impl Iterator<Item = &'a str>,
) -> Vec<u8> {
    let config = &site.config;
    let head = Manifest {
        log_key: config.log_key.clone(),
        witnesses: config.witnesses.clone(),
        where_note: config
            .where_note
            .as_ref()
            .map(|signed| ManifestWhere::from_note(&signed.note)),
        version: MANIFEST_VERSION,
        base_path: config.base_path.clone(),
        default_language: config.default_language.clone(),
        languages: config.languages.clone(),
        regions: config.regions.iter().map(|r| r.code.clone()).collect(),
        region_names: config
            .languages
            .iter()
            .map(|lang| {
                let names = config.regions.iter();
                let names = names.map(|r| r.name(lang, &config.default_language).to_owned());
                (lang.clone(), names.collect())
            })
            .collect(),
        number_groups,
        plural_tables,
        utc_offset: config.utc_offset,
        petitions: Vec::new(),
    };
    super::data::json_with_list(&head, entries)
}

/// One petition's entry of the manifest.
pub fn manifest_entry(petition: &Petition) -> String {
    let entry = ManifestPetition {
        slug: petition.slug.clone(),
        status: petition.status,
        deadline: petition.deadline,
        languages: petition
            .translations
            .iter()
            .map(|t| t.lang.clone())
            .collect(),
        titles: petition
            .translations
            .iter()
            .map(|t| (t.lang.clone(), t.title.clone()))
            .collect(),
        milestones: petition.milestones.clone(),
    };
    serde_json::to_string(&entry).expect("the manifest serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_mode::UrlMode;

    #[test]
    fn only_the_embed_page_may_be_framed() {
        let config = Config::parse(
            "base_url = \"https://p.example/sub/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let linker = Linker::new(&config, UrlMode::RootRelative);
        let text = headers(&config, &linker);
        assert!(text.starts_with("/sub/*\n  Content-Security-Policy: "));
        assert!(text.contains("frame-ancestors 'none'"));
        assert!(text.contains("X-Frame-Options: DENY"));
        assert!(text.contains(
            "\n/sub/:lang/petitions/:slug/embed/\n  ! Content-Security-Policy\n  ! X-Frame-Options\n"
        ));
        let embed = meta_content_security_policy(&linker);
        assert!(!embed.contains("frame-ancestors"));
        assert!(embed.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert_eq!(
            embed.replace("base-uri", "frame-ancestors 'none'; base-uri"),
            content_security_policy(&linker)
        );
    }

    #[test]
    fn csp_names_a_separate_api_origin() {
        let text = "base_url = \"https://p.example/\"\napi_url = \"https://api.example/v1\"\n[title]\nkk = \"T\"\n";
        let config = Config::parse(text, None).unwrap();
        assert_eq!(
            content_security_policy(&Linker::new(&config, UrlMode::RootRelative)),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://api.example; \
             form-action 'self' https://api.example; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
        );
    }

    #[test]
    fn csp_names_every_api_endpoint_origin() {
        let text = "base_url = \"https://p.example/\"\napi_endpoints = [\"/api\", \"https://petitio.acct.workers.dev/api\", \"https://b.example/api\"]\n[title]\nkk = \"T\"\n";
        let config = Config::parse(text, None).unwrap();
        let sources = "'self' https://petitio.acct.workers.dev https://b.example";
        for linker in [
            Linker::new(&config, UrlMode::RootRelative),
            Linker::new(&config, UrlMode::PageRelative),
        ] {
            let sources = match linker.mode() {
                UrlMode::RootRelative => sources.to_owned(),
                UrlMode::PageRelative => sources.replace("'self'", "'self' https://p.example"),
            };
            for policy in [
                content_security_policy(&linker),
                meta_content_security_policy(&linker),
            ] {
                assert!(
                    policy.contains(&format!("connect-src {sources};")),
                    "{policy}"
                );
                assert!(
                    policy.contains(&format!("form-action {sources};")),
                    "{policy}"
                );
            }
        }
    }

    #[test]
    fn a_site_following_notes_may_fetch_from_its_places_and_any_https_api() {
        let text = "base_url = \"https://p.example/\"\napi_endpoints = [\"/api\", \"https://w.example/api\"]\nmirrors = [\"https://m.example/\"]\n[title]\nkk = \"T\"\n[log]\nkey = \"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\"\n";
        let config = Config::parse(text, None).unwrap();
        let policy = content_security_policy(&Linker::new(&config, UrlMode::RootRelative));
        assert!(
            policy.contains(
                "connect-src 'self' https://w.example https://p.example https://m.example https:; \
                 form-action 'self' https://w.example;"
            ),
            "{policy}"
        );
    }
}
