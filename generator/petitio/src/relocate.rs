//! `petitio relocate`: move the whole site to a new domain in one command.
//!
//! The site this is built for gets blocked by court order and must reappear elsewhere within
//! minutes, losing no signature. Relocation therefore touches only configuration and output:
//!
//! 1. `petitio.toml`: `base_url` becomes the new address; the old one is kept among `mirrors`
//!    only when the operator says it is still reachable; the new one leaves `mirrors`.
//!    Edited with `toml_edit`, so comments and layout survive.
//! 2. the worker config (`edge-worker/wrangler.toml`): `ALLOWED_ORIGINS` becomes the new origin
//!    plus the mirrors, and the route points at the new domain. The KV namespace binding is left
//!    alone: every signature and count carries over.
//! 3. the site is rebuilt for the new base URL (atomically, like `petitio build`).
//! 4. a small "we moved" site for the old domain: a notice in every language at every old path
//!    (linking to the same page on the new domain and listing the mirrors), plus redirect rules
//!    for hosts that read them (`_redirects` for Cloudflare Pages and Netlify, `.htaccess` for
//!    Apache).
//!
//! The pure steps (`plan_site_config`, `plan_worker_config`) are separate from the file
//! system so they are tested on strings. The "we moved" site is rendered from the theme
//! (`petitio_render::moved`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use toml_edit::{value, Array, DocumentMut, InlineTable, Item, Value};

use petitio_render::moved::{Move, MovedSite};
use petitio_render::{BuildOptions, BuildReport};
use petitio_site::config::Config;
use petitio_site::site_url::SiteUrl;

use crate::config_file::{read_config, replace_file};
use crate::error::Error;
use crate::where_sign::{WhereSignReport, WhereSigner};
use petitio_site::where_file::WHERE_FILE;

/// What to relocate and where the results go.
#[derive(Debug, Clone)]
pub struct RelocateOptions {
    pub root: PathBuf,
    pub new_base_url: String,
    /// Keep the old address among the mirrors (only if it is still reachable somewhere).
    pub keep_old_as_mirror: bool,
    /// The worker config to update; skipped when the file does not exist (static host only).
    pub worker_config: PathBuf,
    /// Where the site is rebuilt.
    pub out: PathBuf,
    /// Where the "we moved" site for the old domain is written.
    pub moved_out: PathBuf,
    /// The log key's private half, to sign the next `where.note` when the site has one
    /// (`None`: the default key file).
    pub key_file: Option<PathBuf>,
}

/// What `relocate` changed.
#[derive(Debug, Clone)]
pub struct RelocateReport {
    pub old_base_url: String,
    pub new_base_url: String,
    pub mirrors: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub worker_config_updated: bool,
    pub moved_pages: usize,
    pub build: BuildReport,
    /// The "where we are now" note signed for the new address, when the site has one.
    pub where_note: Option<WhereSignReport>,
    /// Whether the site's forms carry the Turnstile widget (`turnstile_site_key`).
    pub turnstile: bool,
    pub elapsed: Duration,
}

