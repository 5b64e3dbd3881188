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
//! * The target `each` repeats markup: `data-fill-each="<markup>"` holds one item's HTML
//!   (escaped in the attribute, as any attribute value), `data-fill-each-of="<list>"` or
//!   `"<list>:<arg>"` names a list of the values (e.g. `regions:10`, the ten most signed
//!   regions); the element's content becomes the markup once per item, each `#` in a
//!   pattern's argument standing for the item's number (from 1): `{rank_name:#}`. An empty
//!   list empties the element. Values in the markup are escaped as the build's templates
//!   escape them (`crate::escape`), so filled items are byte for byte what a template
//!   rendering the same markup writes.
//!
//! If any name in a pattern has no value (no published counts yet, an unknown petition, a
//! malformed pattern), that target is left as the build wrote it: a page is never filled
//! half-way within one target. Attribute names must be plain (`[a-z][a-z0-9-]*`) and never
//! an event handler (`on*`) or a `data-fill*` attribute; such targets are skipped.
//!
//! Escaping: [`Edit::Text`] is plain text, which the adapter inserts as text (the rewriter
//! escapes it); [`Edit::Attribute`] and [`Edit::Markup`] values are already escaped here
//! (`crate::escape`, as the build's templates escape), since the rewriters escape `"` but not
//! `&` in attribute values. The adapters add nothing.

/// Names the targets to fill.
pub const FILL_ATTRIBUTE: &str = "data-fill";
/// Names the petition whose values an element shows.
pub const FOR_ATTRIBUTE: &str = "data-fill-for";
/// Prefix of the attribute holding a target's pattern: `data-fill-<target>`.
pub const PATTERN_PREFIX: &str = "data-fill-";
/// The target meaning the element's content.
pub const TEXT_TARGET: &str = "text";
/// The target meaning the element's content as markup repeated once per item of a list.
pub const EACH_TARGET: &str = "each";
/// Names the list an `each` target repeats its markup for.
pub const EACH_OF_ATTRIBUTE: &str = "data-fill-each-of";
/// Stands for the item's number in the arguments of an `each` target's pattern.
pub const ITEM_NUMBER: char = '#';
/// The CSS selector of every element to fill (what the rewriters are given).
pub const SELECTOR: &str = "[data-fill]";

/// Where the values come from: `petition` is the element's `data-fill-for`, `name` and `arg`
/// are a pattern's `{name:arg}`. `None` leaves the target as built.
pub trait Values {
    fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String>;

    /// How many items the list `name` (with `arg`, as in `regions:10`) has; `None` leaves an
    /// `each` target as built.
    fn items(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<usize> {
        let _ = (petition, name, arg);
        None
    }
}

/// One change to one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Replace the element's content with this text (to be inserted escaped, as text).
    Text(String),
    /// Set this attribute to this value (already escaped for an attribute value).
    Attribute { name: String, value: String },
    /// Replace the element's content with this markup (its values already escaped).
    Markup(String),
}

/// The edits for one element, given how to read its attributes.
pub fn edits(attribute: impl Fn(&str) -> Option<String>, values: &impl Values) -> Vec<Edit> {
    let Some(targets) = attribute(FILL_ATTRIBUTE) else {
        return Vec::new();
    };
    let petition = attribute(FOR_ATTRIBUTE);
    targets
        .split_ascii_whitespace()
        .filter(|target| {
            *target == TEXT_TARGET || *target == EACH_TARGET || is_fillable_attribute(target)
        })
        .filter_map(|target| {
            let pattern = decode_entities(&attribute(&format!("{PATTERN_PREFIX}{target}"))?);
            if target == EACH_TARGET {
                let list = attribute(EACH_OF_ATTRIBUTE)?;
                return repeat(&pattern, &list, petition.as_deref(), values).map(Edit::Markup);
            }
            let value = expand(&pattern, |name, arg| {
                values.value(petition.as_deref(), name, arg)
            })?;
            Some(if target == TEXT_TARGET {
                Edit::Text(value)
            } else {
                Edit::Attribute {
                    name: target.to_owned(),
                    value: escape_html(&value),
                }
            })
        })
        .collect()
}

