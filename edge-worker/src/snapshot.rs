//! The published counts: the `snapshot` key, written by the counting job only and read by
//! `GET /api/counts`, `GET /api/petitions/{slug}/count` and the sign answer. Its JSON is
//! exactly the body of `GET /api/counts`.

use std::collections::BTreeMap;

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
