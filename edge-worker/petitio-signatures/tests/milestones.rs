//! Milestone dates from the counting job's history: a count that steps onto a milestone
//! dates it at the start of the bucket whose signature took it there; the date is set
//! exactly when the count has reached the milestone, and never changes after (later runs,
//! a stale `tally`, a recount from the log). Withdrawals (issue #12) are counted as events
//! too: a count falling below a milestone leaves its date, and climbing back does not move it.

mod common;

use std::collections::BTreeMap;

use common::*;
use futures::executor::block_on;
use petitio_model::date::rfc3339_timestamp;
use petitio_model::manifest::Manifest;
use petitio_signatures::identity::SignerId;
use petitio_signatures::keys::{log_key, Bucket, TALLY_KEY};
use petitio_signatures::record::LogMetadata;
use petitio_signatures::snapshot::Snapshot;
use petitio_signatures::store::{KvStore, MemoryStore, PutOptions};
use petitio_signatures::tally::{run_scheduled, Tally};
use proptest::prelude::*;

const BUCKET_MS: u64 = 60_000;
const B: u64 = 29_539_440; // 2026-03-01T12:00Z
const MILESTONES: [u64; 5] = [1, 2, 3, 5, 8];

fn manifest_with_milestones() -> Manifest {
    let mut manifest = manifest();
    manifest.petitions[0].milestones = MILESTONES.to_vec();
    manifest
}

fn log(store: &MemoryStore, bucket: u64, signer: u8) {
    let id = SignerId::parse(&format!("{signer:02x}").repeat(32)).unwrap();
    block_on(
        store.put(
            &log_key(Bucket(bucket), "clean-air", &id),
            b"",
            PutOptions {
                metadata: Some(
                    LogMetadata {
                        r: "astana".into(),
                        c: Some(hex::encode([signer; 32])),
                    }
                    .to_json(),
                ),
                expiration_ttl: None,
            },
        ),
    )
    .unwrap();
}

fn job(store: &MemoryStore, now_ms: u64) {
    block_on(run_scheduled(
        store,
        &manifest_with_milestones(),
        &config(&[]),
        now_ms,
    ))
    .unwrap();
}

fn sealed_at(bucket: u64) -> u64 {
    (bucket + 1) * BUCKET_MS + 60_000
}

fn at(bucket: u64) -> String {
    rfc3339_timestamp(bucket * BUCKET_MS)
}

/// The dates in the stored `tally` and in the published `snapshot`.
fn dates(store: &MemoryStore) -> (BTreeMap<u64, String>, BTreeMap<u64, String>) {
    let tally = block_on(store.get(TALLY_KEY))
        .unwrap()
        .map(|entry| Tally::decode(&entry.value).unwrap());
    let sealed = tally
        .and_then(|tally| tally.petitions().get("clean-air").cloned())
        .map(|count| count.reached)
        .unwrap_or_default();
    let published = block_on(Snapshot::read(store))
        .unwrap()
        .map(|snapshot| snapshot.petitions["clean-air"].reached.clone())
        .unwrap_or_default();
    (sealed, published)
}

#[test]
fn a_milestone_is_dated_at_the_start_of_the_bucket_whose_signature_reached_it() {
    let store = MemoryStore::new();
    log(&store, B, 1);
    log(&store, B + 1, 2);
    log(&store, B + 1, 3);
    log(&store, B + 3, 4);
    job(&store, sealed_at(B + 3));
    let expected = BTreeMap::from([(1, at(B)), (2, at(B + 1)), (3, at(B + 1))]);
    assert_eq!(dates(&store), (expected.clone(), expected));
    let snapshot = block_on(Snapshot::read(&store)).unwrap().unwrap();
    assert_eq!(
        String::from_utf8(snapshot.encode()).unwrap(),
        format!(
            r#"{{"updated_at":"{}","petitions":{{"clean-air":{{"count":4,"by_region":{{"astana":4}},"reached":{{"1":"2026-03-01T12:00:00Z","2":"2026-03-01T12:01:00Z","3":"2026-03-01T12:01:00Z"}}}},"expired":{{"count":0,"by_region":{{}}}},"green-park":{{"count":0,"by_region":{{}}}},"last-day":{{"count":0,"by_region":{{}}}},"new-bridge":{{"count":0,"by_region":{{}}}},"old-road":{{"count":0,"by_region":{{}}}}}}}}"#,
            rfc3339_timestamp(sealed_at(B + 3))
        ),
        "a petition with no date reached publishes no `reached` field"
    );
}

#[test]
fn a_date_is_published_with_the_provisional_count_and_kept_once_sealed() {
    let store = MemoryStore::new();
    log(&store, B, 1);
    job(&store, B * BUCKET_MS + 30_000);
    let provisional = BTreeMap::from([(1, at(B))]);
    assert_eq!(dates(&store), (BTreeMap::new(), provisional.clone()));
    job(&store, sealed_at(B));
    assert_eq!(dates(&store), (provisional.clone(), provisional));
}

