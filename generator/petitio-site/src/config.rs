//! `petitio.toml`: the site configuration, its defaults and its validation.
//!
//! Everything the rest of the generator needs about the site is resolved here once — the
//! absolute base URL, the base *path* every internal link starts with, languages, regions —
//! so renderers never re-derive or re-validate it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::api_endpoints::ApiEndpoints;
use crate::confine::SiteRoot;
use crate::error::{Error, Problem, ProblemKind};
use crate::frontmatter::{Fields, TomlSource};
use crate::regions::{self, Region};
use crate::where_file::{self, SignedWhereNote};
use petitio_model::cosignature::{CosignatureKey, CosignatureKeyProblem, MAX_WITNESSES};
use petitio_model::date::UtcOffset;
use petitio_model::lang::is_language_code;
use petitio_model::log_key::{VerifierKey, VerifierKeyProblem, KEY_NAME_RULE};
use petitio_model::slug::is_slug;
use petitio_model::transparency::MAX_REGION_BYTES;
use petitio_model::weburl::{parse_http_url, Url};

pub const CONFIG_FILE: &str = "petitio.toml";

const FIELDS: &[&str] = &[
    "base_url",
    "default_language",
    "languages",
    "api_url",
    "api_endpoints",
    "mirrors",
    "theme",
    "allow_raw_html",
    "title",
    "description",
    "regions",
    "utc_offset",
    "turnstile_site_key",
    "turnstile_script_url",
    "signature_confirmation",
    "log",
];

/// The fields of `[log]`.
const LOG_FIELDS: &[&str] = &["key", "witnesses"];

/// Cloudflare's Turnstile widget script, loaded only when a site key is set.
pub const DEFAULT_TURNSTILE_SCRIPT_URL: &str =
    "https://challenges.cloudflare.com/turnstile/v0/api.js";

