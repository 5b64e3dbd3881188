//! The KV operations behind BENCHMARKS.md's cost model, counted: a store that counts every
//! get, put, list and delete by key family (`sig`, `log`, `snapshot`, `tally`) runs 1,000
//! new signatures over ten minutes with the counting job each minute, then 1,000 repeat
//! signers, then 1,000 count reads, and each phase's operations are asserted exactly.
//! Run with `--nocapture` to see the table BENCHMARKS.md quotes.

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::*;
use futures::executor::block_on;
use petitio_signatures::store::{
    put_if_absent_by_reading, KvEntry, KvStore, ListPage, MemoryStore, Put, PutOptions, StoreError,
};
use petitio_signatures::tally::{run_scheduled, Tally};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Read,
    Write,
    List,
    Delete,
}

/// A `MemoryStore` that counts operations by kind and key family.
#[derive(Default)]
struct CountingStore {
    inner: MemoryStore,
    counts: Mutex<BTreeMap<(Op, String), u64>>,
}

impl CountingStore {
    fn count(&self, op: Op, key: &str) {
        let family = key.split('/').next().unwrap_or_default().to_owned();
        *self.counts.lock().unwrap().entry((op, family)).or_default() += 1;
    }

    /// The counts so far, and zero again.
    fn take(&self) -> Counted {
        Counted(std::mem::take(&mut *self.counts.lock().unwrap()))
    }
}

/// Operations of one phase, by kind and key family.
#[derive(Debug, Default)]
struct Counted(BTreeMap<(Op, String), u64>);

impl Counted {
    fn of(&self, op: Op, family: &str) -> u64 {
        self.0.get(&(op, family.to_owned())).copied().unwrap_or(0)
    }

    fn total(&self, op: Op) -> u64 {
        self.0
            .iter()
            .filter(|((kind, _), _)| *kind == op)
            .map(|(_, n)| n)
            .sum()
    }

    fn row(&self, phase: &str, requests: u64) -> String {
        format!(
            "| {phase} | {requests} | {} | {} | {} | {} |",
            self.total(Op::Read),
            self.total(Op::Write),
            self.total(Op::List),
            self.total(Op::Delete)
        )
    }
}

impl KvStore for CountingStore {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        self.count(Op::Read, key);
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        self.count(Op::Write, key);
        self.inner.put(key, value, options).await
    }

    /// As Workers KV does it (it has no conditional write): a read, then the writes, each
    /// counted.
    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        put_if_absent_by_reading(self, writes).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.count(Op::List, prefix);
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.count(Op::Delete, key);
        self.inner.delete(key).await
    }
}

const SIGNATURES: u64 = 1_000;
/// 1,000 signatures 600 ms apart: ten minutes.
const SIGN_INTERVAL_MS: u64 = 600;
const MINUTE_MS: u64 = 60_000;

