//! UI strings and per-language formatting of dates and numbers.
//!
//! Strings live in `themes/<theme>/i18n/<lang>.toml` (a site may override keys in
//! `<root>/i18n/<lang>.toml`). Every key falls back to the default language. The `[format]`
//! table holds month names, the date pattern and the digit-group separator, so adding a
//! language is a data change, not a code change. Keys under `[script]` are also published as
//! a JSON file for the browser script.

use std::collections::BTreeMap;

use crate::error::Error;
use petitio_model::date::Date;
use petitio_site::config::Config;
use petitio_site::confine::Folder;
use petitio_site::error::{Problem, ProblemKind};

const SCRIPT_SECTION: &str = "script";

/// The default theme's strings, under every theme's and site's own: a theme of its own
/// that lacks a key added later (say `moved.*`, which `petitio relocate` needs) still works.
const BUILT_IN: [(&str, &str); 3] = [
    ("kk", include_str!("../../../themes/default/i18n/kk.toml")),
    ("ru", include_str!("../../../themes/default/i18n/ru.toml")),
    ("en", include_str!("../../../themes/default/i18n/en.toml")),
];
const BUILT_IN_FILE: &str = "(built in) themes/default/i18n";

/// How one language writes dates and numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Format {
    months: Vec<String>,
    /// With `{day}`, `{month}` and `{year}`, e.g. "{day} {month} {year} ж.".
    date_pattern: String,
    group_separator: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Locale {
    /// Flattened keys, e.g. "nav.open"; already merged with the default language.
    strings: BTreeMap<String, String>,
    format: Format,
}

/// Strings and formats for every configured language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I18n {
    locales: BTreeMap<String, Locale>,
}

impl I18n {
    /// Loads `<lang>.toml` of every configured language from `folders` (the theme's `i18n/`,
    /// then the site's: a later file's keys replace an earlier one's).
    pub fn load(folders: &[Folder], config: &Config) -> Result<I18n, Error> {
        let mut problems = Vec::new();
        let mut raw: BTreeMap<String, (BTreeMap<String, String>, Option<Format>)> = BTreeMap::new();
        for lang in &config.languages {
            let mut strings = BTreeMap::new();
            let mut format = None;
            if let Some((_, text)) = BUILT_IN.iter().find(|(code, _)| code == lang) {
                let table = text.parse().expect("the built-in strings are valid TOML");
                format = read_table(BUILT_IN_FILE, table, &mut strings, &mut problems);
            }
            for folder in folders {
                let path = folder.path().join(format!("{lang}.toml"));
                let file = folder.shown_path(&path);
                let Some(text) = folder.text(&path, &mut problems)? else {
                    continue;
                };
                match text.parse::<toml::Table>() {
                    Ok(table) => {
                        let read = read_table(&file, table, &mut strings, &mut problems);
                        format = read.or(format);
                    }
                    Err(error) => problems.push(Problem::new(
                        file,
                        ProblemKind::InvalidToml {
                            message: error.message().to_owned(),
                        },
                    )),
                }
            }
            raw.insert(lang.clone(), (strings, format));
        }
        if !problems.is_empty() {
            return Err(Error::content(problems));
        }
        let (default_strings, default_format) = raw
            .get(&config.default_language)
            .cloned()
            .unwrap_or_default();
        let default_format = default_format.unwrap_or_else(Format::english);
        let locales = raw
            .into_iter()
            .map(|(lang, (strings, format))| {
                let mut merged = default_strings.clone();
                merged.extend(strings);
                (
                    lang,
                    Locale {
                        strings: merged,
                        format: format.unwrap_or_else(|| default_format.clone()),
                    },
                )
            })
            .collect();
        Ok(I18n { locales })
    }

    /// The string `key` in `lang` (falling back to the default language).
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        self.locales.get(lang)?.strings.get(key).map(String::as_str)
    }

    /// What is wrong when `key` has no string in `lang`.
    pub fn missing(lang: &str, key: &str) -> String {
        format!("no UI string `{key}` in i18n/{lang}.toml or the default language's file")
    }

    /// `date` as `lang` writes it, e.g. "1 мамыр 2026 ж.".
    pub fn date(&self, lang: &str, date: Date) -> String {
        let Some(locale) = self.locales.get(lang) else {
            return date.to_string();
        };
        let format = &locale.format;
        let month = format
            .months
            .get(usize::from(date.month) - 1)
            .map_or("", String::as_str);
        format
            .date_pattern
            .replace("{day}", &date.day.to_string())
            .replace("{month}", month)
            .replace("{year}", &date.year.to_string())
    }

    /// `n` with digit groups as `lang` writes them, e.g. "12 500" or "12,500".
    pub fn number(&self, lang: &str, n: u64) -> String {
        petitio_model::numbers::group_digits(n, self.group_separator(lang))
    }

    fn group_separator(&self, lang: &str) -> &str {
        self.locales
            .get(lang)
            .map_or(",", |l| l.format.group_separator.as_str())
    }

    /// The digit group separator of each of `languages`, for the manifest (the page
    /// filler writes live counts with them).
    pub fn group_separators(&self, languages: &[String]) -> BTreeMap<String, String> {
        languages
            .iter()
            .map(|lang| (lang.clone(), self.group_separator(lang).to_owned()))
            .collect()
    }

    /// The `[script]` strings of `lang` as a JSON object, for the browser script, plus
    /// `format.months`, `format.date_pattern` and `format.group_separator`, so the script
    /// writes numbers and dates exactly as the pages do.
    pub fn script_messages(&self, lang: &str) -> serde_json::Value {
        let prefix = format!("{SCRIPT_SECTION}.");
        let locale = self.locales.get(lang);
        let mut messages: serde_json::Map<String, serde_json::Value> = locale
            .map(|l| &l.strings)
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| {
                Some((key.strip_prefix(&prefix)?.to_owned(), value.clone().into()))
            })
            .collect();
        if let Some(format) = locale.map(|l| &l.format) {
            messages.insert("format.months".into(), format.months.clone().into());
            messages.insert(
                "format.date_pattern".into(),
                format.date_pattern.clone().into(),
            );
            messages.insert(
                "format.group_separator".into(),
                format.group_separator.clone().into(),
            );
        }
        serde_json::Value::Object(messages)
    }
}

