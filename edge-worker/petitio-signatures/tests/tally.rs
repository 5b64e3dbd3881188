//! The counting job on hand-made logs: sealing, the dedupe window, restarts from a stale
//! `tally`, skipping idle stretches cheaply, and bounded catch-up.

mod common;

use common::*;
use futures::executor::block_on;
use petitio_signatures::identity::SignerId;
use petitio_signatures::keys::{event_log_key, log_key, Bucket, LogEvent, SNAPSHOT_KEY, TALLY_KEY};
use petitio_signatures::record::LogMetadata;
use petitio_signatures::sim::{SimConfig, SimulatedKv};
use petitio_signatures::snapshot::Snapshot;
use petitio_signatures::store::{KvStore, MemoryStore, PutOptions};
use petitio_signatures::tally::{
    dedupe_window, last_sealed_bucket, run_scheduled, Tally, TallyReport,
};

const BUCKET_MS: u64 = 60_000;

fn id(n: u8) -> SignerId {
    SignerId::parse(&format!("{n:02x}").repeat(32)).unwrap()
}

/// The receipt commitment of `signer`'s signature of `generation` (hex).
fn commitment(signer: u8, generation: u32) -> String {
    let mut bytes = [signer; 32];
    bytes[31] = generation as u8;
    hex::encode(bytes)
}

fn log<S: KvStore>(store: &S, bucket: u64, slug: &str, signer: u8, region: &str) {
    let metadata = LogMetadata {
        r: region.into(),
        c: Some(commitment(signer, 0)),
    }
    .to_json();
    block_on(store.put(
        &log_key(Bucket(bucket), slug, &id(signer)),
        b"",
        PutOptions {
            metadata: Some(metadata),
            expiration_ttl: None,
        },
    ))
    .unwrap();
}

/// A later event of `signer`: `w<g>` (withdrawal) or `s<g>` (signed again).
fn event<S: KvStore>(store: &S, bucket: u64, signer: u8, generation: u32, withdrawal: bool) {
    let metadata = LogMetadata {
        r: "astana".into(),
        c: Some(commitment(signer, generation)),
    }
    .to_json();
    let event = LogEvent {
        generation,
        withdrawal,
    };
    block_on(store.put(
        &event_log_key(Bucket(bucket), "clean-air", &id(signer), event),
        b"",
        PutOptions {
            metadata: Some(metadata),
            expiration_ttl: None,
        },
    ))
    .unwrap();
}

fn job<S: KvStore>(store: &S, now_ms: u64) -> TallyReport {
    block_on(run_scheduled(store, &manifest(), &config(&[]), now_ms)).unwrap()
}

fn count<S: KvStore>(store: &S, slug: &str) -> u64 {
    block_on(Snapshot::read(store)).unwrap().unwrap().petitions[slug].count
}

/// The first millisecond at which `bucket` is sealed under the default 60 s settle time.
fn sealed_at(bucket: u64) -> u64 {
    (bucket + 1) * BUCKET_MS + 60_000
}

const B: u64 = 29_539_440; // 2026-03-01T00:00Z, a multiple of ten

#[test]
fn window_and_sealing_follow_settle_seconds() {
    assert_eq!(dedupe_window(60), 2);
    assert_eq!(dedupe_window(61), 3);
    assert_eq!(dedupe_window(0), 1);
    assert_eq!(last_sealed_bucket(sealed_at(B), 60), Some(Bucket(B)));
    assert_eq!(
        last_sealed_bucket(sealed_at(B) - 1, 60),
        Some(Bucket(B - 1))
    );
    assert_eq!(last_sealed_bucket(59_999, 0), None);
}

#[test]
fn unsealed_buckets_are_provisional_until_sealed() {
    let store = MemoryStore::new();
    log(&store, B, "clean-air", 1, "astana");
    let early = job(&store, B * BUCKET_MS + 30_000);
    assert_eq!(early.signatures_counted, 0);
    assert_eq!(early.provisional_signatures, 1);
    assert_eq!(count(&store, "clean-air"), 1);

    let sealed = job(&store, sealed_at(B));
    assert_eq!(sealed.signatures_counted, 1);
    assert_eq!(sealed.provisional_signatures, 0);
    assert_eq!(sealed.next_bucket, B + 1);
    assert_eq!(count(&store, "clean-air"), 1);
}

