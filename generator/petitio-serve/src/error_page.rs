//! The page shown in place of the site's HTML while the last rebuild has failed: the
//! error message, escaped, and the live-reload client, so the page comes back by itself
//! once the content is fixed. Rendered from the theme's `serve-error.html`
//! (`petitio_render::templates::serve_error_page`); no inline script or style: the site's
//! CSP applies to it.

use std::path::Path;

use petitio_render::templates::serve_error_page;

use crate::livereload::SCRIPT_PATH;

/// The whole HTML document for a failed build of the site at `root`.
pub fn render(root: &Path, message: &str) -> String {
    serve_error_page(root, message, &[SCRIPT_PATH.to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder with the repository's default theme and no config: what the error
    /// page falls back to.
    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn markup_in_the_message_is_escaped() {
        let page = render(
            root(),
            "content/petitions/a/index.en.md: unknown field `<script>` & \"x\"",
        );
        assert!(page.contains(
            "<pre>content/petitions/a/index.en.md: unknown field `&lt;script&gt;` &amp; &quot;x&quot;</pre>"
        ));
        assert!(!page.contains("<script>`"));
    }

    #[test]
    fn the_page_loads_the_reload_client_from_a_file() {
        let page = render(root(), "broken");
        assert!(page.contains("<script src=\"/_petitio/livereload.js\"></script>"));
        assert_eq!(page.matches("<script").count(), 1);
    }

    #[test]
    fn a_site_overrides_the_page_unless_its_template_is_broken() {
        let site = tempfile::tempdir().unwrap();
        let templates = site.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join("serve-error.html"), "<p>{{ message }}</p>").unwrap();
        assert_eq!(render(site.path(), "a < b"), "<p>a &lt; b</p>");
        std::fs::write(templates.join("serve-error.html"), "{{ message").unwrap();
        assert!(render(site.path(), "a < b").contains("<pre>a &lt; b</pre>"));
    }
}
