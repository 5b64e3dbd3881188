//! Open data: `data/petitions.json` (index), `data/petitions/<slug>.json` (everything public
//! about one petition, in every language) and `data/petitions.csv`.
//!
//! The schema is documented in docs/open-data.md and versioned by `schema_version`. Links are
//! root-relative (they start with the base path), so the data stays valid on any mirror.
//! Every CSV cell goes through [`spreadsheet_safe`], so no title can become a formula in the
//! spreadsheet that opens the file.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::assets::{petition_image_name, Assets};
use crate::error::Error;
use petitio_model::milestones::{csv_cell, REACHED_FIELD};
use petitio_model::transparency;
use petitio_model::urls::{self, ApiRoute};
use petitio_site::content::{Petition, Site};
use petitio_site::counts::Counts;
use petitio_site::error::IoAction;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Index<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<Log<'a>>,
    petitions: Vec<IndexEntry<'a>>,
}

/// The operator's log key (docs/keys.md), present when the site has one: what verifies
/// the notes the site signs (checkpoints of its transparency log, the note naming its
/// current addresses).
#[derive(Serialize)]
struct Log<'a> {
    key: &'a str,
}

impl<'a> Log<'a> {
    fn of(site: &'a Site) -> Option<Log<'a>> {
        site.config
            .log_key
            .as_ref()
            .map(|key| Log { key: key.as_str() })
    }
}

/// The fields both the index entry and the detail of a petition start with.
#[derive(Serialize)]
struct Basics<'a> {
    slug: &'a str,
    state: &'static str,
    created: String,
    deadline: Option<String>,
    response_date: Option<String>,
    goal: Option<u64>,
}

impl<'a> Basics<'a> {
    fn of(petition: &'a Petition) -> Basics<'a> {
        Basics {
            slug: &petition.slug,
            state: petition.status.as_str(),
            created: petition.created.to_string(),
            deadline: petition.deadline.map(|d| d.to_string()),
            response_date: petition.response_date.map(|d| d.to_string()),
            goal: petition.goal,
        }
    }
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    #[serde(flatten)]
    basics: Basics<'a>,
    signature_count: u64,
    title: BTreeMap<&'a str, &'a str>,
    links: Links,
}

#[derive(Serialize)]
struct Links {
    json: String,
    html: BTreeMap<String, String>,
    signatures: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<PetitionLog>,
}

/// Where a petition's transparency log is (docs/transparency.md), when the site has a log
/// key: its checkpoint (the tiles lie beside it, C2SP tlog-tiles), the origin line its
/// checkpoints carry, and the key that signs them.
#[derive(Serialize)]
struct PetitionLog {
    checkpoint: String,
    origin: String,
    key: String,
}

#[derive(Serialize)]
struct Detail<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<Log<'a>>,
    #[serde(flatten)]
    basics: Basics<'a>,
    milestones: &'a [u64],
    tags: &'a [String],
    image: Option<String>,
    signature_count: u64,
    signatures_by_region: BTreeMap<String, u64>,
    milestones_reached: BTreeMap<u64, String>,
    translations: BTreeMap<&'a str, DetailTranslation<'a>>,
    links: Links,
}

#[derive(Serialize)]
struct DetailTranslation<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    addressee: Option<&'a str>,
    author: Option<&'a str>,
    status_reason: Option<&'a str>,
    body_markdown: &'a str,
    body_html: &'a str,
    response: Option<Response<'a>>,
    updates: Vec<Update<'a>>,
}

#[derive(Serialize)]
struct Response<'a> {
    from: Option<&'a str>,
    text_markdown: &'a str,
    text_html: &'a str,
}

#[derive(Serialize)]
struct Update<'a> {
    date: String,
    text_markdown: &'a str,
    text_html: &'a str,
}

fn links(site: &Site, petition: &Petition) -> Links {
    let config = &site.config;
    Links {
        json: config.url(&urls::data_petition(&petition.slug)),
        html: petition
            .translations
            .iter()
            .map(|t| {
                (
                    t.lang.clone(),
                    config.url(&urls::petition(&t.lang, &petition.slug)),
                )
            })
            .collect(),
        signatures: ApiRoute::Signatures(&petition.slug).url(config.api_url()),
        log: config.log_key.as_ref().map(|key| PetitionLog {
            checkpoint: config.url(&urls::log_checkpoint(&petition.slug)),
            origin: transparency::origin(key.name(), &petition.slug),
            key: key.as_str().to_owned(),
        }),
    }
}