#[test]
fn kv_operations_per_signature_count_read_and_job_run_are_as_the_cost_model_says() {
    // Rate limits out of the way: every request comes from the harness's one address.
    let h = Harness::new(
        CountingStore::default(),
        config(&[
            ("RATE_LIMIT_BURST", "1000000/60"),
            ("RATE_LIMIT_SUSTAINED", "1000000/3600"),
        ]),
    );
    let email = |i: u64| format!("signer{i}@mail.kz");
    let petition = |i: u64| {
        if i.is_multiple_of(2) {
            "clean-air"
        } else {
            "green-park"
        }
    };
    let send_at = |req, at| block_on(h.send_at(req, at));
    let job_at = |at| block_on(run_scheduled(&h.store, &h.manifest, &h.config, at)).unwrap();

    // Ten minutes of new signatures, the job running at each minute as the cron does.
    let mut signing = Counted::default();
    let mut jobs = Counted::default();
    let mut runs = 0;
    let mut next_run = NOW_MS + MINUTE_MS;
    for i in 0..SIGNATURES {
        let at = NOW_MS + i * SIGN_INTERVAL_MS;
        while next_run <= at {
            fold_into(&mut signing, h.store.take());
            job_at(next_run);
            runs += 1;
            next_run += MINUTE_MS;
            fold_into(&mut jobs, h.store.take());
        }
        let answer = send_at(post_json(petition(i), &sign_body(&email(i))), at);
        assert_eq!(answer.status, 201, "signature {i}");
    }
    fold_into(&mut signing, h.store.take());
    // Two more runs after the last signature: its bucket is sealed and folded.
    let end = NOW_MS + SIGNATURES * SIGN_INTERVAL_MS;
    while next_run <= end + 2 * MINUTE_MS {
        job_at(next_run);
        runs += 1;
        next_run += MINUTE_MS;
    }
    fold_into(&mut jobs, h.store.take());
    let published = body_json(&send_at(get("/api/counts", &[]), next_run));
    let total: u64 = ["clean-air", "green-park"]
        .iter()
        .map(|slug| published["petitions"][slug]["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, SIGNATURES, "every signature published");
    h.store.take();

    // Per new signature: one read of its `sig` key, two writes (`sig`, then `log`). The
    // answer's count comes from `snapshot`, read again only when the isolate's copy is
    // 5 s old (COUNTS_CACHE_SECONDS): once per 9 signatures 600 ms apart.
    assert_eq!(signing.of(Op::Read, "sig"), SIGNATURES);
    assert_eq!(signing.of(Op::Write, "sig"), SIGNATURES);
    assert_eq!(signing.of(Op::Write, "log"), SIGNATURES);
    assert_eq!(signing.of(Op::Read, "snapshot"), SIGNATURES.div_ceil(9));
    assert_eq!((signing.total(Op::List), signing.total(Op::Delete)), (0, 0));
    assert_eq!(
        signing.total(Op::Read) + signing.total(Op::Write),
        3 * SIGNATURES + SIGNATURES.div_ceil(9)
    );

    // The job, per run: read `tally`; list the bucket sealed since the last run and the two
    // still open (one page each: < 1,000 keys); write `tally` and `snapshot`. The first run
    // has no sealed bucket yet; it lists `log/` once instead, to find where the log starts.
    assert_eq!(runs, 12);
    assert_eq!(jobs.of(Op::Read, "tally"), runs);
    assert_eq!(jobs.of(Op::Write, "tally"), runs);
    assert_eq!(jobs.of(Op::Write, "snapshot"), runs);
    assert_eq!(jobs.total(Op::List), 3 * runs);
    assert_eq!(jobs.total(Op::Delete), 0);

    // Repeat signers: `sig`, then its `log` entry, both found; nothing written.
    let later = next_run + MINUTE_MS;
    for i in 0..SIGNATURES {
        let answer = send_at(
            post_json(petition(i), &sign_body(&email(i))),
            later + i * SIGN_INTERVAL_MS,
        );
        assert_eq!(answer.status, 200, "repeat signer {i}");
    }
    let repeats = h.store.take();
    assert_eq!(repeats.of(Op::Read, "sig"), SIGNATURES);
    assert_eq!(repeats.of(Op::Read, "log"), SIGNATURES);
    assert_eq!(repeats.of(Op::Read, "snapshot"), SIGNATURES.div_ceil(9));
    assert_eq!(repeats.total(Op::Write), 0);

    // Count reads, ten a second: `snapshot` once per 5 s, nothing else.
    let reads_from = later + SIGNATURES * SIGN_INTERVAL_MS + MINUTE_MS;
    for i in 0..SIGNATURES {
        let answer = send_at(get("/api/counts", &[]), reads_from + i * 100);
        assert_eq!(answer.status, 200);
    }
    let count_reads = h.store.take();
    assert_eq!(count_reads.of(Op::Read, "snapshot"), SIGNATURES / 50);
    assert_eq!(count_reads.total(Op::Read), SIGNATURES / 50);
    assert_eq!(count_reads.total(Op::Write), 0);

    println!("| phase | requests | KV reads | KV writes | KV lists | KV deletes |");
    println!("|---|---|---|---|---|---|");
    println!("{}", signing.row("new signatures", SIGNATURES));
    println!("{}", repeats.row("repeat signers", SIGNATURES));
    println!("{}", count_reads.row("count reads", SIGNATURES));
    println!("{}", jobs.row("counting job runs", runs));
}

fn fold_into(total: &mut Counted, more: Counted) {
    for (key, n) in more.0 {
        *total.0.entry(key).or_default() += n;
    }
}

/// The token of the link in the last message sent.
fn last_token(h: &Harness<CountingStore>) -> String {
    let text = h.mailer.sent().pop().expect("a message").text;
    let start = text.find("?token=").unwrap() + "?token=".len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn kv_operations_per_confirmed_signature_and_withdrawal() {
    let h = Harness::new(
        CountingStore::default(),
        config(&[
            ("RATE_LIMIT_BURST", "1000000/60"),
            ("RATE_LIMIT_SUSTAINED", "1000000/3600"),
            ("SIGNATURE_CONFIRMATION", "email"),
            ("EMAIL_FROM", "petitio@p.example"),
        ]),
    );
    let send_at = |req, at| block_on(h.send_at(req, at));
    let confirm = |token: &str| serde_json::json!({ "token": token }).to_string();
    let confirmations = "/api/petitions/clean-air/confirmations";
    let mut tokens = Vec::new();
    for i in 0..SIGNATURES {
        let at = NOW_MS + i * SIGN_INTERVAL_MS;
        let answer = send_at(
            post_json("clean-air", &sign_body(&format!("s{i}@mail.kz"))),
            at,
        );
        assert_eq!(answer.status, 202, "signature {i}");
        tokens.push(last_token(&h));
    }
    let requests = h.store.take();
    // The sign request: the message throttle, read and written. No `sig`, no `log`.
    assert_eq!(requests.of(Op::Read, "mail"), SIGNATURES);
    assert_eq!(requests.of(Op::Write, "mail"), SIGNATURES);
    assert_eq!(
        requests.total(Op::Read) + requests.total(Op::Write),
        2 * SIGNATURES
    );

    let confirmed_from = NOW_MS + SIGNATURES * SIGN_INTERVAL_MS;
    for (i, token) in tokens.iter().enumerate() {
        let at = confirmed_from + i as u64 * SIGN_INTERVAL_MS;
        let answer = send_at(post_json_to(confirmations, &confirm(token)), at);
        assert_eq!(answer.status, 201, "confirmation {i}");
    }
    let confirmations_counted = h.store.take();
    // The click: what a signature cost before (1 read of `sig`, `sig` and `log` written),
    // plus the answer's count from `snapshot` once per 5 s.
    assert_eq!(confirmations_counted.of(Op::Read, "sig"), SIGNATURES);
    assert_eq!(confirmations_counted.of(Op::Write, "sig"), SIGNATURES);
    assert_eq!(confirmations_counted.of(Op::Write, "log"), SIGNATURES);
    assert_eq!(
        confirmations_counted.of(Op::Read, "snapshot"),
        SIGNATURES.div_ceil(9)
    );
    assert_eq!(confirmations_counted.total(Op::List), 0);

    // Withdrawals: the request (throttle read and write), the click (the record, its
    // latest log entry, then both written).
    let withdrawn_from = confirmed_from + SIGNATURES * SIGN_INTERVAL_MS + 3_600_000;
    let mut withdraw_tokens = Vec::new();
    for i in 0..SIGNATURES {
        let at = withdrawn_from + i * SIGN_INTERVAL_MS;
        let ask = serde_json::json!({ "email": format!("s{i}@mail.kz") }).to_string();
        let answer = send_at(
            post_json_to("/api/petitions/clean-air/withdrawals", &ask),
            at,
        );
        assert_eq!(answer.status, 202, "withdrawal {i}");
        withdraw_tokens.push(last_token(&h));
    }
    let withdrawal_requests = h.store.take();
    assert_eq!(withdrawal_requests.of(Op::Read, "mail"), SIGNATURES);
    assert_eq!(withdrawal_requests.of(Op::Write, "mail"), SIGNATURES);
    let clicks_from = withdrawn_from + SIGNATURES * SIGN_INTERVAL_MS;
    for (i, token) in withdraw_tokens.iter().enumerate() {
        let at = clicks_from + i as u64 * SIGN_INTERVAL_MS;
        let answer = send_at(post_json_to(confirmations, &confirm(token)), at);
        assert_eq!(answer.status, 201, "withdrawal click {i}");
    }
    let withdrawal_clicks = h.store.take();
    assert_eq!(withdrawal_clicks.of(Op::Read, "sig"), SIGNATURES);
    assert_eq!(withdrawal_clicks.of(Op::Read, "log"), SIGNATURES);
    assert_eq!(withdrawal_clicks.of(Op::Write, "sig"), SIGNATURES);
    assert_eq!(withdrawal_clicks.of(Op::Write, "log"), SIGNATURES);
    assert_eq!(withdrawal_clicks.total(Op::Read), 2 * SIGNATURES);

    println!("| phase | requests | KV reads | KV writes | KV lists | KV deletes |");
    println!("|---|---|---|---|---|---|");
    println!("{}", requests.row("sign requests (email)", SIGNATURES));
    println!("{}", confirmations_counted.row("confirmations", SIGNATURES));
    println!(
        "{}",
        withdrawal_requests.row("withdrawal requests", SIGNATURES)
    );
    println!(
        "{}",
        withdrawal_clicks.row("withdrawal confirmations", SIGNATURES)
    );
}

/// The transparency log's cost (#13): with a log key, the same ten minutes of 1,000 new
/// signatures over two petitions cost the requests nothing more (the commitment rides in
/// metadata written anyway); each job run appends the sealed bucket's 50 entries per
/// petition: the log's right edge and checkpoint read, each new or grown tile and entry
/// bundle and the checkpoint written (`tlog::append_operations`, checked by hand in its
/// unit test), under `tlog/`. Nothing else the job does changes.
#[test]
fn kv_operations_the_transparency_log_adds() {
    let mut h = Harness::new(
        CountingStore::default(),
        config(&[
            ("RATE_LIMIT_BURST", "1000000/60"),
            ("RATE_LIMIT_SUSTAINED", "1000000/3600"),
            (
                "LOG_SIGNING_KEY",
                "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            ),
        ]),
    );
    h.manifest.log_key = Some(
        petitio_model::log_key::VerifierKey::parse(
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        )
        .unwrap(),
    );
    let send_at = |req, at| block_on(h.send_at(req, at));
    let mut signing = Counted::default();
    let mut jobs = Counted::default();
    let mut runs = 0;
    let mut next_run = NOW_MS + MINUTE_MS;
    let end = NOW_MS + SIGNATURES * SIGN_INTERVAL_MS + 2 * MINUTE_MS;
    let mut i = 0;
    let mut sizes_before = std::collections::BTreeMap::new();
    let mut expected = 0;
    while next_run <= end {
        while i < SIGNATURES && NOW_MS + i * SIGN_INTERVAL_MS < next_run {
            let slug = if i.is_multiple_of(2) {
                "clean-air"
            } else {
                "green-park"
            };
            let at = NOW_MS + i * SIGN_INTERVAL_MS;
            let answer = send_at(post_json(slug, &sign_body(&format!("s{i}@mail.kz"))), at);
            assert_eq!(answer.status, 201, "signature {i}");
            i += 1;
        }
        fold_into(&mut signing, h.store.take());
        block_on(run_scheduled(&h.store, &h.manifest, &h.config, next_run)).unwrap();
        runs += 1;
        next_run += MINUTE_MS;
        fold_into(&mut jobs, h.store.take());
        // What this run appended, read past the counting store.
        let tally = block_on(h.store.inner.get("tally")).unwrap().unwrap();
        let sizes = Tally::decode(&tally.value).unwrap().logs().clone();
        for (slug, &size) in &sizes {
            let old = sizes_before.insert(slug.clone(), size).unwrap_or(0);
            expected += petitio_signatures::tlog::append_operations(old, size);
        }
    }
    // The requests: exactly as without a log.
    assert_eq!(signing.of(Op::Read, "sig"), SIGNATURES);
    assert_eq!(
        signing.of(Op::Write, "sig") + signing.of(Op::Write, "log"),
        2 * SIGNATURES
    );
    assert_eq!(
        signing.of(Op::Read, "tlog") + signing.of(Op::Write, "tlog"),
        0
    );
    // The job: per petition, one append per sealed bucket (about 50 entries each).
    let log_operations = jobs.of(Op::Read, "tlog") + jobs.of(Op::Write, "tlog");
    assert_eq!(log_operations, expected);
    assert_eq!(jobs.of(Op::Write, "tally"), runs);
    assert_eq!(jobs.total(Op::List), 3 * runs);
    let published = body_json(&send_at(get("/api/counts", &[]), next_run));
    for slug in ["clean-air", "green-park"] {
        let log = &published["petitions"][slug]["log"];
        assert_eq!(
            (log["sealed_count"].as_u64(), log["size"].as_u64()),
            (Some(500), Some(500))
        );
    }
    println!(
        "log: {} KV reads + {} KV writes under tlog/ over {runs} job runs, {:.3} per signature",
        jobs.of(Op::Read, "tlog"),
        jobs.of(Op::Write, "tlog"),
        log_operations as f64 / SIGNATURES as f64
    );
}
