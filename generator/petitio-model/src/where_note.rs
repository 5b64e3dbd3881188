//! The "where we are now" note (#15): the text the operator's log key signs, as a C2SP
//! signed note, to tell pages, bundles and embeds where the site lives after a block.
//!
//! Readers hold the verifier key and a sequence number; they follow a note only when it is
//! signed by that key (petitio-signatures' `notes::verify`) **and** its sequence is higher
//! than the one they hold. This module owns the note's text only: parse and render, strictly
//! (every line checked, in a fixed order, one way to write each value), so one note has one
//! text and a reader never follows something it half understood. No I/O; wasm-clean.
//!
//! ```text
//! petitio-where/v1
//! key clean-air-kz
//! sequence 7
//! main https://new.example
//! origin https://new.example
//! origin https://mirror.example
//! api https://new.example/api
//! api https://petitio.acct.workers.dev/api
//! abandoned https://old.example
//! date 2026-12-01
//! ```
//!
//! * `key`: the log key's name ([`crate::log_key::is_key_name`]), so a note cannot be
//!   replayed as another log's;
//! * `sequence`: 1 to 2^53 - 1 (the page script compares it as a JavaScript number);
//! * `main`: the current main origin; `origin`: every origin, the main one first, then the
//!   mirrors; `api`: every API endpoint, absolute, in the order pages try them;
//!   `abandoned`: origins given up (blocked, lost), never also current; `date`: the day it
//!   was signed.
//!
//! Origins are serialised as browsers send them (`https://a.example`, no path); endpoints
//! without their trailing slash; both `https://`, or `http://` to this machine (local tests).

use std::fmt;

use crate::date::Date;
use crate::log_key::is_key_name;
use crate::weburl::{is_loopback, parse_http_url, parse_origin, Url};

/// The note's first line: what it is, and the version of this format.
pub const HEADER: &str = "petitio-where/v1";

/// The longest note text accepted, in bytes (a note with 100 origins and endpoints fits).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// The line of the first `origin` (after the header, `key`, `sequence` and `main`).
const FIRST_ORIGIN_LINE: usize = 5;

/// The highest sequence number: JavaScript's `Number.MAX_SAFE_INTEGER`.
pub const MAX_SEQUENCE: u64 = (1 << 53) - 1;

/// A parsed, valid note text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereNote {
    /// The log key's name.
    pub key_name: String,
    pub sequence: u64,
    /// The current main origin (also the first of `origins`).
    pub main_origin: String,
    /// Every current origin: the main one, then the mirrors.
    pub origins: Vec<String>,
    /// Every API endpoint, absolute, in the order pages try them.
    pub api_endpoints: Vec<String>,
    /// Origins given up; none of them current.
    pub abandoned: Vec<String>,
    /// The day the note was signed.
    pub date: Date,
}

/// Why a text is not a valid note: the problem, and the line (1-based) it is on, if one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereNoteError {
    pub line: Option<usize>,
    pub problem: Problem,
}

/// What is wrong with a note text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    TooLong {
        bytes: usize,
    },
    NoFinalNewline,
    /// A carriage return, tab or other control character.
    ControlCharacter,
    EmptyLine,
    Header,
    /// Another line than the one expected here (`expected` is its tag).
    Expected {
        expected: &'static str,
        found: String,
    },
    KeyName {
        found: String,
    },
    Sequence {
        found: String,
    },
    Origin {
        found: String,
    },
    Endpoint {
        found: String,
    },
    Date {
        found: String,
    },
    /// The first `origin` is not `main`.
    MainNotFirst,
    Duplicate {
        value: String,
    },
    /// Lines after `date`.
    TrailingLines,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::TooLong { bytes } => write!(
                f,
                "the note is {bytes} bytes long; at most {MAX_TEXT_BYTES} are accepted"
            ),
            Problem::NoFinalNewline => f.write_str("the note's text must end with a newline"),
            Problem::ControlCharacter => f.write_str(
                "a control character (carriage return, tab, ...): lines end with a bare newline",
            ),
            Problem::EmptyLine => f.write_str("an empty line inside the note's text"),
            Problem::Header => write!(f, "expected the first line `{HEADER}`"),
            Problem::Expected { expected, found } => {
                write!(f, "expected a line `{expected} ...`, found {found:?}")
            }
            Problem::KeyName { found } => write!(
                f,
                "expected a log key name ({}), found {found:?}",
                crate::log_key::KEY_NAME_RULE
            ),
            Problem::Sequence { found } => write!(
                f,
                "expected a sequence number from 1 to {MAX_SEQUENCE} without leading zeros, \
                 found {found:?}"
            ),
            Problem::Origin { found } => write!(
                f,
                "expected an origin like \"https://petitio.example\" (lowercase, no path or \
                 trailing slash; http:// only to localhost), found {found:?}"
            ),
            Problem::Endpoint { found } => write!(
                f,
                "expected an absolute API endpoint like \"https://petitio.example/api\" \
                 (no trailing slash, query or fragment; http:// only to localhost), found \
                 {found:?}"
            ),
            Problem::Date { found } => {
                write!(f, "expected a date like 2026-12-01, found {found:?}")
            }
            Problem::MainNotFirst => {
                f.write_str("the first `origin` line must repeat the `main` origin")
            }
            Problem::Duplicate { value } => write!(f, "{value:?} is listed twice"),
            Problem::TrailingLines => f.write_str("nothing may follow the `date` line"),
        }
    }
}