/// `data/petitions.json` from every petition's [`index_entry`], in site order.
pub fn index<'a>(site: &Site, entries: impl Iterator<Item = &'a str>) -> Vec<u8> {
    json_with_list(
        &Index {
            schema_version: SCHEMA_VERSION,
            log: Log::of(site),
            petitions: Vec::new(),
        },
        entries,
    )
}

/// One petition's entry of `data/petitions.json` (one line of JSON).
pub fn index_entry(site: &Site, petition: &Petition, counts: &Counts) -> String {
    let entry = IndexEntry {
        basics: Basics::of(petition),
        signature_count: counts.total(&petition.slug),
        title: petition
            .translations
            .iter()
            .map(|t| (t.lang.as_str(), t.title.as_str()))
            .collect(),
        links: links(site, petition),
    };
    serde_json::to_string(&entry).expect("open data serialises: plain strings and numbers")
}

/// `head` as JSON with its last field, an empty list, filled with `entries` (JSON texts), one
/// per line: files listing thousands of petitions are assembled from per-petition entries
/// (kept between rebuilds by `petitio serve`) and stay readable in a line diff.
pub fn json_with_list<'a>(
    head: &impl Serialize,
    entries: impl Iterator<Item = &'a str>,
) -> Vec<u8> {
    let head = serde_json::to_string(head).expect("plain values serialise");
    let open = head
        .strip_suffix("[]}")
        .expect("the list is the last field of the head");
    let mut json = String::with_capacity(head.len() + 4096);
    json.push_str(open);
    json.push('[');
    for (i, entry) in entries.enumerate() {
        json.push_str(if i == 0 { "\n" } else { ",\n" });
        json.push_str(entry);
    }
    json.push_str("\n]}\n");
    json.into_bytes()
}

/// `data/petitions/<slug>.json`.
pub fn petition(site: &Site, petition: &Petition, counts: &Counts, assets: &Assets) -> Vec<u8> {
    let count = counts.get(&petition.slug);
    let translations = petition
        .translations
        .iter()
        .map(|t| {
            let detail = DetailTranslation {
                title: &t.title,
                summary: t.summary.as_deref(),
                addressee: t.addressee.as_deref(),
                author: t.author.as_deref(),
                status_reason: t.status_reason.as_deref(),
                body_markdown: &t.body.source,
                body_html: &t.body.html,
                response: t.response.as_ref().map(|r| Response {
                    from: r.from.as_deref(),
                    text_markdown: &r.text.source,
                    text_html: &r.text.html,
                }),
                updates: t
                    .updates
                    .iter()
                    .map(|u| Update {
                        date: u.date.to_string(),
                        text_markdown: &u.text.source,
                        text_html: &u.text.html,
                    })
                    .collect(),
            };
            (t.lang.as_str(), detail)
        })
        .collect();
    let image = petition
        .image
        .as_ref()
        .and_then(|image| assets.path(&petition_image_name(&petition.slug, image)))
        .map(|path| site.config.url(path));
    to_json(&Detail {
        schema_version: SCHEMA_VERSION,
        log: Log::of(site),
        basics: Basics::of(petition),
        milestones: &petition.milestones,
        tags: &petition.tags,
        image,
        signature_count: count.map_or(0, |c| c.count),
        signatures_by_region: count.map(|c| c.by_region.clone()).unwrap_or_default(),
        milestones_reached: count.map(|c| c.reached.clone()).unwrap_or_default(),
        translations,
        links: links(site, petition),
    })
}