#[test]
fn duplicates_within_the_window_count_once() {
    let store = MemoryStore::new();
    log(&store, B, "clean-air", 1, "astana");
    log(&store, B + 1, "clean-air", 1, "astana");
    log(&store, B + 2, "clean-air", 1, "astana");
    // The same signer id on another petition is another signature.
    log(&store, B + 1, "green-park", 1, "abroad");
    let report = job(&store, sealed_at(B + 2));
    assert_eq!(report.signatures_counted, 2);
    assert_eq!(report.duplicates_skipped, 2);
    assert_eq!(count(&store, "clean-air"), 1);
    assert_eq!(count(&store, "green-park"), 1);
}

#[test]
fn a_stale_tally_only_repeats_work() {
    let store = MemoryStore::new();
    log(&store, B, "clean-air", 1, "astana");
    job(&store, sealed_at(B));
    let stale = block_on(store.get(TALLY_KEY)).unwrap().unwrap();
    log(&store, B + 1, "clean-air", 2, "abroad");
    log(&store, B + 2, "clean-air", 1, "abroad");
    job(&store, sealed_at(B + 2));
    let settled = block_on(store.get(TALLY_KEY)).unwrap().unwrap();
    let published = block_on(Snapshot::read(&store)).unwrap().unwrap();

    // A later run reads the older tally (KV is eventually consistent).
    block_on(store.put(TALLY_KEY, &stale.value, PutOptions::default())).unwrap();
    let redo = job(&store, sealed_at(B + 2));
    assert_eq!(redo.buckets_folded, 2);
    assert_eq!(block_on(store.get(TALLY_KEY)).unwrap().unwrap(), settled);
    let again = block_on(Snapshot::read(&store)).unwrap().unwrap();
    assert_eq!(again.petitions, published.petitions);
    assert_eq!(again.petitions["clean-air"].count, 2);
}

#[test]
fn idle_stretches_cost_few_requests() {
    let kv = SimulatedKv::new(
        SimConfig {
            max_visibility_delay_ms: 0,
            op_latency_ms: 0,
            ..SimConfig::default()
        },
        0,
    );
    let store = kv.at(0);
    log(&store, B + 3, "clean-air", 1, "astana");
    log(&store, B + 5_000, "clean-air", 2, "astana");
    let before = kv.operations();
    let report = job(&store, sealed_at(B + 5_000));
    assert!(report.caught_up);
    assert_eq!(report.signatures_counted, 2);
    let requests = kv.operations() - before;
    assert!(
        requests < 40,
        "{requests} storage requests for 5,000 idle buckets"
    );
    assert_eq!(count(&store, "clean-air"), 2);
}

#[test]
fn catching_up_is_bounded_and_publishes_only_when_done() {
    let store = MemoryStore::new();
    for n in 0..60u8 {
        log(&store, B + 1 + u64::from(n), "clean-air", n, "astana");
    }
    let first = job(&store, sealed_at(B + 60));
    assert!(!first.caught_up);
    assert!(first.buckets_folded < 60);
    assert!(block_on(store.get(SNAPSHOT_KEY)).unwrap().is_none());
    let second = job(&store, sealed_at(B + 60));
    assert!(second.caught_up);
    assert_eq!(first.signatures_counted + second.signatures_counted, 60);
    assert_eq!(count(&store, "clean-air"), 60);
    assert_eq!(
        second.to_string(),
        format!(
            "folded {} bucket(s): {} signature(s) counted, 0 duplicate(s) skipped; 0 provisional; \
             next bucket {}; snapshot published; transparency log off (no LOG_SIGNING_KEY and \
             no [log] key in petitio.toml)",
            second.buckets_folded,
            second.signatures_counted,
            B + 61
        )
    );
}

#[test]
fn an_empty_log_publishes_zeros() {
    let store = MemoryStore::new();
    let report = job(&store, NOW_MS);
    assert!(report.caught_up);
    let snapshot = block_on(Snapshot::read(&store)).unwrap().unwrap();
    assert_eq!(snapshot.updated_at, "2026-03-01T12:00:05Z");
    assert_eq!(snapshot.petitions.len(), manifest().petitions.len());
    assert!(snapshot.petitions.values().all(|count| count.count == 0));
}

#[test]
fn an_unreadable_tally_is_reported() {
    let store = MemoryStore::new();
    block_on(store.put(TALLY_KEY, b"{", PutOptions::default())).unwrap();
    let error = block_on(run_scheduled(&store, &manifest(), &config(&[]), NOW_MS)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "storage unavailable: the `tally` key holds unreadable JSON (EOF while parsing an object \
         at line 1 column 1); delete the key to have the counting job recount every signature \
         from the log"
    );
}

