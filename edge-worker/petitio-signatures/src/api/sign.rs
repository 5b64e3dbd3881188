//! `POST /api/petitions/{slug}/signatures`: the signing flow of ARCHITECTURE.md
//! ("Signing").
//!
//! Order of checks: petition exists (404), origin (403), size (413), content type (415),
//! body (400), petition open (409), fields (400), rate limit (429), honeypot (a
//! success-looking answer, nothing stored or sent), Turnstile (403/503), then:
//!
//! * `SIGNATURE_CONFIRMATION=email` (the default): a confirmation message goes to the
//!   address (`mailing`; at most one per signer and interval, else 429), and the answer is
//!   202 `{"status":"check_email","slug"}` whatever the signer's state, so that a sign
//!   request tells nobody whether an address has signed. Nothing is stored but the
//!   short-lived note that a message was sent. The signature is recorded when the
//!   message's button is pressed (`confirm`).
//! * `none`: the signature is recorded now (`events::record_signature`), storage (503):
//!   201 `{"status":"recorded","slug","receipt","count"}`, or 200 `already_signed`.
//!
//! `receipt` is the signer's transparency-log receipt
//! (`petitio-receipt-v1:<slug>:<secret>`, `petitio_model::transparency::Receipt`): its
//! secret is this request's fresh random `receipt_secret`, and the recorded signature
//! commits to it. It is `null` when the answer concerns an earlier signature (already
//! signed), whose secret only its signer has. `count` is the published count from `snapshot` (plus one
//! for a new signature), or `null` when the snapshot cannot be read: the signature is
//! stored either way. `snapshot` is read before the signature is written, so it cannot
//! contain it yet: read after, it could (the counting job may run in between, and counts
//! unsealed buckets provisionally), and the answer would count the signature twice.

use serde::Serialize;

use super::checks::{check_open, check_rate, verify_challenge};
use super::mailing::{send_message, CHECK_EMAIL};
use super::origin::check_csrf;
use super::redirect::Page;
use super::{json_response, petition_request, ApiContext, Caching, PetitionRequest};
use crate::config::Confirmation;
use crate::error::ApiError;
use crate::events::{record_signature, At, Outcome, Refused, SignatureDetails};
use crate::http::{ApiRequest, ApiResponse};
use crate::identity::{PetitionKey, SignerId};
use crate::mailer::Mailer;
use crate::store::KvStore;
use crate::token::{Action, ActionToken};
use crate::turnstile::TurnstileVerifier;
use crate::validate::{RawSignRequest, SignRequest};
use petitio_model::manifest::ManifestPetition;
use petitio_model::transparency::{Commitment, Receipt, ReceiptSecret};

#[derive(Serialize)]
pub(super) struct SignedBody<'a> {
    pub status: &'static str,
    pub slug: &'a str,
    pub receipt: Option<String>,
    pub count: Option<u64>,
}

#[derive(Serialize)]
struct StatusBody<'a> {
    status: &'static str,
    slug: &'a str,
}

/// `{"status","slug"}` with `status_code`: a message sent (202), a withdrawal's outcome.
pub(super) fn status_response(status_code: u16, status: &'static str, slug: &str) -> ApiResponse {
    json_response(status_code, &StatusBody { status, slug }, Caching::NoStore)
}

/// A recorded signature, as answered.
pub(super) struct Signed {
    pub outcome: Outcome,
    /// The receipt, when the recorded signature is the one this request committed to.
    pub receipt: Option<String>,
    /// The petition's published count before this request wrote anything (JSON answers).
    pub published: Option<u64>,
}

impl Signed {
    /// The JSON answer.
    pub fn response(&self, slug: &str) -> ApiResponse {
        let count = self
            .published
            .map(|count| count + u64::from(self.outcome == Outcome::Recorded));
        let body = SignedBody {
            status: self.outcome.code(),
            slug,
            receipt: self.receipt.clone(),
            count,
        };
        json_response(self.outcome.status(), &body, Caching::NoStore)
    }
}

enum Answer {
    Signed(Signed),
    /// A confirmation message went out (or the honeypot was filled).
    CheckEmail,
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
    match (sign(ctx, req, petition, body, wants_count).await, redirect) {
        (Ok(Answer::Signed(signed)), Some(target)) => target.signed(
            petition,
            lang,
            signed.outcome.code(),
            signed.receipt.as_deref(),
        ),
        (Ok(Answer::CheckEmail), Some(target)) => {
            target.outcome(Page::Signed, petition, lang, CHECK_EMAIL)
        }
        (Ok(Answer::Signed(signed)), None) => signed.response(slug),
        (Ok(Answer::CheckEmail), None) => status_response(202, CHECK_EMAIL, slug),
        (Err(error), Some(target)) => target.error(petition, lang, &error),
        (Err(error), None) => super::error_response(&error, lang),
    }
}

