//! Escaping text for HTML and XML (`petitio_model::escape`, the one definition: Tera's
//! autoescape, the pages, the feeds and the page fillers all use it) and percent-encoding
//! URL components.

pub use petitio_model::escape::escape_html;

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(
            encode_component("https://x.example/a b?c=д"),
            "https%3A%2F%2Fx.example%2Fa%20b%3Fc%3D%D0%B4"
        );
    }

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
