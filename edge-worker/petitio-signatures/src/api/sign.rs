//! `POST /api/petitions/{slug}/signatures`: the signing flow of ARCHITECTURE.md
//! ("Signing"), at most two reads (`sig`, then its `log` entry when the record exists) and
//! two writes per signature.
//!
//! Order of checks: petition exists (404), origin (403), size (413), content type (415),
//! body (400), petition open (409), fields (400), rate limit (429), honeypot (a
//! success-looking 201, nothing stored), Turnstile (403/503), storage (503). Answers:
//! * 201 `{"status":"recorded","slug","receipt","count"}`: the record and its log entry
//!   are stored (also when this request completed a record an earlier, failed attempt
//!   left without its log entry: that attempt was never answered with success).
//! * 200 `{"status":"already_signed",...}`: this email has signed; nothing written.
//!
//! `receipt` is `<bucket>-<id>`. `count` is the published count from `snapshot` (plus one
//! for a new signature), or `null` when the snapshot cannot be read: the signature is
//! stored either way. `snapshot` is read before the signature is written, so it cannot
//! contain it yet: read after, it could (the counting job may run in between, and counts
//! unsealed buckets provisionally), and the answer would count the signature twice.

use serde::Serialize;

use super::negotiate::wants_redirect;
use super::origin::check_csrf;
use super::redirect::RedirectTarget;
use super::{error_response, find_petition, json_response, ApiContext, Caching};
use crate::error::{ApiError, NotOpenReason};
use crate::http::{ApiRequest, ApiResponse};
use crate::identity::{ClientHash, PetitionKey, SignerId};
use crate::keys::{log_key, signature_key, Bucket};
use crate::record::{LogMetadata, SignatureRecord};
use crate::store::{KvStore, Put, PutOptions, StoreError};
use crate::turnstile::TurnstileVerifier;
use crate::validate::{BodyFormat, RawSignRequest, SignRequest};
use petitio_model::date::rfc3339_timestamp;
use petitio_model::manifest::ManifestPetition;
use petitio_model::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Recorded,
    AlreadySigned,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Recorded => "recorded",
            Outcome::AlreadySigned => "already_signed",
        }
    }

    fn status(self) -> u16 {
        match self {
            Outcome::Recorded => 201,
            Outcome::AlreadySigned => 200,
        }
    }
}

#[derive(Serialize)]
struct SignedBody<'a> {
    status: &'static str,
    slug: &'a str,
    receipt: String,
    count: Option<u64>,
}

struct Signed {
    outcome: Outcome,
    receipt: String,
    /// The petition's published count before this request wrote anything (JSON answers).
    published: Option<u64>,
}

pub(super) async fn handle<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    req: &ApiRequest,
    slug: &str,
    body: Result<RawSignRequest, ApiError>,
    lang: &str,
) -> ApiResponse {
    let body_is_form = BodyFormat::from_content_type(req.header("content-type"))
        .is_ok_and(|format| format == BodyFormat::Form);
    let redirect = wants_redirect(req.header("accept"), body_is_form)
        .then(|| RedirectTarget::for_request(ctx.config, ctx.manifest, req));
    let Some(petition) = find_petition(ctx.manifest, slug) else {
        return match redirect {
            Some(target) => target.petition_not_found(lang),
            None => error_response(&ApiError::PetitionNotFound, lang),
        };
    };
    let wants_count = redirect.is_none();
    match (sign(ctx, req, petition, body, wants_count).await, redirect) {
        (Ok(signed), Some(target)) => target.signed(petition, lang, signed.outcome.code()),
        (Ok(signed), None) => {
            let count = signed
                .published
                .map(|count| count + u64::from(signed.outcome == Outcome::Recorded));
            let body = SignedBody {
                status: signed.outcome.code(),
                slug,
                receipt: signed.receipt,
                count,
            };
            json_response(signed.outcome.status(), &body, Caching::NoStore)
        }
        (Err(error), Some(target)) => target.error(petition, lang, &error),
        (Err(error), None) => error_response(&error, lang),
    }
}

