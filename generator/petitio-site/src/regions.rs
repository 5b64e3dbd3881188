//! The default list of regions a signer may pick: Kazakhstan's 17 regions, the three cities of
//! republican significance, and "abroad", with stable lowercase codes and names in kk, ru, en.
//!
//! Codes are part of the public data (`signatures_by_region`) and of stored signatures, so they
//! never change once published; names may be improved freely.

use std::collections::BTreeMap;

/// A region: a stable code and its name per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: String,
    pub names: BTreeMap<String, String>,
}

impl Region {
    /// The name in `lang`, else in `fallback`, else the code.
    pub fn name<'a>(&'a self, lang: &str, fallback: &str) -> &'a str {
        self.names
            .get(lang)
            .or_else(|| self.names.get(fallback))
            .map_or(&self.code, String::as_str)
    }
}

/// (code, kk, ru, en)
const KAZAKHSTAN: [(&str, &str, &str, &str); 21] = [
    ("abai", "Абай облысы", "Абайская область", "Abai Region"),
    (
        "akmola",
        "Ақмола облысы",
        "Акмолинская область",
        "Akmola Region",
    ),
    (
        "aktobe",
        "Ақтөбе облысы",
        "Актюбинская область",
        "Aktobe Region",
    ),
    (
        "almaty-region",
        "Алматы облысы",
        "Алматинская область",
        "Almaty Region",
    ),
    (
        "atyrau",
        "Атырау облысы",
        "Атырауская область",
        "Atyrau Region",
    ),
    (
        "east-kazakhstan",
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
    ),
    (
        "jambyl",
        "Жамбыл облысы",
        "Жамбылская область",
        "Jambyl Region",
    ),
    ("jetisu", "Жетісу облысы", "Область Жетісу", "Jetisu Region"),
    (
        "west-kazakhstan",
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
    ),
    (
        "karaganda",
        "Қарағанды облысы",
        "Карагандинская область",
        "Karaganda Region",
    ),
    (
        "kostanay",
        "Қостанай облысы",
        "Костанайская область",
        "Kostanay Region",
    ),
    (
        "kyzylorda",
        "Қызылорда облысы",
        "Кызылординская область",
        "Kyzylorda Region",
    ),
    (
        "mangystau",
        "Маңғыстау облысы",
        "Мангистауская область",
        "Mangystau Region",
    ),
    (
        "pavlodar",
        "Павлодар облысы",
        "Павлодарская область",
        "Pavlodar Region",
    ),
    (
        "north-kazakhstan",
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
    ),
    (
        "turkistan",
        "Түркістан облысы",
        "Туркестанская область",
        "Turkistan Region",
    ),
    ("ulytau", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region"),
    ("astana", "Астана қаласы", "город Астана", "Astana (city)"),
    (
        "almaty-city",
        "Алматы қаласы",
        "город Алматы",
        "Almaty (city)",
    ),
    (
        "shymkent",
        "Шымкент қаласы",
        "город Шымкент",
        "Shymkent (city)",
    ),
    ("abroad", "Шетелде", "За рубежом", "Abroad"),
];

/// Kazakhstan's regions, cities of republican significance, and "abroad".
pub fn kazakhstan() -> Vec<Region> {
    KAZAKHSTAN
        .iter()
        .map(|&(code, kk, ru, en)| Region {
            code: code.to_owned(),
            names: [("kk", kk), ("ru", ru), ("en", en)]
                .into_iter()
                .map(|(lang, name)| (lang.to_owned(), name.to_owned()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_regions_have_unique_slug_codes_and_three_names() {
        let regions = kazakhstan();
        let codes: std::collections::BTreeSet<_> =
            regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), 21);
        for region in &regions {
            assert!(
                petitio_model::slug::is_slug(&region.code),
                "{}",
                region.code
            );
            assert_eq!(region.names.len(), 3);
        }
        assert_eq!(regions[0].name("de", "ru"), "Абайская область");
    }
}
