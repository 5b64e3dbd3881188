//! The storage trait the whole signature API is written against, with the semantics of
//! Workers KV: get, put with metadata and expiry, list by prefix with a cursor, delete.
//! No compare-and-set and no transactions, on purpose: code that works on this trait
//! works on KV. Implementations: `MemoryStore` (here), `sim::SimulatedKv` (production's
//! failure modes, native tests), `RedbStore` (petitio serve), and the KV binding (wasm).

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

/// Key-value storage with Workers KV semantics. Futures need not be `Send` (wasm is
/// single-threaded); native callers with concrete stores still get `Send` futures.
#[allow(async_fn_in_trait)]
pub trait KvStore {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError>;
    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError>;
    /// Keys starting with `prefix` in lexicographic order, at most `limit` (<= 1000) a page.
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
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