/// The Turnstile widget the sign and withdraw forms render (the worker checks its token
/// with `TURNSTILE_SECRET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turnstile {
    /// The public site key.
    pub site_key: String,
    /// The widget's script: Cloudflare's, or a stand-in on this machine for tests.
    pub script_url: String,
    /// `scheme://host[:port]` of `script_url`: what the CSP allows to run and be framed.
    pub origin: String,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute, ends with `/`: used only for canonical links, feeds, sitemap and Open Graph.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`: every internal link starts with it.
    pub base_path: String,
    pub default_language: String,
    pub languages: Vec<String>,
    /// `api_endpoints` (or `api_url`): where pages send signatures, in the order they try.
    pub api_endpoints: ApiEndpoints,
    pub mirrors: Vec<String>,
    pub theme: String,
    pub allow_raw_html: bool,
    title: BTreeMap<String, String>,
    description: BTreeMap<String, String>,
    pub regions: Vec<Region>,
    /// The site's time zone (default +05:00, all of Kazakhstan): "today" for the date
    /// rules and for deadlines, on pages and in the signature API (through the manifest).
    pub utc_offset: UtcOffset,
    /// `turnstile_site_key` (and `turnstile_script_url`): the widget, when set.
    pub turnstile: Option<Turnstile>,
    /// `signature_confirmation`: `email` (the default) or `none`, as the worker's
    /// `SIGNATURE_CONFIRMATION` (`scripts/deploy` refuses the two out of step): what the
    /// petition pages tell signers.
    pub signature_confirmation: String,
    /// `[log] key`: the operator's public log key (a signed-note verifier key, written by
    /// `petitio keygen`), printed on petition pages and in open data, carried by the
    /// manifest; `None` until the operator makes one. `petitio serve` puts its local key
    /// here instead.
    pub log_key: Option<VerifierKey>,
    /// `[log] witnesses`: the witnesses whose cosignatures of its checkpoints the site
    /// accepts and serves with them (C2SP cosignature/v1 verifier keys, at most
    /// `MAX_WITNESSES`), carried by the manifest to the worker and `petitio serve`.
    pub witnesses: Vec<CosignatureKey>,
    /// `where.note` next to `petitio.toml`, checked against `log_key` and the site's
    /// origins when the config is loaded (before `petitio serve` replaces `log_key`);
    /// `None` when there is none (and always from [`Config::parse`], which reads no file).
    pub where_note: Option<SignedWhereNote>,
    /// `log_key` is `petitio serve`'s local key, not petitio.toml's: notes are signed by
    /// the operator's key, so the local pages follow none (`petitio-render`'s
    /// `where_readers`).
    pub log_key_is_local: bool,
}

impl Config {
    /// Reads `<root>/petitio.toml`; `base_url_override` replaces its `base_url` (`--base-url`).
    pub fn load(root: &Path, base_url_override: Option<&str>) -> Result<Config, Error> {
        let path = root.join(CONFIG_FILE);
        if !path.is_file() {
            return Err(Error::NotASite {
                root: root.to_path_buf(),
            });
        }
        // Read through the site's folder: its title and description are published.
        let text = SiteRoot::new(root)?
            .require_folder("")?
            .read_to_string(&path)?;
        let mut config = Config::parse(&text, base_url_override).map_err(Error::Content)?;
        config.where_note = where_file::load(root, config.log_key.as_ref(), &config.origins())?;
        Ok(config)
    }

    /// The site's own origins: `base_url`'s, then each mirror's.
    pub fn origins(&self) -> Vec<String> {
        where_file::origins_of(
            std::iter::once(self.base_url.as_str()).chain(self.mirrors.iter().map(String::as_str)),
        )
    }

    /// Parses the text of `petitio.toml`, collecting every problem.
    pub fn parse(text: &str, base_url_override: Option<&str>) -> Result<Config, Vec<Problem>> {
        let source = TomlSource::parse(CONFIG_FILE, text, 1).map_err(|p| vec![p])?;
        let fields = source.fields();
        let mut problems = Vec::new();
        fields.reject_unknown(FIELDS, &mut problems);

        let languages = match fields.strings(
            "languages",
            "an array of language codes like [\"kk\", \"ru\", \"en\"]",
            &mut problems,
        ) {
            Some(list) => {
                for lang in &list.value {
                    if !is_language_code(lang) {
                        problems.push(fields.problem(
                            "languages",
                            ProblemKind::Expected {
                                expected: "two or three lowercase letters like \"kk\"".into(),
                                found: format!("{lang:?}"),
                            },
                        ));
                    }
                }
                list.value
            }
            None => ["kk", "ru", "en"].map(str::to_owned).to_vec(),
        };
        let default_language = fields
            .string("default_language", &mut problems)
            .map_or_else(
                || {
                    languages
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "kk".to_owned())
                },
                |l| l.value,
            );
        if !languages.contains(&default_language) {
            problems.push(fields.problem(
                "default_language",
                ProblemKind::Expected {
                    expected: format!("one of `languages` ({})", languages.join(", ")),
                    found: format!("{default_language:?}"),
                },
            ));
        }

        let base_url = match base_url_override {
            Some(url) => parse_base_url(url).ok_or_else(|| {
                Problem::new(
                    "--base-url",
                    ProblemKind::Expected {
                        expected: BASE_URL_EXPECTED.into(),
                        found: format!("{url:?}"),
                    },
                )
            }),
            None => fields
                .require(
                    fields.string("base_url", &mut problems),
                    "base_url",
                    "base_url = \"https://petitio.example/\"",
                    &mut problems,
                )
                .map(|url| {
                    parse_base_url(&url.value).ok_or_else(|| {
                        fields.problem(
                            "base_url",
                            ProblemKind::Expected {
                                expected: BASE_URL_EXPECTED.into(),
                                found: format!("{:?}", url.value),
                            },
                        )
                    })
                })
                .unwrap_or_else(|| Ok(("https://petitio.example/".to_owned(), "/".to_owned()))),
        };
        let (base_url, base_path) = base_url.unwrap_or_else(|problem| {
            problems.push(problem);
            ("https://petitio.example/".to_owned(), "/".to_owned())
        });

        let api_endpoints = ApiEndpoints::read(&fields, &mut problems);
        let mirrors = fields
            .strings(
                "mirrors",
                "an array of URLs like [\"https://mirror.example/\"]",
                &mut problems,
            )
            .map_or_else(Vec::new, |m| m.value);
        let theme = fields
            .string("theme", &mut problems)
            .map_or_else(|| "default".to_owned(), |t| t.value);
        let allow_raw_html = fields
            .boolean("allow_raw_html", &mut problems)
            .unwrap_or(false);
        let valid_default = languages
            .contains(&default_language)
            .then_some(default_language.as_str());
        let title = per_language_table(&fields, "title", valid_default, &mut problems);
        let description = per_language_table(&fields, "description", None, &mut problems);
        if title.is_empty() && !fields.has("title") {
            problems.push(fields.problem(
                "title",
                ProblemKind::MissingField {
                    example: "[title] kk = \"Петициялар\"",
                },
            ));
        }
        let utc_offset =
            fields
                .string("utc_offset", &mut problems)
                .map_or_else(UtcOffset::default, |offset| {
                    UtcOffset::parse(&offset.value).unwrap_or_else(|| {
                        problems.push(
                        fields.problem(
                            "utc_offset",
                            ProblemKind::Expected {
                                expected:
                                    "an offset from UTC like \"+05:00\" (when deadline days end)"
                                        .into(),
                                found: format!("{:?}", offset.value),
                            },
                        ),
                    );
                        UtcOffset::default()
                    })
                });
        let regions = if fields.has("regions") {
            read_regions(&fields, &mut problems)
        } else {
            regions::kazakhstan()
        };

        let turnstile = read_turnstile(&fields, &mut problems);
        let signature_confirmation = fields
            .string("signature_confirmation", &mut problems)
            .map_or_else(|| "email".to_owned(), |mode| mode.value);
        if !["email", "none"].contains(&signature_confirmation.as_str()) {
            problems.push(fields.problem(
                "signature_confirmation",
                ProblemKind::Expected {
                    expected:
                        "\"email\" (signatures count once confirmed by email) or \"none\"".into(),
                    found: format!("{signature_confirmation:?}"),
                },
            ));
        }

        let log_key = read_log_key(&fields, &mut problems);
        let witnesses = read_witnesses(&fields, &mut problems);

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Config {
            log_key,
            witnesses,
            where_note: None,
            log_key_is_local: false,
            turnstile,
            signature_confirmation,
            base_url,
            base_path,
            default_language,
            languages,
            api_endpoints,
            mirrors,
            theme,
            allow_raw_html,
            title,
            description,
            regions,
            utc_offset,
        })
    }

    /// The site title in `lang`, falling back to the default language.
    pub fn title(&self, lang: &str) -> &str {
        self.per_language(&self.title, lang)
    }

    /// The site description in `lang`, falling back to the default language.
    pub fn description(&self, lang: &str) -> &str {
        self.per_language(&self.description, lang)
    }

    fn per_language<'a>(&self, map: &'a BTreeMap<String, String>, lang: &str) -> &'a str {
        map.get(lang)
            .or_else(|| map.get(&self.default_language))
            .map_or("", String::as_str)
    }

    /// `scheme://host[:port]` of `base_url`: the site's own origin.
    pub fn origin(&self) -> String {
        parse_plain_url(&self.base_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }

    /// The first API endpoint, without a trailing slash (`/api`, `https://api.example/api`):
    /// where the no-JS form posts and the open data links.
    pub fn api_url(&self) -> &str {
        self.api_endpoints.first()
    }

    /// A root-relative URL for `path` (given without a leading slash) under the base path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// The absolute URL for `path` under `base_url`.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

const BASE_URL_EXPECTED: &str = "an absolute http(s) URL like \"https://petitio.example/\", \
    its path made only of letters, digits, `-._~!$&'()*+,;=:@/` and %-escapes (no query or fragment)";

/// `(base_url ending in '/', base_path)`: an absolute http(s) URL, parsed by the `url`
/// crate (`petitio_model::weburl`: no user name or password, no white space), with no
/// query or fragment.
///
/// The path goes as it is into every internal link and, line by line, into `_headers`, so
/// its ASCII may be only what RFC 3986 allows in a URL (the `url` crate would silently drop
/// a newline or escape a backtick; refusing says what is wrong instead). Other characters
/// (an internationalised host or path) are converted by the `url` crate.
fn parse_base_url(text: &str) -> Option<(String, String)> {
    if !text
        .bytes()
        .all(|byte| !byte.is_ascii() || is_url_byte(byte))
    {
        return None;
    }
    let url = parse_plain_url(text)?;
    // `[` and `]` belong to an IPv6 host only; the `url` crate leaves them in a path.
    if !url.path().bytes().all(is_path_byte) {
        return None;
    }
    let path = format!("/{}", url.path().trim_matches('/'));
    let base_path = if path == "/" {
        path
    } else {
        format!("{path}/")
    };
    Some((
        format!("{}{base_path}", url.origin().ascii_serialization()),
        base_path,
    ))
}

/// RFC 3986 `pchar`, `/` and `%` (the start of an escape): what a base path may hold.
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte)
}

