//! Open data with live counts: the built `data/petitions.json`, `data/petitions/<slug>.json`
//! and `data/petitions.csv` with the published snapshot's counts written in, so journalists
//! and other sites read counts at most about a minute old (the worker and `petitio serve`
//! serve them; a static host serves the build's).
//!
//! The files are patched, not re-serialised: field order, line layout and every other byte
//! stay as the generator wrote them (`petitio_render::data`). That relies on its format:
//! JSON strings escape every `"`, so `"slug":"` and `"signature_count":` can only be the
//! fields themselves; in the JSON files each petition's `slug` comes before its
//! `signature_count` (and, in the detail, its flat `signatures_by_region` and
//! `milestones_reached` objects, whose values hold no `}`); the CSV quotes every cell, starts
//! with a header naming `slug` and `signature_count` (and `milestones_reached` after it, in
//! files built since milestones are dated), and ends each record with `\n`. Anything else is answered with `None`: the file is served as built.

use crate::snapshot::{PetitionCount, Snapshot};
use petitio_model::milestones::{csv_cell, REACHED_FIELD};

const SLUG_FIELD: &str = "\"slug\":";
const COUNT_FIELD: &str = "\"signature_count\":";
const REGIONS_FIELD: &str = "\"signatures_by_region\":";
const REACHED_JSON_FIELD: &str = "\"milestones_reached\":";

/// `data/petitions.json` (one compact entry a line) or `data/petitions/<slug>.json`
/// (pretty-printed) with live counts.
pub fn json(built: &[u8], snapshot: &Snapshot) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(built).ok()?;
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find(SLUG_FIELD) {
        let slug_start = value_start(text, search + found + SLUG_FIELD.len()) + 1;
        let slug_end = slug_start + text.get(slug_start..)?.find('"')?;
        let count = count_of(snapshot, &text[slug_start..slug_end]);
        // This petition's fields end where the next petition's slug starts.
        let next = text[slug_end..]
            .find(SLUG_FIELD)
            .map_or(text.len(), |n| slug_end + n);
        let digits_start = value_start(
            text,
            slug_end + text[slug_end..next].find(COUNT_FIELD)? + COUNT_FIELD.len(),
        );
        let digits_end = digits_start
            + text[digits_start..]
                .find(|c: char| !c.is_ascii_digit())
                .filter(|&len| len > 0)?;
        out.push_str(&text[copied..digits_start]);
        out.push_str(&count.count.to_string());
        copied = digits_end;
        let objects = [
            (REGIONS_FIELD, flat_object(&count.by_region)),
            (REACHED_JSON_FIELD, flat_object(&count.reached)),
        ];
        for (field, entries) in objects {
            let Some(at) = text[copied..next].find(field) else {
                continue;
            };
            let object_start = value_start(text, copied + at + field.len());
            let object_end = object_start + text[object_start..].find('}')? + 1;
            let pretty = text[object_start - 1..object_start] == *" ";
            out.push_str(&text[copied..object_start]);
            out.push_str(&object_text(&entries, pretty));
            copied = object_end;
        }
        search = next;
    }
    out.push_str(&text[copied..]);
    Some(out.into_bytes())
}

/// Where a field's value starts: after the spaces following its colon.
fn value_start(text: &str, after_colon: usize) -> usize {
    after_colon + text[after_colon..].len() - text[after_colon..].trim_start_matches(' ').len()
}

/// A map's entries as JSON: each key as a JSON string, each value as JSON.
fn flat_object<K: ToString, V: serde::Serialize>(
    map: &std::collections::BTreeMap<K, V>,
) -> Vec<(String, String)> {
    map.iter()
        .map(|(key, value)| {
            (
                serde_json::to_string(&key.to_string()).expect("a string serialises"),
                serde_json::to_string(value).expect("counts and dates serialise"),
            )
        })
        .collect()
}

/// A flat object (by-region counts, milestone dates) as `serde_json` writes it compact, or
/// pretty at the depth of a detail file's top-level field.
fn object_text(entries: &[(String, String)], pretty: bool) -> String {
    if entries.is_empty() {
        return "{}".to_owned();
    }
    let (separator, indent, close) = if pretty {
        (": ", "\n    ", "\n  }")
    } else {
        (":", "", "}")
    };
    let lines: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{indent}{key}{separator}{value}"))
        .collect();
    format!("{{{}{close}", lines.join(","))
}

