//! The published counts: the `snapshot` key, written by the counting job only and read by
//! `GET /api/counts`, `GET /api/petitions/{slug}/count` and the sign answer. Its JSON is
//! exactly the body of `GET /api/counts`.
//!
//! [`SnapshotCache`] lets an isolate reuse its last read for a few seconds: the snapshot
//! changes once a minute and is served with a 30-second public cache lifetime anyway, and a
//! KV read per count request would cost the most time and money of all API calls. Each
//! read is a [`Published`], which also keeps the `GET /api/counts` body once made, so
//! count reads within the reuse window serialise nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::keys::SNAPSHOT_KEY;
use crate::store::{KvStore, PutOptions, StoreError};

/// One petition's published count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionCount {
    pub count: u64,
    pub by_region: BTreeMap<String, u64>,
    /// When the count first reached each of the petition's milestones: milestone → start
    /// of the minute (bucket) whose signature took the count to it, RFC 3339 in UTC. Set
    /// once by the counting job, never changed or removed (absent from snapshots written
    /// before milestones were dated, which therefore still read).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reached: BTreeMap<u64, String>,
    /// The petition's transparency log (#13), in the published snapshot only and only with
    /// a log key: the sealed count (what the log proves; `count` also holds provisional,
    /// unsealed signatures) and the log's size when it was sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<SealedLog>,
}

/// A petition's sealed count and the size of its transparency log that corresponds to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedLog {
    pub sealed_count: u64,
    pub size: u64,
}

impl PetitionCount {
    pub fn add(&mut self, region: &str) {
        self.count += 1;
        *self.by_region.entry(region.to_owned()).or_default() += 1;
    }

    /// Takes one signature of `region` off the count; `false` (and nothing changed) when
    /// the region has none to take.
    pub fn remove(&mut self, region: &str) -> bool {
        match self.by_region.get_mut(region) {
            Some(n) if *n > 0 => {
                *n -= 1;
                self.count -= 1;
                true
            }
            _ => false,
        }
    }

    /// Dates `milestone` at `reached_at` unless it already has a date (the first stays).
    pub fn mark_reached(&mut self, milestone: u64, reached_at: impl FnOnce() -> String) {
        self.reached.entry(milestone).or_insert_with(reached_at);
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
        Snapshot::decode(&entry.value).map(Some)
    }

    pub async fn write<S: KvStore>(&self, store: &S) -> Result<(), StoreError> {
        store
            .put(SNAPSHOT_KEY, &self.encode(), PutOptions::default())
            .await
    }

    /// The stored form of the `snapshot` key (also the `GET /api/counts` body).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a snapshot always serialises")
    }

    /// Reads the stored form back; any bytes are answered with a value or an error, never
    /// a panic (the `snapshot` fuzz target checks it, and that `decode(encode(x)) == x`).
    pub fn decode(bytes: &[u8]) -> Result<Snapshot, StoreError> {
        serde_json::from_slice(bytes).map_err(|error| {
            StoreError::Unavailable(format!(
                "the `{SNAPSHOT_KEY}` key holds unreadable JSON ({error}); the next run of \
                 the counting job rewrites it"
            ))
        })
    }
}

/// One read of `snapshot` (`None` before the job's first run), and the
/// `GET /api/counts` body made from it, kept once made.
#[derive(Debug, Default)]
pub struct Published {
    pub snapshot: Option<Snapshot>,
    counts_body: OnceLock<Vec<u8>>,
}

impl Published {
    pub fn new(snapshot: Option<Snapshot>) -> Published {
        Published {
            snapshot,
            counts_body: OnceLock::new(),
        }
    }

    /// The `GET /api/counts` body: made by `make` on the first call, the same bytes after.
    pub fn counts_body(&self, make: impl FnOnce(Option<&Snapshot>) -> Vec<u8>) -> &[u8] {
        self.counts_body
            .get_or_init(|| make(self.snapshot.as_ref()))
    }
}

/// The snapshot as this isolate last read it, and when (unix milliseconds).
#[derive(Debug, Default)]
pub struct SnapshotCache {
    last: Mutex<Option<(u64, Arc<Published>)>>,
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
    ) -> Result<Arc<Published>, StoreError> {
        let cached = self.lock().clone();
        if let Some((read_at, snapshot)) = cached {
            if now_ms >= read_at && now_ms - read_at < max_age_ms {
                return Ok(snapshot);
            }
        }
        let fresh = Arc::new(Published::new(Snapshot::read(store).await?));
        *self.lock() = Some((now_ms, Arc::clone(&fresh)));
        Ok(fresh)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(u64, Arc<Published>)>> {
        self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;

    #[test]
    fn the_counts_body_is_made_once_per_read() {
        let published = Published::new(None);
        let mut made = 0;
        let first = published
            .counts_body(|_| {
                made += 1;
                b"{}".to_vec()
            })
            .to_vec();
        let again = published.counts_body(|_| unreachable!("made twice"));
        assert_eq!((made, first.as_slice()), (1, again));
    }

    #[test]
    fn a_fresh_read_starts_a_new_body() {
        let store = MemoryStore::new();
        let cache = SnapshotCache::new();
        let read = |now_ms| block_on(cache.read(&store, now_ms, 5_000)).unwrap();
        let first = read(0);
        first.counts_body(|snapshot| format!("{snapshot:?}").into_bytes());
        let snapshot = Snapshot {
            updated_at: "2026-03-01T12:00:00Z".into(),
            petitions: BTreeMap::from([("clean-air".into(), PetitionCount::default())]),
        };
        block_on(snapshot.write(&store)).unwrap();
        assert!(Arc::ptr_eq(&first, &read(4_999)), "reused within 5 s");
        let second = read(5_000);
        assert_eq!(second.snapshot.as_ref(), Some(&snapshot));
        let body = second.counts_body(|snapshot| serde_json::to_vec(&snapshot).unwrap());
        assert!(String::from_utf8_lossy(body).contains("clean-air"));
    }
}
