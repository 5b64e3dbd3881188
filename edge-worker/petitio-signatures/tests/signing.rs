//! The signing flow and the count endpoints over the plain in-memory store: what is
//! answered, what is written, and what the counting job then publishes.

mod common;

use common::*;
use futures::executor::block_on;
use petitio_model::transparency::Receipt;
use petitio_signatures::keys::LOG_PREFIX;
use petitio_signatures::keys::{parse_log_key, parse_signature_key, Bucket};
use petitio_signatures::record::{SignatureRecord, SignatureState};
use petitio_signatures::store::{
    put_if_absent_by_reading, KvEntry, KvStore, ListPage, MemoryStore, Put, PutOptions, StoreError,
};
use petitio_signatures::tally::run_scheduled;

fn harness() -> Harness<MemoryStore> {
    Harness::new(MemoryStore::new(), config(&[]))
}

fn keys_with_prefix(store: &MemoryStore, prefix: &str) -> Vec<String> {
    store
        .dump()
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| key.starts_with(prefix))
        .collect()
}

#[test]
fn records_then_recognises_a_signer() {
    let h = harness();
    let first = h.send(post_json("clean-air", &sign_body("Aliya.N+kz@gmail.com")));
    assert_eq!(first.status, 201);
    let body = body_json(&first);
    assert_eq!(body["status"], "recorded");
    assert_eq!(body["slug"], "clean-air");
    assert_eq!(body["count"], 1, "no snapshot yet: 0 published + this one");
    let receipt = Receipt::parse(body["receipt"].as_str().unwrap()).unwrap();
    assert_eq!(receipt.slug, "clean-air");

    let sig = keys_with_prefix(&h.store, "sig/");
    let log = keys_with_prefix(&h.store, "log/");
    assert_eq!(sig.len(), 1);
    assert_eq!(log.len(), 1);
    let (slug, id) = parse_signature_key(&sig[0]).unwrap();
    assert_eq!(slug, "clean-air");
    assert!(
        !receipt.to_string().contains(id.as_str()),
        "the receipt names no signer"
    );
    assert_eq!(parse_log_key(&log[0]).unwrap().id, id);
    // The record and the log entry hold the receipt's commitment, never its secret.
    let commitment = receipt.commitment().to_hex();
    let secret = hex::encode(receipt.secret.0);
    for (key, entry) in h.store.dump() {
        let metadata = entry.metadata.unwrap_or_default();
        let stored = format!("{}{metadata}", String::from_utf8_lossy(&entry.value));
        assert!(stored.contains(&commitment), "{key}: {stored}");
        assert!(!stored.contains(&secret), "{key}: {stored}");
    }

    // Another spelling of the same Gmail mailbox is the same signer.
    let again = h.send(post_json("clean-air", &sign_body("aliyan@googlemail.com")));
    assert_eq!(again.status, 200);
    let body = body_json(&again);
    assert_eq!(body["status"], "already_signed");
    // Only the first request's signer has the secret of the recorded signature.
    assert_eq!(body["receipt"], serde_json::Value::Null);
    assert_eq!(body["count"], 0);
    assert_eq!(h.store.dump().len(), 2, "nothing more written");
}

#[test]
fn stores_only_what_the_record_allows() {
    let h = harness();
    let body = serde_json::json!({
        "name": "Aliya", "email": "a@mail.kz", "region": "astana", "consent": true,
        "show_name": true, "lang": "ru",
    });
    assert_eq!(
        h.send(post_json("clean-air", &body.to_string())).status,
        201
    );
    let (_, entry) = h
        .store
        .dump()
        .into_iter()
        .find(|(key, _)| key.starts_with("sig/"))
        .unwrap();
    let record: SignatureRecord = serde_json::from_slice(&entry.value).unwrap();
    assert_eq!(
        record,
        SignatureRecord {
            region: "astana".into(),
            lang: "ru".into(),
            signed_at: "2026-03-01T12:00:05Z".into(),
            bucket: Bucket::containing(NOW_MS).0,
            // Asked to be shown, and still not stored (docs/privacy.md).
            name: None,
            state: SignatureState::Signed,
            generation: 0,
            changed_ms: NOW_MS,
            commitment: record.commitment.clone(),
        }
    );
    assert_eq!(record.commitment().map(|c| c.to_hex()), record.commitment);
    assert_eq!(
        entry.metadata,
        Some(format!("{{\"b\":{}}}", Bucket::containing(NOW_MS).0))
    );
}

#[test]
fn a_filled_honeypot_looks_recorded_but_stores_nothing() {
    let h = harness();
    let mut body: serde_json::Value = serde_json::from_str(&sign_body("bot@mail.kz")).unwrap();
    body["website"] = "http://spam.example".into();
    let response = h.send(post_json("clean-air", &body.to_string()));
    assert_eq!(response.status, 201);
    assert_eq!(body_json(&response)["status"], "recorded");
    assert!(h.store.dump().is_empty());
}

