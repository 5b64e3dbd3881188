//! The counting job: the only writer of `tally` and `snapshot` (ARCHITECTURE.md,
//! "Counting").
//!
//! Each run folds the *sealed* buckets after the last one folded (a bucket is sealed once
//! `SETTLE_SECONDS` have passed since it ended, so no more writes to it can become
//! visible), counting each event (a signature +1, a withdrawal -1: `events`) unless the
//! same event of the same signer appears in one of the `W` buckets before it,
//! then publishes `snapshot` = the sealed counts plus a provisional fold of the unsealed
//! buckets visible now. `tally` after bucket `b` is a pure function of `tally` after
//! `b - 1` and the sealed bucket `b`, so a stale read of `tally` only makes a run redo work
//! and write the same values, and two overlapping runs agree.
//!
//! With a log key (`LOG_SIGNING_KEY`, matching the published one), the events each sealed
//! bucket counts are appended, exactly those and in a deterministic order (bucket, then
//! kind, then commitment), to their petition's transparency log (`tlog`), before `tally`
//! records the logs' new sizes; the snapshot states each petition's sealed count and the
//! log size it corresponds to. Without a log key the job counts as before and logs
//! nothing, and its report says so.
//!
//! Work per run is bounded by `MAX_LIST_REQUESTS_PER_RUN` list requests and
//! `tlog::MAX_LOG_OPERATIONS_PER_RUN` KV operations on logs. Empty stretches
//! are skipped in aligned decimal blocks (one listing of `log/002939520` proves ten buckets
//! empty), so catching up after an outage costs a few requests per idle stretch, not one
//! per minute.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::ApiConfig;
use crate::keys::{
    log_bucket_prefix, parse_log_key, Bucket, BUCKET_DIGITS, BUCKET_SECONDS, LOG_PREFIX, TALLY_KEY,
};
use crate::record::LogMetadata;
use crate::snapshot::{PetitionCount, SealedLog, Snapshot};
use crate::store::{KvStore, ListedKey, PutOptions, StoreError, LIST_PAGE_MAX};
use crate::tlog::{self, Pending, MAX_LOG_OPERATIONS_PER_RUN};
use petitio_model::date::{parse_rfc3339_timestamp, rfc3339_timestamp};
use petitio_model::manifest::Manifest;
use petitio_model::slug::is_slug;
use petitio_model::transparency::{Commitment, Entry, EntryKind};

/// Upper bound on list requests in one run (Workers' free plan allows 50 subrequests).
pub const MAX_LIST_REQUESTS_PER_RUN: u32 = 40;
/// Largest count a decoded tally may hold: the largest integer a page's script reads
/// exactly (2^53 - 1). Far above any real count, and far enough below `u64::MAX` that
/// folding more signatures onto it can never overflow.
pub const MAX_COUNT: u64 = (1 << 53) - 1;
/// Region recorded for a log entry whose metadata is missing (never written by this code,
/// but a count must not silently drop a signature).
pub const UNKNOWN_REGION: &str = "unknown";

/// Buckets before `b` searched for an earlier entry of the same id: W = ceil(SETTLE/60) + 1.
pub fn dedupe_window(settle_seconds: u64) -> u64 {
    settle_seconds.div_ceil(BUCKET_SECONDS) + 1
}

/// The newest sealed bucket at `now_ms`, if any.
pub fn last_sealed_bucket(now_ms: u64, settle_seconds: u64) -> Option<Bucket> {
    let sealed_before_ms = now_ms.checked_sub(settle_seconds * 1000)?;
    Bucket::containing(sealed_before_ms)
        .0
        .checked_sub(1)
        .map(Bucket)
}

/// What one run did, for the adapter's log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallyReport {
    /// Sealed buckets folded in this run (empty ones included).
    pub buckets_folded: u64,
    /// Signatures newly counted in the sealed tally.
    pub signatures_counted: u64,
    /// Log entries not counted because their id appeared within the dedupe window.
    pub duplicates_skipped: u64,
    /// Signatures in unsealed buckets, counted provisionally in the snapshot.
    pub provisional_signatures: u64,
    /// First bucket not yet folded.
    pub next_bucket: u64,
    /// All sealed buckets are folded; the snapshot was written only then, so a run that is
    /// still catching up never publishes counts lower than the previous snapshot's.
    pub caught_up: bool,
    /// What the run did to the transparency logs.
    pub log: LogReport,
}

