//! Front matter: splitting `+++` TOML blocks from Markdown and reading typed fields from them.
//!
//! Parsing goes through `toml_edit`, which keeps the position of every key, so every problem
//! can name its line. A [`Fields`] view reads one table (the whole front matter, `[response]`,
//! an `[[updates]]` entry, or `petitio.toml`); each accessor records a [`Problem`] instead of
//! failing, so one pass reports everything wrong with a file.

use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use crate::error::{Problem, ProblemKind};
use petitio_model::date::Date;

/// A value together with the line it came from (for later cross-file checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// A parsed TOML document and where it sits in its file.
pub struct TomlSource {
    file: String,
    first_line: usize,
    doc: ImDocument<String>,
}

/// A Markdown file split into its front matter and its body.
pub struct SplitFile<'t> {
    pub toml: &'t str,
    pub body: &'t str,
    /// The line of the file the body starts on.
    pub body_line: usize,
}

/// Splits `+++` front matter off `text`. The TOML starts on line 2 of the file.
pub fn split(text: &str) -> Result<SplitFile<'_>, ProblemKind> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = match text.split_once('\n') {
        Some((first, rest)) if first.trim_end() == "+++" => rest,
        None if text.trim_end() == "+++" => "",
        _ => return Err(ProblemKind::NoFrontMatter),
    };
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            return Ok(SplitFile {
                toml: &rest[..offset],
                body: &rest[offset + line.len()..],
                // Line 1 opens the front matter, `index` lines of TOML and this one follow.
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(ProblemKind::UnclosedFrontMatter)
}

impl TomlSource {
    /// Parses `toml` found in `file` starting at line `first_line`.
    pub fn parse(file: &str, toml: &str, first_line: usize) -> Result<TomlSource, Problem> {
        match ImDocument::parse(toml.to_owned()) {
            Ok(doc) => Ok(TomlSource {
                file: file.to_owned(),
                first_line,
                doc,
            }),
            Err(error) => {
                let line = error
                    .span()
                    .map_or(first_line, |span| line_at(toml, first_line, span.start));
                let message = error.message().trim().replace('\n', " ");
                Err(Problem::new(file, ProblemKind::InvalidToml { message }).at_line(line))
            }
        }
    }

    /// The top-level table.
    pub fn fields(&self) -> Fields<'_> {
        // A missing top-level field is reported at the line that opens the block.
        let line = self.first_line.saturating_sub(1).max(1);
        Fields {
            source: self,
            table: self.doc.as_table(),
            prefix: String::new(),
            line,
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    fn line(&self, span: Option<Range<usize>>) -> usize {
        span.map_or(self.first_line, |span| {
            line_at(self.doc.raw(), self.first_line, span.start)
        })
    }
}

fn line_at(text: &str, first_line: usize, offset: usize) -> usize {
    first_line
        + text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
}

/// A view of one TOML table with typed, problem-recording accessors.
pub struct Fields<'s> {
    source: &'s TomlSource,
    table: &'s dyn TableLike,
    /// Dotted path of this table, e.g. "response." or "updates[2].".
    prefix: String,
    /// Line where this table starts (used for fields that are missing).
    line: usize,
}

impl<'s> Fields<'s> {
    /// Records every key not in `allowed`.
    pub fn reject_unknown(&self, allowed: &'static [&'static str], problems: &mut Vec<Problem>) {
        for (key, _) in self.table.iter() {
            if !allowed.contains(&key) {
                problems.push(self.problem(key, ProblemKind::UnknownField { expected: allowed }));
            }
        }
    }

    /// The keys of this table, in file order.
    pub fn keys(&self) -> Vec<String> {
        self.table.iter().map(|(key, _)| key.to_owned()).collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// The line of `key`, or of the table itself when the key is absent.
    pub fn line_of(&self, key: &str) -> usize {
        match self.table.get_key_value(key) {
            Some((k, item)) => self.source.line(k.span().or_else(|| item.span())),
            None => self.line,
        }
    }

    /// The full name of `key` of this table as messages show it, e.g. `updates[1].text`.
    pub fn field_name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A problem about `key` of this table.
    pub fn problem(&self, key: &str, kind: ProblemKind) -> Problem {
        Problem::new(self.source.file.clone(), kind)
            .at_line(self.line_of(key))
            .in_field(self.field_name(key))
    }

    /// Records that the required `key` is missing.
    pub fn require<T>(
        &self,
        value: Option<T>,
        key: &str,
        example: &'static str,
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        if value.is_none() && !self.has(key) {
            problems.push(self.problem(key, ProblemKind::MissingField { example }));
        }
        value
    }

    fn value(
        &self,
        key: &str,
        expected: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<(&'s Value, usize)> {
        let item = self.table.get(key)?;
        match item.as_value() {
            Some(value) => Some((value, self.line_of(key))),
            None => {
                problems.push(self.expected(key, expected, describe_item(item)));
                None
            }
        }
    }

    fn expected(&self, key: &str, expected: &str, found: String) -> Problem {
        self.problem(
            key,
            ProblemKind::Expected {
                expected: expected.to_owned(),
                found,
            },
        )
    }

    /// A non-empty string.
    pub fn string(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Located<String>> {
        const EXPECTED: &str = "a non-empty string";
        let (value, line) = self.value(key, EXPECTED, problems)?;
        match value.as_str() {
            Some(text) if !text.trim().is_empty() => Some(Located {
                value: text.to_owned(),
                line,
            }),
            _ => {
                problems.push(self.expected(key, EXPECTED, describe(value)));
                None
            }
        }
    }

    /// A non-empty string holding Markdown, located at the line its text starts on (the line
    /// after `"""` when the value opens with one and a line break), so that problems inside
    /// the text can be placed on their own line.
    pub fn markdown(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Located<String>> {
        let mut text = self.string(key, problems)?;
        if let Some(span) = self.table.get(key).and_then(Item::span) {
            let raw = &self.source.doc.raw()[span.clone()];
            let opens_block = ["\"\"\"\n", "\"\"\"\r\n", "'''\n", "'''\r\n"]
                .iter()
                .any(|open| raw.starts_with(open));
            text.line = self.source.line(Some(span)) + usize::from(opens_block);
        }
        Some(text)
    }

    pub fn boolean(&self, key: &str, problems: &mut Vec<Problem>) -> Option<bool> {
        let (value, _) = self.value(key, "true or false", problems)?;
        let found = value.as_bool();
        if found.is_none() {
            problems.push(self.expected(key, "true or false", describe(value)));
        }
        found
    }

    /// A TOML date (`2026-03-01`), or a string holding one.
    pub fn date(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Located<Date>> {
        const EXPECTED: &str = "a date like 2026-03-01";
        let (value, line) = self.value(key, EXPECTED, problems)?;
        let date = match value {
            Value::Datetime(datetime) => {
                let datetime = datetime.value();
                match (datetime.date, datetime.time) {
                    (Some(date), None) => Date::new(i32::from(date.year), date.month, date.day),
                    _ => None,
                }
            }
            Value::String(text) => Date::parse_iso(text.value()),
            _ => None,
        };
        if date.is_none() {
            problems.push(self.expected(key, EXPECTED, describe(value)));
        }
        date.map(|value| Located { value, line })
    }

    /// A whole number above zero.
    pub fn positive_integer(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Located<u64>> {
        const EXPECTED: &str = "a whole number above 0";
        let (value, line) = self.value(key, EXPECTED, problems)?;
        match value
            .as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .filter(|&n| n > 0)
        {
            Some(n) => Some(Located { value: n, line }),
            None => {
                problems.push(self.expected(key, EXPECTED, describe(value)));
                None
            }
        }
    }

    /// An array of whole numbers above zero.
    pub fn positive_integers(
        &self,
        key: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<Located<Vec<u64>>> {
        self.array(
            key,
            "an array of whole numbers above 0, like [1000, 5000]",
            problems,
            |value| {
                value
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|&n| n > 0)
            },
        )
    }

    /// An array of non-empty strings.
    pub fn strings(
        &self,
        key: &str,
        expected: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<Located<Vec<String>>> {
        self.array(key, expected, problems, |value| {
            value
                .as_str()
                .filter(|text| !text.trim().is_empty())
                .map(str::to_owned)
        })
    }

    fn array<T>(
        &self,
        key: &str,
        expected: &str,
        problems: &mut Vec<Problem>,
        element: impl Fn(&Value) -> Option<T>,
    ) -> Option<Located<Vec<T>>> {
        let (value, line) = self.value(key, expected, problems)?;
        let Some(array) = value.as_array() else {
            problems.push(self.expected(key, expected, describe(value)));
            return None;
        };
        let mut items = Vec::with_capacity(array.len());
        for item in array.iter() {
            match element(item) {
                Some(parsed) => items.push(parsed),
                None => {
                    problems.push(self.expected(
                        key,
                        expected,
                        format!("an element {}", describe(item)),
                    ));
                    return None;
                }
            }
        }
        Some(Located { value: items, line })
    }

    /// A sub-table, written either as `[key]` or as an inline table.
    pub fn table(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Fields<'s>> {
        let item = self.table.get(key)?;
        match item.as_table_like() {
            Some(table) => {
                Some(self.child(table, format!("{}{key}.", self.prefix), self.line_of(key)))
            }
            None => {
                problems.push(self.expected(key, "a table like `[response]`", describe_item(item)));
                None
            }
        }
    }

    /// An array of tables, written either as `[[key]]` blocks or as an array of inline tables.
    pub fn tables(&self, key: &str, problems: &mut Vec<Problem>) -> Vec<Fields<'s>> {
        let Some(item) = self.table.get(key) else {
            return Vec::new();
        };
        let prefix = |index: usize| format!("{}{key}[{index}].", self.prefix);
        if let Some(array) = item.as_array_of_tables() {
            return array
                .iter()
                .enumerate()
                .map(|(i, table)| self.child(table, prefix(i), self.source.line(table.span())))
                .collect();
        }
        let expected = "an array of tables like `[[updates]]`";
        let Some(array) = item.as_array() else {
            problems.push(self.expected(key, expected, describe_item(item)));
            return Vec::new();
        };
        let mut tables = Vec::with_capacity(array.len());
        for (i, value) in array.iter().enumerate() {
            match value.as_inline_table() {
                Some(table) => {
                    tables.push(self.child(table, prefix(i), self.source.line(value.span())))
                }
                None => problems.push(self.expected(
                    key,
                    expected,
                    format!("an element {}", describe(value)),
                )),
            }
        }
        tables
    }

    fn child(&self, table: &'s dyn TableLike, prefix: String, line: usize) -> Fields<'s> {
        Fields {
            source: self.source,
            table,
            prefix,
            line,
        }
    }
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(value) => describe(value),
        Item::Table(_) => "a table".to_owned(),
        Item::ArrayOfTables(_) => "an array of tables".to_owned(),
        Item::None => "nothing".to_owned(),
    }
}

/// How a found value is shown in messages: scalars as written, containers by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{:?}", text.value()),
        Value::Integer(n) => n.value().to_string(),
        Value::Float(n) => n.value().to_string(),
        Value::Boolean(b) => b.value().to_string(),
        Value::Datetime(datetime) => datetime.value().to_string(),
        Value::Array(_) => "an array".to_owned(),
        Value::InlineTable(_) => "a table".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> TomlSource {
        TomlSource::parse("f.md", toml, 2).unwrap()
    }

    #[test]
    fn splits_front_matter_from_body() {
        let split = split("+++\ntitle = \"x\"\n+++\nBody\n").unwrap();
        assert_eq!(split.toml, "title = \"x\"\n");
        assert_eq!(split.body, "Body\n");
        assert_eq!(split.body_line, 4);
        assert_eq!(super::split("+++\n+++\nBody").unwrap().body_line, 3);
    }

    #[test]
    fn reports_missing_and_unclosed_front_matter() {
        assert_eq!(split("title = 1").err(), Some(ProblemKind::NoFrontMatter));
        assert_eq!(
            split("+++\ntitle = 1\n").err(),
            Some(ProblemKind::UnclosedFrontMatter)
        );
    }

    #[test]
    fn bad_date_names_line_field_and_value() {
        let source = parse("title = \"t\"\ncreated = \"tomorrow\"\n");
        let mut problems = Vec::new();
        assert_eq!(source.fields().date("created", &mut problems), None);
        assert_eq!(
            problems[0].to_string(),
            "error: f.md:3: field `created`: expected a date like 2026-03-01, found \"tomorrow\""
        );
    }

    #[test]
    fn reads_dates_numbers_and_lists() {
        let source =
            parse("created = 2026-03-01\ngoal = 500\nmilestones = [100, 200]\ntags = [\"a\"]\n");
        let fields = source.fields();
        let mut problems = Vec::new();
        assert_eq!(
            fields.date("created", &mut problems).unwrap().value,
            Date::new(2026, 3, 1).unwrap()
        );
        assert_eq!(
            fields.positive_integer("goal", &mut problems),
            Some(Located {
                value: 500,
                line: 3
            })
        );
        assert_eq!(
            fields
                .positive_integers("milestones", &mut problems)
                .unwrap()
                .value,
            vec![100, 200]
        );
        assert_eq!(
            fields.strings("tags", "tags", &mut problems).unwrap().value,
            vec!["a".to_owned()]
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn nested_tables_prefix_field_names() {
        let source = parse("[response]\ndate = 5\n\n[[updates]]\ndate = 2026-01-01\ntext = 1\n");
        let fields = source.fields();
        let mut problems = Vec::new();
        fields
            .table("response", &mut problems)
            .unwrap()
            .date("date", &mut problems);
        let updates = fields.tables("updates", &mut problems);
        updates[0].string("text", &mut problems);
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "error: f.md:3: field `response.date`: expected a date like 2026-03-01, found 5",
                "error: f.md:7: field `updates[0].text`: expected a non-empty string, found 1",
            ]
        );
    }

    #[test]
    fn markdown_is_located_where_its_text_starts() {
        let source =
            parse("[response]\ntext = \"\"\"\nfirst\n\"\"\"\n[[updates]]\ntext = \"one line\"\n");
        let fields = source.fields();
        let mut problems = Vec::new();
        let response = fields.table("response", &mut problems).unwrap();
        assert_eq!(response.markdown("text", &mut problems).unwrap().line, 4);
        let updates = fields.tables("updates", &mut problems);
        assert_eq!(updates[0].markdown("text", &mut problems).unwrap().line, 7);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn unknown_fields_list_the_known_ones() {
        let source = parse("title = \"t\"\ncolour = \"red\"\n");
        let mut problems = Vec::new();
        source.fields().reject_unknown(&["title"], &mut problems);
        assert_eq!(
            problems[0].to_string(),
            "error: f.md:3: field `colour`: unknown field; expected one of: title"
        );
    }

    #[test]
    fn toml_syntax_errors_have_a_line() {
        let problem = TomlSource::parse("f.md", "title = \"t\"\ngoal = = 3\n", 2)
            .err()
            .unwrap();
        assert_eq!(problem.line, Some(3));
    }
}
