//! The no-JS answers: a browser's form post gets a `303 See Other` to a page of the static
//! site saying what happened. The URL shapes are a contract with the generator, which
//! renders these pages, so both take them from `petitio_model::urls::results`
//! (ARCHITECTURE.md, "The no-JS form"):
//!
//! * success: `<base_path><lang>/petitions/<slug>/signed/?result=<r>#result-<r>`, `<r>` being
//!   `recorded` or `already_signed`
//! * error: `<base_path><lang>/petitions/<slug>/?result=<code>[&field=<field>]#sign-error-<field
//!   or code>`
//!
//! The fragment names the element of the static page that explains the outcome, so the page
//! shows it with CSS `:target` alone: without JavaScript a static page cannot read the query.
//! * unknown petition: `<base_path><lang>/?result=petition_not_found`
//!
//! `<code>` and `<field>` are the JSON error body's `code` and `field`. `<lang>` is the
//! signer's language when the petition has a page in it, else the site's default. The
//! URL is absolute to the request's `Origin` when that is in `ALLOWED_ORIGINS` (a mirror
//! sends its visitors back to itself, not to a blocked domain), else to `SITE_ORIGIN` when
//! set, else relative (the site and the API share an origin). Only a *listed* origin gets
//! its visitors back, even when the origin policy lets any origin sign: a copy the operator
//! does not know may live under another path (a bundle in a folder of a shared host), where
//! the site's paths would not exist.

use crate::config::ApiConfig;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use petitio_model::manifest::{Manifest, ManifestPetition};
use petitio_model::urls::{self, results};

/// A page of a petition that shows a `?result=` outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Page {
    /// `signed/`: a signature recorded, or a confirmation message sent.
    Signed,
    /// `confirm/`: what went wrong with a confirmation.
    Confirm,
    /// `withdraw/`: a withdrawal message sent or confirmed, or what went wrong.
    Withdraw,
}

impl Page {
    fn path(self, lang: &str, slug: &str) -> String {
        match self {
            Page::Signed => urls::signed(lang, slug),
            Page::Confirm => urls::confirm(lang, slug),
            Page::Withdraw => urls::withdraw(lang, slug),
        }
    }
}

/// Path of the page shown after a signature was accepted; `result` is `recorded` or
/// `already_signed`.
fn signed_page_path(base_path: &str, lang: &str, slug: &str, result: &str) -> String {
    results::signed_page(base_path, lang, slug, result)
}

/// Path of the petition's form, scrolled to it, saying what went wrong.
fn error_page_path(base_path: &str, lang: &str, slug: &str, error: &ApiError) -> String {
    let field = error.field().map(|field| field.as_str());
    results::error_page(base_path, lang, slug, error.code(), field)
}

/// Path of the home page saying the petition does not exist.
fn not_found_page_path(base_path: &str, lang: &str) -> String {
    results::home_page(base_path, lang, ApiError::PetitionNotFound.code())
}

/// The language of the page to send the signer to: `lang` when the petition has a page
/// in it, else the site default if it has that, else its first language.
pub(super) fn page_language<'a>(
    manifest: &'a Manifest,
    petition: &'a ManifestPetition,
    lang: &'a str,
) -> &'a str {
    [lang, manifest.default_language.as_str()]
        .into_iter()
        .find(|candidate| petition.languages.iter().any(|l| l == candidate))
        .or(petition.languages.first().map(String::as_str))
        .unwrap_or(lang)
}

/// Where the redirect goes, as decided by the module documentation.
pub(super) struct RedirectTarget<'a> {
    origin: Option<String>,
    manifest: &'a Manifest,
}

impl<'a> RedirectTarget<'a> {
    pub fn for_request(config: &ApiConfig, manifest: &'a Manifest, req: &ApiRequest) -> Self {
        let listed = req
            .header("origin")
            .and_then(|origin| config.allowed_origin(origin))
            .map(str::to_owned);
        let origin = listed.or_else(|| config.site_origin.clone());
        Self { origin, manifest }
    }

    /// `page` of the petition with `result` (an outcome's or an error's code).
    pub fn outcome(
        &self,
        page: Page,
        petition: &ManifestPetition,
        lang: &str,
        result: &str,
    ) -> ApiResponse {
        let lang = page_language(self.manifest, petition, lang);
        let path = match page {
            Page::Signed => {
                signed_page_path(&self.manifest.base_path, lang, &petition.slug, result)
            }
            _ => results::result_page(
                &self.manifest.base_path,
                &page.path(lang, &petition.slug),
                result,
            ),
        };
        self.see_other(path)
    }

    /// The `signed/` page after a signature was recorded or recognised, carrying its
    /// receipt when the answer has one (the page shows it; see `fill::RequestValues`).
    pub fn signed(
        &self,
        petition: &ManifestPetition,
        lang: &str,
        result: &str,
        receipt: Option<&str>,
    ) -> ApiResponse {
        let Some(receipt) = receipt else {
            return self.outcome(Page::Signed, petition, lang, result);
        };
        let lang = page_language(self.manifest, petition, lang);
        self.see_other(results::signed_page_with_receipt(
            &self.manifest.base_path,
            lang,
            &petition.slug,
            result,
            receipt,
        ))
    }

    pub fn error(&self, petition: &ManifestPetition, lang: &str, error: &ApiError) -> ApiResponse {
        self.see_other(error_page_path(
            &self.manifest.base_path,
            page_language(self.manifest, petition, lang),
            &petition.slug,
            error,
        ))
    }

    pub fn petition_not_found(&self, lang: &str) -> ApiResponse {
        self.see_other(not_found_page_path(&self.manifest.base_path, lang))
    }

    fn see_other(&self, path: String) -> ApiResponse {
        let location = format!("{}{path}", self.origin.as_deref().unwrap_or_default());
        ApiResponse {
            status: 303,
            headers: vec![
                ("Location".into(), location),
                ("Cache-Control".into(), "no-store".into()),
            ],
            body: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{InvalidInput, NotOpenReason};

    #[test]
    fn formats_the_agreed_paths() {
        assert_eq!(
            signed_page_path("/", "kk", "clean-air", "recorded"),
            "/kk/petitions/clean-air/signed/?result=recorded#result-recorded"
        );
        assert_eq!(
            error_page_path(
                "/petitions",
                "ru",
                "clean-air",
                &ApiError::Invalid(InvalidInput::EmailMalformed)
            ),
            "/petitions/ru/petitions/clean-air/?result=invalid_input&field=email#sign-error-email"
        );
        assert_eq!(
            error_page_path(
                "/",
                "en",
                "clean-air",
                &ApiError::NotOpen(NotOpenReason::Closed)
            ),
            "/en/petitions/clean-air/?result=petition_not_open#sign-error-petition_not_open"
        );
        assert_eq!(
            not_found_page_path("", "kk"),
            "/kk/?result=petition_not_found"
        );
    }
}