/// What one run did to the transparency logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LogReport {
    /// No log key: nothing is logged (said once per run).
    #[default]
    Off,
    /// A log key that cannot sign for this site: nothing is logged.
    Refused(String),
    /// Entries appended, to how many petitions' logs, and counted events that the log
    /// cannot hold (recorded before it existed).
    Appended {
        entries: u64,
        petitions: u64,
        unloggable: u64,
    },
}

impl std::fmt::Display for LogReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogReport::Off => write!(
                f,
                "transparency log off (no LOG_SIGNING_KEY and no [log] key in petitio.toml)"
            ),
            LogReport::Refused(problem) => write!(f, "transparency log not written: {problem}"),
            LogReport::Appended {
                entries,
                petitions,
                unloggable,
            } => {
                write!(
                    f,
                    "{entries} log entr(ies) appended to {petitions} petition log(s)"
                )?;
                if *unloggable > 0 {
                    write!(
                        f,
                        ", {unloggable} counted event(s) without a commitment not logged"
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Display for TallyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "folded {} bucket(s): {} signature(s) counted, {} duplicate(s) skipped; \
             {} provisional; next bucket {}; {}",
            self.buckets_folded,
            self.signatures_counted,
            self.duplicates_skipped,
            self.provisional_signatures,
            self.next_bucket,
            if self.caught_up {
                "snapshot published"
            } else {
                "still catching up, snapshot not published"
            }
        )?;
        write!(f, "; {}", self.log)
    }
}

/// The sealed state stored under `tally`. [`Tally::decode`] accepts only a state the
/// job could have written (see [`Tally::decode`]), so a damaged key stops the job with
/// a message instead of publishing wrong counts forever.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// First bucket not yet folded.
    next_bucket: u64,
    petitions: BTreeMap<String, PetitionCount>,
    /// "slug/id" of every entry in each recent non-empty bucket (counted or not), for the
    /// dedupe window. Buckets older than the window are dropped.
    recent: BTreeMap<u64, BTreeSet<String>>,
    /// The size of each petition's transparency log: the entries appended so far.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    logs: BTreeMap<String, u64>,
}

/// One `log/` entry.
struct LogEntry {
    slug: String,
    /// `<id>` for the first signature, `<id>/<event>` for a later event: what duplicates
    /// share.
    event_name: String,
    withdrawal: bool,
    region: String,
    /// The receipt commitment in its metadata (none before the transparency log).
    commitment: Option<Commitment>,
}

/// Counts of one fold.
#[derive(Default)]
struct FoldCounts {
    counted: u64,
    skipped: u64,
    /// Each counted event as a transparency-log entry of its petition (`None`: no
    /// commitment to log).
    events: Vec<(String, Option<Entry>)>,
}

/// Each petition's milestones (from the manifest), which a fold dates as counts reach them.
pub type Milestones<'a> = BTreeMap<&'a str, &'a [u64]>;

/// The milestones of every petition of `manifest`.
pub fn milestones_of(manifest: &Manifest) -> Milestones<'_> {
    manifest
        .petitions
        .iter()
        .map(|petition| (petition.slug.as_str(), petition.milestones.as_slice()))
        .collect()
}

impl Tally {
    /// Folds the entries of `bucket`. A count that steps onto one of its petition's
    /// `milestones` dates it at the bucket's start, unless it has a date already: a date
    /// is set exactly when the count first reaches the milestone and never changes after
    /// (a later fold, a withdrawal taking the count below it, a recount from the log all
    /// leave it, or give it, the same value).
    fn fold(
        &mut self,
        bucket: Bucket,
        entries: Vec<LogEntry>,
        window: u64,
        milestones: &Milestones,
    ) -> FoldCounts {
        let mut counts = FoldCounts::default();
        let oldest_relevant = bucket.0.saturating_sub(window);
        self.recent.retain(|&b, _| b >= oldest_relevant);
        let mut ids = BTreeSet::new();
        // Entries come in key order, which puts a signer's signature before its
        // withdrawal when both fall in one bucket (`…/<id>` < `…/<id>/s<g>` < `…/<id>/w<g>`).
        for entry in entries {
            let key = format!("{}/{}", entry.slug, entry.event_name);
            let seen_before = self.recent.values().any(|earlier| earlier.contains(&key));
            if !ids.insert(key) || seen_before {
                counts.skipped += 1;
                continue;
            }
            let milestones = milestones.get(entry.slug.as_str()).copied().unwrap_or(&[]);
            let logged = entry.commitment.map(|commitment| Entry {
                kind: match entry.withdrawal {
                    false => EntryKind::Signature,
                    true => EntryKind::Withdrawal,
                },
                commitment,
                bucket: bucket.0,
                region: entry.region.clone(),
            });
            let count = self.petitions.entry(entry.slug.clone()).or_default();
            if !entry.withdrawal {
                count.add(&entry.region);
                if milestones.contains(&count.count) {
                    count.mark_reached(count.count, || bucket_start(bucket));
                }
            } else if !count.remove(&entry.region) {
                // A withdrawal is written only after its signature's entry is in the log,
                // in the same bucket or a later one, so this is a damaged log.
                counts.skipped += 1;
                continue;
            }
            counts.counted += 1;
            counts.events.push((entry.slug, logged));
        }
        if !ids.is_empty() {
            self.recent.insert(bucket.0, ids);
        }
        self.next_bucket = bucket.0 + 1;
        counts
    }