impl fmt::Display for WhereNoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

impl std::error::Error for WhereNoteError {}

impl WhereNote {
    /// Parses a note's text (what `notes::verify` returns: up to, not including, the blank
    /// line before the signatures), refusing anything but the one way to write it.
    pub fn parse(text: &str) -> Result<WhereNote, WhereNoteError> {
        let whole = |problem| WhereNoteError {
            line: None,
            problem,
        };
        if text.len() > MAX_TEXT_BYTES {
            return Err(whole(Problem::TooLong { bytes: text.len() }));
        }
        let body = text
            .strip_suffix('\n')
            .ok_or(whole(Problem::NoFinalNewline))?;
        for (index, line) in body.split('\n').enumerate() {
            let problem = if line.is_empty() {
                Problem::EmptyLine
            } else if line.chars().any(char::is_control) {
                Problem::ControlCharacter
            } else {
                continue;
            };
            return Err(WhereNoteError {
                line: Some(index + 1),
                problem,
            });
        }
        let mut lines = Lines {
            lines: body.split('\n').enumerate().peekable(),
        };
        let header = lines.next_line()?;
        if header.text != HEADER {
            return Err(header.error(Problem::Header));
        }
        let key = lines.tagged("key")?;
        if !is_key_name(key.text) {
            return Err(key.error(Problem::KeyName {
                found: key.text.to_owned(),
            }));
        }
        let sequence = lines.tagged("sequence")?;
        let sequence_number = parse_sequence(sequence.text).ok_or_else(|| {
            sequence.error(Problem::Sequence {
                found: sequence.text.to_owned(),
            })
        })?;
        let main = lines.tagged("main")?;
        let main_origin = canonical_origin(main)?;
        // Origins (current and abandoned) are listed once in all; endpoints once each.
        let mut seen_origins = Vec::new();
        let origins = lines.all_tagged("origin", canonical_origin, &mut seen_origins)?;
        if origins[0] != main_origin {
            return Err(WhereNoteError {
                line: Some(FIRST_ORIGIN_LINE),
                problem: Problem::MainNotFirst,
            });
        }
        let api_endpoints = lines.all_tagged("api", canonical_endpoint, &mut Vec::new())?;
        let abandoned = lines.maybe_tagged("abandoned", canonical_origin, &mut seen_origins)?;
        let date = lines.tagged("date")?;
        let day = Date::parse_iso(date.text).ok_or_else(|| {
            date.error(Problem::Date {
                found: date.text.to_owned(),
            })
        })?;
        if let Some(extra) = lines.peek_line() {
            return Err(extra.error(Problem::TrailingLines));
        }
        Ok(WhereNote {
            key_name: key.text.to_owned(),
            sequence: sequence_number,
            main_origin,
            origins,
            api_endpoints,
            abandoned,
            date: day,
        })
    }

    /// The note's text (ending with a newline), ready to sign. It is checked by parsing it
    /// back, so what is signed is always what readers accept.
    pub fn to_text(&self) -> Result<String, WhereNoteError> {
        let mut text = format!(
            "{HEADER}\nkey {}\nsequence {}\nmain {}\n",
            self.key_name, self.sequence, self.main_origin
        );
        let tagged = [
            ("origin", &self.origins),
            ("api", &self.api_endpoints),
            ("abandoned", &self.abandoned),
        ];
        for (tag, values) in tagged {
            for value in values {
                text.push_str(&format!("{tag} {value}\n"));
            }
        }
        text.push_str(&format!("date {}\n", self.date));
        let back = WhereNote::parse(&text)?;
        debug_assert_eq!(&back, self);
        Ok(text)
    }

