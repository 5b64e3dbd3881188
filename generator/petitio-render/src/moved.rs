//! The "we moved" site `petitio relocate` writes for the old domain: at every path the old
//! site had, a notice in each of the site's languages linking the same page on the new
//! domain and listing the mirrors, plus redirect rules for hosts that read them
//! (`_redirects` for Cloudflare Pages and Netlify, `.htaccess` for Apache).
//!
//! The notice is the theme's `moved.html` with the `moved.*` strings of its i18n files, so
//! a site words and styles it like the rest of its pages (and may override either).

use std::path::Path;

use serde::Serialize;
use tera::Context;

use petitio_model::urls;
use petitio_site::config::Config;
use petitio_site::confine::SiteRoot;
use petitio_site::content::Site;
use petitio_site::error::IoAction;
use petitio_site::site_url::SiteUrl;

use crate::error::Error;
use crate::output::{build_atomically, FolderSink};
use crate::sink::Sink;
use crate::templates::names;
use crate::theme::Theme;
use crate::url_mode::PageAt;

/// Where a site moved from and to.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub old_base: &'a SiteUrl,
    pub new_base: &'a SiteUrl,
    /// The mirrors to list, besides the new address.
    pub mirrors: &'a [String],
}

/// One language's notice.
#[derive(Serialize)]
struct Notice {
    lang: String,
    heading: String,
    body: String,
    mirrors: String,
}

/// Renders the notices of one move with the site's theme.
pub struct MovedSite<'a> {
    theme: Theme,
    config: &'a Config,
    moved: Move<'a>,
    title: String,
    notices: Vec<Notice>,
}

impl<'a> MovedSite<'a> {
    /// Loads the theme of the site at `root` configured by `config` (the templates, the
    /// strings and static files; no content is read).
    pub fn new(root: &Path, config: &'a Config, moved: Move<'a>) -> Result<MovedSite<'a>, Error> {
        let site = Site {
            root: root.to_path_buf(),
            config: config.clone(),
            petitions: Vec::new(),
            pages: Vec::new(),
            warnings: Vec::new(),
            folders: SiteRoot::new(root)?,
            today: petitio_site::today::today(config.utc_offset)?,
        };
        let theme = Theme::load(&site)?;
        let mut titles = Vec::with_capacity(config.languages.len());
        let mut notices = Vec::with_capacity(config.languages.len());
        for lang in &config.languages {
            titles.push(theme.text(lang, "moved.title")?);
            notices.push(Notice {
                lang: lang.clone(),
                heading: theme.text(lang, "moved.heading")?,
                body: theme.text(lang, "moved.body")?,
                mirrors: theme.text(lang, "moved.mirrors")?,
            });
        }
        Ok(MovedSite {
            theme,
            config,
            moved,
            title: titles.join(" · "),
            notices,
        })
    }

    /// The notice shown at an old path whose page is now at `new_page_url`.
    pub fn notice_page(&self, new_page_url: &str) -> Result<String, Error> {
        let mut context = Context::new();
        context.insert("lang", &self.config.default_language);
        context.insert("title", &self.title);
        context.insert("new_page_url", new_page_url);
        context.insert("new_base_url", self.moved.new_base.as_str());
        context.insert("mirrors", self.moved.mirrors);
        context.insert("notices", &self.notices);
        self.theme.templates.render(
            PageAt::ROOT,
            &self.config.default_language,
            names::MOVED,
            &context,
        )
    }

    /// Writes the moved site into `moved_out` (atomically, like a build): a notice at every
    /// HTML path of `built` (the new build, whose layout is the old site's) and the redirect
    /// rules. Returns how many notices it wrote.
    pub fn write(&self, built: &Path, moved_out: &Path) -> Result<usize, Error> {
        build_atomically(moved_out, |staging| {
            self.fill(built, &FolderSink::new(staging))
        })
    }

    fn fill(&self, built: &Path, sink: &FolderSink) -> Result<usize, Error> {
        let new_base = self.moved.new_base;
        for entry in walkdir::WalkDir::new(built).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::io(IoAction::Read, built, e.into()))?;
            if entry.path().extension().is_none_or(|ext| ext != "html") {
                continue;
            }
            let relative = petitio_site::confine::display_path(built, entry.path());
            let page_url = if relative == urls::NOT_FOUND {
                new_base.as_str().to_owned()
            } else {
                new_base.join(relative.trim_end_matches(urls::ROOT_REDIRECT))
            };
            sink.put(&relative, self.notice_page(&page_url)?.into_bytes())?;
        }
        let notices = sink.written().pages;
        let (netlify, apache) = redirect_rules(self.moved.old_base, new_base);
        sink.put("_redirects", netlify.into_bytes())?;
        sink.put(".htaccess", apache.into_bytes())?;
        Ok(notices)
    }
}

/// Redirect rules for the old host: every path to the same path on the new domain.
fn redirect_rules(old_base: &SiteUrl, new_base: &SiteUrl) -> (String, String) {
    let from = old_base.base_path();
    let netlify = format!(
        "# Cloudflare Pages and Netlify: send every old path to the new domain.\n{from}* {}:splat 301\n",
        new_base.as_str()
    );
    let apache = format!(
        "# Apache: send every old path to the new domain.\nRewriteEngine On\nRewriteRule ^(.*)$ {}$1 [R=301,L]\n",
        new_base.as_str()
    );
    (netlify, apache)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_links_the_same_page_on_the_new_domain_in_every_language() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let config = Config::parse(
            "base_url = \"https://new.example/\"\n[title]\nkk = \"T\"\n",
            None,
        )
        .unwrap();
        let (old_base, new_base) = (
            SiteUrl::parse("https://old.example/").unwrap(),
            SiteUrl::parse("https://new.example/").unwrap(),
        );
        let mirrors = ["https://mirror.example/".to_owned()];
        let moved = Move {
            old_base: &old_base,
            new_base: &new_base,
            mirrors: &mirrors,
        };
        let page = MovedSite::new(&root, &config, moved)
            .unwrap()
            .notice_page("https://new.example/ru/petitions/x/")
            .unwrap();
        for lang in ["kk", "ru", "en"] {
            assert!(page.contains(&format!("<section lang=\"{lang}\">")));
        }
        assert!(page.contains("href=\"https://new.example/ru/petitions/x/\""));
        assert!(page.contains("href=\"https://mirror.example/\""));
        assert!(!page.contains("<script"));
        assert!(page.contains("<title>Сайт көшті · Сайт переехал · This site has moved</title>"));
        assert!(page.contains("<h1>Сайт переехал на новый адрес</h1>"));
    }

    #[test]
    fn redirect_rules_send_every_old_path_to_the_new_domain() {
        let (netlify, apache) = redirect_rules(
            &SiteUrl::parse("https://old.example/sub/").unwrap(),
            &SiteUrl::parse("https://new.example/").unwrap(),
        );
        assert!(netlify.ends_with("\n/sub/* https://new.example/:splat 301\n"));
        assert!(apache.ends_with("\nRewriteRule ^(.*)$ https://new.example/$1 [R=301,L]\n"));
    }
}