    /// Marks `count` empty buckets from `next_bucket` as folded.
    fn skip_empty(&mut self, count: u64) {
        self.next_bucket += count;
    }

    async fn read<S: KvStore>(store: &S) -> Result<Option<Tally>, StoreError> {
        let Some(entry) = store.get(TALLY_KEY).await? else {
            return Ok(None);
        };
        Tally::decode(&entry.value).map(Some)
    }

    async fn write<S: KvStore>(&self, store: &S) -> Result<(), StoreError> {
        store
            .put(TALLY_KEY, &self.encode(), PutOptions::default())
            .await
    }

    /// The stored form of the `tally` key.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a tally always serialises")
    }

    /// Reads the stored form back (the `tally` fuzz target's entry point). Any bytes give
    /// a value or an error, never a panic, and a value always holds what every fold keeps
    /// true: each petition's slug is a slug and its count, at most [`MAX_COUNT`], is the
    /// sum of its region counts;
    /// the dedupe window lists only buckets before `next_bucket`, each entry a
    /// `<slug>/<id>` of a log key.
    pub fn decode(bytes: &[u8]) -> Result<Tally, StoreError> {
        let tally: Tally = serde_json::from_slice(bytes)
            .map_err(|error| unreadable_tally(&format!("unreadable JSON ({error})")))?;
        tally.check().map_err(|reason| unreadable_tally(&reason))?;
        Ok(tally)
    }

    /// First bucket not yet folded.
    pub fn next_bucket(&self) -> u64 {
        self.next_bucket
    }

    /// Sealed counts per petition.
    pub fn petitions(&self) -> &BTreeMap<String, PetitionCount> {
        &self.petitions
    }

    /// `<slug>/<id>` of every entry of each recent non-empty bucket (the dedupe window).
    pub fn recent(&self) -> &BTreeMap<u64, BTreeSet<String>> {
        &self.recent
    }

    /// The size of each petition's transparency log.
    pub fn logs(&self) -> &BTreeMap<String, u64> {
        &self.logs
    }

    /// What is inconsistent, if anything (see [`Tally::decode`]).
    fn check(&self) -> Result<(), String> {
        for (slug, count) in &self.petitions {
            if !is_slug(slug) {
                return Err(format!(
                    "a count for {slug:?}, which is not a petition slug"
                ));
            }
            if count.count > MAX_COUNT {
                return Err(format!(
                    "a count of {} for `{slug}`, above any real count ({MAX_COUNT})",
                    count.count
                ));
            }
            let regions = count
                .by_region
                .values()
                .try_fold(0u64, |sum, n| sum.checked_add(*n));
            if regions != Some(count.count) {
                return Err(format!(
                    "a count of {} for `{slug}` that is not the sum of its region counts",
                    count.count
                ));
            }
            let folded_before_ms = self.next_bucket.saturating_mul(BUCKET_SECONDS * 1000);
            for (milestone, reached_at) in &count.reached {
                let at = parse_rfc3339_timestamp(reached_at)
                    .filter(|&ms| ms % (BUCKET_SECONDS * 1000) == 0 && ms < folded_before_ms);
                if *milestone == 0 || at.is_none() {
                    return Err(format!(
                        "milestone {milestone} of `{slug}` dated {reached_at:?}, not the start \
                         of a folded bucket"
                    ));
                }
            }
        }
        if let Some(slug) = self.logs.keys().find(|slug| !is_slug(slug)) {
            return Err(format!(
                "a log size for {slug:?}, which is not a petition slug"
            ));
        }
        if let Some((&bucket, _)) = self.recent.range(self.next_bucket..).next() {
            return Err(format!(
                "bucket {bucket} in the dedupe window, not before the next bucket to fold ({})",
                self.next_bucket
            ));
        }
        let entries = self.recent.values().flatten();
        if let Some(entry) = entries.into_iter().find(|entry| !is_log_entry_name(entry)) {
            return Err(format!(
                "{entry:?} in the dedupe window, not a `<slug>/<id>[/<event>]`"
            ));
        }
        Ok(())
    }
}

