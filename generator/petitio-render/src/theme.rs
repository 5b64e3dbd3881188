//! The theme of a site: its templates, i18n strings and static assets, with the site's
//! overrides, loaded once per render (and kept by `petitio serve` while only petitions
//! change).

use std::collections::BTreeSet;
use std::sync::Arc;

use petitio_model::urls;
use petitio_site::confine::Folder;
use petitio_site::content::Site;
use petitio_site::error::Problem;

use crate::assets::Assets;
use crate::error::Error;
use crate::i18n::I18n;
use crate::templates::Templates;

/// What a render needs besides the content: templates, translations and assets. Loading it
/// parses every template, so `petitio serve` keeps it while only petitions change.
pub struct Theme {
    pub(crate) templates: Templates,
    pub(crate) i18n: Arc<I18n>,
    pub(crate) assets: Assets,
}

impl Theme {
    /// Loads the theme of `site` (with site overrides), its i18n and assets. Every file is
    /// read through its folder (`confine`): the theme's `templates/`, `static/` and `i18n/`,
    /// then the site's folders of the same names, whose files win.
    pub fn load(site: &Site) -> Result<Theme, Error> {
        let theme = format!("themes/{}", site.config.theme);
        let theme_dir = site.root.join(&theme);
        if !theme_dir.is_dir() {
            return Err(Error::ThemeMissing {
                theme: site.config.theme.clone(),
                path: theme_dir,
            });
        }
        let overridden = |name: &str| -> Result<Vec<Folder>, Error> {
            let found = [format!("{theme}/{name}"), name.to_owned()]
                .map(|relative| site.folders.folder(&relative));
            let problems: Vec<Problem> = found.iter().filter_map(|f| f.clone().err()).collect();
            if !problems.is_empty() {
                return Err(Error::content(problems));
            }
            Ok(found.into_iter().filter_map(Result::ok).collect())
        };
        let i18n = Arc::new(I18n::load(&overridden("i18n")?, &site.config)?);
        let mut assets = Assets::collect(&overridden("static")?)?;
        assets.add_petition_images(&site.folders, &site.petitions)?;
        for lang in &site.config.languages {
            let json =
                serde_json::to_vec(&i18n.script_messages(lang)).expect("string maps serialise");
            assets.add(
                &format!("i18n.{lang}.json"),
                &format!("{}/i18n.{lang}.json", urls::ASSETS_DIR),
                json,
            );
        }
        let templates = Templates::load(&overridden("templates")?, &site.config, &i18n, &assets)?;
        Ok(Theme {
            templates,
            i18n,
            assets,
        })
    }

    /// The UI string `key` in `lang` (falling back to the default language); an error
    /// names the files it is missing from.
    pub fn text(&self, lang: &str, key: &str) -> Result<String, Error> {
        self.i18n
            .get(lang, key)
            .map(str::to_owned)
            .ok_or_else(|| Error::Template {
                name: "i18n".into(),
                cause: I18n::missing(lang, key),
            })
    }

    /// The form of count phrase `key` that `n` takes in `lang` (CLDR rules); an error names
    /// the files it is missing from.
    pub fn plural(&self, lang: &str, key: &str, n: u64) -> Result<String, Error> {
        self.i18n
            .plural(lang, key, n)
            .map(str::to_owned)
            .ok_or_else(|| Error::Template {
                name: "i18n".into(),
                cause: I18n::missing(lang, &format!("{key}.other")),
            })
    }

    /// The templates edited, added or removed since `before`, when nothing else of the
    /// theme changed (strings, date and number formats, static files); `None` when
    /// something else did.
    pub fn changed_templates(&self, before: &Theme) -> Option<BTreeSet<String>> {
        (self.i18n == before.i18n && self.assets == before.assets)
            .then(|| self.templates.changed_since(&before.templates))
    }
}
