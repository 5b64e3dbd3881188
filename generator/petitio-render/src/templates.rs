//! Tera templates with theme overrides, and the helpers templates call.
//!
//! Templates come from `themes/<theme>/templates/`; a file with the same relative path in
//! `<root>/templates/` replaces the theme's. One Tera instance per language carries that
//! language's helpers — `t(key=...)` for UI strings, `plural(key=..., n=...)` for the form of a
//! count phrase that `n` takes by CLDR rules, `plural_fill(key=...)` for its fill pattern
//! (`{plural:one=...|other=...}`, the live form: `petitio_model::plurals`), `format_date` and `format_number` filters —
//! plus `url(path=...)` and `asset(name=...)` (linking from the page being rendered, in the
//! render's [`UrlMode`](crate::url_mode::UrlMode)), so page contexts stay small: no string table
//! or site-wide collection is copied into any page's context. Autoescape is on for `.html`,
//! `.xml` and `.svg`.
//!
//! The sources stay in memory so that `petitio serve` can tell which templates an edit
//! changed ([`Templates::changed_since`]) and which pages read them ([`Templates::uses_any`]:
//! the template, what it extends, includes and imports, transitively).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use tera::ast::Node;
use tera::{Context, Tera, Value};

use crate::assets::Assets;
use crate::error::Error;
use crate::escape::escape_html;
use crate::i18n::I18n;
use crate::url_mode::{at_page, link_from_current_page, PageAt};
use petitio_model::date::Date;
use petitio_site::config::Config;
use petitio_site::confine::{Folder, SiteRoot};
use petitio_site::error::IoAction;

/// The templates the renderer calls, by role: the one list of names that the render
/// functions use and [`Job::template`](crate::jobs::Job::template) reports.
pub mod names {
    pub const REDIRECT: &str = "redirect.html";
    pub const NOT_FOUND: &str = "404.html";
    pub const HOME: &str = "index.html";
    /// Rendered into each petition's cached parts, not by any one job.
    pub const CARD: &str = "partials/card.html";
    pub const PETITION: &str = "petition.html";
    pub const SIGNED: &str = "signed.html";
    /// The page a confirmation message links to: one button posting the token.
    pub const CONFIRM: &str = "confirm.html";
    /// "Withdraw my signature": asks for the address.
    pub const WITHDRAW: &str = "withdraw.html";
    /// "Verify my signature": checks a receipt against the petition's log.
    pub const VERIFY: &str = "verify.html";
    pub const EMBED: &str = "embed.html";
    /// Listing pages and tag pages.
    pub const LISTING: &str = "listing.html";
    pub const TAG_INDEX: &str = "tags.html";
    /// A language's search page.
    pub const SEARCH: &str = "search.html";
    pub const PAGE: &str = "page.html";
    /// A petition's SVG badge.
    pub const BADGE: &str = "badge.svg";
    /// The Atom feed of a language.
    pub const FEED: &str = "atom.xml";
    pub const SITEMAP: &str = "sitemap.xml";
    /// The `<url>`s of one page in its languages: included by the sitemap, and rendered
    /// into each petition's cached parts.
    pub const SITEMAP_URLS: &str = "partials/sitemap-urls.xml";
    /// The notice of the "we moved" site (`petitio relocate`).
    pub const MOVED: &str = "moved.html";
    /// What `petitio serve` shows while the last rebuild has failed.
    pub const SERVE_ERROR: &str = "serve-error.html";

    /// The templates rendered into each petition's cached parts: an edit of one (or of what
    /// it reads) renders every petition's parts again.
    pub const IN_PARTS: [&str; 2] = [CARD, SITEMAP_URLS];
}

/// The default theme's copies of the templates for what earlier versions wrote in code
/// (badge, feed, sitemap, the moved notice, serve's error page): a theme of its own made
/// before them still builds and relocates; a theme or site overrides them like any other.
const BUILT_IN: [(&str, &str); 6] = [
    (
        names::BADGE,
        include_str!("../../../themes/default/templates/badge.svg"),
    ),
    (
        names::FEED,
        include_str!("../../../themes/default/templates/atom.xml"),
    ),
    (
        names::SITEMAP,
        include_str!("../../../themes/default/templates/sitemap.xml"),
    ),
    (
        names::SITEMAP_URLS,
        include_str!("../../../themes/default/templates/partials/sitemap-urls.xml"),
    ),
    (
        names::MOVED,
        include_str!("../../../themes/default/templates/moved.html"),
    ),
    (names::SERVE_ERROR, BUILT_IN_SERVE_ERROR),
];

const BUILT_IN_SERVE_ERROR: &str =
    include_str!("../../../themes/default/templates/serve-error.html");

/// Templates whose values are escaped for HTML and XML (with [`escape_html`]).
const AUTOESCAPED: [&str; 3] = [".html", ".xml", ".svg"];