#[test]
fn a_tally_the_job_could_not_have_written_is_refused_and_changes_nothing() {
    let id = "ab".repeat(32);
    let cases = [
        (
            r#"{"next_bucket":5,"petitions":{"clean-air":{"count":3,"by_region":{"astana":2}}},"recent":{}}"#.to_owned(),
            "a count of 3 for `clean-air` that is not the sum of its region counts",
        ),
        (
            r#"{"next_bucket":5,"petitions":{"clean-air":{"count":9007199254740992,"by_region":{"astana":9007199254740992}}},"recent":{}}"#.to_owned(),
            "a count of 9007199254740992 for `clean-air`, above any real count (9007199254740991)",
        ),
        (
            r#"{"next_bucket":5,"petitions":{"Clean Air":{"count":0,"by_region":{}}},"recent":{}}"#.to_owned(),
            "a count for \"Clean Air\", which is not a petition slug",
        ),
        (
            format!(r#"{{"next_bucket":5,"petitions":{{}},"recent":{{"5":["clean-air/{id}"]}}}}"#),
            "bucket 5 in the dedupe window, not before the next bucket to fold (5)",
        ),
        (
            r#"{"next_bucket":5,"petitions":{},"recent":{"4":["clean-air"]}}"#.to_owned(),
            "\"clean-air\" in the dedupe window, not a `<slug>/<id>[/<event>]`",
        ),
    ];
    for (json, reason) in cases {
        let store = MemoryStore::new();
        block_on(store.put(TALLY_KEY, json.as_bytes(), PutOptions::default())).unwrap();
        let error = block_on(run_scheduled(&store, &manifest(), &config(&[]), NOW_MS)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "storage unavailable: the `tally` key holds {reason}; delete the key to have \
                 the counting job recount every signature from the log"
            )
        );
        assert_eq!(Tally::decode(json.as_bytes()), Err(error));
        let stored = block_on(store.get(TALLY_KEY)).unwrap().unwrap();
        assert_eq!(stored.value, json.as_bytes(), "the tally is left as it was");
        assert_eq!(block_on(store.get(SNAPSHOT_KEY)).unwrap(), None);
    }
}

#[test]
fn a_tally_decodes_to_what_was_encoded() {
    let store = MemoryStore::new();
    log(&store, B, "clean-air", 1, "astana");
    log(&store, B + 1, "clean-air", 2, "abroad");
    job(&store, sealed_at(B + 1));
    let stored = block_on(store.get(TALLY_KEY)).unwrap().unwrap();
    let tally = Tally::decode(&stored.value).unwrap();
    assert_eq!(tally.next_bucket(), B + 2);
    assert_eq!(tally.petitions()["clean-air"].count, 2);
    assert_eq!(tally.recent().len(), 2);
    assert_eq!(tally.encode(), stored.value);
}

#[test]
fn a_withdrawal_counts_minus_one_exactly_once_and_signing_again_counts_again() {
    let store = MemoryStore::new();
    log(&store, B, "clean-air", 1, "astana");
    log(&store, B, "clean-air", 2, "astana");
    // Signer 1 withdraws; two racing confirmations wrote the withdrawal in two buckets.
    event(&store, B + 1, 1, 0, true);
    event(&store, B + 2, 1, 0, true);
    assert_eq!(job(&store, sealed_at(B + 2)).duplicates_skipped, 1);
    assert_eq!(count(&store, "clean-air"), 1);
    // Signer 2 withdraws and signs again in one bucket; signer 1 signs again later.
    event(&store, B + 3, 2, 0, true);
    event(&store, B + 3, 2, 1, false);
    event(&store, B + 5, 1, 1, false);
    // B + 3 sealed, B + 5 provisional; then all sealed: the same figure.
    let report = job(&store, (B + 5) * BUCKET_MS + 1);
    assert_eq!(
        (report.signatures_counted, report.provisional_signatures),
        (2, 1)
    );
    assert_eq!(count(&store, "clean-air"), 2);
    job(&store, sealed_at(B + 5));
    assert_eq!(count(&store, "clean-air"), 2);
    let snapshot = block_on(Snapshot::read(&store)).unwrap().unwrap();
    assert_eq!(snapshot.petitions["clean-air"].by_region["astana"], 2);
}

#[test]
fn a_withdrawal_without_its_signature_is_skipped_not_counted_below_zero() {
    let store = MemoryStore::new();
    event(&store, B, 9, 0, true);
    let report = job(&store, sealed_at(B));
    assert_eq!(report.signatures_counted, 0);
    assert_eq!(report.duplicates_skipped, 1);
    assert_eq!(count(&store, "clean-air"), 0);
}
