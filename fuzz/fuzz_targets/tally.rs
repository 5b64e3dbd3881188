//! Fuzzes the `tally` key's decoder and the counting job that reads it.
//!
//! * Any bytes decode to a value or an error, never a panic; a decoded tally holds the
//!   invariants every fold keeps (checked here independently of the decoder; milestone
//!   dates are starts of folded buckets) and encodes
//!   to bytes that decode back to it.
//! * The job started on any decodable tally, with any log, never panics, never lowers a
//!   count or the next bucket to fold, and writes a tally that decodes again.
//! * The job run over a log written as signatures arrive (each entry in the bucket of its
//!   minute), at any times and with any `SETTLE_SECONDS`, publishes counts that never go
//!   down, and once every bucket is sealed, exactly the model's count: an entry counts
//!   unless its signer appears in one of the W buckets before it (ARCHITECTURE.md,
//!   "Counting").

#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Arbitrary, Unstructured};
use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use petitio_model::date::parse_rfc3339_timestamp;
use petitio_model::manifest::{Manifest, ManifestPetition};
use petitio_model::slug::is_slug;
use petitio_signatures::config::ApiConfig;
use petitio_signatures::identity::SignerId;
use petitio_signatures::keys::{log_key, Bucket, SNAPSHOT_KEY, TALLY_KEY};
use petitio_signatures::record::LogMetadata;
use petitio_signatures::snapshot::Snapshot;
use petitio_signatures::store::{KvStore, MemoryStore, PutOptions};
use petitio_signatures::tally::{dedupe_window, run_scheduled, Tally, MAX_COUNT};

const SLUGS: [&str; 3] = ["clean-air", "night-buses", "open-budget"];
const REGIONS: [&str; 3] = ["almaty-city", "astana", "abroad"];
/// Every petition's milestones, low enough for fuzzed logs to reach them.
const MILESTONES: [u64; 4] = [1, 2, 5, 20];
/// 2026-03-01T00:00Z in buckets: a multiple of ten, as real bucket numbers often are.
const FIRST_BUCKET: u64 = 29_539_440;
const BUCKET_MS: u64 = 60_000;
/// More runs than any catch-up of the few hundred buckets an input spans can need.
const MAX_CATCH_UP_RUNS: usize = 64;

fn manifest() -> Manifest {
    Manifest {
        log_key: None,
        witnesses: Vec::new(),
        where_note: None,
        version: 1,
        base_path: "/".into(),
        default_language: "en".into(),
        languages: vec!["en".into()],
        regions: REGIONS.map(String::from).to_vec(),
        region_names: Default::default(),
        number_groups: Default::default(),
        utc_offset: Default::default(),
        plural_tables: Default::default(),
        petitions: SLUGS
            .map(|slug| ManifestPetition {
                slug: slug.into(),
                status: petitio_model::status::Status::Open,
                deadline: None,
                languages: vec!["en".into()],
                titles: Default::default(),
                milestones: MILESTONES.to_vec(),
            })
            .to_vec(),
    }
}

fn config(settle_seconds: u64) -> ApiConfig {
    ApiConfig::from_lookup(|name| match name {
        "SIGNING_KEY" => Some("fuzz-signing-key-0123456789abcdef0123456789".into()),
        "SETTLE_SECONDS" => Some(settle_seconds.to_string()),
        "SIGNATURE_CONFIRMATION" => Some("none".into()),
        _ => None,
    })
    .expect("the fuzz config is valid")
}

/// The invariants of a decoded tally, checked without the decoder's own code.
fn assert_consistent(tally: &Tally) {
    for (slug, count) in tally.petitions() {
        assert!(is_slug(slug), "a count for {slug:?}");
        assert!(
            count.count <= MAX_COUNT,
            "{slug}: {} is no real count",
            count.count
        );
        let sum = count
            .by_region
            .values()
            .try_fold(0u64, |sum, n| sum.checked_add(*n));
        assert_eq!(sum, Some(count.count), "{slug}: regions do not add up");
        for (milestone, at) in &count.reached {
            let ms = parse_rfc3339_timestamp(at).expect("a milestone's date is a timestamp");
            assert!(
                *milestone > 0 && ms % BUCKET_MS == 0 && ms / BUCKET_MS < tally.next_bucket(),
                "{slug}: milestone {milestone} dated {at}, not a folded bucket's start"
            );
        }
    }
    for (&bucket, entries) in tally.recent() {
        assert!(
            bucket < tally.next_bucket(),
            "bucket {bucket} is not folded yet"
        );
        for entry in entries {
            let (slug, id) = entry.split_once('/').expect("`<slug>/<id>`");
            assert!(
                is_slug(slug) && SignerId::parse(id).is_some(),
                "entry {entry:?}"
            );
        }
    }
}

fn assert_decodes_back(tally: &Tally) {
    let bytes = tally.encode();
    let again = Tally::decode(&bytes).expect("an encoded tally decodes");
    assert_eq!(&again, tally);
    assert_eq!(again.encode(), bytes, "encoding is stable");
}

fn stored_tally(store: &MemoryStore) -> Option<Tally> {
    let entry = block_on(store.get(TALLY_KEY)).expect("the memory store answers")?;
    Some(Tally::decode(&entry.value).expect("the job writes a tally that decodes"))
}