/// `pattern` (one item's markup) once per item of `list`, `#` in arguments numbering them.
fn repeat(
    pattern: &str,
    list: &str,
    petition: Option<&str>,
    values: &impl Values,
) -> Option<String> {
    let (name, arg) = match list.split_once(':') {
        Some((name, arg)) => (name, Some(arg)),
        None => (list, None),
    };
    let items = values.items(petition, name, arg)?;
    let mut out = String::new();
    for number in 1..=items {
        let number = number.to_string();
        out.push_str(&expand(pattern, |name, arg| {
            let arg = arg.map(|arg| arg.replace(ITEM_NUMBER, &number));
            let value = values.value(petition, name, arg.as_deref())?;
            Some(escape_html(&value))
        })?);
    }
    Some(out)
}

/// Whether a filler may set this attribute.
fn is_fillable_attribute(name: &str) -> bool {
    let mut chars = name.chars();
    name != EACH_TARGET
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
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

/// An attribute value as the page means it: the rewriters hand over attribute values as
/// written, so the character references a template's autoescape writes (`&amp; &lt; &gt;
/// &quot; &#x27; &#39; &#x2F; &#47;`) are decoded here; any other `&` is left as it is.
fn decode_entities(raw: &str) -> String {
    const ENTITIES: [(&str, char); 8] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#x27;", '\''),
        ("&#39;", '\''),
        ("&#x2F;", '/'),
        ("&#47;", '/'),
    ];
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| tail.starts_with(entity)) {
            Some((entity, c)) => {
                out.push(*c);
                rest = &tail[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

use crate::escape::escape_html;

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

    /// A list of two regions, as the signature core gives it.
    struct Ranked;
    impl Values for Ranked {
        fn value(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<String> {
            match (petition?, name, arg?) {
                ("clean-air", "rank_name", "1") => Some("Abai <&> 'Semey'/".into()),
                ("clean-air", "rank_name", "2") => Some("Astana".into()),
                ("clean-air", "rank_count", n) => Some(format!("{n}0")),
                _ => None,
            }
        }
        fn items(&self, petition: Option<&str>, name: &str, arg: Option<&str>) -> Option<usize> {
            match (petition?, name, arg) {
                ("clean-air", "regions", None) => Some(2),
                ("clean-air", "regions", Some("1")) => Some(1),
                ("unsigned", "regions", _) => Some(0),
                _ => None,
            }
        }
    }

    #[test]
    fn each_repeats_its_markup_per_item_with_escaped_values() {
        let list = |petition: &'static str, of: &'static str, pattern: &'static str| {
            edits(
                element(&[
                    ("data-fill", "each"),
                    ("data-fill-for", petition),
                    ("data-fill-each-of", of),
                    ("data-fill-each", pattern),
                ]),
                &Ranked,
            )
        };
        let row = "<tr><th>{rank_name:#}</th><td>{rank_count:#}</td></tr>";
        assert_eq!(
            list("clean-air", "regions", row),
            vec![Edit::Markup(
                "<tr><th>Abai &lt;&amp;&gt; &#39;Semey&#39;/</th><td>10</td></tr>\
                 <tr><th>Astana</th><td>20</td></tr>"
                    .into()
            )]
        );
        assert_eq!(
            list("clean-air", "regions:1", row),
            vec![Edit::Markup(
                "<tr><th>Abai &lt;&amp;&gt; &#39;Semey&#39;/</th><td>10</td></tr>".into()
            )]
        );
        assert_eq!(
            list("unsigned", "regions", row),
            vec![Edit::Markup(String::new())]
        );
        assert_eq!(list("clean-air", "towns", row), vec![], "an unknown list");
        assert_eq!(
            list("clean-air", "regions", "<td>{rank_share:#}</td>"),
            vec![],
            "a value missing for one item leaves the whole list as built"
        );
        assert_eq!(
            edits(
                element(&[
                    ("data-fill", "each"),
                    ("data-fill-for", "clean-air"),
                    ("data-fill-each", row),
                ]),
                &Ranked
            ),
            vec![],
            "no list named"
        );
    }

    #[test]
    fn patterns_are_read_as_the_page_means_them() {
        assert_eq!(
            decode_entities(
                "&lt;tr data-x=&quot;{a}&quot;&gt;&#x27;&#39;&#x2F;&#47;&amp;lt; &copy; &"
            ),
            "<tr data-x=\"{a}\">''//&lt; &copy; &"
        );
        let attributes = element(&[
            ("data-fill", "each"),
            ("data-fill-for", "clean-air"),
            ("data-fill-each-of", "regions:1"),
            ("data-fill-each", "&lt;td&gt;{rank_count:#}&lt;&#x2F;td&gt;"),
        ]);
        assert_eq!(
            edits(attributes, &Ranked),
            vec![Edit::Markup("<td>10</td>".into())]
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