/// The flow after the petition is found; `body` is the request's body as read up front
/// (`validate::read_body`), its problems reported here, after the origin's. The record
/// keeps `request.lang` (the body's `lang`, else the site's default).
async fn sign<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    req: &ApiRequest,
    petition: &ManifestPetition,
    body: Result<RawSignRequest, ApiError>,
    wants_count: bool,
) -> Result<Signed, ApiError> {
    check_csrf(ctx.config, req)?;
    let raw = body?;
    check_open(ctx, petition)?;
    let request = raw.validate(ctx.manifest)?;
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
        })?;

    let id = SignerId::of(
        &PetitionKey::derive(&ctx.config.signing_key, &petition.slug),
        &request.email,
    );
    let bucket = Bucket::containing(ctx.now_ms);
    let published = || async {
        if wants_count {
            published_count(ctx, &petition.slug).await
        } else {
            None
        }
    };
    if request.honeypot_filled {
        return Ok(Signed {
            outcome: Outcome::Recorded,
            receipt: receipt(bucket, &id),
            published: published().await,
        });
    }
    verify_challenge(ctx, &request).await?;
    // Before writing: see the module documentation.
    let published = published().await;
    let (outcome, bucket) = store_signature(ctx, &petition.slug, &id, &request, bucket)
        .await
        .map_err(|_| ApiError::StorageUnavailable)?;
    Ok(Signed {
        outcome,
        receipt: receipt(bucket, &id),
        published,
    })
}

fn receipt(bucket: Bucket, id: &SignerId) -> String {
    format!("{}-{}", bucket.0, id.as_str())
}

/// Open means status `open` and, with a deadline, the deadline day not yet over in the
/// site's time zone (`ManifestPetition::is_open_on`); the reason says which failed.
fn check_open<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
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

async fn verify_challenge<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    request: &SignRequest,
) -> Result<(), ApiError> {
    let Some(turnstile) = &ctx.config.turnstile else {
        return Ok(());
    };
    let token = request
        .turnstile_token
        .as_deref()
        .ok_or(ApiError::ChallengeFailed)?;
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

/// Steps 2 and 3 of "Signing": create the record and its log entry unless the record
/// exists (`put_if_absent`: one transaction where the store has them, a read and two
/// writes on KV); if it exists, confirm its log entry, or repair it into the current
/// bucket. Returns the outcome and the bucket of the log entry. Never deletes anything.
async fn store_signature<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    slug: &str,
    id: &SignerId,
    request: &SignRequest,
    bucket: Bucket,
) -> Result<(Outcome, Bucket), StoreError> {
    let record_key = signature_key(slug, id);
    let new_record = SignatureRecord {
        region: request.region.clone(),
        lang: request.lang.clone(),
        signed_at: rfc3339_timestamp(ctx.now_ms),
        bucket: bucket.0,
        name: request.show_name.then(|| request.name.clone()),
    };
    let log_key_now = log_key(bucket, slug, id);
    let created = SignatureWrites::of(&new_record);
    let Some(existing) = ctx
        .store
        .put_if_absent(&created.puts(&record_key, &log_key_now))
        .await?
    else {
        return Ok((Outcome::Recorded, bucket));
    };
    let record = match serde_json::from_slice::<SignatureRecord>(&existing.value) {
        Ok(existing) => {
            if ctx
                .store
                .get(&log_key(existing.bucket(), slug, id))
                .await?
                .is_some()
            {
                return Ok((Outcome::AlreadySigned, existing.bucket()));
            }
            // An earlier attempt stored the record but not its log entry, and was answered
            // 503. Its bucket may be sealed already, so the entry goes into the current
            // bucket, and the record is rewritten to point there first: a later attempt
            // must find this entry, not repair again.
            SignatureRecord {
                bucket: bucket.0,
                ..existing
            }
        }
        // A record no version of this code wrote: replaced by this signature.
        Err(_) => new_record,
    };
    let repaired = SignatureWrites::of(&record);
    for write in repaired.puts(&record_key, &log_key_now) {
        ctx.store.put(write.key, write.value, write.options).await?;
    }
    Ok((Outcome::Recorded, bucket))
}

/// A signature's two writes, serialised: the record (write 1), then its log entry
/// (write 2), empty with the region in its metadata.
struct SignatureWrites {
    record: Vec<u8>,
    record_metadata: String,
    log_metadata: String,
}

impl SignatureWrites {
    fn of(record: &SignatureRecord) -> Self {
        Self {
            record: record.to_json(),
            record_metadata: record.metadata_json(),
            log_metadata: LogMetadata {
                r: record.region.clone(),
            }
            .to_json(),
        }
    }

    fn puts<'a>(&'a self, record_key: &'a str, log_key: &'a str) -> [Put<'a>; 2] {
        let with_metadata = |metadata: &String| PutOptions {
            metadata: Some(metadata.clone()),
            expiration_ttl: None,
        };
        [
            Put {
                key: record_key,
                value: &self.record,
                options: with_metadata(&self.record_metadata),
            },
            Put {
                key: log_key,
                value: b"",
                options: with_metadata(&self.log_metadata),
            },
        ]
    }
}

async fn published_count<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    slug: &str,
) -> Option<u64> {
    let published = ctx.published().await.ok()?;
    let count = published
        .snapshot
        .as_ref()
        .and_then(|snapshot| snapshot.petitions.get(slug));
    Some(count.map_or(0, |count| count.count))
}
