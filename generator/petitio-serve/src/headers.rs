//! The generated `_headers` file (the format static hosts such as Cloudflare read), parsed
//! and applied to static responses, so the CSP and the other headers are exercised locally
//! exactly as in production.
//!
//! Format: a line starting at column 0 is a path pattern; the indented lines under it are
//! `Name: value` (add) or `! Name` (remove). `*` matches any run of characters, `:name` one
//! path segment. When several rules set one header, the values are joined with `, `.
//! Lines starting with `#` are comments.

use std::path::Path;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{HeadersProblem, ServeError};

/// Name of the file in the output directory.
pub const HEADERS_FILE: &str = "_headers";

/// The rules of one `_headers` file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderRules {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    pattern: Vec<Token>,
    set: Vec<(String, String)>,
    remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// `*`: any characters, `/` included.
    Splat,
    /// `:name`: one or more characters other than `/`.
    Segment,
}

impl HeaderRules {
    /// Reads `<out>/_headers`; a site without one has no rules.
    pub fn load(out: &Path) -> Result<Self, ServeError> {
        let path = out.join(HEADERS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                Self::parse(&text).map_err(|(line, problem)| ServeError::InvalidHeadersFile {
                    path,
                    line,
                    problem,
                })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ServeError::ReadBuildOutput { path, source }),
        }
    }

    /// Parses the file's text; an error names the 1-based line.
    pub fn parse(text: &str) -> Result<Self, (usize, HeadersProblem)> {
        let mut rules: Vec<Rule> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let content = line.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let problem = |problem| (index + 1, problem);
            if !line.starts_with(char::is_whitespace) {
                if !content.starts_with('/') {
                    return Err(problem(HeadersProblem::PatternNotAPath(content.to_owned())));
                }
                rules.push(Rule {
                    pattern: tokenize(content),
                    set: Vec::new(),
                    remove: Vec::new(),
                });
                continue;
            }
            let rule = rules
                .last_mut()
                .ok_or_else(|| problem(HeadersProblem::HeaderWithoutPattern))?;
            if let Some(name) = content.strip_prefix('!') {
                rule.remove.push(name.trim().to_ascii_lowercase());
            } else if let Some((name, value)) = content.split_once(':') {
                let (name, value) = (name.trim(), value.trim());
                if HeaderName::try_from(name).is_err() || HeaderValue::try_from(value).is_err() {
                    return Err(problem(HeadersProblem::MalformedHeader(content.to_owned())));
                }
                rule.set.push((name.to_ascii_lowercase(), value.to_owned()));
            } else {
                return Err(problem(HeadersProblem::MalformedHeader(content.to_owned())));
            }
        }
        Ok(Self { rules })
    }

    /// The headers the rules give `path`, in the order first set.
    pub fn for_path(&self, path: &str) -> Vec<(String, String)> {
        let matching: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|rule| matches(&rule.pattern, path))
            .collect();
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in matching.iter().flat_map(|rule| &rule.set) {
            match headers.iter_mut().find(|(known, _)| known == name) {
                Some((_, joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                None => headers.push((name.clone(), value.clone())),
            }
        }
        let removed: Vec<&String> = matching.iter().flat_map(|rule| &rule.remove).collect();
        headers.retain(|(name, _)| !removed.contains(&name));
        headers
    }

    /// Sets the headers for `path` on a response, replacing any of the same name.
    pub fn apply(&self, path: &str, response_headers: &mut HeaderMap) {
        for (name, value) in self.for_path(path) {
            // Both were validated by `parse`, and joining valid values with ", " keeps them valid.
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(name), HeaderValue::try_from(value))
            {
                response_headers.insert(name, value);
            }
        }
    }
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let token = match c {
            '*' => Token::Splat,
            ':' if chars.peek().is_some_and(|next| next.is_ascii_alphabetic()) => {
                while chars
                    .peek()
                    .is_some_and(|next| next.is_ascii_alphanumeric() || *next == '_')
                {
                    chars.next();
                }
                Token::Segment
            }
            _ => {
                literal.push(c);
                continue;
            }
        };
        if !literal.is_empty() {
            tokens.push(Token::Literal(std::mem::take(&mut literal)));
        }
        tokens.push(token);
    }
    if !literal.is_empty() {
        tokens.push(Token::Literal(literal));
    }
    tokens
}

