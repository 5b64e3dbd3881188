//! `RedbStore` keeps Workers KV's semantics: values with metadata, expiry, prefix listing
//! in key order with a cursor, delete; and signatures survive a restart. Its
//! `put_if_absent` is one transaction: concurrent signatures with one email, through the
//! API, create one record and get one 201.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::executor::block_on;
use petitio_serve::RedbStore;
use petitio_signatures::store::{KvEntry, KvStore, ListPage, MemoryStore, Put, PutOptions};
use proptest::prelude::*;

const START: u64 = 1_780_000_000;

fn open(dir: &tempfile::TempDir) -> RedbStore {
    RedbStore::open(dir.path()).expect("the store opens")
}

/// A store whose clock the test moves.
fn open_with_clock(dir: &tempfile::TempDir) -> (RedbStore, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(START));
    let clock = Arc::clone(&now);
    let store = open(dir).with_clock(move || clock.load(Ordering::SeqCst));
    (store, now)
}

fn with_metadata(metadata: &str) -> PutOptions {
    PutOptions {
        metadata: Some(metadata.into()),
        expiration_ttl: None,
    }
}

fn expiring_in(seconds: u64) -> PutOptions {
    PutOptions {
        metadata: None,
        expiration_ttl: Some(seconds),
    }
}

fn names(page: &ListPage) -> Vec<&str> {
    page.keys.iter().map(|key| key.name.as_str()).collect()
}

#[test]
fn a_value_is_read_back_with_its_metadata_and_replaced_by_the_next_put() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    block_on(async {
        assert_eq!(store.get("sig/a/1").await.unwrap(), None);
        store
            .put(
                "sig/a/1",
                b"{\"region\":\"almaty\"}",
                with_metadata("{\"b\":1}"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.get("sig/a/1").await.unwrap(),
            Some(KvEntry {
                value: b"{\"region\":\"almaty\"}".to_vec(),
                metadata: Some("{\"b\":1}".into()),
            })
        );
        store
            .put("sig/a/1", b"second", PutOptions::default())
            .await
            .unwrap();
        assert_eq!(
            store.get("sig/a/1").await.unwrap(),
            Some(KvEntry {
                value: b"second".to_vec(),
                metadata: None,
            })
        );
    });
}

#[test]
fn a_deleted_key_is_gone_and_deleting_a_missing_key_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    block_on(async {
        store.put("k", b"v", PutOptions::default()).await.unwrap();
        store.delete("k").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), None);
        assert!(store.list("", None, 10).await.unwrap().keys.is_empty());
        store.delete("never-written").await.unwrap();
    });
}

#[test]
fn a_listing_holds_only_the_prefix_in_key_order_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    block_on(async {
        for key in ["log/2/b", "sig/x", "log/1/z", "log/10/a", "log/1/a", "loh"] {
            store
                .put(key, b"", with_metadata(&format!("{{\"k\":\"{key}\"}}")))
                .await
                .unwrap();
        }
        let page = store.list("log/1", None, 1000).await.unwrap();
        assert_eq!(names(&page), ["log/1/a", "log/1/z", "log/10/a"]);
        assert_eq!(page.cursor, None);
        assert_eq!(
            page.keys[0].metadata.as_deref(),
            Some("{\"k\":\"log/1/a\"}")
        );
    });
}

#[test]
fn a_listing_pages_with_a_cursor_until_no_cursor_is_returned() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    block_on(async {
        for n in 0..5 {
            store
                .put(&format!("sig/p/{n}"), b"", PutOptions::default())
                .await
                .unwrap();
        }
        let first = store.list("sig/", None, 2).await.unwrap();
        assert_eq!(names(&first), ["sig/p/0", "sig/p/1"]);
        let second = store
            .list("sig/", first.cursor.as_deref(), 2)
            .await
            .unwrap();
        assert_eq!(names(&second), ["sig/p/2", "sig/p/3"]);
        let last = store
            .list("sig/", second.cursor.as_deref(), 2)
            .await
            .unwrap();
        assert_eq!(names(&last), ["sig/p/4"]);
        assert_eq!(last.cursor, None);
    });
}

