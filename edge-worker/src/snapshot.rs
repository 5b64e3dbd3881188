//! The published counts: the `snapshot` key, written by the counting job only and read by
//! `GET /api/counts`, `GET /api/petitions/{slug}/count` and the sign answer. Its JSON is
//! exactly the body of `GET /api/counts`.
//!
//! [`SnapshotCache`] lets an isolate reuse its last read for a few seconds: the snapshot
//! changes once a minute and is served with a 30-second public cache lifetime anyway, and a
//! KV read per count request would cost the most time and money of all API calls.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::keys::SNAPSHOT_KEY;
use crate::store::{KvStore, PutOptions, StoreError};

/// One petition's published count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionCount {
    pub count: u64,
    pub by_region: BTreeMap<String, u64>,
}

impl PetitionCount {
    pub fn add(&mut self, region: &str) {
        self.count += 1;
        *self.by_region.entry(region.to_owned()).or_default() += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// RFC 3339 time of the job run that wrote it.
    pub updated_at: String,
    pub petitions: BTreeMap<String, PetitionCount>,
}

impl Snapshot {
    /// Reads the snapshot; `None` before the job's first run.
    pub async fn read<S: KvStore>(store: &S) -> Result<Option<Snapshot>, StoreError> {
        let Some(entry) = store.get(SNAPSHOT_KEY).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&entry.value)
            .map(Some)
            .map_err(|error| {
                StoreError::Unavailable(format!(
                    "the `{SNAPSHOT_KEY}` key holds unreadable JSON ({error}); the next run of \
                     the counting job rewrites it"
                ))
            })
    }

    pub async fn write<S: KvStore>(&self, store: &S) -> Result<(), StoreError> {
        let json = serde_json::to_vec(self).expect("a snapshot always serialises");
        store.put(SNAPSHOT_KEY, &json, PutOptions::default()).await
    }
}

/// The snapshot as this isolate last read it, and when (unix milliseconds).
#[derive(Debug, Default)]
pub struct SnapshotCache {
    last: Mutex<Option<(u64, Arc<Option<Snapshot>>)>>,
}

impl SnapshotCache {
    pub const fn new() -> SnapshotCache {
        SnapshotCache {
            last: Mutex::new(None),
        }
    }

    /// The snapshot read at most `max_age_ms` before `now_ms`, else a fresh read (kept for
    /// the next call). A failed read is not kept: the next call tries again.
    pub async fn read<S: KvStore>(
        &self,
        store: &S,
        now_ms: u64,
        max_age_ms: u64,
    ) -> Result<Arc<Option<Snapshot>>, StoreError> {
        let cached = self.lock().clone();
        if let Some((read_at, snapshot)) = cached {
            if now_ms >= read_at && now_ms - read_at < max_age_ms {
                return Ok(snapshot);
            }
        }
        let fresh = Arc::new(Snapshot::read(store).await?);
        *self.lock() = Some((now_ms, Arc::clone(&fresh)));
        Ok(fresh)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(u64, Arc<Option<Snapshot>>)>> {
        self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}