/// A path byte, or the `[`, `]` of an IPv6 host.
fn is_url_byte(byte: u8) -> bool {
    is_path_byte(byte) || b"[]".contains(&byte)
}

/// `turnstile_site_key` (letters, digits, `-`, `_`) and `turnstile_script_url` (https, or
/// http to this machine for a local stand-in; Cloudflare's by default).
fn read_turnstile(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> Option<Turnstile> {
    let site_key = fields.string("turnstile_site_key", problems);
    let script_url = fields.string("turnstile_script_url", problems);
    let site_key = site_key?.value;
    let valid_key = !site_key.is_empty()
        && site_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_key {
        problems.push(
            fields.problem(
                "turnstile_site_key",
                ProblemKind::Expected {
                    expected:
                        "Turnstile's public site key, letters, digits, - and _ like \"0x4AAAAAAA…\""
                            .into(),
                    found: format!("{site_key:?}"),
                },
            ),
        );
        return None;
    }
    let script_url =
        script_url.map_or_else(|| DEFAULT_TURNSTILE_SCRIPT_URL.to_owned(), |u| u.value);
    let Some(url) = parse_plain_url(&script_url)
        .filter(|url| url.scheme() == "https" || petitio_model::weburl::is_loopback(url))
    else {
        problems.push(fields.problem(
            "turnstile_script_url",
            ProblemKind::Expected {
                expected: "an https:// URL of the widget script (http:// only to this machine), or nothing for Cloudflare's".into(),
                found: format!("{script_url:?}"),
            },
        ));
        return None;
    };
    Some(Turnstile {
        site_key,
        origin: url.origin().ascii_serialization(),
        script_url: url.into(),
    })
}

/// `[log] key`, when there is one: a verifier key as `petitio keygen` writes it.
fn read_log_key(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> Option<VerifierKey> {
    let table = fields.table("log", problems)?;
    table.reject_unknown(LOG_FIELDS, problems);
    let text = table.string("key", problems)?;
    VerifierKey::parse(&text.value)
        .map_err(|problem| {
            let expected = match problem {
                VerifierKeyProblem::Private => {
                    "the PUBLIC key `<name>+<key id>+<key>`; this is the private key, which \
                     must never be published: move it to a file outside the repository, \
                     and since it was exposed, make a new pair with `petitio keygen --force`"
                        .to_owned()
                }
                VerifierKeyProblem::Name => format!(
                    "a verifier key whose name is {KEY_NAME_RULE}; make one with \
                     `petitio keygen --force --name <name>`"
                ),
                VerifierKeyProblem::Malformed => "a signed-note Ed25519 verifier key \
                    `<name>+<key id>+<key>` as `petitio keygen` writes it (copy it whole, or \
                    make a new pair with `petitio keygen --force`)"
                    .to_owned(),
            };
            problems.push(table.problem(
                "key",
                ProblemKind::Expected {
                    expected,
                    found: format!("{:?}", text.value),
                },
            ));
        })
        .ok()
}

/// `[log] witnesses`: witness verifier keys as `petitio keygen --witness` prints them, at
/// most [`MAX_WITNESSES`], each once.
fn read_witnesses(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> Vec<CosignatureKey> {
    const EXPECTED: &str = "an array of witness verifier keys \
        [\"<name>+<key id>+<key>\", ...] as `petitio keygen --witness` prints them";
    let Some(table) = fields.table("log", &mut Vec::new()) else {
        return Vec::new();
    };
    let Some(texts) = table.strings("witnesses", EXPECTED, problems) else {
        return Vec::new();
    };
    let mut keys: Vec<CosignatureKey> = Vec::with_capacity(texts.value.len());
    for text in &texts.value {
        let expected = match CosignatureKey::parse(text) {
            Ok(key) if keys.iter().any(|seen| seen.short() == key.short()) => {
                format!("each witness once; {} is listed twice", key.short())
            }
            Ok(key) => {
                keys.push(key);
                continue;
            }
            Err(CosignatureKeyProblem::Private) => "the witness's PUBLIC key \
                `<name>+<key id>+<key>`; this is a private key, which must never leave \
                the witness's machine: ask the witness for its verifier key, and tell it to \
                make a new key (`petitio keygen --witness --force`)"
                .to_owned(),
            Err(CosignatureKeyProblem::Malformed) => "a witness verifier key \
                `<name>+<key id>+<key>` (C2SP cosignature/v1: its key's base64 starts with \
                `B`) as `petitio keygen --witness` prints it; copy it whole from the witness"
                .to_owned(),
        };
        problems.push(table.problem(
            "witnesses",
            ProblemKind::Expected {
                expected,
                found: format!("{text:?}"),
            },
        ));
        return Vec::new();
    }
    if keys.len() > MAX_WITNESSES {
        problems.push(table.problem(
            "witnesses",
            ProblemKind::Expected {
                expected: format!("at most {MAX_WITNESSES} witnesses"),
                found: keys.len().to_string(),
            },
        ));
        return Vec::new();
    }
    keys
}

/// An absolute http(s) URL (`weburl::parse_http_url`) with no query or fragment.
fn parse_plain_url(text: &str) -> Option<Url> {
    parse_http_url(text).filter(|url| url.query().is_none() && url.fragment().is_none())
}

/// A `[title]`-like table of one string per language; the default language's entry is required
/// (`default_language` is `None` when it is itself invalid, which is reported already).
fn per_language_table(
    fields: &Fields<'_>,
    key: &str,
    default_language: Option<&str>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, String> {
    let Some(table) = fields.table(key, problems) else {
        return BTreeMap::new();
    };
    let mut map = BTreeMap::new();
    for lang in table.keys() {
        if let Some(text) = table.string(&lang, problems) {
            map.insert(lang, text.value);
        }
    }
    if let Some(default_language) = default_language.filter(|lang| !table.has(lang)) {
        problems.push(table.problem(
            default_language,
            ProblemKind::MissingField {
                example: "kk = \"...\"",
            },
        ));
    }
    map
}

fn read_regions(fields: &Fields<'_>, problems: &mut Vec<Problem>) -> Vec<Region> {
    let mut regions: Vec<Region> = Vec::new();
    for table in fields.tables("regions", problems) {
        let Some(code) = table.require(
            table.string("code", problems),
            "code",
            "code = \"almaty-city\"",
            problems,
        ) else {
            continue;
        };
        if !is_slug(&code.value) {
            problems.push(table.problem(
                "code",
                ProblemKind::BadSlug {
                    slug: code.value.clone(),
                },
            ));
        } else if code.value.len() > MAX_REGION_BYTES {
            problems.push(table.problem(
                "code",
                ProblemKind::RegionCodeTooLong {
                    code: code.value.clone(),
                },
            ));
        }
        if regions.iter().any(|r| r.code == code.value) {
            problems.push(table.problem(
                "code",
                ProblemKind::DuplicateSlug {
                    slug: code.value.clone(),
                    other: "another region".into(),
                },
            ));
        }
        let mut names = BTreeMap::new();
        for lang in table.keys() {
            if lang != "code" {
                if let Some(name) = table.string(&lang, problems) {
                    names.insert(lang, name.value);
                }
            }
        }
        regions.push(Region {
            code: code.value,
            names,
        });
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, None).unwrap()
    }

    #[test]
    fn defaults_fill_everything_but_base_url_and_title() {
        let config = config("base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n");
        assert_eq!(config.base_url, "https://p.example/");
        assert_eq!(config.base_path, "/");
        assert_eq!(config.languages, ["kk", "ru", "en"]);
        assert_eq!(config.default_language, "kk");
        assert_eq!(config.api_endpoints.all(), ["/api"]);
        assert_eq!(config.regions.len(), 21);
        assert_eq!(config.title("en"), "Т");
    }

    #[test]
    fn base_path_comes_from_base_url_or_its_override() {
        let text = "base_url = \"https://p.example/\"\napi_url = \"https://api.example:8443/api/\"\n[title]\nkk = \"Т\"\n";
        let config = Config::parse(text, Some("https://x.example/petitions")).unwrap();
        assert_eq!(config.base_url, "https://x.example/petitions/");
        assert_eq!(config.base_path, "/petitions/");
        assert_eq!(config.url("/kk/"), "/petitions/kk/");
        assert_eq!(config.api_url(), "https://api.example:8443/api");
    }

    #[test]
    fn api_endpoints_are_read_in_order_and_api_url_is_a_list_of_one() {
        let base = "base_url = \"https://p.example/\"\n";
        let title = "[title]\nkk = \"Т\"\n";
        let list = config(&format!(
            "{base}api_endpoints = [\"/api/\", \"https://petitio.acct.workers.dev/api\", \"https://other.example/v1\"]\n{title}"
        ));
        assert_eq!(
            list.api_endpoints.all(),
            [
                "/api",
                "https://petitio.acct.workers.dev/api",
                "https://other.example/v1"
            ]
        );
        assert_eq!(list.api_url(), "/api");
        let one = config(&format!(
            "{base}api_url = \"https://api.example/api\"\n{title}"
        ));
        assert_eq!(one.api_endpoints.all(), ["https://api.example/api"]);
    }

    #[test]
    fn every_bad_api_endpoint_is_reported() {
        let base = "base_url = \"https://p.example/\"\n";
        let title = "[title]\nkk = \"Т\"\n";
        let problems = |text: &str| -> Vec<String> {
            Config::parse(&format!("{base}{text}\n{title}"), None)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            problems("api_endpoints = []"),
            ["error: petitio.toml:2: field `api_endpoints`: expected at least one endpoint: a path like \"/api\" or an https:// URL like \"https://petitio.example.workers.dev/api\" (http:// only to localhost), without query or fragment, found []"]
        );
        assert_eq!(
            problems("api_endpoints = [\"/api\", \"/api/\"]"),
            ["error: petitio.toml:2: field `api_endpoints`: expected each endpoint once, found \"/api/\" twice"]
        );
        assert_eq!(
            problems("api_url = \"http://api.example/api\""),
            ["error: petitio.toml:2: field `api_url`: expected a path like \"/api\" or an https:// URL like \"https://petitio.example.workers.dev/api\" (http:// only to localhost), without query or fragment, found \"http://api.example/api\""]
        );
    }

    fn base_url(text: &str) -> Option<(String, String)> {
        parse_base_url(text)
    }

    #[test]
    fn base_urls_are_parsed_not_matched_by_prefix() {
        for (text, url, path) in [
            ("https://P.Example", "https://p.example/", "/"),
            (
                "https://p.example:443/petitions",
                "https://p.example/petitions/",
                "/petitions/",
            ),
            ("http://[::1]:8080/", "http://[::1]:8080/", "/"),
            (
                "https://петиция.example/",
                "https://xn--e1agazqz8d.example/",
                "/",
            ),
        ] {
            assert_eq!(base_url(text), Some((url.into(), path.into())), "{text}");
        }
        for text in [
            "http://localhost:@evil.example/",
            "https://user@p.example/",
            "https://p.example/?x=1",
            "https://evil.example#@p.example/",
            "https://p.exa\tmple/",
            "https://p.example/my site/",
            "ftp://p.example/",
            "p.example",
        ] {
            assert_eq!(base_url(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_time_zone_defaults_to_kazakhstans_and_a_bad_one_is_refused() {
        let base = "base_url = \"https://p.example/\"\n";
        let config = config(&format!(
            "{base}utc_offset = \"+06:00\"\n[title]\nkk = \"Т\"\n"
        ));
        assert_eq!(config.utc_offset.minutes, 360);
        let problems = Config::parse(
            &format!("{base}utc_offset = \"UTC+5\"\n[title]\nkk = \"Т\"\n"),
            None,
        )
        .unwrap_err();
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            ["error: petitio.toml:2: field `utc_offset`: expected an offset from UTC like \"+05:00\" (when deadline days end), found \"UTC+5\""]
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let problems = Config::parse(
            "base_url = \"ftp://x\"\ndefault_language = \"de\"\ncolour = 1\n[title]\nkk = \"Т\"\n",
            None,
        )
        .unwrap_err();
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "error: petitio.toml:3: field `colour`: unknown field; expected one of: base_url, default_language, languages, api_url, api_endpoints, mirrors, theme, allow_raw_html, title, description, regions, utc_offset, turnstile_site_key, turnstile_script_url, signature_confirmation, log",
                "error: petitio.toml:2: field `default_language`: expected one of `languages` (kk, ru, en), found \"de\"",
                "error: petitio.toml:1: field `base_url`: expected an absolute http(s) URL like \"https://petitio.example/\", its path made only of letters, digits, `-._~!$&'()*+,;=:@/` and %-escapes (no query or fragment), found \"ftp://x\"",
            ]
        );
    }

    #[test]
    fn a_base_url_whose_path_a_url_cannot_hold_is_refused() {
        for url in [
            "https://p.example/a\nb/",
            "https://p.example/a b/",
            "https://p.example/\"x\"/",
            "https://p.example/?q=1",
            "https://p.example/a]b",
            "https://p.example/[x]/",
            "https:z/petitio]ns.example/",
        ] {
            let text = format!(
                "base_url = {}\n[title]\nkk = \"Т\"\n",
                toml::Value::from(url)
            );
            let problems = Config::parse(&text, None).unwrap_err();
            let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(
                texts,
                [format!("error: petitio.toml:1: field `base_url`: expected {BASE_URL_EXPECTED}, found {url:?}")]
            );
        }
        let config =
            config("base_url = \"https://p.example/%D0%BF/a-b_c~d/\"\n[title]\nkk = \"Т\"\n");
        assert_eq!(config.base_path, "/%D0%BF/a-b_c~d/");
        let ipv6 = Config::parse(
            "base_url = \"https://[::1]:8443/sub\"\n[title]\nkk = \"Т\"\n",
            None,
        )
        .unwrap();
        assert_eq!(ipv6.base_url, "https://[::1]:8443/sub/");
    }

    const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    #[test]
    fn the_log_key_is_read_from_its_table() {
        let text = format!(
            "base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n[log]\nkey = \"{PETER}\"\n"
        );
        assert_eq!(config(&text).log_key.unwrap().as_str(), PETER);
        assert_eq!(
            config("base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n").log_key,
            None
        );
    }

    #[test]
    fn a_bad_log_key_names_file_line_field_and_fix() {
        let base = "base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n[log]\n";
        let texts = |log: &str| -> Vec<String> {
            Config::parse(&format!("{base}{log}"), None)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let broken = PETER.replace("c74f20a3", "c74f20a4");
        assert_eq!(
            texts(&format!("key = \"{broken}\"\n")),
            [format!("error: petitio.toml:5: field `log.key`: expected a signed-note Ed25519 verifier key `<name>+<key id>+<key>` as `petitio keygen` writes it (copy it whole, or make a new pair with `petitio keygen --force`), found \"{broken}\"")]
        );
        let private =
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
        assert_eq!(
            texts(&format!("key = \"{private}\"\n")),
            [format!("error: petitio.toml:5: field `log.key`: expected the PUBLIC key `<name>+<key id>+<key>`; this is the private key, which must never be published: move it to a file outside the repository, and since it was exposed, make a new pair with `petitio keygen --force`, found \"{private}\"")]
        );
        assert_eq!(
            texts("name = \"x\"\n"),
            ["error: petitio.toml:5: field `log.name`: unknown field; expected one of: key, witnesses"]
        );
    }

    const WITNESS: &str = "volunteer-1+1c43ee70+BNJuSpxHaPn24i4EYRHOkZfG2kiP+lNL87t5WIMLy06Q";

    /// `WITNESS`'s public key named `w<i>`, with the id that name gives it.
    fn witness_key(i: u8) -> String {
        const PUBLIC: [u8; 32] = [
            210, 110, 74, 156, 71, 104, 249, 246, 226, 46, 4, 97, 17, 206, 145, 151, 198, 218, 72,
            143, 250, 83, 75, 243, 187, 121, 88, 131, 11, 203, 78, 144,
        ];
        petitio_model::cosignature::verifier_key_text(&format!("w{i}"), &PUBLIC)
    }

    #[test]
    fn witnesses_are_read_checked_and_limited() {
        let base = format!(
            "base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n[log]\nkey = \"{PETER}\"\n"
        );
        let listed = |keys: &[&str]| {
            let list: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
            format!("{base}witnesses = [{}]\n", list.join(", "))
        };
        let witnesses = config(&listed(&[WITNESS])).witnesses;
        assert_eq!(witnesses.len(), 1);
        assert_eq!(witnesses[0].short(), "volunteer-1+1c43ee70");
        assert!(config(&base).witnesses.is_empty());
        let texts = |text: &str| -> Vec<String> {
            Config::parse(text, None)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            texts(&listed(&[WITNESS, WITNESS])),
            [format!("error: petitio.toml:6: field `log.witnesses`: expected each witness once; volunteer-1+1c43ee70 is listed twice, found \"{WITNESS}\"")]
        );
        let private =
            "PRIVATE+KEY+volunteer-1+1c43ee70+BL8uwgzm11FYzniCHTLiF3ooYnPThem9iy/LmyE0rlQJ";
        assert_eq!(
            texts(&listed(&[private])),
            [format!("error: petitio.toml:6: field `log.witnesses`: expected the witness's PUBLIC key `<name>+<key id>+<key>`; this is a private key, which must never leave the witness's machine: ask the witness for its verifier key, and tell it to make a new key (`petitio keygen --witness --force`), found \"{private}\"")]
        );
        // 17 distinct keys: the same public key under 17 names (each with its own id).
        let many: Vec<String> = (0..=MAX_WITNESSES).map(|i| witness_key(i as u8)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            texts(&listed(&many)),
            ["error: petitio.toml:6: field `log.witnesses`: expected at most 16 witnesses, found 17"]
        );
        assert_eq!(config(&listed(&many[..MAX_WITNESSES])).witnesses.len(), 16);
    }

    #[test]
    fn a_region_code_longer_than_a_log_entry_holds_is_refused() {
        let base = "base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n[[regions]]\n";
        let longest = "a".repeat(MAX_REGION_BYTES);
        assert_eq!(
            config(&format!("{base}code = \"{longest}\"\nkk = \"Ә\"\n")).regions[0].code,
            longest
        );
        let problems =
            Config::parse(&format!("{base}code = \"{longest}b\"\nkk = \"Ә\"\n"), None).unwrap_err();
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [format!("error: petitio.toml:5: field `regions[0].code`: `{longest}b` is 65 bytes long; a region code may have at most 64 (every signature's entry in the public log holds it): shorten it")]
        );
    }

    #[test]
    fn custom_regions_replace_the_default_list() {
        let config = config("base_url = \"https://p.example\"\n[title]\nkk = \"Т\"\n[[regions]]\ncode = \"north\"\nkk = \"Солтүстік\"\nen = \"North\"\n");
        assert_eq!(config.regions.len(), 1);
        assert_eq!(config.regions[0].name("ru", "kk"), "Солтүстік");
    }
}
