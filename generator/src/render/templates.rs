//! Tera templates with theme overrides, and the helpers templates call.
//!
//! Templates come from `themes/<theme>/templates/`; a file with the same relative path in
//! `<root>/templates/` replaces the theme's. One Tera instance per language carries that
//! language's helpers — `t(key=...)` for UI strings, `format_date` and `format_number` filters —
//! plus `url(path=...)` and `asset(name=...)`, so page contexts stay small: no string table
//! or site-wide collection is copied into any page's context. Autoescape is on for `.html`
//! and `.xml`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use tera::{Context, Tera, Value};
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::date::Date;
use crate::content::display_path;
use crate::error::{Error, IoAction};
use crate::render::assets::Assets;
use crate::render::i18n::I18n;
use crate::render::pages::escape_html;

/// The compiled templates, one instance per language.
pub struct Templates {
    by_lang: HashMap<String, Tera>,
}

impl Templates {
    pub fn load(
        root: &Path,
        theme_dir: &Path,
        config: &Config,
        i18n: &Arc<I18n>,
        assets: &Assets,
    ) -> Result<Templates, Error> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for entry in WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
            {
                if entry.file_type().is_file() {
                    let text = std::fs::read_to_string(entry.path())
                        .map_err(|e| Error::io(IoAction::Read, entry.path(), e))?;
                    sources.insert(display_path(&dir, entry.path()), text);
                }
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default also escapes `/`, which makes every URL unreadable; these five suffice.
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(sources)
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
        Ok(Templates { by_lang })
    }

    /// Renders template `name` in `lang`.
    pub fn render(&self, lang: &str, name: &str, context: &Context) -> Result<String, Error> {
        let tera = &self.by_lang[lang];
        tera.render(name, context)
            .map_err(|e| Error::template(name, &e))
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
