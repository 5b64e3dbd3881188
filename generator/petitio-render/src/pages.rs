//! The HTML pages: their paths, their small per-page contexts, and the shared fragments.
//!
//! Each page gets only what it shows. The layout's common values (title, canonical URL,
//! language alternates, asset URLs) come from [`Renderer::base_context`]; strings, dates and
//! numbers are formatted by template helpers, not copied into contexts.

use std::borrow::Cow;

use serde::Serialize;
use tera::Context;

use crate::assets::petition_image_name;
use crate::error::Error;
use crate::escape::{encode_component, escape_html};
use crate::jobs::ActionPage;
use crate::renderer::Renderer;
use crate::templates::names;
use crate::url_mode::{PageAt, UrlMode};
use petitio_model::date::parse_rfc3339_timestamp;
use petitio_model::numbers::{badge_text_width, percent, percent_text, BADGE_PAD};
use petitio_model::regions::{self, RankedRegion};
use petitio_model::status::Status;
use petitio_model::urls::{self, ApiRoute, Listing, PER_PAGE};
use petitio_site::content::page::Page;
use petitio_site::content::{Petition, Translation};
use petitio_site::markdown::Markdown;

/// `hreflang` alternates of a petition's page or sub-page (`page`: `urls::petition`,
/// `urls::signed` or `urls::embed`): the same page in every language the petition has.
fn petition_alternates(
    petition: &Petition,
    page: fn(&str, &str) -> String,
) -> Vec<(String, String)> {
    petition
        .translations
        .iter()
        .map(|t| (t.lang.clone(), page(&t.lang, &petition.slug)))
        .collect()
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
    /// The day the count reached it (`YYYY-MM-DD`, site time zone), when the counts say.
    reached_on: Option<String>,
    /// Position on the progress bar, 0-100.
    position: f64,
}

#[derive(Serialize)]
struct Link {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct DatedHtml<'a> {
    date: String,
    html: Cow<'a, str>,
}

/// What a listing page says above its cards: title, description, and the path of the feed
/// to follow it by, if it has one (tag pages).
struct Heading {
    title: String,
    description: String,
    feed: Option<String>,
}