#[test]
fn a_page_that_ends_exactly_at_the_last_key_has_no_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    block_on(async {
        for key in ["a/1", "a/2"] {
            store.put(key, b"", PutOptions::default()).await.unwrap();
        }
        let page = store.list("a/", None, 2).await.unwrap();
        assert_eq!(names(&page), ["a/1", "a/2"]);
        assert_eq!(page.cursor, None);
    });
}

#[test]
fn an_expired_key_is_invisible_to_get_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = open_with_clock(&dir);
    block_on(async {
        store.put("rl/a", b"1", expiring_in(60)).await.unwrap();
        store
            .put("rl/b", b"2", PutOptions::default())
            .await
            .unwrap();
        now.store(START + 59, Ordering::SeqCst);
        assert!(store.get("rl/a").await.unwrap().is_some());
        now.store(START + 60, Ordering::SeqCst);
        assert_eq!(store.get("rl/a").await.unwrap(), None);
        assert_eq!(names(&store.list("rl/", None, 10).await.unwrap()), ["rl/b"]);
    });
}

#[test]
fn an_expired_key_that_was_seen_is_purged() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = open_with_clock(&dir);
    block_on(async {
        store.put("rl/a", b"1", expiring_in(60)).await.unwrap();
        store.put("rl/b", b"2", expiring_in(60)).await.unwrap();
        now.store(START + 61, Ordering::SeqCst);
        store.get("rl/a").await.unwrap();
        store.list("rl/", None, 10).await.unwrap();
        // Back before the expiry: only a key still stored could be seen again.
        now.store(START, Ordering::SeqCst);
        assert_eq!(store.dump().unwrap(), vec![]);
    });
}

#[test]
fn a_put_without_expiry_makes_an_expiring_key_permanent() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = open_with_clock(&dir);
    block_on(async {
        store.put("k", b"1", expiring_in(60)).await.unwrap();
        store.put("k", b"2", PutOptions::default()).await.unwrap();
        now.store(START + 10_000, Ordering::SeqCst);
        assert_eq!(store.get("k").await.unwrap().unwrap().value, b"2");
    });
}

#[test]
fn signatures_survive_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    block_on(async {
        let store = open(&dir);
        store
            .put("sig/p/id", b"{}", with_metadata("{\"b\":7}"))
            .await
            .unwrap();
        drop(store);
        let reopened = open(&dir);
        assert_eq!(
            reopened.get("sig/p/id").await.unwrap(),
            Some(KvEntry {
                value: b"{}".to_vec(),
                metadata: Some("{\"b\":7}".into()),
            })
        );
    });
}

#[test]
fn a_store_already_open_is_an_error_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let _first = open(&dir);
    let error = RedbStore::open(dir.path()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot open the signature database {}: Database already open. Cannot acquire lock.\n  \
             If another `petitio serve` is using this data directory, stop it first.",
            dir.path().join("signatures.redb").display()
        )
    );
}

fn put<'a>(key: &'a str, value: &'a [u8]) -> Put<'a> {
    Put {
        key,
        value,
        options: with_metadata("{\"m\":1}"),
    }
}

#[test]
fn put_if_absent_writes_everything_or_nothing_and_returns_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now) = open_with_clock(&dir);
    block_on(async {
        let first = [put("sig/p/1", b"one"), put("log/1/p/1", b"")];
        assert_eq!(store.put_if_absent(&first).await.unwrap(), None);
        assert_eq!(store.get("log/1/p/1").await.unwrap().unwrap().value, b"");
        let second = [put("sig/p/1", b"two"), put("log/2/p/1", b"")];
        assert_eq!(
            store.put_if_absent(&second).await.unwrap(),
            Some(KvEntry {
                value: b"one".to_vec(),
                metadata: Some("{\"m\":1}".into()),
            })
        );
        assert_eq!(
            store.get("log/2/p/1").await.unwrap(),
            None,
            "nothing written"
        );
        // An expired key is absent.
        store.put("k", b"old", expiring_in(60)).await.unwrap();
        now.store(START + 60, Ordering::SeqCst);
        assert_eq!(
            store.put_if_absent(&[put("k", b"new")]).await.unwrap(),
            None
        );
        assert_eq!(store.get("k").await.unwrap().unwrap().value, b"new");
    });
}

mod concurrent_signers {
    //! 500 requests signing with one email at once, through the API core on the real
    //! store, on a multi-threaded runtime: the check for the record and its creation must
    //! be one transaction, or many of them find no record and are all told "recorded".

