//! `POST /api/petitions/{slug}/withdrawals`: "withdraw my signature" asks for the address
//! and sends a message whose button withdraws (`confirm`). The answer is 202
//! `{"status":"check_email","slug"}` whether or not the address has signed (nothing is
//! read: the request tells nobody whether an address signed), and the message says to
//! ignore it if its recipient did not ask.
//!
//! Order of checks: petition exists (404), origin (403), body (413/415/400), petition open
//! (409: a closed petition's count no longer changes), fields (400: `email`, `lang`),
//! rate limit (429), honeypot (202, nothing sent), Turnstile (403/503), message (429 when
//! one went to this signer lately, 503 when it cannot be sent). Without JavaScript: 303
//! to the `withdraw/` page with `?result=check_email`, or to it with the error's code.

use super::checks::{check_open, check_rate, verify_challenge};
use super::mailing::{send_message, CHECK_EMAIL};
use super::origin::check_csrf;
use super::redirect::Page;
use super::sign::status_response;
use super::{petition_request, ApiContext, PetitionRequest};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use crate::identity::{PetitionKey, SignerId};
use crate::mailer::Mailer;
use crate::store::KvStore;
use crate::token::{Action, ActionToken};
use crate::turnstile::TurnstileVerifier;
use crate::validate::RawSignRequest;
use petitio_model::manifest::ManifestPetition;

pub(super) async fn handle<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    slug: &str,
    body: Result<RawSignRequest, ApiError>,
    lang: &str,
) -> ApiResponse {
    let (petition, redirect) = match petition_request(ctx, req, slug, lang) {
        PetitionRequest::Found(petition, redirect) => (petition, redirect),
        PetitionRequest::Answered(response) => return response,
    };
    match (request_withdrawal(ctx, req, petition, body).await, redirect) {
        (Ok(()), Some(target)) => target.outcome(Page::Withdraw, petition, lang, CHECK_EMAIL),
        (Ok(()), None) => status_response(202, CHECK_EMAIL, slug),
        (Err(error), Some(target)) => target.outcome(Page::Withdraw, petition, lang, error.code()),
        (Err(error), None) => super::error_response(&error, lang),
    }
}

async fn request_withdrawal<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    petition: &ManifestPetition,
    body: Result<RawSignRequest, ApiError>,
) -> Result<(), ApiError> {
    check_csrf(ctx.config, req)?;
    let raw = body?;
    check_open(ctx, petition)?;
    let request = raw.validate_withdrawal(ctx.manifest)?;
    check_rate(ctx, req, petition)?;
    // Withdrawing takes a message whichever way signatures are confirmed (only the
    // address's owner may take a signature off the count): without a sender, none.
    let Some(from) = &ctx.config.email_from else {
        return Err(ApiError::WithdrawalUnavailable);
    };
    if request.honeypot_filled {
        return Ok(());
    }
    verify_challenge(ctx, request.turnstile_token.as_deref()).await?;
    let id = SignerId::of(
        &PetitionKey::derive(&ctx.config.signing_key, &petition.slug),
        &request.email,
    );
    let token = ActionToken {
        action: Action::Withdraw,
        slug: petition.slug.clone(),
        id: id.as_str().to_owned(),
        region: String::new(),
        lang: request.lang,
        name: None,
        issued_ms: ctx.now_ms,
        receipt_secret: None,
    };
    send_message(ctx, req, petition, &token, from, &request.address).await
}
