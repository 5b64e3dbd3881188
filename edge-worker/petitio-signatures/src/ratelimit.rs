//! Per-client rate limits (a burst and a sustained limit, per petition), in memory.
//!
//! The client is known only by a `ClientHash` (an HMAC of its address under the signing
//! key); the limiter keeps, per hash, the times of recent attempts and forgets a hash once
//! its newest attempt is older than the longest window. Nothing is written to KV, so limits
//! cost no storage operations; on Workers they hold per isolate, which is enough to stop
//! one client hammering one location.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::config::RateLimit;
use crate::identity::ClientHash;

/// Most clients tracked at once. Beyond this, after forgetting expired ones, new clients
/// are let through untracked rather than evicting others: memory stays bounded and a flood
/// of addresses cannot reset the limits of the ones already tracked.
pub const MAX_TRACKED_CLIENTS: usize = 50_000;
/// How often expired clients are forgotten.
const SWEEP_INTERVAL_MS: u64 = 60_000;

/// Burst and sustained limits on keyed, expiring hashes. Shared by all requests of an
/// isolate (or of `petitio serve`); the lock is never held across an await.
///
/// A panic while the lock is held (none is known; a bug elsewhere in a request could)
/// must not turn every later request of the isolate into a panic too: the lock is taken
/// back from a poisoned mutex, as `petitio serve`'s `LiveSite` does. Whatever state the
/// panic left is valid: at worst one client's list of attempt times is missing an entry
/// or not yet swept, which the limits tolerate.
#[derive(Debug, Default)]
pub struct RateLimiter {
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    attempts: HashMap<ClientHash, VecDeque<u64>>,
    last_sweep_ms: u64,
}

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an attempt by `client` at `now_ms` if every limit allows it; otherwise
    /// records nothing and returns the seconds until the client may try again.
    pub fn check(&self, client: ClientHash, limits: &[RateLimit], now_ms: u64) -> Result<(), u64> {
        let longest_window_ms = limits
            .iter()
            .map(|limit| limit.window_seconds * 1000)
            .max()
            .unwrap_or(0);
        let most_kept = limits
            .iter()
            .map(|limit| limit.max_requests as usize)
            .max()
            .unwrap_or(0);
        let mut state = self.lock();
        state.sweep(now_ms, longest_window_ms);
        if !state.attempts.contains_key(&client) && state.attempts.len() >= MAX_TRACKED_CLIENTS {
            return Ok(());
        }
        let times = state.attempts.entry(client).or_default();
        for limit in limits {
            let window_ms = limit.window_seconds * 1000;
            let in_window: Vec<u64> = times
                .iter()
                .copied()
                .filter(|&time| time + window_ms > now_ms)
                .collect();
            if in_window.len() >= limit.max_requests as usize {
                // The attempt that frees a slot is the one `max_requests` back from the end.
                let freeing = in_window[in_window.len() - limit.max_requests as usize];
                let wait_ms = freeing + window_ms - now_ms;
                return Err(wait_ms.div_ceil(1000).max(1));
            }
        }
        times.push_back(now_ms);
        while times.len() > most_kept {
            times.pop_front();
        }
        Ok(())
    }
}

impl RateLimiter {
    fn lock(&self) -> MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl LimiterState {
    fn sweep(&mut self, now_ms: u64, longest_window_ms: u64) {
        let due = now_ms >= self.last_sweep_ms + SWEEP_INTERVAL_MS
            || self.attempts.len() >= MAX_TRACKED_CLIENTS;
        if !due {
            return;
        }
        self.last_sweep_ms = now_ms;
        self.attempts.retain(|_, times| {
            times
                .back()
                .is_some_and(|&newest| newest + longest_window_ms > now_ms)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::SigningKey;

    const BURST: RateLimit = RateLimit {
        max_requests: 2,
        window_seconds: 10,
    };
    const SUSTAINED: RateLimit = RateLimit {
        max_requests: 3,
        window_seconds: 100,
    };

    fn client(ip: &str) -> ClientHash {
        ClientHash::of(&SigningKey::new(vec![7; 32]), "clean-air", ip)
    }

    #[test]
    fn burst_then_sustained() {
        let limiter = RateLimiter::new();
        let limits = [BURST, SUSTAINED];
        let ann = client("192.0.2.1");
        assert_eq!(limiter.check(ann, &limits, 0), Ok(()));
        assert_eq!(limiter.check(ann, &limits, 1_000), Ok(()));
        assert_eq!(limiter.check(ann, &limits, 2_000), Err(8));
        assert_eq!(limiter.check(ann, &limits, 10_000), Ok(()));
        // Three in the last 100 s: the sustained limit holds until the first expires.
        assert_eq!(limiter.check(ann, &limits, 30_000), Err(70));
        assert_eq!(limiter.check(ann, &limits, 100_000), Ok(()));
    }

    #[test]
    fn clients_are_independent() {
        let limiter = RateLimiter::new();
        let limits = [BURST];
        for _ in 0..2 {
            limiter.check(client("192.0.2.1"), &limits, 0).unwrap();
        }
        assert!(limiter.check(client("192.0.2.1"), &limits, 0).is_err());
        assert_eq!(limiter.check(client("192.0.2.2"), &limits, 0), Ok(()));
    }

    #[test]
    fn forgets_expired_clients() {
        let limiter = RateLimiter::new();
        limiter.check(client("192.0.2.1"), &[BURST], 0).unwrap();
        limiter
            .check(client("192.0.2.2"), &[BURST], SWEEP_INTERVAL_MS)
            .unwrap();
        let state = limiter.lock();
        assert_eq!(state.attempts.len(), 1);
        assert!(state.attempts.contains_key(&client("192.0.2.2")));
    }

    #[test]
    fn keeps_limiting_after_a_panic_while_the_lock_was_held() {
        let limiter = RateLimiter::new();
        let limits = [BURST];
        limiter.check(client("192.0.2.1"), &limits, 0).unwrap();
        std::thread::scope(|scope| {
            let panicked = scope
                .spawn(|| {
                    let _held = limiter.state.lock().unwrap();
                    panic!("a request panics while holding the limiter's lock");
                })
                .join();
            assert!(panicked.is_err());
        });
        assert!(limiter.state.is_poisoned());
        // The attempt made before the panic still counts, and limits still hold.
        assert_eq!(limiter.check(client("192.0.2.1"), &limits, 1_000), Ok(()));
        assert_eq!(limiter.check(client("192.0.2.1"), &limits, 2_000), Err(8));
        assert_eq!(limiter.check(client("192.0.2.2"), &limits, 2_000), Ok(()));
    }
}
