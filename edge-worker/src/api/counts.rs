//! `GET /api/counts` and `GET /api/petitions/{slug}/count`: the published snapshot, one
//! KV read, cacheable for 30 s. Before the counting job's first run every petition reads 0
//! with `updated_at: null`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{error_response, find_petition, json_response, ApiContext, Caching};
use crate::error::ApiError;
use crate::http::ApiResponse;
use crate::snapshot::{PetitionCount, Snapshot};
use crate::store::KvStore;
use crate::turnstile::TurnstileVerifier;

#[derive(Serialize)]
struct AllCounts {
    updated_at: Option<String>,
    petitions: BTreeMap<String, PetitionCount>,
}

#[derive(Serialize)]
struct OneCount<'a> {
    slug: &'a str,
    count: u64,
    by_region: BTreeMap<String, u64>,
    updated_at: Option<String>,
}

pub(super) async fn all<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    lang: &str,
) -> ApiResponse {
    let snapshot = match Snapshot::read(ctx.store).await {
        Ok(snapshot) => snapshot,
        Err(_) => return error_response(&ApiError::StorageUnavailable, lang),
    };
    let body = match snapshot {
        Some(snapshot) => AllCounts {
            updated_at: Some(snapshot.updated_at),
            petitions: snapshot.petitions,
        },
        None => AllCounts {
            updated_at: None,
            petitions: ctx
                .manifest
                .petitions
                .iter()
                .map(|petition| (petition.slug.clone(), PetitionCount::default()))
                .collect(),
        },
    };
    json_response(200, &body, Caching::Public30)
}

pub(super) async fn one<S: KvStore, V: TurnstileVerifier>(
    ctx: &ApiContext<'_, S, V>,
    slug: &str,
    lang: &str,
) -> ApiResponse {
    if find_petition(ctx.manifest, slug).is_none() {
        return error_response(&ApiError::PetitionNotFound, lang);
    }
    let snapshot = match Snapshot::read(ctx.store).await {
        Ok(snapshot) => snapshot,
        Err(_) => return error_response(&ApiError::StorageUnavailable, lang),
    };
    let count = snapshot
        .as_ref()
        .and_then(|snapshot| snapshot.petitions.get(slug).cloned())
        .unwrap_or_default();
    let body = OneCount {
        slug,
        count: count.count,
        by_region: count.by_region,
        updated_at: snapshot.map(|snapshot| snapshot.updated_at),
    };
    json_response(200, &body, Caching::Public30)
}