fn matches(pattern: &[Token], path: &str) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Token::Literal(literal), rest)) => path
            .strip_prefix(literal.as_str())
            .is_some_and(|remaining| matches(rest, remaining)),
        Some((Token::Splat, rest)) => path
            .char_indices()
            .map(|(at, _)| at)
            .chain([path.len()])
            .any(|at| matches(rest, &path[at..])),
        Some((Token::Segment, rest)) => {
            let segment_end = path.find('/').unwrap_or(path.len());
            (1..=segment_end)
                .filter(|at| path.is_char_boundary(*at))
                .any(|at| matches(rest, &path[at..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# security headers for every page
/*
  Content-Security-Policy: default-src 'self'
  X-Content-Type-Options: nosniff
  Cache-Control: no-cache

/assets/*
  Cache-Control: public, max-age=31536000, immutable
  ! X-Content-Type-Options

/petitions/:slug/
  Link: </feed.xml>; rel=alternate
";

    fn rules() -> HeaderRules {
        HeaderRules::parse(SAMPLE).expect("sample parses")
    }

    #[test]
    fn a_page_gets_the_site_wide_headers() {
        assert_eq!(
            rules().for_path("/en/"),
            vec![
                (
                    "content-security-policy".into(),
                    "default-src 'self'".into()
                ),
                ("x-content-type-options".into(), "nosniff".into()),
                ("cache-control".into(), "no-cache".into()),
            ]
        );
    }

    #[test]
    fn values_of_several_rules_are_joined_and_removals_apply() {
        assert_eq!(
            rules().for_path("/assets/site.0a1b.css"),
            vec![
                (
                    "content-security-policy".into(),
                    "default-src 'self'".into()
                ),
                (
                    "cache-control".into(),
                    "no-cache, public, max-age=31536000, immutable".into()
                ),
            ]
        );
    }

    #[test]
    fn a_placeholder_matches_exactly_one_segment() {
        let rules = rules();
        let has_link = |path: &str| rules.for_path(path).iter().any(|(name, _)| name == "link");
        assert!(has_link("/petitions/clean-air/"));
        assert!(!has_link("/petitions/clean-air/extra/"));
        assert!(!has_link("/petitions//"));
    }

    #[test]
    fn apply_replaces_headers_already_on_the_response() {
        let mut headers = HeaderMap::new();
        headers.insert("cache-control", HeaderValue::from_static("max-age=0"));
        rules().apply("/", &mut headers);
        assert_eq!(headers["cache-control"], "no-cache");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }

    #[test]
    fn a_header_line_before_any_pattern_is_an_error_naming_the_line() {
        assert_eq!(
            HeaderRules::parse("\n  X-Frame-Options: DENY\n"),
            Err((2, HeadersProblem::HeaderWithoutPattern))
        );
    }

    #[test]
    fn a_line_that_is_not_a_header_is_an_error() {
        let error = HeaderRules::parse("/*\n  nonsense\n").unwrap_err();
        assert_eq!(
            error,
            (2, HeadersProblem::MalformedHeader("nonsense".into()))
        );
        assert_eq!(
            error.1.to_string(),
            "`nonsense` is neither `Name: value` nor `! Name`"
        );
    }

    #[test]
    fn a_pattern_must_be_a_path() {
        let error = HeaderRules::parse("https://example.org/*\n").unwrap_err();
        assert_eq!(
            error.1.to_string(),
            "the pattern `https://example.org/*` does not start with `/`"
        );
    }
}
