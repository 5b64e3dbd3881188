//! The one place that records what makes a count change: a signature, and its withdrawal
//! (PHASE3 contract 1). Whatever triggers it (a sign request with confirmation off, the
//! click on a confirmation message's button with it on), the KV writes go through
//! [`record_signature`] or [`record_withdrawal`].
//!
//! Each event is explicit in the log: the first signature `log/<b>/<slug>/<id>`, then
//! `…/<id>/w<g>` (generation `g` withdrawn) and `…/<id>/s<g+1>` (signed again), folded by
//! the counting job as +1 and -1, each exactly once (it deduplicates by the full name). The
//! record `sig/<slug>/<id>` holds the current state, so a second confirmation of one token
//! is "already signed"/"already withdrawn" and writes nothing.
//!
//! Every transition first makes sure the record's latest event is in the log (an earlier
//! attempt may have written the record and failed before its log entry: that attempt was
//! answered 503, so the repair completes it and is answered as the transition), then
//! writes the record (write 1) and the new log entry (write 2). Nothing is ever deleted.
//!
//! A token acts only on state older than itself (`not_before`: its issue time): a replayed
//! old "sign" link cannot undo a later withdrawal, nor an old "withdraw" link a later
//! signature; both are [`Refused::Superseded`].

use crate::identity::SignerId;
use crate::keys::{event_log_key, signature_key, Bucket, LogEvent};
use crate::record::{LogMetadata, SignatureRecord, SignatureState};
use crate::store::{KvStore, Put, PutOptions, StoreError};
use petitio_model::date::rfc3339_timestamp;
use petitio_model::transparency::Commitment;

/// What a signature records beside the signer id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureDetails {
    pub region: String,
    pub lang: String,
    /// Only when the signer asked for the name to be shown.
    pub name: Option<String>,
    /// The receipt commitment of this signature (its secret stays with the signer).
    pub commitment: Commitment,
}

/// What happened, as the API reports it (`code` is part of the API and of the no-JS
/// result pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Recorded,
    AlreadySigned,
    Withdrawn,
    AlreadyWithdrawn,
    /// A withdrawal for a signer with no signature: nothing to do.
    NotSigned,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Recorded => "recorded",
            Outcome::AlreadySigned => "already_signed",
            Outcome::Withdrawn => "withdrawn",
            Outcome::AlreadyWithdrawn => "already_withdrawn",
            Outcome::NotSigned => "not_signed",
        }
    }

    /// 201 when this request created the event, else 200.
    pub fn status(self) -> u16 {
        match self {
            Outcome::Recorded | Outcome::Withdrawn => 201,
            _ => 200,
        }
    }
}

/// Why nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The record changed after the token was issued.
    Superseded,
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Self {
        Refused::Store(error)
    }
}

/// Where and when an event is recorded.
pub struct At<'a> {
    pub slug: &'a str,
    pub id: &'a SignerId,
    pub now_ms: u64,
    /// The issue time of the token that asked, if one did.
    pub not_before: Option<u64>,
}

impl At<'_> {
    fn bucket(&self) -> Bucket {
        Bucket::containing(self.now_ms)
    }

    /// Whether the record changed at or after the token was issued.
    fn supersedes(&self, record: &SignatureRecord) -> bool {
        self.not_before
            .is_some_and(|issued| record.changed_ms >= issued)
    }
}

/// Records a signature: creates the record and its log entry unless the record exists
/// (`put_if_absent`); a withdrawn record is signed again as the next generation. Returns
/// the outcome and the receipt commitment of the signature the record now holds (this
/// request's when it recorded one; an earlier one, or none for a record older than the
/// transparency log, when the signer had signed already).
pub async fn record_signature<S: KvStore>(
    store: &S,
    at: &At<'_>,
    details: &SignatureDetails,
) -> Result<(Outcome, Option<Commitment>), Refused> {
    let bucket = at.bucket();
    let new_record = SignatureRecord {
        region: details.region.clone(),
        lang: details.lang.clone(),
        signed_at: rfc3339_timestamp(at.now_ms),
        bucket: bucket.0,
        name: details.name.clone(),
        state: SignatureState::Signed,
        generation: 0,
        changed_ms: at.now_ms,
        commitment: Some(details.commitment.to_hex()),
    };
    let ours = Some(details.commitment);
    let created = EventWrites::of(&new_record);
    let record_key = signature_key(at.slug, at.id);
    let log_key = event_log_key(bucket, at.slug, at.id, LogEvent::FIRST);
    let Some(existing) = store
        .put_if_absent(&created.puts(&record_key, &log_key))
        .await?
    else {
        return Ok((Outcome::Recorded, ours));
    };
    let Ok(existing) = serde_json::from_slice::<SignatureRecord>(&existing.value) else {
        // A record no version of this code wrote: replaced by this signature.
        created.write(store, &record_key, &log_key).await?;
        return Ok((Outcome::Recorded, ours));
    };
    let (existing, repaired) = ensure_logged(store, at, existing).await?;
    match existing.state {
        SignatureState::Signed if repaired => Ok((Outcome::Recorded, existing.commitment())),
        SignatureState::Signed => Ok((Outcome::AlreadySigned, existing.commitment())),
        SignatureState::Withdrawn if at.supersedes(&existing) => Err(Refused::Superseded),
        SignatureState::Withdrawn => {
            let signed_again = SignatureRecord {
                generation: existing.generation + 1,
                ..new_record
            };
            write_event(store, at, &signed_again).await?;
            Ok((Outcome::Recorded, ours))
        }
    }
}

