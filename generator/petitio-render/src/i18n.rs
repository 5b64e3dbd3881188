//! UI strings and per-language formatting of dates and numbers.
//!
//! Strings live in `themes/<theme>/i18n/<lang>.toml` (a site may override keys in
//! `<root>/i18n/<lang>.toml`). Every key falls back to the default language. The `[format]`
//! table holds month names, the date pattern and the digit-group separator, so adding a
//! language is a data change, not a code change. Keys under `[script]` are also published as
//! a JSON file for the browser script. A count phrase is a table of CLDR plural forms
//! (`plurals.rs`): `{ one = "signature", other = "signatures" }`; [`I18n::plural`] picks the
//! form by the language's CLDR rules, and the script gets every phrase's forms.

use std::collections::{BTreeMap, HashMap};

use crate::error::Error;
use crate::plurals::{self, Plurals};
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
    /// What [`I18n::get`] answers for each key: `strings`, plus each count phrase's name
    /// for its `other` form. Made once, because templates ask for strings thousands of
    /// times per page set and a miss would otherwise build the `.other` key every time.
    lookup: HashMap<String, String>,
    format: Format,
    plurals: Plurals,
}

impl Locale {
    fn new(lang: &str, strings: BTreeMap<String, String>, format: Format) -> Locale {
        let phrases = strings.iter().filter_map(|(key, text)| {
            let phrase = key.strip_suffix(".other")?;
            (!strings.contains_key(phrase)).then(|| (phrase.to_owned(), text.clone()))
        });
        let lookup = phrases
            .chain(strings.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        Locale {
            plurals: Plurals::new(lang),
            strings,
            lookup,
            format,
        }
    }
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
            let plurals = Plurals::new(lang);
            let read = |file: &str, table, strings: &mut _, problems: &mut _| {
                read_table(file, table, &plurals, strings, problems)
            };
            if let Some((_, text)) = BUILT_IN.iter().find(|(code, _)| code == lang) {
                let table = text.parse().expect("the built-in strings are valid TOML");
                format = read(BUILT_IN_FILE, table, &mut strings, &mut problems);
            }
            for folder in folders {
                let path = folder.path().join(format!("{lang}.toml"));
                let file = folder.shown_path(&path);
                let Some(text) = folder.text(&path, &mut problems)? else {
                    continue;
                };
                match text.parse::<toml::Table>() {
                    Ok(table) => {
                        format = read(&file, table, &mut strings, &mut problems).or(format);
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
                let format = format.unwrap_or_else(|| default_format.clone());
                (lang.clone(), Locale::new(&lang, merged, format))
            })
            .collect();
        Ok(I18n { locales })
    }

    /// The string `key` in `lang` (falling back to the default language); for a count
    /// phrase, its `other` form (what a theme made before plurals gets from `t()`).
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        self.locales.get(lang)?.lookup.get(key).map(String::as_str)
    }

