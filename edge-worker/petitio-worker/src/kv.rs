//! `KvStore` over a Workers KV namespace binding: the production store.
//!
//! Values are bytes; metadata, a JSON document in the trait, is stored as the JSON value
//! itself (so listings in the dashboard and `wrangler kv key list` show it as an object).
//! KV's "too many writes to one key" answer (HTTP 429) becomes `StoreError::RateLimited`;
//! every other failure is `StoreError::Unavailable` with the operation and key named.

use petitio_signatures::store::{
    put_if_absent_by_reading, KvEntry, KvStore, ListPage, ListedKey, Put, PutOptions, StoreError,
    LIST_PAGE_MAX,
};
use worker::wasm_bindgen::JsCast;
use worker::KvError;

/// The namespace bound as `binding` in wrangler.toml.
pub struct WorkersKv {
    namespace: worker::KvStore,
}

impl WorkersKv {
    pub fn new(namespace: worker::KvStore) -> Self {
        Self { namespace }
    }
}

impl KvStore for WorkersKv {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        let (value, metadata) = self
            .namespace
            .get(key)
            .bytes_with_metadata::<serde_json::Value>()
            .await
            .map_err(|e| store_error("read", key, e))?;
        Ok(value.map(|value| KvEntry {
            value,
            metadata: metadata.map(|m| m.to_string()),
        }))
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        let mut put = self
            .namespace
            .put_bytes(key, value)
            .map_err(|e| store_error("write", key, e))?;
        if let Some(metadata) = options.metadata {
            let metadata: serde_json::Value = serde_json::from_str(&metadata).map_err(|e| {
                StoreError::Unavailable(format!(
                    "refusing to write {key}: its metadata is not JSON ({e})"
                ))
            })?;
            put = put
                .metadata(metadata)
                .map_err(|e| store_error("write", key, e))?;
        }
        if let Some(ttl) = options.expiration_ttl {
            put = put.expiration_ttl(ttl);
        }
        put.execute()
            .await
            .map_err(|e| store_error("write", key, e))
    }

    /// KV has no conditional write: a read, then the writes (see ARCHITECTURE.md,
    /// "Signing", for the window that leaves and what the API answers in it).
    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        put_if_absent_by_reading(self, writes).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let mut list = self
            .namespace
            .list()
            .prefix(prefix.to_owned())
            .limit(limit.clamp(1, LIST_PAGE_MAX) as u64);
        if let Some(cursor) = cursor {
            list = list.cursor(cursor.to_owned());
        }
        let page = list
            .execute()
            .await
            .map_err(|e| store_error("list", prefix, e))?;
        Ok(ListPage {
            keys: page
                .keys
                .into_iter()
                .map(|key| ListedKey {
                    name: key.name,
                    metadata: key.metadata.map(|m| m.to_string()),
                })
                .collect(),
            // KV may hand back a cursor on the last page too; only `list_complete` says
            // whether more keys remain.
            cursor: page.cursor.filter(|c| !page.list_complete && !c.is_empty()),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.namespace
            .delete(key)
            .await
            .map_err(|e| store_error("delete", key, e))
    }
}

/// Maps a KV failure to the store's error. KV reports a second write to a key within a
/// second as a JavaScript error whose message carries the HTTP status 429.
fn store_error(operation: &str, key: &str, error: KvError) -> StoreError {
    let message = match &error {
        KvError::JavaScript(value) => value
            .dyn_ref::<worker::js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| value.as_string())
            .unwrap_or_else(|| format!("{value:?}")),
        other => other.to_string(),
    };
    if is_rate_limited(&message) {
        StoreError::RateLimited(key.to_owned())
    } else {
        StoreError::Unavailable(format!("KV {operation} of {key} failed: {message}"))
    }
}

fn is_rate_limited(message: &str) -> bool {
    message.contains("429") || message.contains("Too Many Requests")
}