fn published(store: &MemoryStore) -> BTreeMap<String, u64> {
    block_on(store.get(SNAPSHOT_KEY))
        .expect("the memory store answers")
        .map(|entry| {
            Snapshot::decode(&entry.value).expect("the job writes a snapshot that decodes")
        })
        .map(|snapshot| {
            snapshot
                .petitions
                .into_iter()
                .map(|(slug, count)| {
                    let sum: u64 = count.by_region.values().sum();
                    assert_eq!(sum, count.count, "{slug}: published regions do not add up");
                    (slug, count.count)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One signature's log entry: petition, signer, region by index.
#[derive(Debug, Arbitrary)]
struct Entry {
    slug: u8,
    signer: u8,
    region: u8,
}

impl Entry {
    fn slug(&self) -> &'static str {
        SLUGS[usize::from(self.slug) % SLUGS.len()]
    }

    fn id(&self) -> SignerId {
        SignerId::parse(&format!("{:02x}", self.signer % 8).repeat(32)).expect("a signer id")
    }

    fn write(&self, store: &MemoryStore, bucket: u64) {
        let region = REGIONS[usize::from(self.region) % REGIONS.len()];
        let options = PutOptions {
            metadata: Some(
                LogMetadata {
                    r: region.into(),
                    c: None,
                }
                .to_json(),
            ),
            expiration_ttl: None,
        };
        block_on(store.put(
            &log_key(Bucket(bucket), self.slug(), &self.id()),
            b"",
            options,
        ))
        .expect("the memory store answers");
    }
}

/// What happens next: minutes pass, signatures arrive, or the job runs.
#[derive(Debug, Arbitrary)]
enum Step {
    Wait { seconds: u16 },
    Sign(Entry),
    Run,
}

/// The job on a log written as signatures arrive, against the model.
fn arrivals(input: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let settle_seconds = u64::from(u8::arbitrary(input)?) * 2;
    let steps = <Vec<Step>>::arbitrary(input)?;
    let (store, manifest, config) = (MemoryStore::new(), manifest(), config(settle_seconds));
    let mut now_ms = FIRST_BUCKET * BUCKET_MS;
    // Every entry written: (bucket, slug, id).
    let mut log = BTreeSet::new();
    let mut shown = BTreeMap::new();
    let run = |now_ms: u64, shown: &mut BTreeMap<String, u64>| {
        let report = block_on(run_scheduled(&store, &manifest, &config, now_ms))
            .expect("the memory store answers");
        let counts = published(&store);
        for (slug, &count) in &counts {
            let before = shown.get(slug).copied().unwrap_or(0);
            assert!(count >= before, "{slug}: published {count} after {before}");
        }
        *shown = counts;
        report
    };
    for step in steps {
        match step {
            Step::Wait { seconds } => now_ms += u64::from(seconds) * 1000,
            Step::Sign(entry) => {
                let bucket = Bucket::containing(now_ms).0;
                entry.write(&store, bucket);
                log.insert((bucket, entry.slug(), entry.id()));
            }
            Step::Run => {
                run(now_ms, &mut shown);
            }
        }
    }
    // Everything sealed: the job catches up within a bounded number of runs.
    let sealed_ms = now_ms + BUCKET_MS + settle_seconds * 1000;
    let caught_up = (0..MAX_CATCH_UP_RUNS).any(|_| run(sealed_ms, &mut shown).caught_up);
    assert!(
        caught_up,
        "the job did not catch up in {MAX_CATCH_UP_RUNS} runs"
    );

    let window = dedupe_window(settle_seconds);
    let mut expected = BTreeMap::new();
    for (bucket, slug, id) in &log {
        let earlier = bucket.saturating_sub(window)..*bucket;
        let duplicate = earlier
            .into_iter()
            .any(|b| log.contains(&(b, *slug, id.clone())));
        if !duplicate {
            *expected.entry(slug.to_string()).or_insert(0u64) += 1;
        }
    }
    for slug in SLUGS {
        let want = expected.get(slug).copied().unwrap_or(0);
        assert_eq!(
            shown.get(slug).copied(),
            Some(want),
            "{slug}: published count"
        );
    }
    if let Some(tally) = stored_tally(&store) {
        assert_consistent(&tally);
    }
    Ok(())
}

/// The job started on a decoded tally (the rest of the input) with a few log entries.
fn resumed(mut input: Unstructured<'_>) -> arbitrary::Result<()> {
    let entries = <Vec<(u8, Entry)>>::arbitrary(&mut input)?;
    let minutes = u64::from(u16::arbitrary(&mut input)?);
    let Ok(tally) = Tally::decode(input.take_rest()) else {
        return Ok(());
    };
    assert_consistent(&tally);
    assert_decodes_back(&tally);
    let store = MemoryStore::new();
    block_on(store.put(TALLY_KEY, &tally.encode(), PutOptions::default()))
        .expect("the memory store answers");
    for (offset, entry) in &entries {
        entry.write(&store, FIRST_BUCKET + u64::from(*offset));
    }
    let now_ms = (FIRST_BUCKET + minutes) * BUCKET_MS;
    block_on(run_scheduled(&store, &manifest(), &config(60), now_ms))
        .expect("the memory store answers");
    let after = stored_tally(&store).expect("the tally stays");
    assert_consistent(&after);
    assert!(after.next_bucket() >= tally.next_bucket());
    for (slug, count) in tally.petitions() {
        let now = after.petitions().get(slug).map_or(0, |c| c.count);
        assert!(now >= count.count, "{slug}: {now} after {}", count.count);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            if let Ok(tally) = Tally::decode(rest) {
                assert_consistent(&tally);
                assert_decodes_back(&tally);
            }
        }
        1 => {
            let _ = resumed(Unstructured::new(rest));
        }
        _ => {
            let _ = arrivals(&mut Unstructured::new(rest));
        }
    }
});