    use super::*;
    use petitio_model::manifest::{Manifest, ManifestPetition};
    use petitio_signatures::api::{handle, ApiContext};
    use petitio_signatures::config::ApiConfig;
    use petitio_signatures::http::ApiRequest;
    use petitio_signatures::mailer::MemoryMailer;
    use petitio_signatures::ratelimit::RateLimiter;
    use petitio_signatures::snapshot::SnapshotCache;
    use petitio_signatures::tally::run_scheduled;
    use petitio_signatures::turnstile::TurnstileVerifier;

    const SIGNERS: usize = 500;
    const SLUG: &str = "clean-air";
    /// 2026-03-01T12:00:05Z.
    const NOW_MS: u64 = 1_772_366_405_000;

    /// No Turnstile secret is configured, so the API never asks this.
    struct NotConfigured;

    impl TurnstileVerifier for NotConfigured {
        async fn verify(&self, _: &str, _: &str, _: &str) -> Result<bool, String> {
            Err("Turnstile is not configured in this test".into())
        }
    }

    struct Api {
        store: RedbStore,
        config: ApiConfig,
        manifest: Manifest,
        limiter: RateLimiter,
        snapshots: SnapshotCache,
    }

    impl Api {
        async fn sign(&self, email: &str, now_ms: u64) -> (u16, serde_json::Value) {
            let ctx = ApiContext {
                store: &self.store,
                config: &self.config,
                manifest: &self.manifest,
                limiter: &self.limiter,
                snapshots: &self.snapshots,
                turnstile: &NotConfigured,
                mailer: &MemoryMailer::new(),
                now_ms,
                receipt_secret: {
                    let mut secret = [0; 32];
                    getrandom::fill(&mut secret).unwrap();
                    secret
                },
            };
            let body = serde_json::json!({
                "name": "Aliya", "email": email, "region": "abroad", "consent": true,
            });
            let request = ApiRequest {
                method: "POST".into(),
                path: format!("/api/petitions/{SLUG}/signatures"),
                headers: vec![
                    ("content-type".into(), "application/json".into()),
                    ("sec-fetch-site".into(), "same-origin".into()),
                ],
                body: body.to_string().into_bytes(),
                client_ip: Some("203.0.113.7".into()),
                ..ApiRequest::default()
            };
            let response = handle(&ctx, request).await;
            (
                response.status,
                serde_json::from_slice(&response.body).unwrap(),
            )
        }
    }

