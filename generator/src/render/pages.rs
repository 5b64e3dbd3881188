//! The HTML pages: their paths, their small per-page contexts, and the shared fragments.
//!
//! Each page gets only what it shows. The layout's common values (title, canonical URL,
//! language alternates, asset URLs) come from [`Renderer::base_context`]; strings, dates and
//! numbers are formatted by template helpers, not copied into contexts.

use serde::Serialize;
use tera::Context;

use crate::content::page::Page;
use crate::content::{Petition, Status, Translation};
use crate::error::Error;
use crate::render::assets::petition_image_name;
use crate::render::templates::names;
use crate::render::{listing_dir, Listing, Renderer, PER_PAGE};

/// Folder of a petition's page, relative to the site root: `kk/petitions/<slug>/`.
pub fn petition_dir(lang: &str, slug: &str) -> String {
    format!("{lang}/petitions/{slug}/")
}

/// `hreflang` alternates of a petition's page or sub-page (`suffix`: "" for the page itself,
/// "signed/", "embed/"): the same folder in every language the petition has.
fn petition_alternates(petition: &Petition, suffix: &str) -> Vec<(String, String)> {
    petition
        .translations
        .iter()
        .map(|t| {
            let dir = petition_dir(&t.lang, &petition.slug);
            (t.lang.clone(), format!("{dir}{suffix}"))
        })
        .collect()
}

/// File of a petition's page, relative to the site root.
pub fn petition_path(lang: &str, slug: &str) -> String {
    format!("{}index.html", petition_dir(lang, slug))
}

/// How many petitions the home page shows per section.
const HOME_OPEN: usize = 12;
const HOME_ANSWERED: usize = 6;

/// The page-specific values of the layout.
struct Meta<'a> {
    lang: &'a str,
    /// Folder or file of this page relative to the site root, e.g. `kk/open/`.
    path: String,
    title: String,
    description: String,
    /// `(lang, path)` of this page in every language it exists in (including this one).
    alternates: Vec<(String, String)>,
    og_type: &'static str,
    image: Option<String>,
    /// Pages that must not be indexed (result pages, 404).
    noindex: bool,
}

#[derive(Serialize)]
struct Alternate<'a> {
    lang: &'a str,
    name: &'a str,
    url: String,
    absolute_url: String,
    current: bool,
}

#[derive(Serialize)]
struct Milestone {
    value: u64,
    reached: bool,
    /// Position on the progress bar, 0-100.
    position: f64,
}

/// One region's signatures, for the table and the chart of a petition page.
#[derive(Serialize)]
struct RegionRow<'a> {
    code: &'a str,
    name: &'a str,
    count: u64,
    /// Share of all signatures with a region, as text, e.g. "12.5".
    share: String,
    /// Bar length in the chart's units (`CHART_WIDTH` for the largest region).
    width: f64,
}

/// Width of the region chart's drawing area, in SVG units.
const CHART_WIDTH: f64 = 400.0;
/// Height of one region in the chart: a label line and a bar.
const CHART_ROW_HEIGHT: u32 = 36;
/// Regions drawn in the chart (the table lists them all).
const CHART_REGIONS: usize = 10;

#[derive(Serialize)]
struct Link {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct DatedHtml<'a> {
    date: String,
    html: &'a str,
}

