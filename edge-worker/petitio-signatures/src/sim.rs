//! A KV model with production's failure modes, for native tests of the whole flow
//! (`tests/sim.rs`): what the in-memory store hides, this makes happen.
//!
//! * Locations: a write is visible at once where it was made and elsewhere only after a
//!   random delay up to `max_visibility_delay_ms` (reads and listings alike).
//! * A second write to a key within a second of the previous one fails with
//!   `StoreError::RateLimited`, as KV's 429.
//! * Injected failures: chosen operation numbers, or a probability from a seeded RNG;
//!   a failed write may have stored its value anyway (`ambiguous_writes`), as a timed-out
//!   request can.
//! * Time is a logical clock the test advances; each operation takes `op_latency_ms` and
//!   yields once before running, so futures joined on one thread interleave.
//!
//! The default delay (45 s) stays below the default `SETTLE_SECONDS` (60 s) by more than a
//! request's duration, which is what the counting design assumes of production.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};

use crate::store::{
    list_sorted, put_if_absent_by_reading, KvEntry, KvStore, ListPage, Put, PutOptions, StoreError,
};

/// KV's per-key write limit: one write a second.
const KEY_WRITE_INTERVAL_MS: u64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    pub seed: u64,
    pub max_visibility_delay_ms: u64,
    pub op_latency_ms: u64,
    /// Probability of an injected failure per operation, in millionths.
    pub failure_per_million: u32,
    /// Operation numbers (from 1, counting every operation) that fail.
    pub failing_ops: BTreeSet<u64>,
    /// Whether a failed write stores its value before reporting the failure.
    pub ambiguous_writes: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            max_visibility_delay_ms: 45_000,
            op_latency_ms: 5,
            failure_per_million: 0,
            failing_ops: BTreeSet::new(),
            ambiguous_writes: false,
        }
    }
}

/// The simulated namespace, shared by every location.
#[derive(Debug)]
pub struct SimulatedKv {
    clock_ms: AtomicU64,
    world: Mutex<World>,
}

#[derive(Debug)]
struct World {
    config: SimConfig,
    rng: XorShift,
    ops: u64,
    /// Every write to each key in order; `None` entries are deletions.
    versions: BTreeMap<String, Vec<Version>>,
}

#[derive(Debug, Clone)]
struct Version {
    entry: Option<KvEntry>,
    written_at_ms: u64,
    location: usize,
    visible_elsewhere_at_ms: u64,
}

impl Version {
    fn visible(&self, location: usize, now_ms: u64) -> bool {
        self.location == location || now_ms >= self.visible_elsewhere_at_ms
    }
}

/// xorshift64*: a small, seeded, good-enough generator for test schedules.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            self.next_u64()
        } else {
            self.next_u64() % (max + 1)
        }
    }

    /// True with probability `per_million` / 1,000,000.
    pub fn chance(&mut self, per_million: u32) -> bool {
        self.next_u64() % 1_000_000 < u64::from(per_million)
    }
}

/// What an operation does after the yield, decided under the lock.
enum Fate {
    Run,
    Fail,
}

impl SimulatedKv {
    pub fn new(config: SimConfig, start_ms: u64) -> Self {
        Self {
            clock_ms: AtomicU64::new(start_ms),
            world: Mutex::new(World {
                rng: XorShift::new(config.seed),
                config,
                ops: 0,
                versions: BTreeMap::new(),
            }),
        }
    }

    /// A handle that reads and writes as one location.
    pub fn at(&self, location: usize) -> SimLocation<'_> {
        SimLocation { kv: self, location }
    }

    pub fn now_ms(&self) -> u64 {
        self.clock_ms.load(Ordering::SeqCst)
    }

    pub fn advance(&self, ms: u64) {
        self.clock_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Changes the injected failure probability (e.g. 0 to let writes settle).
    pub fn set_failure_per_million(&self, per_million: u32) {
        self.lock().config.failure_per_million = per_million;
    }

    /// The durable state: the newest write to every key, visible or not yet.
    pub fn durable(&self) -> BTreeMap<String, KvEntry> {
        self.lock()
            .versions
            .iter()
            .filter_map(|(key, versions)| {
                let newest = versions.last()?.entry.clone()?;
                Some((key.clone(), newest))
            })
            .collect()
    }

    /// Number of operations so far.
    pub fn operations(&self) -> u64 {
        self.lock().ops
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().expect("simulated KV poisoned")
    }

    /// Counts the operation, takes its time, and decides whether it fails.
    fn begin(&self, world: &mut World) -> Fate {
        world.ops += 1;
        self.advance(world.config.op_latency_ms);
        let injected = world.config.failing_ops.contains(&world.ops)
            || world.rng.chance(world.config.failure_per_million);
        if injected {
            Fate::Fail
        } else {
            Fate::Run
        }
    }

    fn injected_failure(world: &World) -> StoreError {
        StoreError::Unavailable(format!("injected failure of operation {}", world.ops))
    }

    fn write(&self, location: usize, key: &str, entry: Option<KvEntry>) -> Result<(), StoreError> {
        let mut world = self.lock();
        let fate = self.begin(&mut world);
        let now_ms = self.now_ms();
        let too_soon = world
            .versions
            .get(key)
            .and_then(|versions| versions.last())
            .is_some_and(|last| now_ms < last.written_at_ms + KEY_WRITE_INTERVAL_MS);
        if too_soon {
            return Err(StoreError::RateLimited(key.to_owned()));
        }
        if matches!(fate, Fate::Fail) && !world.config.ambiguous_writes {
            return Err(Self::injected_failure(&world));
        }
        let delay = {
            let max = world.config.max_visibility_delay_ms;
            world.rng.up_to(max)
        };
        world
            .versions
            .entry(key.to_owned())
            .or_default()
            .push(Version {
                entry,
                written_at_ms: now_ms,
                location,
                visible_elsewhere_at_ms: now_ms + delay,
            });
        match fate {
            Fate::Fail => Err(Self::injected_failure(&world)),
            Fate::Run => Ok(()),
        }
    }

    fn visible_entry(versions: &[Version], location: usize, now_ms: u64) -> Option<&KvEntry> {
        versions
            .iter()
            .rev()
            .find(|version| version.visible(location, now_ms))?
            .entry
            .as_ref()
    }
}