/// The start of `bucket`, as a milestone's date.
fn bucket_start(bucket: Bucket) -> String {
    rfc3339_timestamp(bucket.0 * BUCKET_SECONDS * 1000)
}

/// The error for a `tally` key the job cannot trust, with the way out.
fn unreadable_tally(reason: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "the `{TALLY_KEY}` key holds {reason}; delete the key to have the counting job \
         recount every signature from the log"
    ))
}

/// Whether `entry` is the `<slug>/<id>[/<event>]` part of a log key.
fn is_log_entry_name(entry: &str) -> bool {
    let key = format!("{}{entry}", log_bucket_prefix(Bucket(0)));
    parse_log_key(&key).is_some()
}

/// Lists under a budget of requests.
struct Lister<'a, S> {
    store: &'a S,
    requests_left: u32,
}

impl<S: KvStore> Lister<'_, S> {
    fn exhausted(&self) -> bool {
        self.requests_left == 0
    }

    async fn page(
        &mut self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<crate::store::ListPage, StoreError> {
        self.requests_left = self.requests_left.saturating_sub(1);
        self.store.list(prefix, cursor, limit).await
    }

    async fn is_empty(&mut self, prefix: &str) -> Result<bool, StoreError> {
        Ok(self.page(prefix, None, 1).await?.keys.is_empty())
    }

    /// Every entry of `bucket` (all pages, even past the budget: a bucket is folded whole).
    async fn bucket(&mut self, bucket: Bucket) -> Result<Vec<LogEntry>, StoreError> {
        let prefix = log_bucket_prefix(bucket);
        let mut entries = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.page(&prefix, cursor.as_deref(), LIST_PAGE_MAX).await?;
            entries.extend(page.keys.iter().filter_map(log_entry));
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(entries),
            }
        }
    }
}

fn log_entry(listed: &ListedKey) -> Option<LogEntry> {
    let key = parse_log_key(&listed.name)?;
    let metadata = LogMetadata::parse(listed.metadata.as_deref());
    let commitment = metadata
        .as_ref()
        .and_then(|metadata| Commitment::from_hex(metadata.c.as_deref()?));
    let region = metadata
        .map(|metadata| metadata.r)
        .unwrap_or_else(|| UNKNOWN_REGION.to_owned());
    let event_name = format!("{}{}", key.id.as_str(), key.event.suffix());
    Some(LogEntry {
        slug: key.slug,
        event_name,
        withdrawal: key.event.withdrawal,
        region,
        commitment,
    })
}

/// The largest block of buckets worth probing at `next`: a power of ten, at most
/// `ceiling`, that `next` is aligned to and that ends at or before `last`.
fn block_size(next: u64, last: u64, ceiling: u64) -> u64 {
    let mut size = 1u64;
    while size < ceiling && next.is_multiple_of(size * 10) && next + size * 10 - 1 <= last {
        size *= 10;
    }
    size.min(ceiling)
}

/// Key prefix of the aligned block of `size` (a power of ten) buckets starting at `next`.
fn block_prefix(next: u64, size: u64) -> String {
    if size == 1 {
        return log_bucket_prefix(Bucket(next));
    }
    let zeros = size.ilog10() as usize;
    let padded = format!("{next:0width$}", width = BUCKET_DIGITS);
    format!("{LOG_PREFIX}{}", &padded[..BUCKET_DIGITS - zeros])
}

