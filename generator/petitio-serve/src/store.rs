//! `RedbStore`: the signature store of `petitio serve`, with the semantics of Workers KV
//! (values with metadata and expiry, prefix listing with a cursor, delete) on an embedded
//! database file, `<data_dir>/signatures.redb`.
//!
//! Why redb rather than SQLite: it is pure Rust (no C toolchain to build or ship), every
//! commit is ACID and fsync'd before it returns (so a 2xx answer means the record is on
//! disk, invariant 4), and readers see an MVCC snapshot, so listings never block signing.
//! Its ordered B-tree gives KV's lexicographic listing directly.
//!
//! Expired keys are invisible from the moment they expire and are removed lazily, when a
//! read comes across them. `put_if_absent` is one write transaction, so concurrent
//! signatures with one email create exactly one record (Workers KV cannot promise that). redb calls are synchronous; see `blocking` for how they share
//! the async runtime.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use petitio_signatures::store::{
    KvEntry, KvStore, ListPage, ListedKey, Put, PutOptions, StoreError, LIST_PAGE_MAX,
};
use redb::backends::InMemoryBackend;
use redb::{Database, ReadableTable, TableDefinition};
use tokio::runtime::RuntimeFlavor;

use crate::error::{store_failure, ServeError};

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "signatures.redb";

/// What `path()` says of a store kept in memory.
const IN_MEMORY: &str = "(in memory)";

/// A stored entry: value, metadata, and when it expires (unix seconds).
type StoredEntry = (&'static [u8], Option<&'static str>, Option<u64>);

/// key -> entry.
const ENTRIES: TableDefinition<&str, StoredEntry> = TableDefinition::new("kv_entries");