impl RelocateReport {
    /// What is left to do by hand in Cloudflare after the files are written, one step per
    /// entry, each naming the `petitio doctor` check that verifies it (docs/operations.md,
    /// "Step by step"); the last entries are the doctor commands to run.
    pub fn remaining_steps(&self, worker_config: &Path) -> Vec<String> {
        let new_base = SiteUrl::parse(&self.new_base_url).expect("relocate parsed it");
        let host = new_base.host();
        let mirror_hosts: Vec<String> = self
            .mirrors
            .iter()
            .filter_map(|m| SiteUrl::parse(m).ok())
            .map(|m| m.host().to_owned())
            .collect();
        let mut steps = Vec::new();
        let route = if new_base.base_path() == "/" {
            steps.push(format!(
                "DNS: add {host} to the Cloudflare account (or point its name servers to \
                 Cloudflare); the custom domain below creates its record and certificate. \
                 Checked by `api`."
            ));
            format!("the custom domain {host}")
        } else {
            steps.push(format!(
                "DNS: the zone {zone} must be in the Cloudflare account, with a proxied DNS record \
                 for {host}; check zone_name in {config} (guessed from the last two labels). \
                 Checked by `api`.",
                zone = zone_of(host),
                config = worker_config.display()
            ));
            format!("the route {host}{}*", new_base.base_path())
        };
        steps.push(if self.worker_config_updated {
            format!(
                "Route: `scripts/deploy` publishes the worker on {route} with ALLOWED_ORIGINS = \
                 {} (from {}). Checked by `api` and `cors`.",
                self.allowed_origins.join(","),
                worker_config.display()
            )
        } else {
            format!(
                "API: make it answer on {route} with ALLOWED_ORIGINS = {}. Checked by `api` \
                 and `cors`.",
                self.allowed_origins.join(",")
            )
        });
        if self.turnstile {
            let mut hosts = vec![host.to_owned()];
            hosts.extend(mirror_hosts);
            steps.push(format!(
                "Turnstile: add {} to the widget's host names (Turnstile, the widget, Hostname \
                 management); keys unchanged. No check can see this from outside: sign once on \
                 {}.",
                hosts.join(", "),
                self.new_base_url
            ));
        }
        steps.push(
            "Secrets: nothing to do: SIGNING_KEY, LOG_SIGNING_KEY and TURNSTILE_SECRET stay, the KV \
             namespace too (signatures and counts carry over)."
                .to_owned(),
        );
        if !self.mirrors.is_empty() {
            steps.push(format!(
                "Mirrors: publish the new build on {} (pages, _headers{}). Checked by `csp`, \
                 `note` and `manifest` on each.",
                self.mirrors.join(", "),
                if self.where_note.is_some() {
                    ", .well-known/petitio-where"
                } else {
                    ""
                }
            ));
        }
        let mut lines: Vec<String> = steps
            .iter()
            .enumerate()
            .map(|(i, step)| format!("  {}. {step}", i + 1))
            .collect();
        lines.push("Then check each address (every check ok or warn):".to_owned());
        for site in std::iter::once(&self.new_base_url).chain(&self.mirrors) {
            lines.push(format!("  petitio doctor {site}"));
        }
        lines
    }
}

/// `text` as a site address, or the error saying why it cannot be one.
fn site_url(text: &str) -> Result<SiteUrl, Error> {
    SiteUrl::parse(text).map_err(|reason| Error::InvalidBaseUrl {
        url: text.to_owned(),
        reason,
    })
}

/// The new `petitio.toml` text and the resulting mirror list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfigPlan {
    pub text: String,
    pub old_base_url: SiteUrl,
    pub mirrors: Vec<String>,
}

/// Rewrites `petitio.toml` for the new base URL, keeping comments and layout.
pub fn plan_site_config(
    config_path: &Path,
    text: &str,
    new_base: &SiteUrl,
    keep_old_as_mirror: bool,
) -> Result<SiteConfigPlan, Error> {
    let config_error = |reason: String| Error::RelocateConfig {
        path: config_path.to_owned(),
        reason,
    };
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| config_error(e.to_string()))?;
    let old_text = doc
        .get("base_url")
        .and_then(Item::as_str)
        .ok_or_else(|| config_error("it has no `base_url = \"https://...\"` to move from".into()))?
        .to_owned();
    let old_base = site_url(&old_text)?;
    if &old_base == new_base {
        return Err(Error::RelocateSameUrl {
            url: new_base.as_str().to_owned(),
        });
    }

    let mut mirrors = Vec::new();
    if let Some(item) = doc.get("mirrors") {
        let array = item
            .as_array()
            .ok_or_else(|| config_error("`mirrors` must be a list of URLs".into()))?;
        for entry in array {
            let mirror = entry
                .as_str()
                .ok_or_else(|| config_error("`mirrors` must be a list of URLs".into()))?;
            mirrors.push(site_url(mirror)?);
        }
    }
    mirrors.retain(|m| m != new_base && m != &old_base);
    if keep_old_as_mirror {
        mirrors.insert(0, old_base.clone());
    }

    replace_keeping_decor(&mut doc, "base_url", Value::from(new_base.as_str()));
    let mut array = Array::new();
    for mirror in &mirrors {
        array.push(mirror.as_str());
    }
    replace_keeping_decor(&mut doc, "mirrors", Value::Array(array));
    Ok(SiteConfigPlan {
        text: doc.to_string(),
        old_base_url: old_base,
        mirrors: mirrors.iter().map(|m| m.as_str().to_owned()).collect(),
    })
}

/// Sets `key` to `new`, keeping the comments and spacing around the old value.
fn replace_keeping_decor(doc: &mut DocumentMut, key: &str, mut new: Value) {
    if let Some(old) = doc.get(key).and_then(Item::as_value) {
        *new.decor_mut() = old.decor().clone();
    }
    doc[key] = Item::Value(new);
}

