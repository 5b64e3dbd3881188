//! `GET /api/counts` and `GET /api/petitions/{slug}/count`: the published snapshot (one KV
//! read, or none while this isolate's last read is fresh: see `SnapshotCache`), cacheable
//! for 30 s. The all-counts body is made once per read of the snapshot (`Published`).
//! Before the counting job's first run every petition reads 0
//! with `updated_at: null`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    error_response, find_petition, json_bytes_response, json_response, ApiContext, Caching,
};
use crate::error::ApiError;
use crate::http::ApiResponse;
use crate::mailer::Mailer;
use crate::snapshot::PetitionCount;
use crate::store::KvStore;
use crate::turnstile::TurnstileVerifier;

#[derive(Serialize)]
struct AllCounts<'a> {
    updated_at: Option<&'a str>,
    petitions: Cow<'a, BTreeMap<String, PetitionCount>>,
}

#[derive(Serialize)]
struct OneCount<'a> {
    slug: &'a str,
    count: u64,
    by_region: Cow<'a, BTreeMap<String, u64>>,
    updated_at: Option<&'a str>,
}

pub(super) async fn all<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    lang: &str,
) -> ApiResponse {
    let Ok(published) = ctx.published().await else {
        return error_response(&ApiError::StorageUnavailable, lang);
    };
    let body = published.counts_body(|snapshot| {
        let body = match snapshot {
            Some(snapshot) => AllCounts {
                updated_at: Some(&snapshot.updated_at),
                petitions: Cow::Borrowed(&snapshot.petitions),
            },
            None => AllCounts {
                updated_at: None,
                petitions: Cow::Owned(
                    ctx.manifest
                        .petitions
                        .iter()
                        .map(|petition| (petition.slug.clone(), PetitionCount::default()))
                        .collect(),
                ),
            },
        };
        serde_json::to_vec(&body).expect("counts always serialise")
    });
    json_bytes_response(200, body.to_vec(), Caching::Public30)
}

pub(super) async fn one<S: KvStore, V: TurnstileVerifier, M: Mailer>(
    ctx: &ApiContext<'_, S, V, M>,
    slug: &str,
    lang: &str,
) -> ApiResponse {
    if find_petition(ctx.manifest, slug).is_none() {
        return error_response(&ApiError::PetitionNotFound, lang);
    }
    let Ok(published) = ctx.published().await else {
        return error_response(&ApiError::StorageUnavailable, lang);
    };
    let snapshot = published.snapshot.as_ref();
    let count = snapshot.and_then(|snapshot| snapshot.petitions.get(slug));
    let body = OneCount {
        slug,
        count: count.map_or(0, |count| count.count),
        by_region: count.map_or_else(Cow::default, |count| Cow::Borrowed(&count.by_region)),
        updated_at: snapshot.map(|snapshot| snapshot.updated_at.as_str()),
    };
    json_response(200, &body, Caching::Public30)
}