    fn api(dir: &tempfile::TempDir) -> Api {
        Api {
            store: open(dir),
            config: ApiConfig::from_lookup(|name| match name {
                "SIGNING_KEY" => Some("concurrency-test-key-0123456789abcdef".into()),
                "RATE_LIMIT_BURST" => Some("100000/60".into()),
                "RATE_LIMIT_SUSTAINED" => Some("100000/3600".into()),
                "SIGNATURE_CONFIRMATION" => Some("none".into()),
                _ => None,
            })
            .unwrap(),
            manifest: Manifest {
                log_key: None,
                witnesses: Vec::new(),
                where_note: None,
                version: 1,
                base_path: "/".into(),
                default_language: "kk".into(),
                languages: vec!["kk".into()],
                regions: vec!["abroad".into()],
                region_names: Default::default(),
                number_groups: Default::default(),
                plural_tables: Default::default(),
                utc_offset: Default::default(),
                petitions: vec![ManifestPetition {
                    slug: SLUG.into(),
                    status: petitio_model::status::Status::Open,
                    deadline: None,
                    languages: vec!["kk".into()],
                    titles: Default::default(),
                    milestones: Vec::new(),
                }],
            },
            limiter: RateLimiter::new(),
            snapshots: SnapshotCache::new(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn one_email_signing_500_times_at_once_is_recorded_once_and_answered_201_once() {
        let dir = tempfile::tempdir().unwrap();
        let api = Arc::new(api(&dir));
        // Spelled differently, one mailbox: one signer.
        let spellings = [
            "aliya.n@gmail.com",
            "AliyaN+x@googlemail.com",
            " aliyan@GMAIL.com ",
        ];
        let tasks: Vec<_> = (0..SIGNERS)
            .map(|i| {
                let api = Arc::clone(&api);
                tokio::spawn(async move { api.sign(spellings[i % 3], NOW_MS).await })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        let status_of = |status: u16| answers.iter().filter(|(s, _)| *s == status).count();
        assert_eq!(
            (status_of(201), status_of(200)),
            (1, SIGNERS - 1),
            "one 201 \"recorded\", every other answer 200 \"already_signed\""
        );
        // Only the recording answer has a receipt: the others' secrets were never recorded.
        let receipts: Vec<_> = answers
            .iter()
            .filter_map(|(status, body)| Some((*status, body["receipt"].as_str()?)))
            .collect();
        assert_eq!(receipts.len(), 1, "{receipts:?}");
        assert_eq!(receipts[0].0, 201);

        let stored = api.store.dump().unwrap();
        let count_of = |prefix: &str| {
            stored
                .iter()
                .filter(|(key, _)| key.starts_with(prefix))
                .count()
        };
        assert_eq!((count_of("sig/"), count_of("log/")), (1, 1));
        run_scheduled(&api.store, &api.manifest, &api.config, NOW_MS + 180_000)
            .await
            .unwrap();
        let (_, after) = api.sign("aliyan@gmail.com", NOW_MS + 181_000).await;
        assert_eq!(after["status"], "already_signed");
        assert_eq!(after["count"], 1, "published once");
    }
}

/// One step of a random workload.
#[derive(Debug, Clone)]
enum Op {
    Put {
        key: String,
        value: Vec<u8>,
        metadata: Option<String>,
    },
    Delete {
        key: String,
    },
    Get {
        key: String,
    },
    /// `put_if_absent` of `key` with a companion write to `also`.
    PutIfAbsent {
        key: String,
        also: String,
        value: Vec<u8>,
    },
    /// List `prefix` through every page of `limit` keys.
    List {
        prefix: String,
        limit: usize,
    },
}

/// Keys from a small alphabet, so operations collide and prefixes overlap.
fn key() -> impl Strategy<Value = String> {
    "[ab/]{0,4}"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            key(),
            proptest::collection::vec(any::<u8>(), 0..8),
            proptest::option::of("[a-z]{0,5}")
        )
            .prop_map(|(key, value, metadata)| Op::Put {
                key,
                value,
                metadata
            }),
        key().prop_map(|key| Op::Delete { key }),
        key().prop_map(|key| Op::Get { key }),
        (key(), key(), proptest::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(key, also, value)| Op::PutIfAbsent { key, also, value }),
        ("[ab/]{0,2}", 1usize..4).prop_map(|(prefix, limit)| Op::List { prefix, limit }),
    ]
}

async fn list_all(store: &impl KvStore, prefix: &str, limit: usize) -> Vec<ListPage> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list(prefix, cursor.as_deref(), limit).await.unwrap();
        cursor = page.cursor.clone();
        pages.push(page);
        if cursor.is_none() {
            return pages;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_random_workload_matches_the_reference_store(ops in proptest::collection::vec(op(), 1..30)) {
        let store = RedbStore::in_memory().unwrap();
        let reference = MemoryStore::new();
        block_on(async {
            for op in ops {
                match op {
                    Op::Put { key, value, metadata } => {
                        let options = PutOptions { metadata, expiration_ttl: None };
                        store.put(&key, &value, options.clone()).await.unwrap();
                        reference.put(&key, &value, options).await.unwrap();
                    }
                    Op::Delete { key } => {
                        store.delete(&key).await.unwrap();
                        reference.delete(&key).await.unwrap();
                    }
                    Op::Get { key } => {
                        prop_assert_eq!(store.get(&key).await.unwrap(), reference.get(&key).await.unwrap());
                    }
                    Op::PutIfAbsent { key, also, value } => {
                        let writes = [put(&key, &value), put(&also, b"")];
                        prop_assert_eq!(
                            store.put_if_absent(&writes).await.unwrap(),
                            reference.put_if_absent(&writes).await.unwrap()
                        );
                    }
                    Op::List { prefix, limit } => {
                        prop_assert_eq!(
                            list_all(&store, &prefix, limit).await,
                            list_all(&reference, &prefix, limit).await
                        );
                    }
                }
            }
            prop_assert_eq!(store.dump().unwrap(), reference.dump());
            Ok(())
        })?;
    }
}