impl Renderer<'_> {
    /// The layout's values of a page, and where its links start from.
    fn base_context(&self, meta: Meta<'_>) -> (Context, PageAt) {
        let config = &self.site.config;
        let at = self.linker.at(&meta.path);
        let mut context = Context::new();
        let alternates: Vec<Alternate<'_>> = meta
            .alternates
            .iter()
            .map(|(lang, path)| Alternate {
                lang,
                name: self.theme.i18n.get(lang, "language_name").unwrap_or(lang),
                url: self.linker.url(at, path),
                absolute_url: config.absolute_url(path),
                current: lang == meta.lang,
            })
            .collect();
        context.insert("lang", meta.lang);
        context.insert("site_title", config.title(meta.lang));
        context.insert("site_description", config.description(meta.lang));
        context.insert("title", &meta.title);
        context.insert("description", &meta.description);
        context.insert("page_url", &self.linker.url(at, &meta.path));
        context.insert("canonical_url", &config.absolute_url(&meta.path));
        context.insert("alternates", &alternates);
        context.insert("og_type", meta.og_type);
        context.insert(
            "og_image",
            &meta.image.map(|path| config.absolute_url(&path)),
        );
        context.insert("noindex", &meta.noindex);
        context.insert("feed_url", &self.linker.url(at, &urls::feed(meta.lang)));
        context.insert("extra_body_scripts", &self.extra_body_scripts);
        context.insert("mirrors", &config.mirrors);
        context.insert("signature_confirmation", &config.signature_confirmation);
        context.insert("log_key", &config.log_key.as_ref().map(|key| key.as_str()));
        context.insert(
            "where_reader",
            &self.linker.note_readers().map(|readers| {
                // The page's own copy of the note first (a volunteer's host may have a newer one).
                let own = self.linker.url(at, urls::WHERE_NOTE);
                let places: Vec<&str> = std::iter::once(own.as_str())
                    .chain(readers.places.iter().map(String::as_str))
                    .collect();
                serde_json::json!({
                    "key": readers.key,
                    "sequence": readers.sequence,
                    "places": places.join(" "),
                })
            }),
        );
        context.insert(
            "turnstile",
            &config.turnstile.as_ref().map(|turnstile| {
                serde_json::json!({
                    "site_key": turnstile.site_key,
                    "script_url": turnstile.script_url,
                })
            }),
        );
        context.insert("built_on", &self.site.today.to_string());
        // A bundle's copy may sit on a host that ignores `_headers`: its pages carry the
        // policy themselves (`bundle.rs`).
        if self.linker.mode() == UrlMode::PageRelative {
            context.insert(
                "csp_meta",
                &super::hosting::meta_content_security_policy(&self.linker),
            );
        }
        context.insert(
            "i18n_url",
            &self.asset_url(at, &format!("i18n.{}.json", meta.lang)),
        );
        (context, at)
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
        self.theme.text(lang, key)
    }

    pub(super) fn root_redirect(&self) -> Result<String, Error> {
        let config = &self.site.config;
        let lang = &config.default_language;
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: String::new(),
            title: config.title(lang).to_owned(),
            description: config.description(lang).to_owned(),
            alternates: self.every_language(urls::home),
            og_type: "website",
            image: None,
            noindex: false,
        });
        context.insert("target_url", &self.linker.url(at, &urls::home(lang)));
        self.theme
            .templates
            .render(at, lang, names::REDIRECT, &context)
    }

    pub(super) fn not_found(&self) -> Result<String, Error> {
        let lang = &self.site.config.default_language;
        let (context, at) = self.base_context(Meta {
            lang,
            path: urls::NOT_FOUND.into(),
            title: self.t(lang, "not_found.title")?,
            description: String::new(),
            alternates: self.every_language(urls::home),
            og_type: "website",
            image: None,
            noindex: true,
        });
        self.theme
            .templates
            .render(at, lang, names::NOT_FOUND, &context)
    }

    pub(super) fn home(&self, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: urls::home(lang),
            title: config.title(lang).to_owned(),
            description: config.description(lang).to_owned(),
            alternates: self.every_language(urls::home),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let open = &self.shared.listings["open"];
        context.insert(
            "open_cards",
            &self.cards(open.iter().take(HOME_OPEN), lang, at),
        );
        context.insert("open_total", &open.len());
        context.insert(
            "answered_cards",
            &self.cards(
                self.shared.listings["recently_answered"]
                    .iter()
                    .take(HOME_ANSWERED),
                lang,
                at,
            ),
        );
        context.insert("is_home", &true);
        self.theme.templates.render(at, lang, names::HOME, &context)
    }

    /// Concatenated pre-rendered cards of the petitions at `indexes`, for a page at `at`.
    fn cards<'a>(
        &self,
        indexes: impl Iterator<Item = &'a usize>,
        lang: &str,
        at: PageAt,
    ) -> String {
        let page = self
            .card_pages
            .iter()
            .position(|card_page| *card_page == at)
            .expect("cards are rendered for every page that lists them");
        let card = self.lang_index(lang) * self.card_pages.len() + page;
        indexes
            .map(|&i| self.shared.parts[i].cards[card].as_str())
            .collect()
    }

    /// `api_url` (the first endpoint, where forms post) and `api_endpoints` (every one, in
    /// the order the script tries them) for a template.
    fn insert_api(&self, context: &mut Context) {
        context.insert("api_url", self.linker.api_url());
        context.insert("api_endpoints", self.linker.api_endpoints());
    }

    /// `route` on every endpoint after the first, for the no-JS alternatives to the form's
    /// own action ("if signing fails, try this one"): each with the host it goes to.
    fn alternative_actions(&self, route: ApiRoute<'_>) -> Vec<AlternativeAction> {
        self.linker.api_endpoints()[1..]
            .iter()
            .map(|endpoint| AlternativeAction {
                action: route.url(endpoint),
                host: host_of(endpoint)
                    .unwrap_or_else(|| host_of(&self.site.config.base_url).unwrap_or_default()),
            })
            .collect()
    }

    /// A petition's card in `lang`, for pages at `at`.
    pub(super) fn render_card(
        &self,
        petition: &Petition,
        lang: &str,
        at: PageAt,
    ) -> Result<String, Error> {
        let translation = petition.translation_or_first(lang);
        let mut context = Context::new();
        context.insert("lang", lang);
        self.insert_api(&mut context);
        context.insert("card", &self.petition_summary(petition, translation, at));
        self.theme.templates.render(at, lang, names::CARD, &context)
    }

    /// The values a card and a petition page share.
    fn petition_summary(
        &self,
        petition: &Petition,
        translation: &Translation,
        at: PageAt,
    ) -> serde_json::Value {
        let count = self.counts.total(&petition.slug);
        let goal = petition.goal;
        serde_json::json!({
            "slug": petition.slug,
            "lang": translation.lang,
            "url": self.linker.url(at, &urls::petition(&translation.lang, &petition.slug)),
            "withdraw_url": self.linker.url(at, &urls::withdraw(&translation.lang, &petition.slug)),
            "verify_url": self.linker.url(at, &urls::verify(&translation.lang, &petition.slug)),
            "log_url": self.linker.url(at, &urls::log_checkpoint(&petition.slug)),
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
            "percent": goal.map(|goal| percent_text(count, goal)),
        })
    }

    /// The milestone marks of the progress bar (`milestones`) and their values for the
    /// script (`milestones_csv`), which the petition and embed pages share.
    fn insert_milestones(&self, context: &mut Context, petition: &Petition) {
        let count = self.counts.total(&petition.slug);
        let reached = self.counts.get(&petition.slug).map(|c| &c.reached);
        let utc_offset = self.site.config.utc_offset;
        let milestones: Vec<Milestone> = petition
            .milestones
            .iter()
            .map(|&value| Milestone {
                value,
                reached: count >= value,
                reached_on: reached
                    .and_then(|reached| parse_rfc3339_timestamp(reached.get(&value)?))
                    .map(|ms| utc_offset.date_at(ms).to_string()),
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
        let dir = urls::petition(lang, &petition.slug);
        let image = petition.image.as_ref().and_then(|image| {
            self.theme
                .assets
                .path(&petition_image_name(&petition.slug, image))
        });
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: dir.clone(),
            title: translation.title.clone(),
            description: translation.summary.clone().unwrap_or_default(),
            alternates: petition_alternates(petition, urls::petition),
            og_type: "article",
            image: image.map(str::to_owned),
            noindex: false,
        });
        let tags: Vec<Link> = petition
            .tags
            .iter()
            .map(|tag| Link {
                name: self.tag_name(lang, tag),
                url: self.linker.url(at, &urls::tag(lang, tag, 1)),
            })
            .collect();
        let feed = urls::petition_feed(lang, &petition.slug);
        self.insert_follow_feed(&mut context, at, &feed, &translation.title);
        let updates: Vec<DatedHtml<'_>> = translation
            .updates
            .iter()
            .map(|u| DatedHtml {
                date: u.date.to_string(),
                html: self.markdown_html(&u.text, at),
            })
            .collect();
        let absolute_url = config.absolute_url(&dir);
        context.insert(
            "petition",
            &self.petition_summary(petition, translation, at),
        );
        self.insert_milestones(&mut context, petition);
        context.insert("tags", &tags);
        context.insert("body_html", &self.markdown_html(&translation.body, at));
        context.insert(
            "response_from",
            &translation
                .response
                .as_ref()
                .and_then(|r| r.from.as_deref()),
        );
        context.insert(
            "response_html",
            &translation
                .response
                .as_ref()
                .map(|r| self.markdown_html(&r.text, at)),
        );
        context.insert("updates", &updates);
        context.insert("image_url", &image.map(|path| self.linker.url(at, path)));
        context.insert("accepts_signatures", &(petition.status == Status::Open));
        context.insert("utc_offset_minutes", &config.utc_offset.minutes);
        context.insert(
            "sign_action",
            &ApiRoute::Signatures(&petition.slug).url(self.linker.api_url()),
        );
        context.insert(
            "form_alternatives",
            &self.alternative_actions(ApiRoute::Signatures(&petition.slug)),
        );
        self.insert_api(&mut context);
        context.insert(
            "region_options",
            &self.shared.region_options[self.lang_index(lang)],
        );
        context.insert(
            "share_links",
            &share_links(&absolute_url, &translation.title),
        );
        context.insert("copy_url", &absolute_url);
        let embed_url = config.absolute_url(&urls::embed(lang, &petition.slug));
        context.insert("embed_url", &embed_url);
        context.insert(
            "badge_url",
            &config.absolute_url(&urls::badge(lang, &petition.slug)),
        );
        let rows = self.region_rows(&petition.slug, lang);
        let chart_rows = &rows[..rows.len().min(regions::CHART_REGIONS)];
        context.insert("region_rows", &rows);
        context.insert("region_chart", chart_rows);
        context.insert("chart_width", &regions::CHART_WIDTH);
        context.insert("chart_row_height", &regions::CHART_ROW_HEIGHT);
        context.insert("chart_limit", &regions::CHART_REGIONS);
        context.insert("chart_height", &regions::chart_height(rows.len()));
        context.insert("region_names", &self.region_names_json(lang));
        context.insert(
            "data_url",
            &self.linker.url(at, &urls::data_petition(&petition.slug)),
        );
        self.theme
            .templates
            .render(at, lang, names::PETITION, &context)
    }

    pub(super) fn signed_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("signed pages exist only for translations");
        let title = self.t(lang, "signed.title")?;
        let (mut context, at) = self.subpage_context(petition, translation, urls::signed, title);
        let absolute_url = self
            .site
            .config
            .absolute_url(&urls::petition(lang, &petition.slug));
        context.insert(
            "share_links",
            &share_links(&absolute_url, &translation.title),
        );
        self.theme
            .templates
            .render(at, lang, names::SIGNED, &context)
    }

    /// The context of a petition's page that is not for search engines (`signed/`,
    /// `confirm/`, `withdraw/`): its path from `page`, `title`, and the petition's summary.
    fn subpage_context(
        &self,
        petition: &Petition,
        translation: &Translation,
        page: fn(&str, &str) -> String,
        title: String,
    ) -> (Context, PageAt) {
        let lang = translation.lang.as_str();
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: page(lang, &petition.slug),
            title,
            description: String::new(),
            alternates: petition_alternates(petition, page),
            og_type: "website",
            image: None,
            noindex: true,
        });
        context.insert(
            "petition",
            &self.petition_summary(petition, translation, at),
        );
        (context, at)
    }

    /// The confirm page (a confirmation message's link: one button posting the token to
    /// the API; the token comes from the URL, put in the form by the script, or by the
    /// worker or `petitio serve` as they serve the page) or the withdraw page (asks for
    /// the address to send a withdrawal message to).
    pub(super) fn action_page(
        &self,
        petition: &Petition,
        lang: &str,
        page: ActionPage,
    ) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("action pages exist only for translations");
        let (page, title_key, route, template): (fn(&str, &str) -> String, _, _, _) = match page {
            ActionPage::Confirm => (
                urls::confirm,
                "confirm.title",
                ApiRoute::Confirmations(&petition.slug),
                names::CONFIRM,
            ),
            ActionPage::Withdraw => (
                urls::withdraw,
                "withdraw.title",
                ApiRoute::Withdrawals(&petition.slug),
                names::WITHDRAW,
            ),
        };
        let title = self.t(lang, title_key)?;
        let (mut context, at) = self.subpage_context(petition, translation, page, title);
        context.insert("action", &route.url(self.linker.api_url()));
        context.insert("form_alternatives", &self.alternative_actions(route));
        self.insert_api(&mut context);
        self.theme.templates.render(at, lang, template, &context)
    }

    /// "Verify my signature": the page script checks a receipt against the petition's
    /// log (its checkpoint and entry bundles, relative to the site's base path) with the
    /// site's log key; without a log key the page says the site publishes no log.
    pub(super) fn verify_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("verify pages exist only for translations");
        let title = self.t(lang, "verify.title")?;
        let (mut context, at) = self.subpage_context(petition, translation, urls::verify, title);
        context.insert(
            "log_url",
            &self.linker.url(at, &urls::log_prefix(&petition.slug)),
        );
        self.theme
            .templates
            .render(at, lang, names::VERIFY, &context)
    }

    /// The embeddable counter: a tiny page for an `<iframe>` on other sites.
    pub(super) fn embed_page(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let config = &self.site.config;
        let translation = petition
            .translation(lang)
            .expect("embed pages exist only for translations");
        let dir = urls::petition(lang, &petition.slug);
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: urls::embed(lang, &petition.slug),
            title: translation.title.clone(),
            description: translation.summary.clone().unwrap_or_default(),
            alternates: petition_alternates(petition, urls::embed),
            og_type: "website",
            image: None,
            noindex: true,
        });
        context.insert(
            "petition",
            &self.petition_summary(petition, translation, at),
        );
        context.insert("petition_canonical_url", &config.absolute_url(&dir));
        context.insert(
            "embed_csp",
            &super::hosting::meta_content_security_policy(&self.linker),
        );
        context.insert("accepts_signatures", &(petition.status == Status::Open));
        context.insert("utc_offset_minutes", &config.utc_offset.minutes);
        self.insert_api(&mut context);
        self.insert_milestones(&mut context, petition);
        self.theme
            .templates
            .render(at, lang, names::EMBED, &context)
    }

    /// The SVG badge: "<signatures> | <count>" in `lang`, from the build's count snapshot.
    pub(super) fn badge(&self, petition: &Petition, lang: &str) -> Result<String, Error> {
        let translation = petition
            .translation(lang)
            .expect("badges exist only for translations");
        let count = self.counts.total(&petition.slug);
        let label = self.theme.plural(lang, "petition.signatures", count)?;
        let value = self.theme.i18n.number(lang, count);
        let forms = self
            .theme
            .i18n
            .plural_forms(lang, "petition.signatures")
            .unwrap_or_default();
        let mut badge = Badge::new(&label, &value, &translation.title, &petition.slug);
        badge.fit_label_box(&forms);
        let context = Context::from_serialize(badge).expect("a badge serialises");
        let at = self.linker.at(&urls::badge(lang, &petition.slug));
        self.theme
            .templates
            .render(at, lang, names::BADGE, &context)
    }

    /// Every region with signatures in the build's snapshot, most signed first.
    fn region_rows(&self, slug: &str, lang: &str) -> Vec<RankedRegion<'_>> {
        let config = &self.site.config;
        let Some(count) = self.counts.get(slug) else {
            return Vec::new();
        };
        let names = config.regions.iter().map(|region| {
            let name = region.name(lang, &config.default_language);
            (region.code.as_str(), name)
        });
        regions::rank(names, &count.by_region)
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
            |lang, page| urls::listing(lang, listing, page),
            page,
            Heading {
                title,
                description,
                feed: None,
            },
            &self.shared.listings[name],
        )
    }

    /// One page of a listing of `indexes` whose page `n` in `lang` is at `dir(lang, n)`,
    /// with links to the others.
    fn paged_listing(
        &self,
        lang: &str,
        dir: impl Fn(&str, usize) -> String,
        page: usize,
        heading: Heading,
        indexes: &[usize],
    ) -> Result<String, Error> {
        let Heading {
            title,
            description,
            feed,
        } = heading;
        let pages = urls::page_count(indexes.len());
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: dir(lang, page),
            title: title.clone(),
            description,
            alternates: self.every_language(|l| dir(l, page)),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let shown = indexes.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE);
        let page_url = |n: usize| self.linker.url(at, &dir(lang, n));
        context.insert("cards", &self.cards(shown, lang, at));
        context.insert("total", &indexes.len());
        if let Some(path) = feed {
            self.insert_follow_feed(&mut context, at, &path, &title);
        }
        context.insert(
            "pagination",
            &serde_json::json!({
                "current": page,
                "pages": pages,
                "previous_url": (page > 1).then(|| page_url(page - 1)),
                "next_url": (page < pages).then(|| page_url(page + 1)),
            }),
        );
        self.theme
            .templates
            .render(at, lang, names::LISTING, &context)
    }

    pub(super) fn tag_index(&self, lang: &str) -> Result<String, Error> {
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: urls::tag_index(lang),
            title: self.t(lang, "tags.title")?,
            description: String::new(),
            alternates: self.every_language(urls::tag_index),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let tags = self.tag_links(lang, at);
        context.insert("tags", &tags);
        self.theme
            .templates
            .render(at, lang, names::TAG_INDEX, &context)
    }

    /// Every tag with its name in `lang`, URL and number of petitions, for the tag list.
    fn tag_links(&self, lang: &str, at: PageAt) -> Vec<serde_json::Value> {
        self.shared
            .tags
            .iter()
            .map(|(tag, indexes)| {
                serde_json::json!({ "name": self.tag_name(lang, tag), "url": self.linker.url(at, &urls::tag(lang, tag, 1)), "count": indexes.len() })
            })
            .collect()
    }

    /// The search page: Pagefind's UI over the index in `pagefind/` (mounted by the
    /// script), and the listings and tags, which are what it offers without JavaScript.
    pub(super) fn search_page(&self, lang: &str) -> Result<String, Error> {
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: urls::search(lang),
            title: self.t(lang, "search.title")?,
            description: self.t(lang, "search.description")?,
            alternates: self.every_language(urls::search),
            og_type: "website",
            image: None,
            noindex: false,
        });
        let listings: Vec<serde_json::Value> = Listing::ALL
            .iter()
            .map(|listing| {
                let name = listing.name();
                serde_json::json!({
                    "name": self.t(lang, &format!("nav.{name}")).unwrap_or_else(|_| name.to_owned()),
                    "url": self.linker.url(at, &urls::listing(lang, *listing, 1)),
                    "count": self.shared.listings[name].len(),
                })
            })
            .collect();
        let tags = self.tag_links(lang, at);
        context.insert("listings", &listings);
        context.insert("tags", &tags);
        context.insert(
            "search_index_url",
            &self.linker.url(at, urls::SEARCH_INDEX_DIR),
        );
        self.theme
            .templates
            .render(at, lang, names::SEARCH, &context)
    }

    pub(super) fn tag_page(&self, tag: &str, lang: &str, page: usize) -> Result<String, Error> {
        let indexes = self.shared.tags.get(tag).map_or(&[][..], Vec::as_slice);
        self.paged_listing(
            lang,
            |lang, page| urls::tag(lang, tag, page),
            page,
            Heading {
                title: self.tag_name(lang, tag),
                description: String::new(),
                feed: Some(urls::tag_feed(lang, tag)),
            },
            indexes,
        )
    }

    pub(super) fn static_page(&self, page: &Page, lang: &str) -> Result<String, Error> {
        let translation = page
            .translation(lang)
            .expect("page jobs exist only for translations");
        let (mut context, at) = self.base_context(Meta {
            lang,
            path: urls::static_page(lang, &page.name),
            title: translation.title.clone(),
            description: translation.description.clone().unwrap_or_default(),
            alternates: page
                .translations
                .iter()
                .map(|t| (t.lang.clone(), urls::static_page(&t.lang, &page.name)))
                .collect(),
            og_type: "article",
            image: None,
            noindex: false,
        });
        context.insert("body_html", &self.markdown_html(&translation.body, at));
        self.theme.templates.render(at, lang, names::PAGE, &context)
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

    /// `follow_feed` (`url`, `title`): the Atom feed of what the page shows, which the layout
    /// announces in its head and the page links to visibly.
    fn insert_follow_feed(&self, context: &mut Context, at: PageAt, path: &str, title: &str) {
        context.insert(
            "follow_feed",
            &serde_json::json!({ "url": self.linker.url(at, path), "title": title }),
        );
    }

    /// A tag's display name: `tag_names.<tag>` from i18n if present, else the tag itself.
    pub(crate) fn tag_name(&self, lang: &str, tag: &str) -> String {
        self.theme
            .i18n
            .get(lang, &format!("tag_names.{tag}"))
            .unwrap_or(tag)
            .to_owned()
    }

    fn asset_url(&self, at: PageAt, name: &str) -> Option<String> {
        self.theme
            .assets
            .path(name)
            .map(|path| self.linker.url(at, path))
    }

    /// The HTML of `markdown` in a page at `at`: as loaded (links under the base path), or
    /// rendered again with page-relative links.
    fn markdown_html<'m>(&self, markdown: &'m Markdown, at: PageAt) -> Cow<'m, str> {
        match self.linker.mode() {
            UrlMode::RootRelative => Cow::Borrowed(&markdown.html),
            UrlMode::PageRelative => {
                Cow::Owned(markdown.relinked(&self.site.config, |path| self.linker.url(at, path)))
            }
        }
    }
}