/// `data/petitions.csv` with live counts.
pub fn csv(built: &[u8], snapshot: &Snapshot) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(built).ok()?;
    let mut records = records(text)?.into_iter();
    let header = records.next()?;
    let column = |name: &str| header.fields.iter().position(|f| f.text == name);
    let slug_column = column("slug")?;
    let count_column = column("signature_count")?;
    // Files written before milestones were dated have no such column.
    let reached_column = column(REACHED_FIELD).filter(|&reached| reached > count_column);
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..header.end]);
    let mut copied = header.end;
    for record in records {
        let count = count_of(snapshot, &record.fields.get(slug_column)?.text);
        let mut cells = vec![(count_column, count.count.to_string())];
        if let Some(column) = reached_column {
            cells.push((column, csv_cell(&count.reached)));
        }
        for (column, value) in cells {
            let field = record.fields.get(column)?;
            out.push_str(&text[copied..field.start]);
            out.push('"');
            out.push_str(&value);
            out.push('"');
            copied = field.end;
        }
    }
    out.push_str(&text[copied..]);
    Some(out.into_bytes())
}

fn count_of(snapshot: &Snapshot, slug: &str) -> PetitionCount {
    snapshot.petitions.get(slug).cloned().unwrap_or_default()
}

/// One quoted cell: its unquoted text and where it lies, quotes included.
struct Field {
    text: String,
    start: usize,
    end: usize,
}

struct Record {
    fields: Vec<Field>,
    /// Just after the record's `\n`.
    end: usize,
}

