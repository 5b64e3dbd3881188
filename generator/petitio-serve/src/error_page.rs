//! The page shown in place of the site's HTML while the last rebuild has failed: the
//! error message, escaped, and the live-reload client, so the page comes back by itself
//! once the content is fixed. No inline script or style: the site's CSP applies to it.

use crate::livereload::SCRIPT_PATH;
use petitio_render::escape_html;

/// The whole HTML document for a failed build.
pub fn render(message: &str) -> String {
    format!(
        "<!doctype html>\n\
         <html lang=\"en\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Build failed · petitio serve</title>\n\
         </head>\n\
         <body>\n\
         <main>\n\
         <h1>The site could not be rebuilt</h1>\n\
         <p>Fix the problem below and save: this page reloads when the build succeeds.</p>\n\
         <pre>{}</pre>\n\
         </main>\n\
         <script src=\"{SCRIPT_PATH}\"></script>\n\
         </body>\n\
         </html>\n",
        escape_html(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_the_message_is_escaped() {
        let page = render("content/petitions/a/index.en.md: unknown field `<script>` & \"x\"");
        assert!(page.contains(
            "<pre>content/petitions/a/index.en.md: unknown field `&lt;script&gt;` &amp; &quot;x&quot;</pre>"
        ));
        assert!(!page.contains("<script>`"));
    }

    #[test]
    fn the_page_loads_the_reload_client_from_a_file() {
        let page = render("broken");
        assert!(page.contains("<script src=\"/_petitio/livereload.js\"></script>"));
        assert_eq!(page.matches("<script").count(), 1);
    }
}