impl Renderer<'_> {
    fn base_context(&self, meta: Meta<'_>) -> Context {
        let config = &self.site.config;
        let mut context = Context::new();
        let alternates: Vec<Alternate<'_>> = meta
            .alternates
            .iter()
            .map(|(lang, path)| Alternate {
                lang,
                name: self.theme.i18n.get(lang, "language_name").unwrap_or(lang),
                url: config.url(path),
                absolute_url: config.absolute_url(path),
                current: lang == meta.lang,
            })
            .collect();
        context.insert("lang", meta.lang);
        context.insert("site_title", config.title(meta.lang));
        context.insert("site_description", config.description(meta.lang));
        context.insert("title", &meta.title);
        context.insert("description", &meta.description);
        context.insert("page_url", &config.url(&meta.path));
        context.insert("canonical_url", &config.absolute_url(&meta.path));
        context.insert("alternates", &alternates);
        context.insert("og_type", meta.og_type);
        context.insert(
            "og_image",
            &meta.image.map(|path| config.absolute_url(&path)),
        );
        context.insert("noindex", &meta.noindex);
        context.insert("feed_url", &config.url(&format!("{}/atom.xml", meta.lang)));
        context.insert("extra_body_scripts", &self.extra_body_scripts);
        context.insert("mirrors", &config.mirrors);
        context.insert(
            "i18n_url",
            &self.asset_url(&format!("i18n.{}.json", meta.lang)),
        );
        context
    }

    fn every_language(&self, path: impl Fn(&str) -> String) -> Vec<(String, String)> {
        self.site
            .config
            .languages
            .iter()
            .map(|lang| (lang.clone(), path(lang)))
            .collect()
    }

    fn t(&self, lang: &str, key: &str) -> Result<String, Error> {
        self.theme
            .i18n
            .get(lang, key)
            .map(str::to_owned)
            .ok_or_else(|| Error::Template {
                name: "i18n".into(),
                cause: format!(
                    "no UI string `{key}` in i18n/{lang}.toml or the default language's file"
                ),
            })
    }

    pub(super) fn root_redirect(&self) -> Result<String, Error> {
        let config = &self.site.config;
        let lang = &config.default_language;
        let mut context = self.base_context(Meta {
            lang,
            path: String::new(),
            title: config.title(lang).to_owned(),
            description: config.description(lang).to_owned(),
            alternates: self.every_language(|l| format!("{l}/")),
            og_type: "website",
            image: None,
            noindex: false,
        });
        context.insert("target_url", &config.url(&format!("{lang}/")));
        self.theme.templates.render(lang, names::REDIRECT, &context)
    }

    pub(super) fn not_found(&self) -> Result<String, Error> {
        let lang = &self.site.config.default_language;
        let context = self.base_context(Meta {
            lang,
            path: "404.html".into(),
            title: self.t(lang, "not_found.title")?,
            description: String::new(),
            alternates: self.every_language(|l| format!("{l}/")),
            og_type: "website",
            image: None,
            noindex: true,
        });
        self.theme
            .templates
            .render(lang, names::NOT_FOUND, &context)
    }

    pub(super) fn home(&self, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let mut context = self.base_context(Meta {
            lang,
            path: format!("{lang}/"),
            title: config.title(lang).to_owned(),
            description: config.description(lang).to_owned(),
            alternates: self.every_language(|l| format!("{l}/")),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let open = &self.shared.listings["open"];
        context.insert("open_cards", &self.cards(open.iter().take(HOME_OPEN), lang));
        context.insert("open_total", &open.len());
        context.insert(
            "answered_cards",
            &self.cards(
                self.shared.listings["recently_answered"]
                    .iter()
                    .take(HOME_ANSWERED),
                lang,
            ),
        );
        context.insert("is_home", &true);
        self.theme.templates.render(lang, names::HOME, &context)
    }

    /// Concatenated pre-rendered cards of the petitions at `indexes`.
    fn cards<'a>(&self, indexes: impl Iterator<Item = &'a usize>, lang: &str) -> String {
        let lang_index = self.lang_index(lang);
        indexes
            .map(|&i| self.shared.parts[i].cards[lang_index].as_str())
            .collect()
    }

    pub(super) fn render_card(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition.translation_or_first(lang);
        let mut context = Context::new();
        context.insert("lang", lang);
        context.insert("api_url", &self.site.config.api_url);
        context.insert("card", &self.petition_summary(petition, translation));
        self.theme.templates.render(lang, names::CARD, &context)
    }

    /// The values a card and a petition page share.
    fn petition_summary(
        &self,
        petition: &Petition,
        translation: &Translation,
    ) -> serde_json::Value {
        let count = self.counts.total(&petition.slug);
        let goal = petition.goal;
        serde_json::json!({
            "slug": petition.slug,
            "lang": translation.lang,
            "url": self.site.config.url(&petition_dir(&translation.lang, &petition.slug)),
            "status": petition.status.as_str(),
            "title": translation.title,
            "summary": translation.summary,
            "addressee": translation.addressee,
            "author": translation.author,
            "status_reason": translation.status_reason,
            "created": petition.created.to_string(),
            "deadline": petition.deadline.map(|d| d.to_string()),
            "response_date": petition.response_date.map(|d| d.to_string()),
            "count": count,
            "goal": goal,
            "percent": goal.map(|goal| percent(count, goal)),
        })
    }

    /// The milestone marks of the progress bar (`milestones`) and their values for the
    /// script (`milestones_csv`), which the petition and embed pages share.
    fn insert_milestones(&self, context: &mut Context, petition: &Petition) {
        let count = self.counts.total(&petition.slug);
        let milestones: Vec<Milestone> = petition
            .milestones
            .iter()
            .map(|&value| Milestone {
                value,
                reached: count >= value,
                position: petition.goal.map_or(0.0, |goal| percent(value, goal)),
            })
            .collect();
        let csv: Vec<String> = petition.milestones.iter().map(u64::to_string).collect();
        context.insert("milestones", &milestones);
        context.insert("milestones_csv", &csv.join(","));
    }

    pub(super) fn petition_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let translation = petition
            .translation(lang)
            .expect("petition jobs exist only for its translations");
        let dir = petition_dir(lang, &petition.slug);
        let image = petition.image.as_ref().and_then(|image| {
            self.theme
                .assets
                .path(&petition_image_name(&petition.slug, image))
        });
        let mut context = self.base_context(Meta {
            lang,
            path: dir.clone(),
            title: translation.title.clone(),
            description: translation.summary.clone().unwrap_or_default(),
            alternates: petition_alternates(petition, ""),
            og_type: "article",
            image: image.map(str::to_owned),
            noindex: false,
        });
        let tags: Vec<Link> = petition
            .tags
            .iter()
            .map(|tag| Link {
                name: self.tag_name(lang, tag),
                url: config.url(&format!("{lang}/tags/{tag}/")),
            })
            .collect();
        let updates: Vec<DatedHtml<'_>> = translation
            .updates
            .iter()
            .map(|u| DatedHtml {
                date: u.date.to_string(),
                html: &u.text.html,
            })
            .collect();
        let absolute_url = config.absolute_url(&dir);
        context.insert("petition", &self.petition_summary(petition, translation));
        self.insert_milestones(&mut context, petition);
        context.insert("tags", &tags);
        context.insert("body_html", &translation.body.html);
        context.insert(
            "response_from",
            &translation
                .response
                .as_ref()
                .and_then(|r| r.from.as_deref()),
        );
        context.insert(
            "response_html",
            &translation.response.as_ref().map(|r| r.text.html.as_str()),
        );
        context.insert("updates", &updates);
        context.insert("image_url", &image.map(|path| config.url(path)));
        context.insert("accepts_signatures", &(petition.status == Status::Open));
        context.insert(
            "sign_action",
            &format!("{}/petitions/{}/signatures", config.api_url, petition.slug),
        );
        context.insert("api_url", &config.api_url);
        context.insert(
            "region_options",
            &self.shared.region_options[self.lang_index(lang)],
        );
        context.insert(
            "share_links",
            &share_links(&absolute_url, &translation.title),
        );
        context.insert("copy_url", &absolute_url);
        let embed_url = config.absolute_url(&format!("{dir}embed/"));
        context.insert("embed_url", &embed_url);
        context.insert(
            "badge_url",
            &config.absolute_url(&format!("{dir}badge.svg")),
        );
        let rows = self.region_rows(&petition.slug, lang);
        let chart_rows = &rows[..rows.len().min(CHART_REGIONS)];
        context.insert("region_rows", &rows);
        context.insert("region_chart", chart_rows);
        context.insert("chart_width", &CHART_WIDTH);
        context.insert("chart_row_height", &CHART_ROW_HEIGHT);
        context.insert("chart_limit", &CHART_REGIONS);
        context.insert(
            "chart_height",
            &(CHART_ROW_HEIGHT * u32::try_from(chart_rows.len().max(1)).unwrap_or(1)),
        );
        context.insert("region_names", &self.region_names_json(lang));
        context.insert(
            "data_url",
            &config.url(&format!("data/petitions/{}.json", petition.slug)),
        );
        self.theme.templates.render(lang, names::PETITION, &context)
    }

    pub(super) fn signed_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("signed pages exist only for translations");
        let mut context = self.base_context(Meta {
            lang,
            path: format!("{}signed/", petition_dir(lang, &petition.slug)),
            title: self.t(lang, "signed.title")?,
            description: String::new(),
            alternates: petition_alternates(petition, "signed/"),
            og_type: "website",
            image: None,
            noindex: true,
        });
        let absolute_url = self
            .site
            .config
            .absolute_url(&petition_dir(lang, &petition.slug));
        context.insert("petition", &self.petition_summary(petition, translation));
        context.insert(
            "share_links",
            &share_links(&absolute_url, &translation.title),
        );
        self.theme.templates.render(lang, names::SIGNED, &context)
    }

    /// The embeddable counter: a tiny page for an `<iframe>` on other sites.
    pub(super) fn embed_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let translation = petition
            .translation(lang)
            .expect("embed pages exist only for translations");
        let dir = petition_dir(lang, &petition.slug);
        let mut context = self.base_context(Meta {
            lang,
            path: format!("{dir}embed/"),
            title: translation.title.clone(),
            description: translation.summary.clone().unwrap_or_default(),
            alternates: petition_alternates(petition, "embed/"),
            og_type: "website",
            image: None,
            noindex: true,
        });
        context.insert("petition", &self.petition_summary(petition, translation));
        context.insert("petition_canonical_url", &config.absolute_url(&dir));
        context.insert(
            "embed_csp",
            &super::hosting::meta_content_security_policy(config),
        );
        context.insert("accepts_signatures", &(petition.status == Status::Open));
        context.insert("api_url", &config.api_url);
        self.insert_milestones(&mut context, petition);
        self.theme.templates.render(lang, names::EMBED, &context)
    }

    /// The SVG badge: "<signatures> | <count>" in `lang`, from the build's count snapshot.
    pub(super) fn badge(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("badges exist only for translations");
        let label = self.t(lang, "petition.signatures")?;
        let value = self
            .theme
            .i18n
            .number(lang, self.counts.total(&petition.slug));
        Ok(badge_svg(&label, &value, &translation.title))
    }

    /// Every region with signatures in the build's snapshot, most signed first.
    fn region_rows(&self, slug: &str, lang: &str) -> Vec<RegionRow<'_>> {
        let config = &self.site.config;
        let Some(count) = self.counts.get(slug) else {
            return Vec::new();
        };
        let mut rows: Vec<RegionRow<'_>> = config
            .regions
            .iter()
            .filter_map(|region| {
                let n = *count.by_region.get(&region.code)?;
                (n > 0).then(|| RegionRow {
                    code: &region.code,
                    name: region.name(lang, &config.default_language),
                    count: n,
                    share: String::new(),
                    width: 0.0,
                })
            })
            .collect();
        rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(b.name)));
        let total: u64 = rows.iter().map(|r| r.count).sum();
        let max = rows.first().map_or(1, |r| r.count).max(1);
        for row in &mut rows {
            row.share = format!("{:.1}", row.count as f64 * 100.0 / total.max(1) as f64);
            row.width = ((row.count as f64 * CHART_WIDTH / max as f64) * 10.0).round() / 10.0;
        }
        rows
    }

    /// `{"code": "name"}` of every region in `lang`, for the script that redraws the table.
    fn region_names_json(&self, lang: &str) -> String {
        let config = &self.site.config;
        let names: serde_json::Map<String, serde_json::Value> = config
            .regions
            .iter()
            .map(|region| {
                (
                    region.code.clone(),
                    region.name(lang, &config.default_language).into(),
                )
            })
            .collect();
        serde_json::Value::Object(names).to_string()
    }

    pub(super) fn listing(
        &self,
        listing: Listing,
        lang: &str,
        page: usize,
    ) -> Result<String, Error> {
        let name = listing.name();
        let title = self.t(lang, &format!("listing.{name}.title"))?;
        let description = self.t(lang, &format!("listing.{name}.description"))?;
        self.paged_listing(
            lang,
            name,
            page,
            title,
            description,
            &self.shared.listings[name],
        )
    }

    /// One page of a listing of `indexes` under `{lang}/{section}/`, with links to the others.
    fn paged_listing(
        &self,
        lang: &str,
        section: &str,
        page: usize,
        title: String,
        description: String,
        indexes: &[usize],
    ) -> Result<String, Error> {
        let config = &self.site.config;
        let pages = indexes.len().div_ceil(PER_PAGE).max(1);
        let mut context = self.base_context(Meta {
            lang,
            path: listing_dir(lang, section, page),
            title,
            description,
            alternates: self.every_language(|l| listing_dir(l, section, page)),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let shown = indexes.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE);
        let page_url = |n: usize| config.url(&listing_dir(lang, section, n));
        context.insert("cards", &self.cards(shown, lang));
        context.insert("total", &indexes.len());
        context.insert(
            "pagination",
            &serde_json::json!({
                "current": page,
                "pages": pages,
                "previous_url": (page > 1).then(|| page_url(page - 1)),
                "next_url": (page < pages).then(|| page_url(page + 1)),
            }),
        );
        self.theme.templates.render(lang, names::LISTING, &context)
    }

    pub(super) fn tag_index(&self, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let mut context = self.base_context(Meta {
            lang,
            path: format!("{lang}/tags/"),
            title: self.t(lang, "tags.title")?,
            description: String::new(),
            alternates: self.every_language(|l| format!("{l}/tags/")),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let tags: Vec<serde_json::Value> = self
            .shared
            .tags
            .iter()
            .map(|(tag, indexes)| {
                serde_json::json!({ "name": self.tag_name(lang, tag), "url": config.url(&format!("{lang}/tags/{tag}/")), "count": indexes.len() })
            })
            .collect();
        context.insert("tags", &tags);
        self.theme
            .templates
            .render(lang, names::TAG_INDEX, &context)
    }

    pub(super) fn tag_page(&self, tag: &str, lang: &str, page: usize) -> Result<String, Error> {
        let indexes = self.shared.tags.get(tag).map_or(&[][..], Vec::as_slice);
        let section = format!("tags/{tag}");
        self.paged_listing(
            lang,
            &section,
            page,
            self.tag_name(lang, tag),
            String::new(),
            indexes,
        )
    }

    pub(super) fn static_page(&self, page: &Page, lang: &str) -> Result<String, Error> {
        let translation = page
            .translation(lang)
            .expect("page jobs exist only for translations");
        let mut context = self.base_context(Meta {
            lang,
            path: format!("{lang}/{}/", page.name),
            title: translation.title.clone(),
            description: translation.description.clone().unwrap_or_default(),
            alternates: page
                .translations
                .iter()
                .map(|t| (t.lang.clone(), format!("{}/{}/", t.lang, page.name)))
                .collect(),
            og_type: "article",
            image: None,
            noindex: false,
        });
        context.insert("body_html", &translation.body.html);
        self.theme.templates.render(lang, names::PAGE, &context)
    }

    /// `<option>`s of the region select, rendered once per language.
    pub(super) fn region_options(&self, lang: &str) -> String {
        let config = &self.site.config;
        config
            .regions
            .iter()
            .map(|region| {
                let name = region.name(lang, &config.default_language);
                format!(
                    "<option value=\"{}\">{}</option>",
                    escape_html(&region.code),
                    escape_html(name)
                )
            })
            .collect()
    }

    /// A tag's display name: `tag_names.<tag>` from i18n if present, else the tag itself.
    fn tag_name(&self, lang: &str, tag: &str) -> String {
        self.theme
            .i18n
            .get(lang, &format!("tag_names.{tag}"))
            .unwrap_or(tag)
            .to_owned()
    }

    fn asset_url(&self, name: &str) -> Option<String> {
        self.theme
            .assets
            .path(name)
            .map(|path| self.site.config.url(path))
    }
}

fn percent(value: u64, of: u64) -> f64 {
    let ratio = value as f64 / of.max(1) as f64;
    (ratio.min(1.0) * 1000.0).round() / 10.0
}

/// A badge like the ones READMEs show: a grey label and a coloured value, each text fitted
/// to its box with `textLength`, so it looks the same whatever fonts the viewer has.
fn badge_svg(label: &str, value: &str, title: &str) -> String {
    /// Approximate advance of one character at 11 px in Verdana-like fonts.
    fn text_width(text: &str) -> u32 {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX / 8);
        chars.saturating_mul(7).max(7)
    }
    const PAD: u32 = 6;
    let label_text = text_width(label);
    let value_text = text_width(value);
    let label_width = label_text + 2 * PAD;
    let value_width = value_text + 2 * PAD;
    let width = label_width + value_width;
    let label = escape_html(label);
    let value = escape_html(value);
    let title = escape_html(title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" viewBox=\"0 0 {width} 20\" role=\"img\" aria-label=\"{title}: {value} {label}\">\
<title>{title}: {value} {label}</title>\
<rect width=\"{label_width}\" height=\"20\" rx=\"3\" fill=\"#4d5560\"/>\
<rect x=\"{label_width}\" width=\"{value_width}\" height=\"20\" rx=\"3\" fill=\"#0b4f8a\"/>\
<rect x=\"{label_width}\" width=\"4\" height=\"20\" fill=\"#0b4f8a\"/>\
<g fill=\"#ffffff\" font-family=\"Verdana,'DejaVu Sans',sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{label_x}\" y=\"14\" textLength=\"{label_text}\" lengthAdjust=\"spacingAndGlyphs\">{label}</text>\
<text x=\"{value_x}\" y=\"14\" textLength=\"{value_text}\" lengthAdjust=\"spacingAndGlyphs\">{value}</text>\
</g></svg>\n",
        label_x = label_width / 2,
        value_x = label_width + value_width / 2,
    )
}

/// Plain share links: no third-party script, only a URL per service.
fn share_links(url: &str, title: &str) -> Vec<Link> {
    let (u, t) = (encode_component(url), encode_component(title));
    let text = encode_component(&format!("{title} {url}"));
    [
        (
            "Telegram",
            format!("https://t.me/share/url?url={u}&text={t}"),
        ),
        ("WhatsApp", format!("https://wa.me/?text={text}")),
        ("VK", format!("https://vk.com/share.php?url={u}&title={t}")),
        (
            "Facebook",
            format!("https://www.facebook.com/sharer/sharer.php?u={u}"),
        ),
        ("X", format!("https://x.com/intent/post?url={u}&text={t}")),
        ("E-mail", format!("mailto:?subject={t}&body={u}")),
    ]
    .into_iter()
    .map(|(name, url)| Link {
        name: name.to_owned(),
        url,
    })
    .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn encode_component(text: &str) -> String {
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

/// Escapes text for an HTML element's content or a quoted attribute. The hottest function
/// of a build (every value of every page goes through it): it copies the runs between the
/// five special bytes whole instead of pushing character by character; all five are ASCII,
/// so slicing at them never splits a UTF-8 character.
pub(crate) fn escape_html(text: &str) -> String {
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

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(
            encode_component("https://x.example/a b?c=д"),
            "https%3A%2F%2Fx.example%2Fa%20b%3Fc%3D%D0%B4"
        );
    }

    #[test]
    fn badge_fits_its_texts_and_escapes_them() {
        let svg = badge_svg("подписей", "1 234", "Trees & \"parks\"");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"115\""));
        assert!(svg.contains(">подписей</text>"));
        assert!(svg.contains(">1 234</text>"));
        assert!(svg.contains("<title>Trees &amp; &quot;parks&quot;: 1 234 подписей</title>"));
        // Each text is stretched or squeezed to exactly the width its box leaves for it.
        assert!(svg.contains("textLength=\"56\""));
        assert!(svg.contains("textLength=\"35\""));
    }

    #[test]
    fn percent_is_capped_and_rounded() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(10, 5), 100.0);
        assert_eq!(percent(0, 0), 0.0);
    }

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