/// Unix seconds now; replaceable so tests can move time.
type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// Workers KV semantics on a redb file. See the module documentation.
pub struct RedbStore {
    db: Database,
    path: PathBuf,
    clock: Clock,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl RedbStore {
    /// Opens (or creates) `<data_dir>/signatures.redb`, creating `data_dir` if needed.
    pub fn open(data_dir: &Path) -> Result<Self, ServeError> {
        std::fs::create_dir_all(data_dir).map_err(|source| ServeError::CreateDataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let db = Database::create(&path).map_err(|source| ServeError::OpenDatabase {
            path: path.clone(),
            source: Box::new(source.into()),
        })?;
        Self::on(db, path)
    }

    /// A store kept in memory only, with the same code paths as a file (for tests that
    /// need many commits without paying an fsync for each).
    pub fn in_memory() -> Result<Self, ServeError> {
        let path = PathBuf::from(IN_MEMORY);
        let db = Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(|source| ServeError::OpenDatabase {
                path: path.clone(),
                source: Box::new(source.into()),
            })?;
        Self::on(db, path)
    }

    fn on(db: Database, path: PathBuf) -> Result<Self, ServeError> {
        let store = RedbStore {
            db,
            path,
            clock: Box::new(unix_seconds_now),
        };
        store
            .create_table()
            .map_err(|source| ServeError::OpenDatabase {
                path: store.path.clone(),
                source,
            })?;
        Ok(store)
    }

    /// Replaces the clock that decides expiry (unix seconds).
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every live key with its entry, in key order (for invariant checks in tests).
    pub fn dump(&self) -> Result<Vec<(String, KvEntry)>, StoreError> {
        let now = (self.clock)();
        let txn = self.db.begin_read().map_err(store_failure)?;
        let table = txn.open_table(ENTRIES).map_err(store_failure)?;
        let mut entries = Vec::new();
        for item in table.iter().map_err(store_failure)? {
            let (key, stored) = item.map_err(store_failure)?;
            let (value, metadata, expires_at) = stored.value();
            if !is_expired(expires_at, now) {
                entries.push((key.value().to_owned(), entry(value, metadata)));
            }
        }
        Ok(entries)
    }

    /// Makes sure the table exists, so read transactions can always open it.
    fn create_table(&self) -> Result<(), Box<redb::Error>> {
        let boxed = |error: redb::Error| Box::new(error);
        let txn = self.db.begin_write().map_err(|e| boxed(e.into()))?;
        txn.open_table(ENTRIES).map_err(|e| boxed(e.into()))?;
        txn.commit().map_err(|e| boxed(e.into()))
    }

    /// Removes `keys` that are still expired (a put may have renewed one since it was
    /// seen). Housekeeping only: an expired key is invisible whether or not it is removed,
    /// so a failure here does not fail the read that found it.
    fn purge_expired(&self, keys: &[String]) {
        let _ = self.try_purge_expired(keys);
    }

    fn try_purge_expired(&self, keys: &[String]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let now = (self.clock)();
        let txn = self.db.begin_write().map_err(store_failure)?;
        {
            let mut table = txn.open_table(ENTRIES).map_err(store_failure)?;
            for key in keys {
                let still_expired = table
                    .get(key.as_str())
                    .map_err(store_failure)?
                    .is_some_and(|stored| is_expired(stored.value().2, now));
                if still_expired {
                    table.remove(key.as_str()).map_err(store_failure)?;
                }
            }
        }
        txn.commit().map_err(store_failure)
    }
}

/// The operations, synchronously; `KvStore` runs them through `blocking`.
impl RedbStore {
    fn get_now(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        let now = (self.clock)();
        let found = {
            let txn = self.db.begin_read().map_err(store_failure)?;
            let table = txn.open_table(ENTRIES).map_err(store_failure)?;
            let stored = table.get(key).map_err(store_failure)?;
            stored.map(|stored| {
                let (value, metadata, expires_at) = stored.value();
                (entry(value, metadata), is_expired(expires_at, now))
            })
        };
        match found {
            Some((_, true)) => {
                self.purge_expired(&[key.to_owned()]);
                Ok(None)
            }
            Some((entry, false)) => Ok(Some(entry)),
            None => Ok(None),
        }
    }

    fn put_now(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        let expires_at = options
            .expiration_ttl
            .map(|ttl| (self.clock)().saturating_add(ttl));
        let txn = self.db.begin_write().map_err(store_failure)?;
        {
            let mut table = txn.open_table(ENTRIES).map_err(store_failure)?;
            table
                .insert(key, (value, options.metadata.as_deref(), expires_at))
                .map_err(store_failure)?;
        }
        txn.commit().map_err(store_failure)
    }

    /// `put_if_absent` in one write transaction: redb has one writer at a time, so of
    /// requests racing to create a key exactly one finds it empty, and its writes are
    /// committed (and fsync'd) together or not at all.
    fn put_if_absent_now(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        let Some(first) = writes.first() else {
            return Ok(None);
        };
        let now = (self.clock)();
        let txn = self.db.begin_write().map_err(store_failure)?;
        {
            let mut table = txn.open_table(ENTRIES).map_err(store_failure)?;
            let existing = table
                .get(first.key)
                .map_err(store_failure)?
                .and_then(|stored| {
                    let (value, metadata, expires_at) = stored.value();
                    (!is_expired(expires_at, now)).then(|| entry(value, metadata))
                });
            if existing.is_some() {
                drop(table);
                txn.abort().map_err(store_failure)?;
                return Ok(existing);
            }
            for write in writes {
                let expires_at = write
                    .options
                    .expiration_ttl
                    .map(|ttl| now.saturating_add(ttl));
                table
                    .insert(
                        write.key,
                        (write.value, write.options.metadata.as_deref(), expires_at),
                    )
                    .map_err(store_failure)?;
            }
        }
        txn.commit().map_err(store_failure)?;
        Ok(None)
    }

    fn list_now(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let limit = limit.clamp(1, LIST_PAGE_MAX);
        let now = (self.clock)();
        let start = match cursor {
            Some(cursor) if cursor >= prefix => Bound::Excluded(cursor),
            _ => Bound::Included(prefix),
        };
        let mut keys = Vec::new();
        let mut expired = Vec::new();
        let mut more = false;
        {
            let txn = self.db.begin_read().map_err(store_failure)?;
            let table = txn.open_table(ENTRIES).map_err(store_failure)?;
            let range = table
                .range::<&str>((start, Bound::Unbounded))
                .map_err(store_failure)?;
            for item in range {
                let (key, stored) = item.map_err(store_failure)?;
                let name = key.value();
                if !name.starts_with(prefix) {
                    break;
                }
                let (_, metadata, expires_at) = stored.value();
                if is_expired(expires_at, now) {
                    expired.push(name.to_owned());
                    continue;
                }
                if keys.len() == limit {
                    more = true;
                    break;
                }
                keys.push(ListedKey {
                    name: name.to_owned(),
                    metadata: metadata.map(str::to_owned),
                });
            }
        }
        self.purge_expired(&expired);
        let cursor = if more {
            keys.last().map(|key| key.name.clone())
        } else {
            None
        };
        Ok(ListPage { keys, cursor })
    }

    fn delete_now(&self, key: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(store_failure)?;
        {
            let mut table = txn.open_table(ENTRIES).map_err(store_failure)?;
            table.remove(key).map_err(store_failure)?;
        }
        txn.commit().map_err(store_failure)
    }
}

impl KvStore for RedbStore {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        blocking(|| self.get_now(key))
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        blocking(|| self.put_now(key, value, options))
    }

    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        blocking(|| self.put_if_absent_now(writes))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        blocking(|| self.list_now(prefix, cursor, limit))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        blocking(|| self.delete_now(key))
    }
}

/// Runs a database operation, which may wait for an fsync or for the one writer. On a
/// multi-threaded tokio runtime the worker first hands its other tasks to another thread,
/// so requests that do not touch the database (pages, the Turnstile call of a signature
/// being made) keep moving; anywhere else the operation simply runs.
fn blocking<T>(operation: impl FnOnce() -> T) -> T {
    let on_multi_thread_runtime = tokio::runtime::Handle::try_current()
        .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread);
    if on_multi_thread_runtime {
        tokio::task::block_in_place(operation)
    } else {
        operation()
    }
}

fn entry(value: &[u8], metadata: Option<&str>) -> KvEntry {
    KvEntry {
        value: value.to_vec(),
        metadata: metadata.map(str::to_owned),
    }
}

fn is_expired(expires_at: Option<u64>, now: u64) -> bool {
    expires_at.is_some_and(|at| now >= at)
}

fn unix_seconds_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