/// A badge like the ones READMEs show: a grey label and a coloured value, each text fitted
/// to its box with `textLength`, so it looks the same whatever fonts the viewer has. The
/// sizes are computed here; the theme's `badge.svg` draws it.
#[derive(Serialize)]
struct Badge<'a> {
    label: &'a str,
    /// Fill patterns of the label's text and width: the form the live count takes
    /// (`{plural:...}`, `{plural_width:...}`); the label's box fits the widest form.
    label_pattern: String,
    label_width_pattern: String,
    value: &'a str,
    title: &'a str,
    /// The petition, whose live count a server fills in (`data-fill-for`).
    slug: &'a str,
    /// Width of the whole badge, of the label's box and of the value's box.
    width: u32,
    label_width: u32,
    value_width: u32,
    /// Width each text is fitted to, and the centre of its box.
    label_text_width: u32,
    value_text_width: u32,
    label_x: u32,
    value_x: u32,
}

impl<'a> Badge<'a> {
    fn new(label: &'a str, value: &'a str, title: &'a str, slug: &'a str) -> Badge<'a> {
        const PAD: u32 = BADGE_PAD;
        let label_text_width = badge_text_width(label);
        let value_text_width = badge_text_width(value);
        let label_width = label_text_width + 2 * PAD;
        let value_width = value_text_width + 2 * PAD;
        Badge {
            label,
            label_pattern: label.replace('{', "{{").replace('}', "}}"),
            label_width_pattern: label_text_width.to_string(),
            value,
            title,
            slug,
            width: label_width + value_width,
            label_width,
            value_width,
            label_text_width,
            value_text_width,
            label_x: label_width / 2,
            value_x: label_width + value_width / 2,
        }
    }

    /// Makes the label's box as wide as the widest of `forms` (a `{plural:...}` argument),
    /// so filling in another form changes only the label's text and its `textLength`.
    fn fit_label_box(&mut self, forms: &str) {
        let widest = forms
            .split('|')
            .filter_map(|pair| Some(badge_text_width(pair.split_once('=')?.1)))
            .chain([self.label_text_width])
            .max()
            .unwrap_or(self.label_text_width);
        let grow = widest - self.label_text_width;
        if !forms.is_empty() {
            self.label_pattern = format!("{{plural:{forms}}}");
            self.label_width_pattern = format!("{{plural_width:{forms}}}");
        }
        self.label_width += grow;
        self.width += grow;
        self.label_x = self.label_width / 2;
        self.value_x += grow;
    }
}

