//! Escaping text for HTML and XML: the one definition. Tera's autoescape (the pages, feeds
//! and badges the build writes), the page fillers (values they write into served pages, so
//! a filled page is what the build writes) and the confirmation messages all use it.

/// Escapes text for an HTML element's content or a quoted attribute. The hottest function
/// of a build (every value of every page goes through it): it copies the runs between the
/// five special bytes whole instead of pushing character by character; all five are ASCII,
/// so slicing at them never splits a UTF-8 character.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(replacement);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_replaces_the_five_special_characters_and_keeps_the_rest() {
        assert_eq!(
            escape_html("Ақ <b class=\"x\">'жол' & д</b>"),
            "Ақ &lt;b class=&quot;x&quot;&gt;&#39;жол&#39; &amp; д&lt;/b&gt;"
        );
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("<"), "&lt;");
        assert_eq!(escape_html("без изменений"), "без изменений");
    }
}