/// One location's view of the namespace.
#[derive(Debug, Clone, Copy)]
pub struct SimLocation<'a> {
    kv: &'a SimulatedKv,
    location: usize,
}

/// Returns `Pending` once, so other joined futures run before the operation does.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl KvStore for SimLocation<'_> {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        YieldOnce(false).await;
        let mut world = self.kv.lock();
        if let Fate::Fail = self.kv.begin(&mut world) {
            return Err(SimulatedKv::injected_failure(&world));
        }
        let now_ms = self.kv.now_ms();
        Ok(world.versions.get(key).and_then(|versions| {
            SimulatedKv::visible_entry(versions, self.location, now_ms).cloned()
        }))
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        YieldOnce(false).await;
        let entry = KvEntry {
            value: value.to_vec(),
            metadata: options.metadata,
        };
        self.kv.write(self.location, key, Some(entry))
    }

    /// As on KV, which this models: a read, then the writes.
    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        put_if_absent_by_reading(self, writes).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        YieldOnce(false).await;
        let mut world = self.kv.lock();
        if let Fate::Fail = self.kv.begin(&mut world) {
            return Err(SimulatedKv::injected_failure(&world));
        }
        let now_ms = self.kv.now_ms();
        let visible: Vec<(&String, Option<&String>)> = world
            .versions
            .range(prefix.to_owned()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .filter_map(|(key, versions)| {
                let entry = SimulatedKv::visible_entry(versions, self.location, now_ms)?;
                Some((key, entry.metadata.as_ref()))
            })
            .collect();
        Ok(list_sorted(visible.into_iter(), prefix, cursor, limit))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.kv.write(self.location, key, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn quiet() -> SimConfig {
        SimConfig {
            max_visibility_delay_ms: 10_000,
            ..SimConfig::default()
        }
    }

    #[test]
    fn writes_reach_other_locations_after_the_delay() {
        let kv = SimulatedKv::new(quiet(), 0);
        block_on(kv.at(0).put("k", b"v", PutOptions::default())).unwrap();
        assert!(block_on(kv.at(0).get("k")).unwrap().is_some());
        kv.advance(10_001);
        assert!(block_on(kv.at(1).get("k")).unwrap().is_some());
        let listed = block_on(kv.at(2).list("", None, 10)).unwrap();
        assert_eq!(listed.keys.len(), 1);
    }

    #[test]
    fn refuses_a_second_write_within_a_second() {
        let kv = SimulatedKv::new(quiet(), 0);
        block_on(kv.at(0).put("k", b"1", PutOptions::default())).unwrap();
        assert_eq!(
            block_on(kv.at(1).put("k", b"2", PutOptions::default())),
            Err(StoreError::RateLimited("k".into()))
        );
        kv.advance(KEY_WRITE_INTERVAL_MS);
        block_on(kv.at(1).put("k", b"2", PutOptions::default())).unwrap();
    }

    #[test]
    fn fails_the_chosen_operations() {
        let kv = SimulatedKv::new(
            SimConfig {
                failing_ops: BTreeSet::from([2]),
                ..quiet()
            },
            0,
        );
        block_on(kv.at(0).get("a")).unwrap();
        assert_eq!(
            block_on(kv.at(0).put("a", b"", PutOptions::default())),
            Err(StoreError::Unavailable(
                "injected failure of operation 2".into()
            ))
        );
        assert!(kv.durable().is_empty());
    }

    #[test]
    fn ambiguous_writes_store_and_fail() {
        let kv = SimulatedKv::new(
            SimConfig {
                failing_ops: BTreeSet::from([1]),
                ambiguous_writes: true,
                ..quiet()
            },
            0,
        );
        assert!(block_on(kv.at(0).put("a", b"x", PutOptions::default())).is_err());
        assert_eq!(kv.durable().len(), 1);
    }

    #[test]
    fn the_generator_is_deterministic() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        let draws: Vec<u64> = (0..5).map(|_| a.up_to(100)).collect();
        assert_eq!(draws, (0..5).map(|_| b.up_to(100)).collect::<Vec<_>>());
        assert!(draws.iter().all(|&d| d <= 100));
    }
}
