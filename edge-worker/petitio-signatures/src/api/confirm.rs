//! `POST /api/petitions/{slug}/confirmations`: the button of a confirmation message's
//! page posts its `token` here (a GET never confirms: mail scanners fetch links).
//!
//! Order of checks: petition exists (404), origin (403), body (413/415/400), token
//! (400 `token_invalid`: malformed, altered, or for another petition; 410
//! `token_expired`), petition open (409: confirming after the deadline fails), then the
//! event through `events` (409 `token_superseded` when the signature changed after the
//! token was issued; 503 storage). Answers:
//! * a sign token: 201 `recorded` / 200 `already_signed`, with `receipt` and `count` as
//!   the sign request's answer (`sign`); the receipt's secret is the token's, so the
//!   same link confirmed twice answers the same receipt;
//! * a withdraw token: 201 `withdrawn` / 200 `already_withdrawn` / 200 `not_signed`.
//!
//! Without JavaScript: 303 to the `signed/` page (sign, with `&receipt=<receipt>` when
//! there is one: the page shows it) or the `withdraw/` page (withdraw) with `?result=<code>`; an error goes to the confirm page with its code.

use super::checks::check_open;
use super::origin::check_csrf;
use super::redirect::Page;
use super::sign::{
    fresh_receipt, published_count, receipt_if_recorded, refusal_error, status_response, Signed,
};
use super::{petition_request, ApiContext, PetitionRequest};
use crate::error::ApiError;
use crate::events::{record_signature, record_withdrawal, At, Outcome, SignatureDetails};
use crate::http::{ApiRequest, ApiResponse};
use crate::mailer::Mailer;
use crate::store::KvStore;
use crate::token::{Action, ActionToken, TokenProblem};
use crate::turnstile::TurnstileVerifier;
use crate::validate::RawSignRequest;
use petitio_model::manifest::ManifestPetition;
use petitio_model::transparency::{Receipt, ReceiptSecret};

/// A token's receipt secret: 64 hex digits.
fn parse_secret(text: &str) -> Option<ReceiptSecret> {
    let mut secret = [0; 32];
    hex::decode_to_slice(text, &mut secret).ok()?;
    Some(ReceiptSecret(secret))
}

enum Confirmed {
    Signed(Signed),
    Withdrawal(Outcome),
}

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
    let wants_count = redirect.is_none();
    match (
        confirm(ctx, req, petition, body, wants_count).await,
        redirect,
    ) {
        (Ok(Confirmed::Signed(signed)), Some(target)) => target.signed(
            petition,
            lang,
            signed.outcome.code(),
            signed.receipt.as_deref(),
        ),
        (Ok(Confirmed::Withdrawal(outcome)), Some(target)) => {
            target.outcome(Page::Withdraw, petition, lang, outcome.code())
        }
        (Ok(Confirmed::Signed(signed)), None) => signed.response(slug),
        (Ok(Confirmed::Withdrawal(outcome)), None) => {
            status_response(outcome.status(), outcome.code(), slug)
        }
        (Err(error), Some(target)) => target.outcome(Page::Confirm, petition, lang, error.code()),
        (Err(error), None) => super::error_response(&error, lang),
    }
}

async fn confirm<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    petition: &ManifestPetition,
    body: Result<RawSignRequest, ApiError>,
    wants_count: bool,
) -> Result<Confirmed, ApiError> {
    check_csrf(ctx.config, req)?;
    let raw = body?;
    let token = ActionToken::decode(
        raw.token()?,
        &ctx.config.signing_key,
        &petition.slug,
        ctx.now_ms,
    )
    .map_err(|problem| match problem {
        TokenProblem::Invalid => ApiError::TokenInvalid,
        TokenProblem::Expired => ApiError::TokenExpired,
    })?;
    check_open(ctx, petition)?;
    let id = token.signer().ok_or(ApiError::TokenInvalid)?;
    let at = At {
        slug: &petition.slug,
        id: &id,
        now_ms: ctx.now_ms,
        not_before: Some(token.issued_ms),
    };
    match token.action {
        Action::Sign => {
            // Before writing: see `sign`'s module documentation.
            let published = match wants_count {
                true => published_count(ctx, &petition.slug).await,
                false => None,
            };
            // The secret drawn when the token was issued (a token issued before receipts
            // existed has none: this request's fresh one stands in).
            let receipt = match token.receipt_secret.as_deref().map(parse_secret) {
                Some(Some(secret)) => Receipt {
                    slug: petition.slug.clone(),
                    secret,
                },
                Some(None) => return Err(ApiError::TokenInvalid),
                None => fresh_receipt(ctx, &petition.slug),
            };
            let details = SignatureDetails {
                region: token.region,
                lang: token.lang,
                name: token.name,
                commitment: receipt.commitment(),
            };
            let (outcome, recorded) = record_signature(ctx.store, &at, &details)
                .await
                .map_err(refusal_error)?;
            Ok(Confirmed::Signed(Signed {
                outcome,
                receipt: receipt_if_recorded(&receipt, recorded),
                published,
            }))
        }
        Action::Withdraw => record_withdrawal(ctx.store, &at)
            .await
            .map(Confirmed::Withdrawal)
            .map_err(refusal_error),
    }
}