/// Plain share links: no third-party script, only a URL per service.
/// Another endpoint's form action, and the host it posts to (what the button names).
#[derive(Serialize)]
struct AlternativeAction {
    action: String,
    host: String,
}

/// The host (and port) of an absolute URL.
fn host_of(url: &str) -> Option<String> {
    let url = petitio_model::weburl::parse_http_url(url)?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_fits_its_texts() {
        let badge = Badge::new("подписей", "1 234", "Trees & \"parks\"", "trees");
        assert_eq!(badge.width, 115);
        // Each text is stretched or squeezed to exactly the width its box leaves for it.
        assert_eq!((badge.label_text_width, badge.value_text_width), (56, 35));
        assert_eq!((badge.label_width, badge.value_width), (68, 47));
        assert_eq!((badge.label_x, badge.value_x), (34, 91));
    }

    #[test]
    fn the_label_box_fits_the_widest_form() {
        let mut badge = Badge::new("подпись", "1", "Trees", "trees");
        let (text, width) = (badge.label_text_width, badge.width);
        badge.fit_label_box("one=подпись|few=подписи|many=подписей|other=подписи");
        let grow = badge_text_width("подписей") - text;
        assert!(grow > 0);
        assert_eq!(badge.label_text_width, text, "the text keeps its own width");
        assert_eq!(badge.width, width + grow);
        assert_eq!(badge.label_x, badge.label_width / 2);
        assert_eq!(
            badge.label_pattern,
            "{plural:one=подпись|few=подписи|many=подписей|other=подписи}"
        );
    }

    #[test]
    fn the_default_badge_draws_its_texts_escaped() {
        let badge = Badge::new("подписей", "1 234", "Trees & \"parks\"", "trees");
        let context = Context::from_serialize(badge).unwrap();
        let svg = crate::templates::default_theme_templates()
            .render(PageAt::ROOT, "kk", names::BADGE, &context)
            .unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"115\""));
        assert!(svg.contains(">подписей</text>"));
        assert!(svg.contains(">1 234</text>"));
        assert!(svg.contains(">Trees &amp; &quot;parks&quot;: 1 234 подписей</title>"));
        assert!(svg.contains("data-fill-for=\"trees\" data-fill-text=\"Trees &amp; &quot;parks&quot;: {count} подписей\">"));
        assert!(svg.contains("textLength=\"56\""));
        assert!(svg.contains("textLength=\"35\""));
        assert!(svg.ends_with("</svg>\n"));
    }
}
