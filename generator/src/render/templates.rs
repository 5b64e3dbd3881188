//! Tera templates with theme overrides, and the helpers templates call.
//!
//! Templates come from `themes/<theme>/templates/`; a file with the same relative path in
//! `<root>/templates/` replaces the theme's. One Tera instance per language carries that
//! language's helpers — `t(key=...)` for UI strings, `format_date` and `format_number` filters —
//! plus `url(path=...)` and `asset(name=...)`, so page contexts stay small: no string table
//! or site-wide collection is copied into any page's context. Autoescape is on for `.html`
//! and `.xml`.
//!
//! The sources stay in memory so that `petitio serve` can tell which templates an edit
//! changed ([`Templates::changed_since`]) and which pages read them ([`Templates::uses_any`]:
//! the template, what it extends, includes and imports, transitively).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use tera::ast::Node;
use tera::{Context, Tera, Value};

use crate::config::Config;
use crate::confine::Folder;
use crate::content::date::Date;
use crate::error::{Error, IoAction};
use crate::render::assets::Assets;
use crate::render::i18n::I18n;
use crate::render::pages::escape_html;

/// The templates the renderer calls, by role: the one list of names that the render
/// functions use and [`Job::template`](crate::render::Job::template) reports.
pub mod names {
    pub const REDIRECT: &str = "redirect.html";
    pub const NOT_FOUND: &str = "404.html";
    pub const HOME: &str = "index.html";
    /// Rendered into each petition's cached parts, not by any one job.
    pub const CARD: &str = "partials/card.html";
    pub const PETITION: &str = "petition.html";
    pub const SIGNED: &str = "signed.html";
    pub const EMBED: &str = "embed.html";
    /// Listing pages and tag pages.
    pub const LISTING: &str = "listing.html";
    pub const TAG_INDEX: &str = "tags.html";
    pub const PAGE: &str = "page.html";
}

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
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default also escapes `/`, which makes every URL unreadable; these five suffice.
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(sources.clone())
            .map_err(|e| Error::template_syntax(&e))?;
        let base_path = config.base_path.clone();
        let asset_urls = Arc::new(assets_by_name(assets, &base_path));
        tera.register_function("url", move |args: &HashMap<String, Value>| {
            let path = string_arg(args, "path", "url")?;
            Ok(Value::String(format!(
                "{base_path}{}",
                path.trim_start_matches('/')
            )))
        });
        tera.register_function("asset", move |args: &HashMap<String, Value>| {
            let name = string_arg(args, "name", "asset")?;
            asset_urls
                .get(name)
                .map(|url| Value::String(url.clone()))
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

    /// Renders template `name` in `lang`.
    pub fn render(&self, lang: &str, name: &str, context: &Context) -> Result<String, Error> {
        let tera = &self.by_lang[lang];
        tera.render(name, context)
            .map_err(|e| Error::template(name, &e))
    }
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

fn assets_by_name(assets: &Assets, base_path: &str) -> HashMap<String, String> {
    assets
        .names()
        .map(|(name, path)| (name.to_owned(), format!("{base_path}{path}")))
        .collect()
}

fn register_language(tera: &mut Tera, lang: &str, i18n: &Arc<I18n>) {
    let (strings, lang_owned) = (Arc::clone(i18n), lang.to_owned());
    tera.register_function("t", move |args: &HashMap<String, Value>| {
        let key = string_arg(args, "key", "t")?;
        strings
            .get(&lang_owned, key)
            .map(|text| Value::String(text.to_owned()))
            .ok_or_else(|| {
                tera::Error::msg(format!(
                    "no UI string `{key}` in i18n/{lang_owned}.toml or the default language's file"
                ))
            })
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
