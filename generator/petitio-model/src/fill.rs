//! The page-fill contract: how a static page marks the values that whoever serves it (the
//! edge worker through the runtime's HTMLRewriter, `petitio serve` through `lol_html`) fills
//! in as it serves it, so a page built once shows live values (counts, a token from the
//! request) without JavaScript. Without a filler (a static host, a bundle, a mirror) the
//! page shows what the build wrote.
//!
//! The contract, for an element of a page (HTML or SVG):
//! * `data-fill="<targets>"`: a space-separated list of what to fill: `text` (the element's
//!   whole content, as text) or an attribute name (set, or added if missing).
//! * `data-fill-<target>="<pattern>"`: for each target, its new value: the pattern with each
//!   `{name}` or `{name:arg}` replaced by that value (`{{` and `}}` are literal braces).
//! * `data-fill-for="<slug>"`: the petition whose values the element shows (values such as
//!   `count` need one; request values such as a token do not).
//!
//! If any name in a pattern has no value (no published counts yet, an unknown petition, a
//! malformed pattern), that target is left as the build wrote it: a page is never filled
//! half-way within one target. Attribute names must be plain (`[a-z][a-z0-9-]*`) and never
//! an event handler (`on*`) or a `data-fill*` attribute; such targets are skipped.
//!
//! Escaping: [`Edit::Text`] is plain text, which the adapter inserts as text (the rewriter
//! escapes it); [`Edit::Attribute`] values are already escaped here (`&`, `"`, `<`, `>`), since
//! the rewriters escape `"` but not `&` in attribute values. The adapters add nothing.

/// Names the targets to fill.
pub const FILL_ATTRIBUTE: &str = "data-fill";
/// Names the petition whose values an element shows.
pub const FOR_ATTRIBUTE: &str = "data-fill-for";
/// Prefix of the attribute holding a target's pattern: `data-fill-<target>`.
pub const PATTERN_PREFIX: &str = "data-fill-";
/// The target meaning the element's content.
pub const TEXT_TARGET: &str = "text";
/// The CSS selector of every element to fill (what the rewriters are given).
pub const SELECTOR: &str = "[data-fill]";

/// Where the values come from: `petition` is the element's `data-fill-for`, `name` and `arg`
/// are a pattern's `{name:arg}`. `None` leaves the target as built.
pub trait Values {
    fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String>;
}

/// One change to one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Replace the element's content with this text (to be inserted escaped, as text).
    Text(String),
    /// Set this attribute to this value (already escaped for an attribute value).
    Attribute { name: String, value: String },
}

/// The edits for one element, given how to read its attributes.
pub fn edits(attribute: impl Fn(&str) -> Option<String>, values: &impl Values) -> Vec<Edit> {
    let Some(targets) = attribute(FILL_ATTRIBUTE) else {
        return Vec::new();
    };
    let petition = attribute(FOR_ATTRIBUTE);
    targets
        .split_ascii_whitespace()
        .filter(|target| *target == TEXT_TARGET || is_fillable_attribute(target))
        .filter_map(|target| {
            let pattern = attribute(&format!("{PATTERN_PREFIX}{target}"))?;
            let value = expand(&pattern, |name, arg| {
                values.value(petition.as_deref(), name, arg)
            })?;
            Some(if target == TEXT_TARGET {
                Edit::Text(value)
            } else {
                Edit::Attribute {
                    name: target.to_owned(),
                    value: escape_attribute(&value),
                }
            })
        })
        .collect()
}

/// Whether a filler may set this attribute.
fn is_fillable_attribute(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with("on")
        && !name.starts_with(FILL_ATTRIBUTE)
}

/// `pattern` with each `{name}` / `{name:arg}` replaced by `value(name, arg)`; `None` if a
/// value is missing or the braces do not match.
pub fn expand(
    pattern: &str,
    mut value: impl FnMut(&str, Option<&str>) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            out.push_str(&tail[..1]);
            rest = after;
            continue;
        }
        let inner_end = tail.strip_prefix('{')?.find(['{', '}'])?;
        let inner = &tail[1..=inner_end];
        if !tail[1 + inner_end..].starts_with('}') {
            return None;
        }
        let (name, arg) = match inner.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (inner, None),
        };
        if name.is_empty() {
            return None;
        }
        out.push_str(&value(name, arg)?);
        rest = &tail[inner_end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// `text` safe inside a double-quoted attribute value.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Fixed;
    impl Values for Fixed {
        fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String> {
            match (petition, name, arg) {
                (Some("clean-air"), "count", None) => Some("1 234".into()),
                (Some("clean-air"), "percent", Some(goal)) => Some(format!("of {goal}")),
                (None, "token", None) => Some("a&b\"<c>".into()),
                _ => None,
            }
        }
    }

    fn element(attributes: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn patterns_expand_names_arguments_and_literal_braces() {
        let value = |name: &str, arg: Option<&str>| Some(format!("<{name}|{}>", arg.unwrap_or("")));
        assert_eq!(
            expand("{count} of {percent:5000} {{x}}", value).as_deref(),
            Some("<count|> of <percent|5000> {x}")
        );
        assert_eq!(expand("plain", value).as_deref(), Some("plain"));
        for broken in ["{count", "count}", "{a{b}}", "{}x{"] {
            assert_eq!(expand(broken, value), None, "{broken}");
        }
        assert_eq!(expand("{missing}", |_, _| None), None);
    }

    #[test]
    fn an_element_gets_one_edit_per_target_with_every_value() {
        let attributes = element(&[
            ("data-fill", "text aria-label width value"),
            ("data-fill-for", "clean-air"),
            ("data-fill-text", "{count}"),
            ("data-fill-aria-label", "{count} signatures"),
            ("data-fill-width", "{percent:100}"),
            ("data-fill-value", "{token}"),
        ]);
        assert_eq!(
            edits(attributes, &Fixed),
            vec![
                Edit::Text("1 234".into()),
                Edit::Attribute {
                    name: "aria-label".into(),
                    value: "1 234 signatures".into()
                },
                Edit::Attribute {
                    name: "width".into(),
                    value: "of 100".into()
                },
            ],
            "value names a request value, which needs no petition, and is missing here"
        );
    }

    #[test]
    fn attribute_values_are_escaped_and_text_is_left_to_the_rewriter() {
        let attributes = element(&[
            ("data-fill", "text value"),
            ("data-fill-text", "{token}"),
            ("data-fill-value", "{token}"),
        ]);
        assert_eq!(
            edits(attributes, &Fixed),
            vec![
                Edit::Text("a&b\"<c>".into()),
                Edit::Attribute {
                    name: "value".into(),
                    value: "a&amp;b&quot;&lt;c&gt;".into()
                },
            ]
        );
    }

    #[test]
    fn event_handlers_and_fill_attributes_are_never_targets() {
        let attributes = element(&[
            ("data-fill", "onclick data-fill-for Style text"),
            ("data-fill-onclick", "{token}"),
            ("data-fill-data-fill-for", "{token}"),
            ("data-fill-Style", "{token}"),
        ]);
        assert_eq!(
            edits(attributes, &Fixed),
            vec![],
            "text has no pattern either"
        );
    }
}
