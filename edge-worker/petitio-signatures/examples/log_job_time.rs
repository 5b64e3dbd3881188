//! BENCHMARKS.md's figure "job time per sealed bucket at 2,000 signatures/minute" (#13):
//! the counting job on the simulated KV (no latency, no visibility delay: CPU time only),
//! folding one sealed bucket of 2,000 signatures of one petition per run, for 30 minutes
//! (the log grows to 60,000 entries), with and without a log key. Prints the mean and the
//! worst run of each, and the log's KV operations per run.
//!
//! `cargo run --release -p petitio-signatures --example log_job_time`

use std::time::{Duration, Instant};

use futures::executor::block_on;
use petitio_model::log_key::VerifierKey;
use petitio_model::manifest::Manifest;
use petitio_model::transparency::Commitment;
use petitio_signatures::config::ApiConfig;
use petitio_signatures::identity::SignerId;
use petitio_signatures::keys::{log_key, Bucket};
use petitio_signatures::record::LogMetadata;
use petitio_signatures::sim::{SimConfig, SimulatedKv};
use petitio_signatures::store::{KvStore, PutOptions};
use petitio_signatures::tally::run_scheduled;
use petitio_signatures::tlog::append_operations;

const PER_MINUTE: u64 = 2_000;
const MINUTES: u64 = 30;
const START_BUCKET: u64 = 29_539_440;
const PRIVATE: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PUBLIC: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

fn manifest(keyed: bool) -> Manifest {
    let json = serde_json::json!({
        "version": 1, "base_path": "/", "default_language": "kk", "languages": ["kk"],
        "regions": ["astana", "abai"],
        "petitions": [{"slug": "clean-air", "status": "open", "deadline": null, "languages": ["kk"]}],
    });
    let mut manifest: Manifest = serde_json::from_value(json).expect("a manifest");
    if keyed {
        manifest.log_key = Some(VerifierKey::parse(PUBLIC).unwrap());
    }
    manifest
}

fn config(keyed: bool) -> ApiConfig {
    ApiConfig::from_lookup(|name| match name {
        "SIGNING_KEY" => Some("bench-signing-key-0123456789abcdef".into()),
        "ALLOWED_ORIGINS" => Some("https://petitio.example".into()),
        "SIGNATURE_CONFIRMATION" => Some("none".into()),
        "LOG_SIGNING_KEY" if keyed => Some(PRIVATE.into()),
        _ => None,
    })
    .expect("a configuration")
}

/// One run per minute; returns each run's time.
fn runs(keyed: bool) -> Vec<Duration> {
    let sim = SimulatedKv::new(
        SimConfig {
            max_visibility_delay_ms: 0,
            op_latency_ms: 0,
            ..SimConfig::default()
        },
        START_BUCKET * 60_000,
    );
    let store = sim.at(0);
    let (manifest, config) = (manifest(keyed), config(keyed));
    let mut times = Vec::new();
    let mut signer = 0u64;
    for minute in 0..MINUTES {
        let bucket = Bucket(START_BUCKET + minute);
        for _ in 0..PER_MINUTE {
            signer += 1;
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&signer.to_be_bytes());
            let mut c = [7u8; 32];
            c[..8].copy_from_slice(&signer.to_be_bytes());
            let metadata = LogMetadata {
                r: if signer.is_multiple_of(3) {
                    "abai"
                } else {
                    "astana"
                }
                .into(),
                c: Some(Commitment(c).to_hex()),
            };
            let key = log_key(
                bucket,
                "clean-air",
                &SignerId::parse(&hex::encode(id)).unwrap(),
            );
            let options = PutOptions {
                metadata: Some(metadata.to_json()),
                expiration_ttl: None,
            };
            block_on(store.put(&key, b"", options)).unwrap();
        }
        // The run that seals this bucket (SETTLE_SECONDS = 60 by default).
        let now = bucket.end_ms() + 61_000;
        sim.advance(now.saturating_sub(sim.now_ms()));
        let started = Instant::now();
        let report = block_on(run_scheduled(&store, &manifest, &config, now)).unwrap();
        times.push(started.elapsed());
        assert!(report.signatures_counted >= PER_MINUTE, "{report}");
    }
    times
}

fn summary(times: &[Duration]) -> String {
    let total: Duration = times.iter().sum();
    let worst = times.iter().max().copied().unwrap_or_default();
    format!(
        "mean {:.1} ms, worst {:.1} ms over {} runs",
        total.as_secs_f64() * 1000.0 / times.len() as f64,
        worst.as_secs_f64() * 1000.0,
        times.len()
    )
}

fn main() {
    let without = runs(false);
    let with = runs(true);
    println!("{PER_MINUTE} signatures/minute, one sealed bucket per run, {MINUTES} minutes:");
    println!("  without a log key: {}", summary(&without));
    println!("  with the log:      {}", summary(&with));
    let operations: u64 = (0..MINUTES)
        .map(|m| append_operations(m * PER_MINUTE, (m + 1) * PER_MINUTE))
        .sum();
    println!(
        "  log KV operations: {operations} over {MINUTES} runs, {:.1} per run, {:.4} per signature",
        operations as f64 / MINUTES as f64,
        operations as f64 / (MINUTES * PER_MINUTE) as f64
    );
}