/// The compiled templates, one instance per language, and their sources by name.
pub struct Templates {
    by_lang: HashMap<String, Tera>,
    sources: BTreeMap<String, String>,
}

impl Templates {
    /// Loads the templates of `folders` (`<theme>/templates`, then `<root>/templates`: a
    /// later one's file replaces an earlier one's of the same name).
    pub fn load(
        folders: &[Folder],
        config: &Config,
        i18n: &Arc<I18n>,
        assets: &Assets,
    ) -> Result<Templates, Error> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for folder in folders {
            for (name, path) in folder.files()? {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(IoAction::Read, &path, e))?;
                sources.insert(name, text);
            }
        }
        for (name, source) in BUILT_IN {
            sources
                .entry(name.to_owned())
                .or_insert_with(|| source.to_owned());
        }
        let mut tera = new_tera();
        tera.add_raw_templates(sources.clone())
            .map_err(|e| Error::template_syntax(&e))?;
        let base_path: Arc<str> = Arc::from(config.base_path.as_str());
        let asset_paths: Arc<HashMap<String, String>> = Arc::new(
            assets
                .names()
                .map(|(name, path)| (name.to_owned(), path.to_owned()))
                .collect(),
        );
        let url_base = Arc::clone(&base_path);
        tera.register_function("url", move |args: &HashMap<String, Value>| {
            let path = string_arg(args, "path", "url")?;
            Ok(Value::String(link_from_current_page(&url_base, path)))
        });
        tera.register_function("asset", move |args: &HashMap<String, Value>| {
            let name = string_arg(args, "name", "asset")?;
            asset_paths
                .get(name)
                .map(|path| Value::String(link_from_current_page(&base_path, path)))
                .ok_or_else(|| {
                    tera::Error::msg(format!(
                        "asset `{name}` not found in static/ of the theme or the site"
                    ))
                })
        });
        let by_lang = config
            .languages
            .iter()
            .map(|lang| {
                let mut instance = tera.clone();
                register_language(&mut instance, lang, i18n);
                (lang.clone(), instance)
            })
            .collect();
        Ok(Templates { by_lang, sources })
    }

    /// Names of the templates added, removed or edited since `before`.
    pub fn changed_since(&self, before: &Templates) -> BTreeSet<String> {
        let names: BTreeSet<&String> = self.sources.keys().chain(before.sources.keys()).collect();
        names
            .into_iter()
            .filter(|name| self.sources.get(*name) != before.sources.get(*name))
            .cloned()
            .collect()
    }

    /// Whether rendering `root` reads any template in `names`: `root` itself, or one it
    /// extends, includes or imports macros from, at any depth. A name Tera does not know
    /// counts as read (the safe answer).
    pub fn uses_any(&self, root: &str, names: &BTreeSet<String>) -> bool {
        let Some(tera) = self.by_lang.values().next() else {
            return true;
        };
        let mut seen = BTreeSet::new();
        let mut pending = vec![root.to_owned()];
        while let Some(name) = pending.pop() {
            if names.contains(&name) {
                return true;
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            let Ok(template) = tera.get_template(&name) else {
                return true;
            };
            // The parsed tree keeps every `extends`, `include` and `import`, in blocks and
            // macros too: what `Template`'s `parent`, `blocks` and `macros` hold are copies.
            collect_dependencies(&template.ast, &mut pending);
        }
        false
    }

    /// Renders template `name` in `lang` for a page at `at` (where `url()` and `asset()`
    /// link from).
    pub fn render(
        &self,
        at: PageAt,
        lang: &str,
        name: &str,
        context: &Context,
    ) -> Result<String, Error> {
        let tera = &self.by_lang[lang];
        at_page(at, || tera.render(name, context)).map_err(|e| Error::template(name, &e))
    }
}

/// An empty Tera with Petitio's escaping.
fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(AUTOESCAPED.to_vec());
    // Tera's default also escapes `/`, which makes every URL unreadable; these five suffice.
    tera.set_escape_fn(escape_html);
    tera
}

/// The page `petitio serve` shows in place of the site's HTML while the last rebuild has
/// failed: `message`, escaped, and `scripts` (the live-reload client), rendered from the
/// site's `serve-error.html` (in `<root>/templates/` or its theme) when that renders, else
/// from the built-in copy, since what failed may be the theme itself.
pub fn serve_error_page(root: &Path, message: &str, scripts: &[String]) -> String {
    let mut context = Context::new();
    context.insert("message", message);
    context.insert("scripts", scripts);
    let render = |source: &str| -> tera::Result<String> {
        let mut tera = new_tera();
        tera.add_raw_template(names::SERVE_ERROR, source)?;
        tera.render(names::SERVE_ERROR, &context)
    };
    site_serve_error_template(root)
        .and_then(|source| render(&source).ok())
        .unwrap_or_else(|| render(BUILT_IN_SERVE_ERROR).expect("the built-in error page renders"))
}