impl Format {
    fn english() -> Format {
        let months = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        Format {
            months: months.map(str::to_owned).to_vec(),
            date_pattern: "{day} {month} {year}".to_owned(),
            group_separator: ",".to_owned(),
        }
    }
}

/// Flattens string tables into `strings`; returns the `[format]` table if present and valid.
fn read_table(
    file: &str,
    table: toml::Table,
    strings: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> Option<Format> {
    let mut format = None;
    for (key, value) in table {
        if key == "format" {
            format = read_format(file, &value, problems);
        } else {
            flatten(file, &key, value, strings, problems);
        }
    }
    format
}

fn flatten(
    file: &str,
    key: &str,
    value: toml::Value,
    strings: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    match value {
        toml::Value::String(text) => {
            strings.insert(key.to_owned(), text);
        }
        toml::Value::Table(table) => {
            for (inner, value) in table {
                flatten(file, &format!("{key}.{inner}"), value, strings, problems);
            }
        }
        other => problems.push(
            Problem::new(
                file,
                ProblemKind::Expected {
                    expected: "a string or a table of strings".into(),
                    found: other.type_str().to_owned(),
                },
            )
            .in_field(key),
        ),
    }
}

fn read_format(file: &str, value: &toml::Value, problems: &mut Vec<Problem>) -> Option<Format> {
    let months: Option<Vec<String>> = value
        .get("months")
        .and_then(toml::Value::as_array)
        .and_then(|months| {
            months
                .iter()
                .map(|m| m.as_str().map(str::to_owned))
                .collect()
        })
        .filter(|months: &Vec<String>| months.len() == 12);
    let date_pattern = value.get("date_pattern").and_then(toml::Value::as_str);
    let group_separator = value.get("group_separator").and_then(toml::Value::as_str);
    match (months, date_pattern, group_separator) {
        (Some(months), Some(date_pattern), Some(group_separator)) => Some(Format {
            months,
            date_pattern: date_pattern.to_owned(),
            group_separator: group_separator.to_owned(),
        }),
        _ => {
            problems.push(
                Problem::new(
                    file,
                    ProblemKind::Expected {
                        expected: "`months` (12 names), `date_pattern` and `group_separator`"
                            .into(),
                        found: "an incomplete table".into(),
                    },
                )
                .in_field("format"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn i18n() -> I18n {
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes/default");
        let config = Config::parse(
            "base_url = \"https://p.example/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let repository = petitio_site::confine::SiteRoot::new(&theme.join("../..")).unwrap();
        let folder = repository.folder("themes/default/i18n").unwrap();
        I18n::load(&[folder], &config).unwrap()
    }

    #[test]
    fn dates_follow_each_language() {
        let i18n = i18n();
        let date = Date::new(2026, 5, 1).unwrap();
        assert_eq!(i18n.date("kk", date), "1 мамыр 2026 ж.");
        assert_eq!(i18n.date("ru", date), "1 мая 2026 г.");
        assert_eq!(i18n.date("en", date), "1 May 2026");
    }

    #[test]
    fn numbers_group_digits_per_language() {
        let i18n = i18n();
        assert_eq!(i18n.number("kk", 1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(i18n.number("ru", 12_500), "12\u{202f}500");
        assert_eq!(i18n.number("en", 12_500), "12,500");
        assert_eq!(i18n.number("en", 999), "999");
    }

    #[test]
    fn every_theme_language_has_exactly_the_same_keys() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes/default/i18n");
        let keys = |lang: &str| -> Vec<String> {
            let text = std::fs::read_to_string(dir.join(format!("{lang}.toml"))).unwrap();
            let mut strings = BTreeMap::new();
            let mut problems = Vec::new();
            assert!(
                read_table(lang, text.parse().unwrap(), &mut strings, &mut problems).is_some(),
                "{lang}: [format]"
            );
            assert!(problems.is_empty(), "{problems:?}");
            strings.into_keys().collect()
        };
        let kk = keys("kk");
        assert_eq!(keys("ru"), kk);
        assert_eq!(keys("en"), kk);
    }

    #[test]
    fn script_messages_are_the_script_section_without_its_prefix() {
        let messages = i18n().script_messages("ru");
        assert_eq!(messages["result.recorded"], "Ваша подпись учтена. Спасибо!");
        assert_eq!(
            messages["field.email"],
            "Укажите правильный адрес электронной почты."
        );
        assert!(messages.get("nav.home").is_none());
        assert_eq!(messages["format.group_separator"], "\u{202f}");
        assert_eq!(messages["format.months"][4], "мая");
        assert_eq!(messages["format.date_pattern"], "{day} {month} {year} г.");
    }
}