/// The origins the signature API must accept: the site itself and every mirror.
pub fn allowed_origins(new_base: &SiteUrl, mirrors: &[String]) -> Result<Vec<String>, Error> {
    let mut origins = vec![new_base.origin()];
    for mirror in mirrors {
        let origin = site_url(mirror)?.origin();
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// Rewrites the worker config: `ALLOWED_ORIGINS` and the route for the new domain. The KV
/// binding and everything else stay as they are.
pub fn plan_worker_config(
    config_path: &Path,
    text: &str,
    new_base: &SiteUrl,
    origins: &[String],
) -> Result<String, Error> {
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| Error::RelocateConfig {
                path: config_path.to_owned(),
                reason: e.to_string(),
            })?;
    if doc.get("vars").is_none() {
        doc["vars"] = toml_edit::table();
    }
    let vars = doc["vars"]
        .as_table_like_mut()
        .ok_or_else(|| Error::RelocateConfig {
            path: config_path.to_owned(),
            reason: "`vars` must be a table".into(),
        })?;
    let origins_value = Value::from(origins.join(","));
    match vars.get_mut("ALLOWED_ORIGINS").and_then(Item::as_value_mut) {
        // Replace the value in place: the comment above the key belongs to the key.
        Some(existing) => {
            let decor = existing.decor().clone();
            *existing = origins_value;
            *existing.decor_mut() = decor;
        }
        None => {
            vars.insert("ALLOWED_ORIGINS", Item::Value(origins_value));
        }
    }

    // A custom domain serves the whole host; a site under a subpath needs a route pattern.
    let mut route = InlineTable::new();
    if new_base.base_path() == "/" {
        route.insert("pattern", Value::from(new_base.host()));
        route.insert("custom_domain", Value::from(true));
    } else {
        route.insert(
            "pattern",
            Value::from(format!("{}{}*", new_base.host(), new_base.base_path())),
        );
        route.insert("zone_name", Value::from(zone_of(new_base.host())));
    }
    let mut routes = Array::new();
    routes.push(Value::InlineTable(route));
    doc["routes"] = value(routes);
    Ok(doc.to_string())
}

/// The DNS zone a route belongs to: the last two labels (`a.b.example` -> `b.example`).
/// Operators with a longer public suffix (e.g. `.com.kz`) edit `zone_name` by hand.
fn zone_of(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

/// Runs the whole relocation. Both configs are planned (and so validated) before either is
/// written, and the build runs before the moved site is written: a failure leaves the
/// previous `dist/` in place.
pub fn relocate(opts: &RelocateOptions) -> Result<RelocateReport, Error> {
    let started = Instant::now();
    let new_base = site_url(&opts.new_base_url)?;
    let site_config_path = opts.root.join("petitio.toml");
    let site_text = read_config(&opts.root, &site_config_path)?;
    let site_plan = plan_site_config(
        &site_config_path,
        &site_text,
        &new_base,
        opts.keep_old_as_mirror,
    )?;
    let origins = allowed_origins(&new_base, &site_plan.mirrors)?;
    let worker_plan = if opts.worker_config.exists() {
        let text = read_config(&opts.root, &opts.worker_config)?;
        Some(plan_worker_config(
            &opts.worker_config,
            &text,
            &new_base,
            &origins,
        )?)
    } else {
        None
    };

    // A site with a signed note gets the next one (sequence + 1, the old origin abandoned
    // unless kept as a mirror); the key is read before anything is written.
    let where_note = if opts.root.join(WHERE_FILE).is_file() {
        let signer = WhereSigner::new(&opts.root, opts.key_file.as_deref(), &site_text)?;
        Some(signer.sign(&site_plan.text)?)
    } else {
        None
    };
    let old_note = match &where_note {
        Some(report) => Some(read_config(&opts.root, &report.path)?),
        None => None,
    };

    replace_file(&site_config_path, &site_plan.text)?;
    if let Some(report) = &where_note {
        replace_file(&report.path, &report.signed)?;
    }
    let build_options = BuildOptions {
        root: opts.root.clone(),
        out: opts.out.clone(),
        base_url: None,
        drafts: false,
        counts: None,
        extra_body_scripts: Vec::new(),
        bundle: false,
        // The moved site searches like the old one.
        indexer: Some(std::sync::Arc::new(petitio_search::Pagefind)),
        log_key: None,
    };
    let build = match petitio_render::build(&build_options) {
        Ok(report) => report,
        Err(error) => {
            // Put the old config and note back so the repository stays consistent with dist/.
            replace_file(&site_config_path, &site_text)?;
            if let (Some(report), Some(old)) = (&where_note, &old_note) {
                replace_file(&report.path, old)?;
            }
            return Err(error.into());
        }
    };
    if let Some(text) = &worker_plan {
        replace_file(&opts.worker_config, text)?;
    }
    let config = Config::load(&opts.root, None)?;
    let moved = Move {
        old_base: &site_plan.old_base_url,
        new_base: &new_base,
        mirrors: &site_plan.mirrors,
    };
    let moved_pages =
        MovedSite::new(&opts.root, &config, moved)?.write(&opts.out, &opts.moved_out)?;
    Ok(RelocateReport {
        old_base_url: site_plan.old_base_url.as_str().to_owned(),
        new_base_url: new_base.as_str().to_owned(),
        mirrors: site_plan.mirrors,
        allowed_origins: origins,
        worker_config_updated: worker_plan.is_some(),
        moved_pages,
        build,
        where_note,
        turnstile: config.turnstile.is_some(),
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "# where the site lives\nbase_url = \"https://old.example/\" # canonical\nlanguages = [\"kk\", \"ru\"]\nmirrors = [\"https://mirror.example/\", \"https://new.example/\"]\n\n[title]\nkk = \"T\"\n";

    fn url(text: &str) -> SiteUrl {
        SiteUrl::parse(text).unwrap()
    }

    #[test]
    fn site_url_rejects_what_cannot_be_a_site_root() {
        for (text, reason) in [
            (
                "ftp://x.example/",
                "it must start with https:// (or http://)",
            ),
            (
                "https://x.example/?a=1",
                "it must not have a query (?...) or fragment (#...)",
            ),
            (
                "https://u:p@x.example/",
                "it must not contain a user name or password",
            ),
        ] {
            let error = site_url(text).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("error: `{text}` is not a usable site address: {reason}\n  Give the new address like https://new.example/ or https://new.example/petitions/")
            );
        }
    }

    #[test]
    fn site_config_moves_base_url_and_keeps_comments() {
        let plan = plan_site_config(
            Path::new("petitio.toml"),
            SITE,
            &url("https://new.example"),
            false,
        )
        .unwrap();
        assert!(plan.text.contains("# where the site lives"));
        assert!(plan
            .text
            .contains("base_url = \"https://new.example/\" # canonical"));
        assert_eq!(plan.mirrors, ["https://mirror.example/"]);
        assert_eq!(plan.old_base_url.as_str(), "https://old.example/");
        assert!(!plan.text.contains("old.example"));
    }

    #[test]
    fn site_config_keeps_the_old_domain_as_mirror_when_asked() {
        let plan = plan_site_config(
            Path::new("petitio.toml"),
            SITE,
            &url("https://new.example/"),
            true,
        )
        .unwrap();
        assert_eq!(
            plan.mirrors,
            ["https://old.example/", "https://mirror.example/"]
        );
    }

    #[test]
    fn moving_to_the_same_address_is_refused() {
        let error = plan_site_config(
            Path::new("petitio.toml"),
            SITE,
            &url("https://old.example/"),
            false,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "error: the site already lives at https://old.example/; nothing to relocate"
        );
    }

    #[test]
    fn worker_config_gets_origins_and_a_route() {
        let text = "name = \"petitio\"\n[[kv_namespaces]]\nbinding = \"SIGNATURES\"\nid = \"abc\"\n\n[vars]\n# who may sign\nALLOWED_ORIGINS = \"https://old.example\"\nSETTLE_SECONDS = \"60\"\n";
        let new_base = url("https://new.example/");
        let origins = allowed_origins(&new_base, &["https://mirror.example/".into()]).unwrap();
        let out =
            plan_worker_config(Path::new("wrangler.toml"), text, &new_base, &origins).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(
            doc["vars"]["ALLOWED_ORIGINS"].as_str(),
            Some("https://new.example,https://mirror.example")
        );
        assert_eq!(doc["vars"]["SETTLE_SECONDS"].as_str(), Some("60"));
        assert!(out.contains("# who may sign\nALLOWED_ORIGINS"), "{out}");
        assert_eq!(doc["kv_namespaces"][0]["id"].as_str(), Some("abc"));
        let route = doc["routes"].as_array().unwrap().get(0).unwrap();
        assert_eq!(
            route.as_inline_table().unwrap()["pattern"].as_str(),
            Some("new.example")
        );
        assert!(!out.contains("old.example"));
    }

    #[test]
    fn worker_route_for_a_subpath_names_the_zone() {
        let new_base = url("https://www.new.example/petitions/");
        let out =
            plan_worker_config(Path::new("w.toml"), "", &new_base, &[new_base.origin()]).unwrap();
        assert!(
            out.contains("pattern = \"www.new.example/petitions/*\""),
            "{out}"
        );
        assert!(out.contains("zone_name = \"new.example\""), "{out}");
    }
}