/// The site's own `serve-error.html`, from `<root>/templates/` or else its theme's, read
/// through its folder (`confine`) like every template.
fn site_serve_error_template(root: &Path) -> Option<String> {
    let site = SiteRoot::new(root).ok()?;
    let theme = Config::load(root, None).map_or_else(|_| "default".to_owned(), |c| c.theme);
    ["templates".to_owned(), format!("themes/{theme}/templates")]
        .iter()
        .filter_map(|relative| site.folder(relative).ok())
        .find_map(|folder| {
            let path = folder.path().join(names::SERVE_ERROR);
            folder.file(&path).ok().flatten()?;
            folder.read_to_string(&path).ok()
        })
}

/// The templates extended, included or imported anywhere in `nodes`.
fn collect_dependencies(nodes: &[Node], found: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Include(_, names, _) => found.extend(names.iter().cloned()),
            Node::ImportMacro(_, file, _) | Node::Extends(_, file) => found.push(file.clone()),
            Node::Block(_, block, _) => collect_dependencies(&block.body, found),
            Node::MacroDefinition(_, definition, _) => {
                collect_dependencies(&definition.body, found)
            }
            Node::FilterSection(_, section, _) => collect_dependencies(&section.body, found),
            Node::Forloop(_, forloop, _) => {
                collect_dependencies(&forloop.body, found);
                collect_dependencies(forloop.empty_body.as_deref().unwrap_or_default(), found);
            }
            Node::If(branches, _) => {
                for (_, _, body) in &branches.conditions {
                    collect_dependencies(body, found);
                }
                if let Some((_, body)) = &branches.otherwise {
                    collect_dependencies(body, found);
                }
            }
            _ => {}
        }
    }
}

fn register_language(tera: &mut Tera, lang: &str, i18n: &Arc<I18n>) {
    let (strings, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_function("t", move |args: &HashMap<String, Value>| {
        let key = string_arg(args, "key", "t")?;
        strings
            .get(&lang_owned, key)
            .map(|text| Value::String(text.to_owned()))
            .ok_or_else(|| tera::Error::msg(I18n::missing(&lang_owned, key)))
    });
    let (phrases, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_function("plural", move |args: &HashMap<String, Value>| {
        let key = string_arg(args, "key", "plural")?;
        let n = args.get("n").and_then(Value::as_u64).ok_or_else(|| {
            tera::Error::msg("`plural` needs a whole number argument `n`, e.g. plural(key=\"petition.signatures\", n=count)")
        })?;
        phrases
            .plural(&lang_owned, key, n)
            .map(|text| Value::String(text.to_owned()))
            .ok_or_else(|| tera::Error::msg(I18n::missing(&lang_owned, &format!("{key}.other"))))
    });
    let (phrases, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_function("plural_fill", move |args: &HashMap<String, Value>| {
        let key = string_arg(args, "key", "plural_fill")?;
        phrases
            .plural_forms(&lang_owned, key)
            .map(|forms| Value::String(format!("{{plural:{forms}}}")))
            .ok_or_else(|| tera::Error::msg(format!("`plural_fill`: `{key}` in i18n/{lang_owned}.toml is no count phrase whose forms avoid {{, }}, | and =")))
    });
    let (dates, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_filter(
        "format_date",
        move |value: &Value, _: &HashMap<String, Value>| {
            let text = value.as_str().unwrap_or_default();
            let date = Date::parse_iso(text).ok_or_else(|| {
                tera::Error::msg(format!(
                    "format_date: expected a date like 2026-03-01, found {value}"
                ))
            })?;
            Ok(Value::String(dates.date(&lang_owned, date)))
        },
    );
    let (numbers, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_filter(
        "format_number",
        move |value: &Value, _: &HashMap<String, Value>| {
            let n = value.as_u64().ok_or_else(|| {
                tera::Error::msg(format!(
                    "format_number: expected a whole number, found {value}"
                ))
            })?;
            Ok(Value::String(numbers.number(&lang_owned, n)))
        },
    );
}

fn string_arg<'a>(
    args: &'a HashMap<String, Value>,
    name: &str,
    function: &str,
) -> tera::Result<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| tera::Error::msg(format!("`{function}` needs a string argument `{name}`")))
}

/// The repository's default theme, loaded for tests of what its templates write.
#[cfg(test)]
pub(crate) fn default_theme_templates() -> Templates {
    let repository = SiteRoot::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).unwrap();
    let folder = |name: &str| {
        repository
            .folder(&format!("themes/default/{name}"))
            .unwrap()
    };
    let config = Config::parse(
        "base_url = \"https://p.example/\"\n[title]\nkk = \"T\"\n",
        None,
    )
    .unwrap();
    let i18n = Arc::new(I18n::load(&[folder("i18n")], &config).unwrap());
    let assets = Assets::collect(&[folder("static")]).unwrap();
    Templates::load(&[folder("templates")], &config, &i18n, &assets).unwrap()
}
