//! The checks the signing, confirming and withdrawing flows share: the petition is open,
//! the client is within its rate limits, the Turnstile token passes.

use super::ApiContext;
use crate::error::{ApiError, NotOpenReason};
use crate::http::ApiRequest;
use crate::identity::ClientHash;
use crate::mailer::Mailer;
use crate::store::KvStore;
use crate::turnstile::TurnstileVerifier;
use petitio_model::manifest::ManifestPetition;
use petitio_model::status::Status;

/// Open means status `open` and, with a deadline, the deadline day not yet over in the
/// site's time zone (`ManifestPetition::is_open_on`); the reason says which failed.
pub(super) fn check_open<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    petition: &ManifestPetition,
) -> Result<(), ApiError> {
    let today = ctx.manifest.utc_offset.date_at(ctx.now_ms);
    if petition.is_open_on(today) {
        return Ok(());
    }
    let reason = match petition.status {
        Status::Draft => NotOpenReason::NotYetOpen,
        Status::Open => NotOpenReason::DeadlinePassed,
        _ => NotOpenReason::Closed,
    };
    Err(ApiError::NotOpen(reason))
}

/// The burst and sustained limits of the client's address (a keyed hash, in memory).
pub(super) fn check_rate<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    petition: &ManifestPetition,
) -> Result<(), ApiError> {
    // Adapters always know the address; were one missing, such requests share one limit.
    let client = ClientHash::of(
        &ctx.config.signing_key,
        &petition.slug,
        req.client_ip.as_deref().unwrap_or_default(),
    );
    let limits = [ctx.config.burst_limit, ctx.config.sustained_limit];
    ctx.limiter
        .check(client, &limits, ctx.now_ms)
        .map_err(|retry_after_seconds| ApiError::RateLimited {
            retry_after_seconds,
        })
}

/// Turnstile, when a secret is configured: the token must be present and pass.
pub(super) async fn verify_challenge<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let Some(turnstile) = &ctx.config.turnstile else {
        return Ok(());
    };
    let token = token.ok_or(ApiError::ChallengeFailed)?;
    match ctx
        .turnstile
        .verify(&turnstile.verify_url, &turnstile.secret, token)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::ChallengeFailed),
        Err(_) => Err(ApiError::ChallengeUnavailable),
    }
}