/// The flow after the petition is found; `body` is the request's body as read up front
/// (`validate::read_body`), its problems reported here, after the origin's. The record
/// keeps `request.lang` (the body's `lang`, else the site's default).
async fn sign<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    petition: &ManifestPetition,
    body: Result<RawSignRequest, ApiError>,
    wants_count: bool,
) -> Result<Answer, ApiError> {
    check_csrf(ctx.config, req)?;
    let raw = body?;
    check_open(ctx, petition)?;
    let request = raw.validate(ctx.manifest)?;
    check_rate(ctx, req, petition)?;
    let id = SignerId::of(
        &PetitionKey::derive(&ctx.config.signing_key, &petition.slug),
        &request.email,
    );
    let receipt = fresh_receipt(ctx, &petition.slug);
    let details = SignatureDetails {
        region: request.region.clone(),
        lang: request.lang.clone(),
        // Names are stored nowhere, whatever `show_name` says (docs/privacy.md): a list of
        // the names under a risky petition is a list of people to pressure.
        name: None,
        commitment: receipt.commitment(),
    };
    if let (Confirmation::Email, Some(from)) = (ctx.config.confirmation, &ctx.config.email_from) {
        if !request.honeypot_filled {
            verify_challenge(ctx, request.turnstile_token.as_deref()).await?;
            let token = ActionToken {
                action: Action::Sign,
                slug: petition.slug.clone(),
                id: id.as_str().to_owned(),
                region: details.region,
                lang: details.lang,
                name: details.name,
                issued_ms: ctx.now_ms,
                receipt_secret: Some(hex::encode(receipt.secret.0)),
            };
            send_message(ctx, req, petition, &token, from, &request.address).await?;
        }
        return Ok(Answer::CheckEmail);
    }
    record_now(
        ctx,
        petition,
        &request,
        &id,
        &details,
        &receipt,
        wants_count,
    )
    .await
}

/// `SIGNATURE_CONFIRMATION=none`: the signature is recorded by the sign request itself.
async fn record_now<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    petition: &ManifestPetition,
    request: &SignRequest,
    id: &SignerId,
    details: &SignatureDetails,
    receipt: &Receipt,
    wants_count: bool,
) -> Result<Answer, ApiError> {
    let published = || async {
        if wants_count {
            published_count(ctx, &petition.slug).await
        } else {
            None
        }
    };
    if request.honeypot_filled {
        return Ok(Answer::Signed(Signed {
            outcome: Outcome::Recorded,
            receipt: Some(receipt.to_string()),
            published: published().await,
        }));
    }
    verify_challenge(ctx, request.turnstile_token.as_deref()).await?;
    // Before writing: see the module documentation.
    let published = published().await;
    let at = At {
        slug: &petition.slug,
        id,
        now_ms: ctx.now_ms,
        not_before: None,
    };
    let (outcome, recorded) = record_signature(ctx.store, &at, details)
        .await
        .map_err(refusal_error)?;
    Ok(Answer::Signed(Signed {
        outcome,
        receipt: receipt_if_recorded(receipt, recorded),
        published,
    }))
}

/// The API's error for a refused event.
pub(super) fn refusal_error(refused: Refused) -> ApiError {
    match refused {
        Refused::Superseded => ApiError::TokenSuperseded,
        Refused::Store(_) => ApiError::StorageUnavailable,
    }
}

/// A receipt for `slug` with this request's fresh secret.
pub(super) fn fresh_receipt<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    slug: &str,
) -> Receipt {
    Receipt {
        slug: slug.to_owned(),
        secret: ReceiptSecret(ctx.receipt_secret),
    }
}

/// The receipt's text when the record holds the signature committed to it (an answer
/// about an earlier signature has none to give: only its signer has its secret).
pub(super) fn receipt_if_recorded(
    receipt: &Receipt,
    recorded: Option<Commitment>,
) -> Option<String> {
    (recorded == Some(receipt.commitment())).then(|| receipt.to_string())
}

pub(super) async fn published_count<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    slug: &str,
) -> Option<u64> {
    let published = ctx.published().await.ok()?;
    let count = published
        .snapshot
        .as_ref()
        .and_then(|snapshot| snapshot.petitions.get(slug));
    Some(count.map_or(0, |count| count.count))
}
