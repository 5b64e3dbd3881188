//! The storage trait the whole signature API is written against, with the semantics of
//! Workers KV: get, put with metadata and expiry, list by prefix with a cursor, delete.
//! No transactions, on purpose: code that works on this trait works on KV. The one
//! conditional write, `put_if_absent`, is atomic where the store can make it so and a
//! read followed by writes on KV, which has no conditional write (ARCHITECTURE.md,
//! "Signing", says what that leaves open). Implementations: `MemoryStore` (here),
//! `sim::SimulatedKv` (production's failure modes, native tests), `RedbStore` (petitio
//! serve), and the KV binding (wasm).

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Largest page `list` returns, as in Workers KV.
pub const LIST_PAGE_MAX: usize = 1000;

/// One stored value with its metadata (a small JSON document, at most 1024 bytes in KV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvEntry {
    pub value: Vec<u8>,
    pub metadata: Option<String>,
}

/// A key from a listing, with its metadata (KV returns metadata in listings, no read needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKey {
    pub name: String,
    pub metadata: Option<String>,
}

/// One page of a listing. `cursor` is `Some` while more keys remain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPage {
    pub keys: Vec<ListedKey>,
    pub cursor: Option<String>,
}

/// Why a storage operation failed. Every failure is reported; nothing is retried here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store refused because the key was written less than a second ago (KV's 429).
    #[error("too many writes to key {0}")]
    RateLimited(String),
    /// Any other failure (network, runtime, disk).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Options for `put`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// JSON metadata stored beside the value and returned by `list`.
    pub metadata: Option<String>,
    /// Seconds until the key expires (KV's `expirationTtl`; minimum 60 in production).
    pub expiration_ttl: Option<u64>,
}

/// One write of `put_if_absent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put<'a> {
    pub key: &'a str,
    pub value: &'a [u8],
    pub options: PutOptions,
}

/// Key-value storage with Workers KV semantics. Futures need not be `Send` (wasm is
/// single-threaded); native callers with concrete stores still get `Send` futures.
#[allow(async_fn_in_trait)]
pub trait KvStore {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError>;
    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError>;
    /// Makes every write of `writes` if the first one's key holds nothing, and returns
    /// `None`; if that key holds an entry, writes nothing and returns the entry.
    ///
    /// A store with transactions does it in one (`MemoryStore`, `RedbStore`): of requests
    /// racing to create one key exactly one writes, and the other writes become visible
    /// with it, never before. Workers KV cannot: there it is `put_if_absent_by_reading`
    /// (a read, then each write in turn), and two requests may both find the key empty.
    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError>;
    /// Keys starting with `prefix` in lexicographic order, at most `limit` (<= 1000) a page.
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// `KvStore::put_if_absent` on a store without a conditional write (Workers KV and its
/// model): one read of the first key, then the writes in order; the first failure stops
/// it, leaving the earlier writes in place. Between the read and the first write another
/// request can make the same read, and both then write.
pub async fn put_if_absent_by_reading<S: KvStore + ?Sized>(
    store: &S,
    writes: &[Put<'_>],
) -> Result<Option<KvEntry>, StoreError> {
    let Some(first) = writes.first() else {
        return Ok(None);
    };
    if let Some(existing) = store.get(first.key).await? {
        return Ok(Some(existing));
    }
    for write in writes {
        store
            .put(write.key, write.value, write.options.clone())
            .await?;
    }
    Ok(None)
}

/// A plain, strongly consistent in-memory store: unit tests and the reference semantics.
/// Expiry is not modelled (values never expire here).
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<BTreeMap<String, KvEntry>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every key, value and metadata currently stored (for invariant checks in tests).
    pub fn dump(&self) -> Vec<(String, KvEntry)> {
        let entries = self.entries.lock().expect("memory store poisoned");
        entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Lists `prefix` from a sorted map, the cursor being the last key returned.
/// Shared by in-memory implementations so their paging behaves alike.
pub fn list_sorted<'a, I>(entries: I, prefix: &str, cursor: Option<&str>, limit: usize) -> ListPage
where
    I: Iterator<Item = (&'a String, Option<&'a String>)>,
{
    let limit = limit.clamp(1, LIST_PAGE_MAX);
    let mut keys = Vec::new();
    let mut more = false;
    for (name, metadata) in entries {
        if !name.starts_with(prefix) || cursor.is_some_and(|c| name.as_str() <= c) {
            continue;
        }
        if keys.len() == limit {
            more = true;
            break;
        }
        keys.push(ListedKey {
            name: name.clone(),
            metadata: metadata.cloned(),
        });
    }
    let cursor = if more {
        keys.last().map(|k| k.name.clone())
    } else {
        None
    };
    ListPage { keys, cursor }
}

impl KvStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        Ok(self
            .entries
            .lock()
            .expect("memory store poisoned")
            .get(key)
            .cloned())
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        let entry = KvEntry {
            value: value.to_vec(),
            metadata: options.metadata,
        };
        self.entries
            .lock()
            .expect("memory store poisoned")
            .insert(key.to_owned(), entry);
        Ok(())
    }

    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        let mut entries = self.entries.lock().expect("memory store poisoned");
        if let Some(existing) = writes.first().and_then(|first| entries.get(first.key)) {
            return Ok(Some(existing.clone()));
        }
        for write in writes {
            let entry = KvEntry {
                value: write.value.to_vec(),
                metadata: write.options.metadata.clone(),
            };
            entries.insert(write.key.to_owned(), entry);
        }
        Ok(None)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let entries = self.entries.lock().expect("memory store poisoned");
        let range = entries.range(prefix.to_owned()..);
        Ok(list_sorted(
            range.map(|(k, v)| (k, v.metadata.as_ref())),
            prefix,
            cursor,
            limit,
        ))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.entries
            .lock()
            .expect("memory store poisoned")
            .remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn put<'a>(key: &'a str, value: &'a [u8]) -> Put<'a> {
        Put {
            key,
            value,
            options: PutOptions::default(),
        }
    }

    fn entry(value: &[u8]) -> KvEntry {
        KvEntry {
            value: value.to_vec(),
            metadata: None,
        }
    }

    /// `put_if_absent` as the store does it, or as KV does (`put_if_absent_by_reading`).
    async fn create(
        store: &MemoryStore,
        by_reading: bool,
        writes: &[Put<'_>],
    ) -> Result<Option<KvEntry>, StoreError> {
        if by_reading {
            put_if_absent_by_reading(store, writes).await
        } else {
            store.put_if_absent(writes).await
        }
    }

    fn writes_all_or_nothing(by_reading: bool) {
        let store = MemoryStore::new();
        block_on(async {
            assert_eq!(create(&store, by_reading, &[]).await, Ok(None));
            let first = [put("sig/p/1", b"one"), put("log/1/p/1", b"")];
            assert_eq!(create(&store, by_reading, &first).await, Ok(None));
            assert_eq!(store.get("log/1/p/1").await, Ok(Some(entry(b""))));
            let again = [put("sig/p/1", b"two"), put("log/2/p/1", b"")];
            assert_eq!(
                create(&store, by_reading, &again).await,
                Ok(Some(entry(b"one")))
            );
            assert_eq!(store.get("sig/p/1").await, Ok(Some(entry(b"one"))));
            assert_eq!(store.get("log/2/p/1").await, Ok(None));
        });
    }

    #[test]
    fn put_if_absent_writes_everything_or_nothing() {
        writes_all_or_nothing(false);
        writes_all_or_nothing(true);
    }
}