#[test]
fn dates_never_move_with_later_signatures_stale_tallies_or_a_recount() {
    let store = MemoryStore::new();
    for signer in 1..=3 {
        log(&store, B, signer);
    }
    job(&store, sealed_at(B));
    let first = dates(&store);
    let stale = block_on(store.get(TALLY_KEY)).unwrap().unwrap().value;
    for signer in 4..=5 {
        log(&store, B + 2, signer);
    }
    job(&store, sealed_at(B + 2));
    let later = dates(&store);
    assert_eq!(later.0.get(&3), first.0.get(&3));
    assert_eq!(later.0.get(&5), Some(&at(B + 2)));

    block_on(store.put(TALLY_KEY, &stale, PutOptions::default())).unwrap();
    job(&store, sealed_at(B + 2));
    assert_eq!(
        dates(&store),
        later,
        "a stale tally folds to the same dates"
    );
    block_on(store.delete(TALLY_KEY)).unwrap();
    job(&store, sealed_at(B + 2));
    assert_eq!(
        dates(&store),
        later,
        "a recount from the log gives the same dates"
    );
}

#[test]
fn tallies_and_snapshots_written_before_milestones_were_dated_still_read() {
    let old_tally = br#"{"next_bucket":5,"petitions":{"clean-air":{"count":3,"by_region":{"astana":3}}},"recent":{}}"#;
    let tally = Tally::decode(old_tally).unwrap();
    assert!(tally.petitions()["clean-air"].reached.is_empty());
    let old_snapshot = br#"{"updated_at":"2026-03-01T12:00:00Z","petitions":{"clean-air":{"count":3,"by_region":{"astana":3}}}}"#;
    let snapshot = Snapshot::decode(old_snapshot).unwrap();
    assert!(snapshot.petitions["clean-air"].reached.is_empty());
    assert_eq!(
        snapshot.encode(),
        old_snapshot,
        "and write the same bytes back"
    );
}

#[test]
fn a_tally_with_a_date_the_job_could_not_have_written_is_refused() {
    let cases = [
        (r#""3":"2026-03-01T00:00:30Z""#, "3", "2026-03-01T00:00:30Z"),
        (r#""3":"yesterday""#, "3", "yesterday"),
        (r#""0":"1970-01-01T00:01:00Z""#, "0", "1970-01-01T00:01:00Z"),
        (r#""3":"1970-01-01T00:05:00Z""#, "3", "1970-01-01T00:05:00Z"),
    ];
    for (reached, milestone, date) in cases {
        let json = format!(
            r#"{{"next_bucket":5,"petitions":{{"clean-air":{{"count":3,"by_region":{{"astana":3}},"reached":{{{reached}}}}}}},"recent":{{}}}}"#
        );
        let error = Tally::decode(json.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "storage unavailable: the `tally` key holds milestone {milestone} of `clean-air` \
                 dated {date:?}, not the start of a folded bucket; delete the key to have the \
                 counting job recount every signature from the log"
            )
        );
    }
}

/// Signers: each first logged in a bucket of 0..6, some logged again in the next bucket
/// (a duplicate inside the dedupe window, as KV's propagation delay makes them).
fn signers() -> impl Strategy<Value = Vec<(u64, bool)>> {
    prop::collection::vec((0u64..6, any::<bool>()), 0..12)
}

/// Run times, in seconds after the first bucket starts, in order.
fn runs() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..540, 1..8).prop_map(|mut runs| {
        runs.sort_unstable();
        runs
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_date_is_set_iff_the_count_reached_it_and_never_changes(
        signers in signers(),
        run_times in runs(),
    ) {
        let store = MemoryStore::new();
        for (signer, &(bucket, again)) in signers.iter().enumerate() {
            log(&store, B + bucket, signer as u8);
            if again {
                log(&store, B + bucket + 1, signer as u8);
            }
        }
        // The model: the m-th signer in order of first bucket takes the count to m.
        let mut firsts: Vec<u64> = signers.iter().map(|&(bucket, _)| bucket).collect();
        firsts.sort_unstable();
        let model: BTreeMap<u64, String> = MILESTONES
            .iter()
            .filter_map(|&m| Some((m, at(B + *firsts.get(m as usize - 1)?))))
            .collect();

        let mut seen: BTreeMap<u64, String> = BTreeMap::new();
        let final_run = sealed_at(B + 7);
        for now_ms in run_times.iter().map(|s| B * BUCKET_MS + s * 1000).chain([final_run]) {
            job(&store, now_ms);
            let (sealed, published) = dates(&store);
            let tally = Tally::decode(&block_on(store.get(TALLY_KEY)).unwrap().unwrap().value).unwrap();
            let sealed_count = tally.petitions().get("clean-air").map_or(0, |c| c.count);
            let published_count = block_on(Snapshot::read(&store)).unwrap().unwrap().petitions["clean-air"].count;
            for m in MILESTONES {
                prop_assert_eq!(sealed.contains_key(&m), sealed_count >= m, "sealed {} at {}", m, now_ms);
                prop_assert_eq!(published.contains_key(&m), published_count >= m, "published {} at {}", m, now_ms);
            }
            for (m, date) in &sealed {
                prop_assert_eq!(Some(date), model.get(m), "a sealed date is the model's");
                if let Some(before) = seen.insert(*m, date.clone()) {
                    prop_assert_eq!(&before, date, "a date never changes");
                }
            }
        }
        prop_assert_eq!(dates(&store), (model.clone(), model));
    }
}