/// `data/petitions.csv`: a header, then every petition's [`csv_row`] in site order.
pub fn csv<'a>(site: &Site, rows: impl Iterator<Item = &'a [u8]>) -> Result<Vec<u8>, Error> {
    let config = &site.config;
    let mut header: Vec<String> = [
        "slug",
        "state",
        "created",
        "deadline",
        "response_date",
        "goal",
        "signature_count",
        REACHED_FIELD,
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(config.languages.iter().map(|lang| format!("title_{lang}")));
    header.extend(config.languages.iter().map(|lang| format!("url_{lang}")));
    let mut csv = csv_record(&header)?;
    rows.for_each(|row| csv.extend_from_slice(row));
    Ok(csv)
}

/// One petition's row of `data/petitions.csv`: a title and URL column per language.
pub fn csv_row(site: &Site, petition: &Petition, counts: &Counts) -> Result<Vec<u8>, Error> {
    let config = &site.config;
    let mut row = vec![
        petition.slug.clone(),
        petition.status.as_str().to_owned(),
        petition.created.to_string(),
        petition.deadline.map(|d| d.to_string()).unwrap_or_default(),
        petition
            .response_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        petition.goal.map(|g| g.to_string()).unwrap_or_default(),
        counts.total(&petition.slug).to_string(),
        counts
            .get(&petition.slug)
            .map(|count| csv_cell(&count.reached))
            .unwrap_or_default(),
    ];
    row.extend(config.languages.iter().map(|lang| {
        petition
            .translation(lang)
            .map(|t| t.title.clone())
            .unwrap_or_default()
    }));
    row.extend(config.languages.iter().map(|lang| {
        petition
            .translation(lang)
            .map(|_| config.url(&urls::petition(lang, &petition.slug)))
            .unwrap_or_default()
    }));
    csv_record(&row)
}

/// One CSV record with its line end: every cell quoted and made [`spreadsheet_safe`].
fn csv_record(fields: &[String]) -> Result<Vec<u8>, Error> {
    let csv_error = |e: &dyn std::fmt::Display| {
        Error::io(
            IoAction::Write,
            urls::DATA_CSV,
            std::io::Error::other(e.to_string()),
        )
    };
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    writer
        .write_record(
            fields
                .iter()
                .map(|field| spreadsheet_safe(field).into_owned()),
        )
        .map_err(|e| csv_error(&e))?;
    writer.into_inner().map_err(|e| csv_error(&e))
}

/// What a cell may start with for a spreadsheet to run it as a formula (OWASP, "CSV
/// Injection"): `=HYPERLINK(...)` in a title would otherwise be a live link or worse.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text of a CSV cell as spreadsheets read it: a cell that starts with a
/// [`FORMULA_STARTS`] character, or with the `'` this adds, gets one `'` in front, which
/// spreadsheets take as "this cell is text" and do not show. Removing one leading `'` from a
/// cell that has it gives the text back (docs/open-data.md).
pub fn spreadsheet_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) || text.starts_with('\'') {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(value).expect("open data serialises: plain strings and numbers");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a reader of the CSV does to get a cell's text back (docs/open-data.md).
    fn original(cell: &str) -> &str {
        cell.strip_prefix('\'').unwrap_or(cell)
    }

    #[test]
    fn formulas_become_text() {
        let record = csv_record(&[
            "=HYPERLINK(\"https://evil.example\",\"x\")".to_owned(),
            "+7 700".to_owned(),
            "-1".to_owned(),
            "@SUM(A1)".to_owned(),
            "\tx".to_owned(),
            "\rx".to_owned(),
            "'quoted".to_owned(),
            "plain, text".to_owned(),
            String::new(),
        ])
        .unwrap();
        assert_eq!(
            String::from_utf8(record).unwrap(),
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",\"'+7 700\",\"'-1\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",\"''quoted\",\"plain, text\",\"\"\n"
        );
    }

    proptest! {
        /// Whatever the text, no cell of the written CSV starts with a formula character, and
        /// the text comes back by removing one leading `'`.
        #[test]
        fn no_cell_starts_a_formula_and_every_text_comes_back(
            texts in proptest::collection::vec(
                "[=+\\-@\t\r'\"a, \n]{0,3}\\PC{0,8}",
                1..6,
            )
        ) {
            let bytes = csv_record(&texts).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let records: Vec<csv::StringRecord> =
                reader.records().collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(records.len(), 1);
            let cells: Vec<&str> = records[0].iter().collect();
            prop_assert_eq!(cells.len(), texts.len());
            for (cell, text) in cells.iter().zip(&texts) {
                prop_assert!(!cell.starts_with(FORMULA_STARTS), "{:?}", cell);
                prop_assert_eq!(original(cell), text.as_str());
            }
        }
    }
}