#[test]
fn a_retry_repairs_a_missing_log_entry_into_the_current_bucket() {
    let h = harness();
    assert_eq!(
        h.send(post_json("clean-air", &sign_body("a@mail.kz")))
            .status,
        201
    );
    // Simulate the first attempt's second write having failed.
    let log = keys_with_prefix(&h.store, "log/");
    block_on(h.store.delete(&log[0])).unwrap();

    let later = NOW_MS + 10 * 60_000;
    let retry = block_on(h.send_at(post_json("clean-air", &sign_body("a@mail.kz")), later));
    assert_eq!(retry.status, 201, "completing the record is recording it");
    let repaired = keys_with_prefix(&h.store, "log/");
    assert_eq!(repaired.len(), 1);
    assert_eq!(
        parse_log_key(&repaired[0]).unwrap().bucket,
        Bucket::containing(later)
    );
    // The record now points at the repaired entry, so a third attempt finds it.
    let third = block_on(h.send_at(
        post_json("clean-air", &sign_body("a@mail.kz")),
        later + 60 * 60_000,
    ));
    assert_eq!(third.status, 200);
    assert_eq!(keys_with_prefix(&h.store, "log/").len(), 1);
}

#[test]
fn counts_before_and_after_the_job() {
    let h = harness();
    let empty = h.send(get("/api/counts", &[]));
    assert_eq!(empty.status, 200);
    assert_eq!(empty.header("cache-control"), Some("public, max-age=30"));
    assert_eq!(body_json(&empty)["updated_at"], serde_json::Value::Null);
    assert_eq!(body_json(&empty)["petitions"]["clean-air"]["count"], 0);

    for (n, region) in ["astana", "astana", "abroad"].iter().enumerate() {
        let body = serde_json::json!({
            "name": "A", "email": format!("s{n}@mail.kz"), "region": region, "consent": "yes",
        });
        assert_eq!(
            h.send(post_json("clean-air", &body.to_string())).status,
            201
        );
    }
    let job_time = NOW_MS + 3 * 60_000;
    let report = block_on(run_scheduled(&h.store, &h.manifest, &h.config, job_time)).unwrap();
    assert_eq!(report.signatures_counted, 3);
    assert!(report.caught_up);

    // Read after the job, as a visitor would: the isolate's earlier read is long stale.
    let after_job = |req| block_on(h.send_at(req, job_time + 1_000));
    let one = after_job(get("/api/petitions/clean-air/count", &[]));
    assert_eq!(one.status, 200);
    assert_eq!(one.header("cache-control"), Some("public, max-age=30"));
    assert_eq!(
        body_text(&one),
        r#"{"slug":"clean-air","count":3,"by_region":{"abroad":1,"astana":2},"updated_at":"2026-03-01T12:03:05Z"}"#
    );
    let all = body_json(&after_job(get("/api/counts", &[])));
    assert_eq!(all["updated_at"], "2026-03-01T12:03:05Z");
    assert_eq!(all["petitions"]["clean-air"]["count"], 3);
    assert_eq!(all["petitions"]["green-park"]["count"], 0);

    let next = after_job(post_json("clean-air", &sign_body("s9@mail.kz")));
    assert_eq!(body_json(&next)["count"], 4);
}

#[test]
fn an_isolate_reuses_the_published_counts_for_counts_cache_seconds() {
    let published_after_job = |cache_seconds: &str, read_after_ms: u64| {
        let h = Harness::new(
            MemoryStore::new(),
            config(&[("COUNTS_CACHE_SECONDS", cache_seconds)]),
        );
        assert_eq!(h.send(get("/api/counts", &[])).status, 200, "a first read");
        let signed = h.send(post_json("clean-air", &sign_body("s1@mail.kz")));
        assert_eq!(signed.status, 201);
        let job_time = NOW_MS + 3 * 60_000;
        block_on(run_scheduled(&h.store, &h.manifest, &h.config, job_time)).unwrap();
        // The first read happened at NOW_MS; this one comes `read_after_ms` later.
        let read = block_on(h.send_at(get("/api/counts", &[]), NOW_MS + read_after_ms));
        body_json(&read)["petitions"]["clean-air"]["count"].clone()
    };
    assert_eq!(published_after_job("5", 4_999), 0, "still the first read");
    assert_eq!(published_after_job("5", 5_000), 1, "read again after 5 s");
    assert_eq!(published_after_job("0", 1), 1, "0 reads every time");
}

#[test]
fn head_answers_headers_only() {
    let h = harness();
    let mut head = get("/api/counts", &[]);
    head.method = "HEAD".into();
    let response = h.send(head);
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
}

#[test]
fn requests_without_origin_headers_are_accepted() {
    // Not a browser (browsers send Sec-Fetch-Site or Origin on every POST): no CSRF risk.
    let h = harness();
    let mut req = post_json("clean-air", &sign_body("cli@mail.kz"));
    req.headers.retain(|(name, _)| name != "sec-fetch-site");
    assert_eq!(h.send(req).status, 201);
}