/// Records a withdrawal of the signer's current signature.
pub async fn record_withdrawal<S: KvStore>(store: &S, at: &At<'_>) -> Result<Outcome, Refused> {
    let record_key = signature_key(at.slug, at.id);
    let Some(entry) = store.get(&record_key).await? else {
        return Ok(Outcome::NotSigned);
    };
    let Ok(existing) = serde_json::from_slice::<SignatureRecord>(&entry.value) else {
        return Ok(Outcome::NotSigned);
    };
    let (existing, repaired) = ensure_logged(store, at, existing).await?;
    match existing.state {
        SignatureState::Withdrawn if repaired => Ok(Outcome::Withdrawn),
        SignatureState::Withdrawn => Ok(Outcome::AlreadyWithdrawn),
        SignatureState::Signed if at.supersedes(&existing) => Err(Refused::Superseded),
        SignatureState::Signed => {
            let withdrawn = SignatureRecord {
                state: SignatureState::Withdrawn,
                bucket: at.bucket().0,
                changed_ms: at.now_ms,
                ..existing
            };
            write_event(store, at, &withdrawn).await?;
            Ok(Outcome::Withdrawn)
        }
    }
}

/// Makes sure the log holds `record`'s latest event; if it does not (an earlier attempt
/// stored the record, then failed), writes it into the current bucket (the record's own
/// may be sealed already), rewriting the record to point there first so a later attempt
/// finds the entry. Returns the record as stored now and whether it was repaired.
async fn ensure_logged<S: KvStore>(
    store: &S,
    at: &At<'_>,
    record: SignatureRecord,
) -> Result<(SignatureRecord, bool), StoreError> {
    let logged = event_log_key(record.bucket(), at.slug, at.id, record.latest_event());
    if store.get(&logged).await?.is_some() {
        return Ok((record, false));
    }
    let repaired = SignatureRecord {
        bucket: at.bucket().0,
        ..record
    };
    write_event(store, at, &repaired).await?;
    Ok((repaired, true))
}

/// Writes `record` and the log entry of its latest event, in its bucket.
async fn write_event<S: KvStore>(
    store: &S,
    at: &At<'_>,
    record: &SignatureRecord,
) -> Result<(), StoreError> {
    let record_key = signature_key(at.slug, at.id);
    let log_key = event_log_key(record.bucket(), at.slug, at.id, record.latest_event());
    EventWrites::of(record)
        .write(store, &record_key, &log_key)
        .await
}

/// An event's two writes, serialised: the record (write 1), then its log entry (write 2),
/// empty with the region and the receipt commitment in its metadata (a withdrawal keeps
/// the record's commitment: the one of the signature it withdraws).
struct EventWrites {
    record: Vec<u8>,
    record_metadata: String,
    log_metadata: String,
}

impl EventWrites {
    fn of(record: &SignatureRecord) -> Self {
        Self {
            record: record.to_json(),
            record_metadata: record.metadata_json(),
            log_metadata: LogMetadata {
                r: record.region.clone(),
                c: record.commitment.clone(),
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

    /// Both writes in order; the first failure stops them.
    async fn write<S: KvStore>(
        &self,
        store: &S,
        record_key: &str,
        log_key: &str,
    ) -> Result<(), StoreError> {
        for write in self.puts(record_key, log_key) {
            store.put(write.key, write.value, write.options).await?;
        }
        Ok(())
    }
}