    /// The form of count phrase `key` that `n` takes in `lang` by CLDR rules (`other` when
    /// the phrase, inherited from the default language, lacks that form).
    pub fn plural(&self, lang: &str, key: &str, n: u64) -> Option<&str> {
        let locale = self.locales.get(lang)?;
        let form = locale.plurals.form(n);
        [form, "other"]
            .iter()
            .find_map(|form| locale.strings.get(&format!("{key}.{form}")))
            .map(String::as_str)
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

    /// Each language's CLDR plural table, for the manifest (`petitio_model::plurals`).
    pub fn plural_tables(&self, languages: &[String]) -> BTreeMap<String, String> {
        languages
            .iter()
            .filter_map(|lang| Some((lang.clone(), self.locales.get(lang)?.plurals.table())))
            .collect()
    }

    /// The forms of count phrase `key` in `lang` as a `{plural:...}` fill argument
    /// (`one=signature|other=signatures`); `None` if it is no phrase or a form holds a
    /// character the fill syntax reserves.
    pub fn plural_forms(&self, lang: &str, key: &str) -> Option<String> {
        let strings = &self.locales.get(lang)?.strings;
        strings.get(&format!("{key}.other"))?;
        petitio_model::plurals::forms_argument(
            plurals::CATEGORY_NAMES
                .into_iter()
                .filter_map(|form| Some((form, strings.get(&format!("{key}.{form}"))?.as_str()))),
        )
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
        messages.insert("plurals".into(), plural_phrases(locale).into());
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

/// Every count phrase of `locale` with its forms, e.g.
/// `{"petition.signatures": {"one": "signature", "other": "signatures"}}`.
fn plural_phrases(locale: Option<&Locale>) -> serde_json::Map<String, serde_json::Value> {
    let Some(strings) = locale.map(|l| &l.strings) else {
        return serde_json::Map::new();
    };
    let forms_of = |phrase: &str| -> serde_json::Map<String, serde_json::Value> {
        plurals::CATEGORY_NAMES
            .into_iter()
            .filter_map(|form| {
                let text = strings.get(&format!("{phrase}.{form}"))?;
                Some((form.to_owned(), text.clone().into()))
            })
            .collect()
    };
    strings
        .keys()
        .filter_map(|key| key.strip_suffix(".other"))
        .map(|phrase| (phrase.to_owned(), forms_of(phrase).into()))
        .collect()
}

/// Flattens string tables into `strings`; returns the `[format]` table if present and valid.
/// A count phrase must give every form `plurals` uses.
fn read_table(
    file: &str,
    table: toml::Table,
    plurals: &Plurals,
    strings: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) -> Option<Format> {
    let mut format = None;
    for (key, value) in table {
        if key == "format" {
            format = read_format(file, &value, problems);
        } else {
            flatten(file, &key, value, plurals, strings, problems);
        }
    }
    format
}

fn flatten(
    file: &str,
    key: &str,
    value: toml::Value,
    plurals: &Plurals,
    strings: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    match value {
        toml::Value::String(text) => {
            strings.insert(key.to_owned(), text);
        }
        toml::Value::Table(table) => {
            let forms: Vec<&str> = table.keys().map(String::as_str).collect();
            if plurals::is_phrase(&forms) {
                let missing = plurals.missing(&forms);
                if !missing.is_empty() {
                    problems.push(
                        Problem::new(
                            file,
                            ProblemKind::Expected {
                                expected: format!(
                                    "the CLDR plural forms {} of this language (missing: {})",
                                    plurals.forms().join(", "),
                                    missing.join(", ")
                                ),
                                found: forms.join(", "),
                            },
                        )
                        .in_field(key),
                    );
                }
            }
            for (inner, value) in table {
                flatten(
                    file,
                    &format!("{key}.{inner}"),
                    value,
                    plurals,
                    strings,
                    problems,
                );
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
            let plurals = Plurals::new(lang);
            let table = text.parse().unwrap();
            assert!(
                read_table(lang, table, &plurals, &mut strings, &mut problems).is_some(),
                "{lang}: [format]"
            );
            assert!(problems.is_empty(), "{problems:?}");
            // A count phrase has the forms its language uses: compare the phrases.
            let phrase = |key: String| match key.rsplit_once('.') {
                Some((phrase, form)) if plurals::CATEGORY_NAMES.contains(&form) => {
                    phrase.to_owned()
                }
                _ => key,
            };
            let mut keys: Vec<String> = strings.into_keys().map(phrase).collect();
            keys.dedup();
            keys
        };
        let kk = keys("kk");
        assert_eq!(keys("ru"), kk);
        assert_eq!(keys("en"), kk);
    }

    #[test]
    fn count_phrases_take_the_cldr_form_of_0_1_2_5_11_21_101() {
        let i18n = i18n();
        let phrases = |lang: &str, key: &str| -> Vec<&str> {
            [0, 1, 2, 5, 11, 21, 101]
                .map(|n| i18n.plural(lang, key, n).unwrap())
                .to_vec()
        };
        assert_eq!(
            phrases("ru", "petition.signatures"),
            [
                "подписей",
                "подпись",
                "подписи",
                "подписей",
                "подписей",
                "подпись",
                "подпись"
            ]
        );
        assert_eq!(
            phrases("ru", "tags.petitions"),
            [
                "петиций",
                "петиция",
                "петиции",
                "петиций",
                "петиций",
                "петиция",
                "петиция"
            ]
        );
        assert_eq!(
            phrases("en", "petition.signatures"),
            [
                "signatures",
                "signature",
                "signatures",
                "signatures",
                "signatures",
                "signatures",
                "signatures"
            ]
        );
        assert_eq!(
            phrases("en", "tags.petitions"),
            [
                "petitions",
                "petition",
                "petitions",
                "petitions",
                "petitions",
                "petitions",
                "petitions"
            ]
        );
        assert_eq!(phrases("kk", "petition.signatures"), ["қол"; 7]);
        assert_eq!(i18n.get("ru", "petition.signatures"), Some("подписи"));
        assert_eq!(phrases("kk", "tags.petitions"), ["петиция"; 7]);
        // "из N" takes the genitive, chosen by the goal.
        assert_eq!(
            phrases("ru", "petition.progress"),
            [
                "{count} из {goal} подписей",
                "{count} из {goal} подписи",
                "{count} из {goal} подписей",
                "{count} из {goal} подписей",
                "{count} из {goal} подписей",
                "{count} из {goal} подписи",
                "{count} из {goal} подписи",
            ]
        );
    }

    #[test]
    fn a_count_phrase_lacking_a_form_its_language_uses_is_refused() {
        let mut strings = BTreeMap::new();
        let mut problems = Vec::new();
        let table = "[petition]\nsignatures = { one = \"подпись\", other = \"подписи\" }\n";
        read_table(
            "i18n/ru.toml",
            table.parse().unwrap(),
            &Plurals::new("ru"),
            &mut strings,
            &mut problems,
        );
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["error: i18n/ru.toml: field `petition.signatures`: expected the CLDR plural forms one, few, many, other of this language (missing: few, many), found one, other"]
        );
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
        assert_eq!(
            messages["plurals"]["petition.signatures"],
            serde_json::json!({"one": "подпись", "few": "подписи", "many": "подписей", "other": "подписи"})
        );
    }
}