/// Folds what is sealed, then publishes the snapshot. See the module documentation.
pub async fn run_scheduled<S: KvStore>(
    store: &S,
    manifest: &Manifest,
    config: &ApiConfig,
    now_ms: u64,
) -> Result<TallyReport, StoreError> {
    let window = dedupe_window(config.settle_seconds);
    let milestones = milestones_of(manifest);
    let last_sealed = last_sealed_bucket(now_ms, config.settle_seconds);
    let mut lister = Lister {
        store,
        requests_left: MAX_LIST_REQUESTS_PER_RUN,
    };
    let stored = Tally::read(store).await?;
    let mut tally = match &stored {
        Some(tally) => tally.clone(),
        None => Tally {
            next_bucket: first_bucket(&mut lister, last_sealed).await?,
            ..Tally::default()
        },
    };
    let mut report = TallyReport::default();
    let start = tally.next_bucket;
    let log_signer = match config.log_signing_key.signer_for(manifest.log_key.as_ref()) {
        Ok(signer) => signer,
        Err(problem) => {
            report.log = LogReport::Refused(problem.to_string());
            None
        }
    };
    let mut pending = Pending::default();

    // Largest block worth probing; shrinks when a probe finds the block non-empty.
    let mut ceiling = u64::MAX;
    while let Some(last) = last_sealed.filter(|last| tally.next_bucket <= last.0) {
        if lister.exhausted() {
            break;
        }
        if log_signer.is_some() && pending.operations(&tally.logs) >= MAX_LOG_OPERATIONS_PER_RUN {
            break;
        }
        let size = block_size(tally.next_bucket, last.0, ceiling);
        if size > 1 {
            if lister
                .is_empty(&block_prefix(tally.next_bucket, size))
                .await?
            {
                tally.skip_empty(size);
                ceiling = u64::MAX;
            } else {
                ceiling = size / 10;
            }
            continue;
        }
        let bucket = Bucket(tally.next_bucket);
        let entries = lister.bucket(bucket).await?;
        let counts = tally.fold(bucket, entries, window, &milestones);
        report.signatures_counted += counts.counted;
        report.duplicates_skipped += counts.skipped;
        pending.add_bucket(counts.events);
        ceiling = u64::MAX;
    }
    report.buckets_folded = tally.next_bucket - start;
    report.next_bucket = tally.next_bucket;
    report.caught_up = last_sealed.is_none_or(|last| tally.next_bucket > last.0);

    // The logs first: `tally` records their new sizes only once every tile and checkpoint
    // is written, so a failed run is redone from the same sizes, writing the same bytes.
    if let Some(signer) = log_signer {
        report.log = LogReport::Appended {
            entries: pending.entries(),
            petitions: pending.by_petition.len() as u64,
            unloggable: pending.unloggable,
        };
        for (slug, entries) in &pending.by_petition {
            let encoded: Vec<Vec<u8>> = entries.iter().filter_map(Entry::encode).collect();
            let size = tally.logs.get(slug).copied().unwrap_or(0);
            let new_size = tlog::append(store, signer, slug, size, &encoded).await?;
            tally.logs.insert(slug.clone(), new_size);
        }
    }

    if stored.as_ref() != Some(&tally) {
        tally.write(store).await?;
    }
    if report.caught_up {
        let mut provisional = tally.clone();
        let current = Bucket::containing(now_ms);
        let mut bucket = Bucket(provisional.next_bucket);
        while bucket <= current {
            let entries = lister.bucket(bucket).await?;
            report.provisional_signatures += provisional
                .fold(bucket, entries, window, &milestones)
                .counted;
            bucket = bucket.next();
        }
        let sealed = log_signer.map(|_| (&tally.petitions, &tally.logs));
        publish(store, manifest, provisional.petitions, sealed, now_ms).await?;
    }
    Ok(report)
}

/// Where a fresh tally starts: the first bucket in the log, or after the last sealed
/// bucket when the log is empty.
async fn first_bucket<S: KvStore>(
    lister: &mut Lister<'_, S>,
    last_sealed: Option<Bucket>,
) -> Result<u64, StoreError> {
    let first = lister.page(LOG_PREFIX, None, 1).await?;
    Ok(
        match first.keys.first().and_then(|key| parse_log_key(&key.name)) {
            Some(key) => key.bucket.0,
            None => last_sealed.map_or(0, |last| last.0 + 1),
        },
    )
}

/// The sealed counts and the log sizes they correspond to, when the logs are on.
type Sealed<'t> = (
    &'t BTreeMap<String, PetitionCount>,
    &'t BTreeMap<String, u64>,
);

async fn publish<S: KvStore>(
    store: &S,
    manifest: &Manifest,
    mut petitions: BTreeMap<String, PetitionCount>,
    sealed: Option<Sealed<'_>>,
    now_ms: u64,
) -> Result<(), StoreError> {
    for petition in &manifest.petitions {
        petitions.entry(petition.slug.clone()).or_default();
    }
    if let Some((counts, logs)) = sealed {
        for (slug, count) in &mut petitions {
            count.log = Some(SealedLog {
                sealed_count: counts.get(slug).map_or(0, |sealed| sealed.count),
                size: logs.get(slug).copied().unwrap_or(0),
            });
        }
    }
    Snapshot {
        updated_at: rfc3339_timestamp(now_ms),
        petitions,
    }
    .write(store)
    .await
}