/// The records of a CSV whose every cell is quoted; `None` for anything else.
fn records(text: &str) -> Option<Vec<Record>> {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'"' {
            return None;
        }
        let start = at;
        let mut value = Vec::new();
        at += 1;
        loop {
            match bytes.get(at)? {
                b'"' if bytes.get(at + 1) == Some(&b'"') => {
                    value.push(b'"');
                    at += 2;
                }
                b'"' => break,
                &byte => {
                    value.push(byte);
                    at += 1;
                }
            }
        }
        at += 1;
        fields.push(Field {
            text: String::from_utf8(value).ok()?,
            start,
            end: at,
        });
        match bytes.get(at)? {
            b',' => at += 1,
            b'\n' => {
                at += 1;
                records.push(Record {
                    fields: std::mem::take(&mut fields),
                    end: at,
                });
            }
            _ => return None,
        }
    }
    fields.is_empty().then_some(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn snapshot() -> Snapshot {
        let mut count = PetitionCount::default();
        for region in ["abroad", "astana", "abroad"] {
            count.add(region);
        }
        Snapshot {
            updated_at: "2026-03-01T12:00:00Z".into(),
            petitions: BTreeMap::from([("clean-air".into(), count)]),
        }
    }

    #[test]
    fn the_index_gets_each_petitions_count_and_nothing_else_changes() {
        let built = "{\"schema_version\":1,\"petitions\":[\n\
            {\"slug\":\"clean-air\",\"state\":\"open\",\"signature_count\":0,\"title\":{\"en\":\"\\\"signature_count\\\":7\"}},\n\
            {\"slug\":\"other\",\"state\":\"open\",\"signature_count\":12,\"title\":{}}\n]}\n";
        let live = String::from_utf8(json(built.as_bytes(), &snapshot()).unwrap()).unwrap();
        assert_eq!(
            live,
            built
                .replacen("\"signature_count\":0", "\"signature_count\":3", 1)
                .replacen("\"signature_count\":12", "\"signature_count\":0", 1)
        );
        serde_json::from_str::<serde_json::Value>(&live).unwrap();
    }

    #[test]
    fn the_detail_gets_its_count_and_regions() {
        let built = r#"{"schema_version":1,"slug":"clean-air","goal":10,"milestones":[5],"signature_count":0,"signatures_by_region":{},"translations":{"kk":{"title":"{\"a\":1}"}}}"#;
        let live = String::from_utf8(json(built.as_bytes(), &snapshot()).unwrap()).unwrap();
        assert_eq!(
            live,
            built.replace(
                r#""signature_count":0,"signatures_by_region":{}"#,
                r#""signature_count":3,"signatures_by_region":{"abroad":2,"astana":1}"#
            )
        );
    }

    #[test]
    fn the_csv_gets_each_rows_count_even_with_quotes_and_newlines_in_titles() {
        let built = "\"slug\",\"state\",\"signature_count\",\"title_kk\"\n\
            \"clean-air\",\"open\",\"0\",\"a \"\"quoted\"\",\nline\"\n\
            \"other\",\"open\",\"9\",\"x\"\n";
        let live = String::from_utf8(csv(built.as_bytes(), &snapshot()).unwrap()).unwrap();
        assert_eq!(
            live,
            built
                .replacen("\"open\",\"0\"", "\"open\",\"3\"", 1)
                .replacen("\"open\",\"9\"", "\"open\",\"0\"", 1)
        );
    }

    #[test]
    fn a_pretty_detail_stays_pretty() {
        let built = "{\n  \"slug\": \"clean-air\",\n  \"signature_count\": 0,\n  \"signatures_by_region\": {},\n  \"tags\": []\n}\n";
        let live = String::from_utf8(json(built.as_bytes(), &snapshot()).unwrap()).unwrap();
        assert_eq!(
            live,
            built.replace(
                "\"signature_count\": 0,\n  \"signatures_by_region\": {}",
                "\"signature_count\": 3,\n  \"signatures_by_region\": {\n    \"abroad\": 2,\n    \"astana\": 1\n  }"
            )
        );
    }

    fn snapshot_with_dates() -> Snapshot {
        let mut snapshot = snapshot();
        let count = snapshot.petitions.get_mut("clean-air").unwrap();
        count.mark_reached(2, || "2026-03-01T12:01:00Z".into());
        count.mark_reached(3, || "2026-03-01T12:04:00Z".into());
        snapshot
    }

    #[test]
    fn the_detail_and_the_csv_get_the_dates_milestones_were_reached() {
        let compact = r#"{"slug":"clean-air","milestones":[2,3,9],"signature_count":0,"signatures_by_region":{},"milestones_reached":{},"tags":[]}"#;
        let live = String::from_utf8(json(compact.as_bytes(), &snapshot_with_dates()).unwrap());
        assert_eq!(
            live.unwrap(),
            compact
                .replace(r#""signature_count":0"#, r#""signature_count":3"#)
                .replace(r#""signatures_by_region":{}"#, r#""signatures_by_region":{"abroad":2,"astana":1}"#)
                .replace(r#""milestones_reached":{}"#, r#""milestones_reached":{"2":"2026-03-01T12:01:00Z","3":"2026-03-01T12:04:00Z"}"#)
        );
        let pretty = "{\n  \"slug\": \"clean-air\",\n  \"signature_count\": 0,\n  \"signatures_by_region\": {},\n  \"milestones_reached\": {},\n  \"tags\": []\n}\n";
        let live = String::from_utf8(json(pretty.as_bytes(), &snapshot_with_dates()).unwrap());
        assert_eq!(
            live.unwrap(),
            pretty
                .replace("\"signature_count\": 0", "\"signature_count\": 3")
                .replace("\"signatures_by_region\": {}", "\"signatures_by_region\": {\n    \"abroad\": 2,\n    \"astana\": 1\n  }")
                .replace("\"milestones_reached\": {}", "\"milestones_reached\": {\n    \"2\": \"2026-03-01T12:01:00Z\",\n    \"3\": \"2026-03-01T12:04:00Z\"\n  }")
        );
        let csv_built = "\"slug\",\"signature_count\",\"milestones_reached\",\"title_kk\"\n\
            \"clean-air\",\"0\",\"\",\"x\"\n\"other\",\"0\",\"\",\"y\"\n";
        let live = String::from_utf8(csv(csv_built.as_bytes(), &snapshot_with_dates()).unwrap());
        assert_eq!(
            live.unwrap(),
            csv_built.replacen(
                "\"0\",\"\",\"x\"",
                "\"3\",\"2=2026-03-01T12:01:00Z 3=2026-03-01T12:04:00Z\",\"x\"",
                1
            )
        );
    }

    #[test]
    fn files_of_another_shape_are_served_as_built() {
        assert_eq!(csv(b"slug,count\nx,1\n", &snapshot()), None);
        assert_eq!(
            csv(b"\"slug\",\"state\"\n\"x\",\"open\"\n", &snapshot()),
            None
        );
        assert_eq!(
            json(br#"{"slug":"clean-air","count":1}"#, &snapshot()),
            None
        );
    }
}