#[test]
fn unrelated_keys_are_left_alone() {
    let h = harness();
    block_on(h.store.put("other", b"x", PutOptions::default())).unwrap();
    assert_eq!(
        h.send(post_json("clean-air", &sign_body("a@mail.kz")))
            .status,
        201
    );
    let report = block_on(run_scheduled(
        &h.store,
        &h.manifest,
        &h.config,
        NOW_MS + 180_000,
    ))
    .unwrap();
    assert_eq!(report.signatures_counted, 1);
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn futures_are_send_for_concrete_stores() {
    // `petitio serve` runs these on a multi-threaded runtime.
    let h = harness();
    let request = h.send_at(post_json("clean-air", &sign_body("a@mail.kz")), NOW_MS);
    assert_send(&request);
    let job = run_scheduled(&h.store, &h.manifest, &h.config, NOW_MS);
    assert_send(&job);
}

#[test]
fn look_alike_and_invisible_spellings_are_not_new_signers() {
    let h = harness();
    let sign = |email: &str, name: &str| {
        let body = serde_json::json!({
            "name": name, "email": email, "region": "astana", "consent": true, "lang": "en",
        });
        h.send(post_json("clean-air", &body.to_string()))
    };
    assert_eq!(sign("aliya@gmail.com", "Aliya").status, 201);
    // Zero-width characters inside the address: the same signer.
    for email in [
        "ali\u{200B}ya@gmail.com",
        "aliya@gm\u{200D}ail.com",
        "\u{FEFF}aliya@gmail.com\u{2060}",
    ] {
        let again = sign(email, "Aliya");
        assert_eq!(body_json(&again)["status"], "already_signed", "{email:?}");
    }
    // A Cyrillic "а" in the domain, plainly or in its xn-- form: refused, not counted.
    for email in ["aliya@gm\u{0430}il.com", "aliya@xn--gmil-63d.com"] {
        let refused = sign(email, "Aliya");
        assert_eq!(refused.status, 400, "{email}");
        assert_eq!(
            body_text(&refused),
            "{\"error\":{\"code\":\"invalid_input\",\"message\":\"The email address mixes \
             letters of different alphabets (for example a Cyrillic \\\"а\\\" among Latin \
             letters). Please type it again in one keyboard layout.\",\"field\":\"email\"}}"
        );
    }
    let invisible = sign("other@mail.kz", "\u{200B}\u{3164}\u{2800}");
    assert_eq!(
        body_json(&invisible)["error"]["message"],
        "The name has no visible characters. Please write your name in letters."
    );
    let reversed = sign("other@mail.kz", "Aliya\u{202E}ayilA");
    assert_eq!(body_json(&reversed)["error"]["message"],
        "The name contains hidden characters that change the direction of text. Please type it again.");
    assert_eq!(
        keys_with_prefix(&h.store, "sig/").len(),
        1,
        "one signer stored"
    );
}

/// A store on which the counting job runs right after each `log/` write: `petitio serve`'s
/// job (every second) or the cron can run between a signature's writes and its answer.
struct JobAfterEachLogWrite {
    inner: MemoryStore,
    manifest: petitio_model::manifest::Manifest,
    config: petitio_signatures::config::ApiConfig,
}

impl KvStore for JobAfterEachLogWrite {
    async fn get(&self, key: &str) -> Result<Option<KvEntry>, StoreError> {
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, value: &[u8], options: PutOptions) -> Result<(), StoreError> {
        self.inner.put(key, value, options).await?;
        if key.starts_with(LOG_PREFIX) {
            run_scheduled(&self.inner, &self.manifest, &self.config, NOW_MS).await?;
        }
        Ok(())
    }

    /// As on Workers KV: a read, then each write through `put` (so the job runs after the
    /// `log/` write, as it can between a real request's writes and its answer).
    async fn put_if_absent(&self, writes: &[Put<'_>]) -> Result<Option<KvEntry>, StoreError> {
        put_if_absent_by_reading(self, writes).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.inner.list(prefix, cursor, limit).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
}

#[test]
fn the_answer_counts_a_new_signature_once_even_when_the_job_ran_before_the_answer() {
    // Each answer reads `snapshot` afresh, as the browser tests run the worker.
    let vars = [("COUNTS_CACHE_SECONDS", "0")];
    let store = JobAfterEachLogWrite {
        inner: MemoryStore::new(),
        manifest: manifest(),
        config: config(&vars),
    };
    let h = Harness::new(store, config(&vars));
    for n in 1..=3u64 {
        let answer = h.send(post_json("clean-air", &sign_body(&format!("s{n}@mail.kz"))));
        assert_eq!(answer.status, 201);
        assert_eq!(body_json(&answer)["count"], n, "signature {n}");
        let published = body_json(&h.send(get("/api/counts", &[])));
        assert_eq!(
            published["petitions"]["clean-air"]["count"], n,
            "the job counted it"
        );
    }
}
