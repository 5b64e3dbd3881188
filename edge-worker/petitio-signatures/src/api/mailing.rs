//! Sending a confirmation or withdrawal message: at most one of each kind per signer and
//! petition in `MAIL_INTERVAL_SECONDS` (a short-lived `mail/<slug>/<id>[/w]` key holding
//! only when it expires), the link to the confirm page with the token, the message in the token's
//! language, handed to the adapter's `Mailer`. The address is used here, once, and kept
//! nowhere.
//!
//! The link's origin: when the site has a "where we are now" note (#15; the build copies its
//! origins into the manifest, `ManifestWhere`), the origin the signer signed from if the
//! note lists it, else the note's main origin, never an abandoned one (a blocked domain
//! would leave the signer with a link they cannot open). Without a note: `SITE_ORIGIN` when
//! set, else the request's `Origin` when it is allowed or names the request's own host (a
//! mirror sends signers back to itself), else the request's `Host` (`http://` to this
//! machine, `https://` elsewhere).

use super::redirect::page_language;
use super::ApiContext;
use crate::error::ApiError;
use crate::http::ApiRequest;
use crate::keys::mail_key;
use crate::mail::{compose, MailRequest};
use crate::mailer::Mailer;
use crate::messages::Lang;
use crate::store::{KvStore, PutOptions};
use crate::token::{Action, ActionToken};
use crate::turnstile::TurnstileVerifier;
use petitio_model::manifest::ManifestPetition;
use petitio_model::urls::results;
use petitio_model::weburl::{origin_is_host, parse_http_url, parse_origin};

/// The status of an answer saying a message went out: 202 in JSON, the `result` of the
/// no-JS page.
pub(super) const CHECK_EMAIL: &str = "check_email";

/// Sends `token` to `address` in a message from `from`, unless one went to this signer
/// lately (429).
pub(super) async fn send_message<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
    petition: &ManifestPetition,
    token: &ActionToken,
    from: &str,
    address: &str,
) -> Result<(), ApiError> {
    let id = token.signer().ok_or(ApiError::TokenInvalid)?;
    let throttle = mail_key(&petition.slug, &id, token.action == Action::Withdraw);
    let sent = ctx
        .store
        .get(&throttle)
        .await
        .map_err(|_| ApiError::StorageUnavailable)?;
    // The key holds when it expires: a store that keeps it past then (KV deletes
    // expired keys lazily) does not hold the signer back longer.
    let until_ms = sent
        .and_then(|sent| String::from_utf8(sent.value).ok())
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|until_ms| *until_ms > ctx.now_ms);
    if let Some(until_ms) = until_ms {
        return Err(ApiError::MailRateLimited {
            retry_after_seconds: (until_ms - ctx.now_ms).div_ceil(1000),
        });
    }
    let lang = page_language(ctx.manifest, petition, &token.lang);
    let path = results::confirm_page(
        &ctx.manifest.base_path,
        lang,
        &petition.slug,
        &token.encode(&ctx.config.signing_key),
    );
    let link = format!("{}{path}", link_origin(ctx, req));
    let mail = compose(&MailRequest {
        action: token.action,
        lang: Lang::for_code(lang),
        title: petition.title_in(lang),
        link: &link,
        from,
        to: address,
    });
    ctx.mailer
        .send(&mail)
        .await
        .map_err(|_| ApiError::MailUnavailable)?;
    // After sending: a message that could not be sent does not hold back the retry.
    let interval = ctx.config.mail_interval_seconds;
    let until_ms = ctx.now_ms + interval * 1000;
    let options = PutOptions {
        metadata: None,
        expiration_ttl: Some(interval),
    };
    // The message is out: a failure to note it only lets the next one through sooner.
    let _ = ctx
        .store
        .put(&throttle, until_ms.to_string().as_bytes(), options)
        .await;
    Ok(())
}

/// The origin of the confirm page's link (module documentation).
fn link_origin<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    req: &ApiRequest,
) -> String {
    if let Some(note) = &ctx.manifest.where_note {
        return note.link_origin(req.header("origin")).to_owned();
    }
    if let Some(origin) = &ctx.config.site_origin {
        return origin.clone();
    }
    let host = req.header("host").unwrap_or("localhost");
    if let Some(origin) = req.header("origin") {
        if let Some(allowed) = ctx.config.allowed_origin(origin) {
            return allowed.to_owned();
        }
        if origin_is_host(origin, host) {
            if let Some(origin) = parse_origin(origin) {
                return origin;
            }
        }
    }
    let local = parse_http_url(&format!("http://{host}/"))
        .is_some_and(|url| petitio_model::weburl::is_loopback(&url));
    let scheme = if local { "http" } else { "https" };
    format!("{scheme}://{host}")
}