    /// Whether `origin` is one of the note's current origins.
    pub fn lists_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|listed| listed == origin)
    }
}

/// A line of the text and its 1-based number.
#[derive(Clone, Copy)]
struct Line<'t> {
    number: usize,
    text: &'t str,
}

impl Line<'_> {
    fn error(self, problem: Problem) -> WhereNoteError {
        WhereNoteError {
            line: Some(self.number),
            problem,
        }
    }
}

/// The text's lines, read in order.
struct Lines<'t> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Split<'t, char>>>,
}

impl<'t> Lines<'t> {
    /// The next line (`None`: the end).
    fn peek_line(&mut self) -> Option<Line<'t>> {
        self.lines.peek().map(|&(index, text)| Line {
            number: index + 1,
            text,
        })
    }

    fn next_line(&mut self) -> Result<Line<'t>, WhereNoteError> {
        let line = self.peek_line().ok_or(WhereNoteError {
            line: None,
            problem: Problem::Expected {
                expected: "date",
                found: "the end of the note".into(),
            },
        })?;
        self.lines.next();
        Ok(line)
    }

    /// Whether the next line is a `<tag> ...` line.
    fn next_is(&mut self, tag: &str) -> bool {
        self.peek_line()
            .and_then(|line| line.text.strip_prefix(tag))
            .is_some_and(|rest| rest.starts_with(' '))
    }

    /// The value of the next line, which must be `<tag> <value>`.
    fn tagged(&mut self, tag: &'static str) -> Result<Line<'t>, WhereNoteError> {
        let number = self.peek_line().map(|line| line.number);
        let missing = |found: String| WhereNoteError {
            line: number,
            problem: Problem::Expected {
                expected: tag,
                found,
            },
        };
        if !self.next_is(tag) {
            let found = self
                .peek_line()
                .map_or_else(|| "the end of the note".to_owned(), |l| l.text.to_owned());
            return Err(missing(found));
        }
        let line = self.next_line()?;
        Ok(Line {
            number: line.number,
            text: &line.text[tag.len() + 1..],
        })
    }

    /// One or more `<tag>` lines.
    fn all_tagged(
        &mut self,
        tag: &'static str,
        canonical: fn(Line<'_>) -> Result<String, WhereNoteError>,
        seen: &mut Vec<String>,
    ) -> Result<Vec<String>, WhereNoteError> {
        if !self.next_is(tag) {
            self.tagged(tag)?; // the error naming what is there instead
        }
        self.maybe_tagged(tag, canonical, seen)
    }

    /// Zero or more `<tag>` lines, none repeating a value of `seen` (which they join): an
    /// origin is current or abandoned, once.
    fn maybe_tagged(
        &mut self,
        tag: &'static str,
        canonical: fn(Line<'_>) -> Result<String, WhereNoteError>,
        seen: &mut Vec<String>,
    ) -> Result<Vec<String>, WhereNoteError> {
        let mut values = Vec::new();
        while self.next_is(tag) {
            let line = self.tagged(tag)?;
            let value = canonical(line)?;
            if seen.contains(&value) {
                return Err(line.error(Problem::Duplicate { value }));
            }
            seen.push(value.clone());
            values.push(value);
        }
        Ok(values)
    }
}

/// `1` to [`MAX_SEQUENCE`], decimal, no sign or leading zero.
fn parse_sequence(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || text.starts_with('0') {
        return None;
    }
    text.parse().ok().filter(|n| (1..=MAX_SEQUENCE).contains(n))
}

/// `https://` anywhere, `http://` only to this machine.
fn scheme_allowed(url: &Url) -> bool {
    url.scheme() == "https" || is_loopback(url)
}

/// An origin exactly as browsers serialise it.
fn canonical_origin(line: Line<'_>) -> Result<String, WhereNoteError> {
    let canonical = parse_origin(line.text)
        .filter(|origin| origin == line.text)
        .filter(|origin| parse_http_url(origin).is_some_and(|url| scheme_allowed(&url)));
    canonical.ok_or_else(|| {
        line.error(Problem::Origin {
            found: line.text.to_owned(),
        })
    })
}

/// An absolute endpoint as the URL Standard serialises it, without its trailing slash.
fn canonical_endpoint(line: Line<'_>) -> Result<String, WhereNoteError> {
    let canonical = parse_http_url(line.text).filter(|url| {
        scheme_allowed(url)
            && url.query().is_none()
            && url.fragment().is_none()
            && url.as_str().strip_suffix('/').unwrap_or(url.as_str()) == line.text
            && !line.text.ends_with('/')
    });
    canonical.map(|_| line.text.to_owned()).ok_or_else(|| {
        line.error(Problem::Endpoint {
            found: line.text.to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXAMPLE: &str = "petitio-where/v1\nkey clean-air-kz\nsequence 7\n\
        main https://new.example\norigin https://new.example\norigin https://mirror.example\n\
        api https://new.example/api\napi https://petitio.acct.workers.dev/api\n\
        abandoned https://old.example\ndate 2026-12-01\n";

    fn example() -> WhereNote {
        WhereNote {
            key_name: "clean-air-kz".into(),
            sequence: 7,
            main_origin: "https://new.example".into(),
            origins: vec![
                "https://new.example".into(),
                "https://mirror.example".into(),
            ],
            api_endpoints: vec![
                "https://new.example/api".into(),
                "https://petitio.acct.workers.dev/api".into(),
            ],
            abandoned: vec!["https://old.example".into()],
            date: Date::new(2026, 12, 1).unwrap(),
        }
    }

    #[test]
    fn the_documented_note_parses_and_renders_back() {
        assert_eq!(WhereNote::parse(EXAMPLE).unwrap(), example());
        assert_eq!(example().to_text().unwrap(), EXAMPLE);
        assert!(example().lists_origin("https://mirror.example"));
        assert!(!example().lists_origin("https://old.example"));
    }

    /// Replaces line `number` (1-based) of the example, or removes it (`None`).
    fn with_line(number: usize, line: Option<&str>) -> String {
        let mut lines: Vec<&str> = EXAMPLE.lines().collect();
        match line {
            Some(line) => lines[number - 1] = line,
            None => {
                lines.remove(number - 1);
            }
        }
        lines.join("\n") + "\n"
    }

    fn error(text: &str) -> String {
        WhereNote::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_broken_line_is_named_with_its_number() {
        let cases: Vec<(String, &str)> = vec![
            (with_line(1, Some("petitio-where/v2")), "line 1: expected the first line `petitio-where/v1`"),
            (with_line(2, Some("key lo g")), "line 2: expected a log key name (1 to 64 ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit), found \"lo g\""),
            (with_line(2, None), "line 2: expected a line `key ...`, found \"sequence 7\""),
            (with_line(3, Some("sequence 07")), "line 3: expected a sequence number from 1 to 9007199254740991 without leading zeros, found \"07\""),
            (with_line(3, Some("sequence 0")), "line 3: expected a sequence number from 1 to 9007199254740991 without leading zeros, found \"0\""),
            (with_line(3, Some("sequence 9007199254740992")), "line 3: expected a sequence number from 1 to 9007199254740991 without leading zeros, found \"9007199254740992\""),
            (with_line(4, Some("main https://NEW.example")), "line 4: expected an origin like \"https://petitio.example\" (lowercase, no path or trailing slash; http:// only to localhost), found \"https://NEW.example\""),
            (with_line(4, Some("main https://new.example/")), "line 4: expected an origin like \"https://petitio.example\" (lowercase, no path or trailing slash; http:// only to localhost), found \"https://new.example/\""),
            (with_line(5, Some("origin http://new.example")), "line 5: expected an origin like \"https://petitio.example\" (lowercase, no path or trailing slash; http:// only to localhost), found \"http://new.example\""),
            (with_line(5, Some("origin https://mirror.example")), "line 6: \"https://mirror.example\" is listed twice"),
            (with_line(5, None), "line 5: the first `origin` line must repeat the `main` origin"),
            (with_line(7, Some("api /api")), "line 7: expected an absolute API endpoint like \"https://petitio.example/api\" (no trailing slash, query or fragment; http:// only to localhost), found \"/api\""),
            (with_line(7, Some("api https://new.example/api/")), "line 7: expected an absolute API endpoint like \"https://petitio.example/api\" (no trailing slash, query or fragment; http:// only to localhost), found \"https://new.example/api/\""),
            (with_line(7, Some("api https://new.example/api?x=1")), "line 7: expected an absolute API endpoint like \"https://petitio.example/api\" (no trailing slash, query or fragment; http:// only to localhost), found \"https://new.example/api?x=1\""),
            (with_line(9, Some("abandoned https://mirror.example")), "line 9: \"https://mirror.example\" is listed twice"),
            (with_line(10, Some("date 2026-02-30")), "line 10: expected a date like 2026-12-01, found \"2026-02-30\""),
            (with_line(10, None), "expected a line `date ...`, found \"the end of the note\""),
            (with_line(6, Some("mirror https://mirror.example")), "line 6: expected a line `api ...`, found \"mirror https://mirror.example\""),
            (format!("{EXAMPLE}extra 1\n"), "line 11: nothing may follow the `date` line"),
            (EXAMPLE.replace("\n", "\r\n"), "line 1: a control character (carriage return, tab, ...): lines end with a bare newline"),
            (EXAMPLE.replace("key clean", "key\tclean"), "line 2: a control character (carriage return, tab, ...): lines end with a bare newline"),
            (EXAMPLE.replace("\nkey", "\n\nkey"), "line 2: an empty line inside the note's text"),
            (EXAMPLE.trim_end().to_owned(), "the note's text must end with a newline"),
            (String::new(), "the note's text must end with a newline"),
            (format!("{EXAMPLE}{}", "x".repeat(MAX_TEXT_BYTES)), "the note is 16626 bytes long; at most 16384 are accepted"),
        ];
        for (text, expected) in cases {
            assert_eq!(error(&text), expected, "{text}");
        }
    }

    #[test]
    fn an_abandoned_origin_cannot_also_be_current() {
        let mut note = example();
        note.abandoned = vec!["https://mirror.example".into()];
        assert_eq!(
            note.to_text().unwrap_err().to_string(),
            "line 9: \"https://mirror.example\" is listed twice"
        );
        let text = EXAMPLE.replace(
            "abandoned https://old.example",
            "abandoned https://new.example",
        );
        assert_eq!(
            error(&text),
            "line 9: \"https://new.example\" is listed twice"
        );
    }

    #[test]
    fn local_origins_may_be_plain_http() {
        let text = EXAMPLE
            .replace("https://new.example", "http://127.0.0.1:8787")
            .replace("https://mirror.example", "http://localhost:9000");
        let note = WhereNote::parse(&text).unwrap();
        assert_eq!(note.main_origin, "http://127.0.0.1:8787");
        assert_eq!(note.api_endpoints[0], "http://127.0.0.1:8787/api");
    }

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}\\.(kz|example|org)".prop_map(|h| format!("https://{h}")),
            (1024u16..65535).prop_map(|port| format!("http://127.0.0.1:{port}")),
        ]
    }

    fn note() -> impl Strategy<Value = WhereNote> {
        (
            "[a-z0-9][a-z0-9._-]{0,20}",
            1..=MAX_SEQUENCE,
            proptest::collection::btree_set(host(), 1..6),
            proptest::collection::btree_set("(/[a-z0-9]{1,8}){0,3}", 1..4),
            proptest::collection::btree_set(host(), 0..4),
            (1970i32..2200, 1u8..=12, 1u8..=28),
        )
            .prop_map(
                |(key_name, sequence, origins, paths, abandoned, (y, m, d))| {
                    let origins: Vec<String> = origins.into_iter().collect();
                    let api_endpoints = paths
                        .iter()
                        .map(|path| format!("{}{path}", origins[0]))
                        .collect();
                    let abandoned = abandoned
                        .into_iter()
                        .filter(|origin| !origins.contains(origin))
                        .collect();
                    WhereNote {
                        key_name,
                        sequence,
                        main_origin: origins[0].clone(),
                        origins,
                        api_endpoints,
                        abandoned,
                        date: Date::new(y, m, d).unwrap(),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn every_valid_note_round_trips(note in note()) {
            let text = note.to_text().unwrap();
            prop_assert_eq!(WhereNote::parse(&text).unwrap(), note);
        }

        /// Whatever parses is written one way only: rendering gives back the same text.
        #[test]
        fn what_parses_renders_to_the_same_text(
            note in note(),
            at in 0usize..400,
            byte in "[ -~\n]",
        ) {
            let mut text = note.to_text().unwrap();
            let at = at % text.len();
            text.insert_str(at, &byte);
            if let Ok(parsed) = WhereNote::parse(&text) {
                prop_assert_eq!(parsed.to_text().unwrap(), text);
            }
        }
    }
}
