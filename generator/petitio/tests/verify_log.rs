//! `petitio verify` (the real binary) against logs served over HTTP: a sound log passes
//! with the exact summary; each kind of tampering fails with the exact message naming
//! what is wrong and where, and a non-zero exit. State files live in temporary folders.

mod common;

use std::process::Output;

use common::published_log::{receipt, signature, signatures, withdrawal, LogSite};
use common::{stderr, stdout};
use petitio_model::transparency::Entry;
use petitio_signatures::notes::{self, NoteSigner};
use tempfile::TempDir;

const SLUG: &str = "clean-air";

/// A site with one petition of 5 signatures (one withdrawn: count 4), published in full.
fn site() -> LogSite {
    let site = LogSite::start();
    site.publish(SLUG, &five());
    site.open_data(&site.key, &[(SLUG, 4, 6)]);
    site
}

/// 5 signatures and a withdrawal of the third, in append order.
fn five() -> Vec<Entry> {
    let mut entries = signatures(SLUG, 5);
    entries.push(withdrawal(SLUG, 2, 29_000_002));
    entries
}

struct Verifier {
    state: TempDir,
}

impl Verifier {
    fn new() -> Verifier {
        Verifier {
            state: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, site: &LogSite, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_petitio"))
            .arg("verify")
            .arg(&site.url)
            .arg("--state")
            .arg(self.state.path().join("verify.json"))
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs and asserts success.
    fn ok(&self, site: &LogSite, args: &[&str]) -> String {
        let output = self.run(site, args);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    }

    /// Runs and asserts failure with `problem` as the one petition's error line.
    fn fails(&self, site: &LogSite, args: &[&str], problem: &str) {
        let output = self.run(site, args);
        assert!(!output.status.success(), "{}", stdout(&output));
        assert_eq!(
            stderr(&output),
            format!(
                "error: {SLUG}: {problem}\nerror: 1 of 1 petition logs of {} failed verification\n",
                site.url
            )
        );
    }
}

fn root_of(output: &str) -> String {
    output
        .split("root ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn a_sound_log_passes_and_its_checkpoint_is_remembered() {
    let site = site();
    let verifier = Verifier::new();
    let out = verifier.ok(&site, &[]);
    let root = root_of(&out);
    assert_eq!(
        out,
        format!(
            "ok: {SLUG}: 4 signatures, log size 6, root {root}\n\
             verified 1 petition log of {}\n",
            site.url
        )
    );
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(verifier.state.path().join("verify.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["sites"][&site.url]["logs"][SLUG],
        serde_json::json!({"size": 6, "root": root})
    );
    assert_eq!(state["sites"][&site.url]["key"], site.key.as_str());
}

#[test]
fn every_petition_of_the_open_data_is_checked_and_a_bad_one_fails_the_run() {
    let site = site();
    site.publish("other", &signatures("other", 2));
    site.open_data(&site.key, &[(SLUG, 4, 6), ("other", 3, 2)]);
    let output = Verifier::new().run(&site, &[]);
    assert!(!output.status.success());
    assert!(stdout(&output).starts_with(&format!("ok: {SLUG}: 4 signatures, log size 6, root ")));
    assert_eq!(
        stderr(&output),
        format!(
            "error: other: the site publishes 3 sealed signatures at log size 2, but the log's \
             first 2 entries count 2\nerror: 1 of 2 petition logs of {} failed verification\n",
            site.url
        )
    );
}

#[test]
fn a_dropped_leaf_is_found_in_its_bundle() {
    let site = site();
    let bundle = "log/clean-air/tile/entries/000.p/6";
    let body = site.get(bundle);
    let first_len = usize::from(u16::from_be_bytes([body[0], body[1]]));
    site.put(bundle, body[2 + first_len..].to_vec());
    Verifier::new().fails(
        &site,
        &[],
        &format!(
            "entry bundle {bundle} holds 5 entries, but the checkpoint's tree has 6 there: an \
             entry was dropped or added"
        ),
    );
}

/// Rewrites the bundle of `entries` (already published) in place, unsigned.
fn replace_bundle(site: &LogSite, entries: &[Entry]) {
    let bytes: Vec<Vec<u8>> = entries.iter().map(|e| e.encode().unwrap()).collect();
    site.put(
        "log/clean-air/tile/entries/000.p/6",
        petitio_model::transparency::encode_bundle(bytes.iter().map(Vec::as_slice)),
    );
}

#[test]
fn reordered_leaves_are_named() {
    let site = site();
    let mut entries = five();
    entries.swap(1, 3);
    replace_bundle(&site, &entries);
    Verifier::new().fails(
        &site,
        &[],
        "entry 1 (in log/clean-air/tile/entries/000.p/6) is the tree's entry 3: entries were reordered",
    );
}

#[test]
fn an_altered_leaf_is_named() {
    let site = site();
    let mut entries = five();
    entries[4].region = "shymkent".into();
    replace_bundle(&site, &entries);
    Verifier::new().fails(
        &site,
        &[],
        "entry 4 (in log/clean-air/tile/entries/000.p/6) is not the entry the tree holds there: \
         it was altered",
    );
}

#[test]
fn a_duplicated_leaf_breaks_the_count_rule_even_when_signed() {
    let site = site();
    let mut entries = five();
    entries.insert(1, entries[0].clone());
    site.publish(SLUG, &entries);
    site.open_data(&site.key, &[(SLUG, 5, 7)]);
    Verifier::new().fails(
        &site,
        &[],
        "the count rule fails: entry 1 is a signature whose commitment an earlier signature \
         entry already has",
    );
}

#[test]
fn a_withdrawal_of_an_unknown_signature_breaks_the_count_rule() {
    let site = site();
    let mut entries = signatures(SLUG, 5);
    entries.push(withdrawal(SLUG, 9, 29_000_002));
    site.publish(SLUG, &entries);
    Verifier::new().fails(
        &site,
        &[],
        "the count rule fails: entry 5 withdraws a commitment no earlier signature entry has",
    );
}

#[test]
fn a_checkpoint_signed_by_another_key_or_changed_after_signing_fails() {
    let site = site();
    let (other_private, _) = notes::generate("test-log").unwrap();
    let other = NoteSigner::from_private_key(&other_private).unwrap();
    site.publish_with(SLUG, &five(), &other);
    let checkpoint = format!("{}log/clean-air/checkpoint", site.url);
    let short = site.key.short();
    Verifier::new().fails(
        &site,
        &[],
        &format!("the checkpoint at {checkpoint} is not signed by the log key {short}"),
    );

    site.publish(SLUG, &five());
    let note = String::from_utf8(site.get("log/clean-air/checkpoint")).unwrap();
    site.put(
        "log/clean-air/checkpoint",
        note.replacen("\n6\n", "\n5\n", 1).into_bytes(),
    );
    Verifier::new().fails(
        &site,
        &[],
        &format!(
            "the checkpoint at {checkpoint} has a signature by {short} that does not verify: the \
             checkpoint was changed after signing"
        ),
    );
}

#[test]
fn a_key_given_or_published_later_must_be_the_pinned_one() {
    let site = site();
    let (_, other_key) = notes::generate("test-log").unwrap();
    Verifier::new().fails(
        &site,
        &["--key", other_key.as_str()],
        &format!(
            "the checkpoint at {}log/clean-air/checkpoint is not signed by the log key {}",
            site.url,
            other_key.short()
        ),
    );

    let verifier = Verifier::new();
    verifier.ok(&site, &[]);
    let (other_private, other_key) = notes::generate("test-log").unwrap();
    let other = NoteSigner::from_private_key(&other_private).unwrap();
    site.publish_with(SLUG, &five(), &other);
    site.open_data(&other_key, &[(SLUG, 4, 6)]);
    let output = verifier.run(&site, &[]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "error: the log key of {} is now {other_key}, but {} was pinned for it in {}\n  \
             A site replaces its key rarely and says so (docs/keys.md, \"Rotation\"): check the \
             new key with its operator another way; to accept it, remove the site from the state \
             file.\n",
            site.url,
            site.key,
            verifier.state.path().join("verify.json").display()
        )
    );
}

#[test]
fn a_published_count_other_than_the_logs_fails() {
    let site = site();
    site.open_data(&site.key, &[(SLUG, 5, 6)]);
    Verifier::new().fails(
        &site,
        &[],
        "the site publishes 5 sealed signatures at log size 6, but the log's first 6 entries count 4",
    );
}

#[test]
fn a_published_count_is_compared_at_the_log_size_it_states() {
    let site = site();
    // The open data lags the checkpoint: 5 signatures at size 5, before the withdrawal.
    site.open_data(&site.key, &[(SLUG, 5, 5)]);
    Verifier::new().ok(&site, &[]);
    site.open_data(&site.key, &[(SLUG, 4, 7)]);
    Verifier::new().fails(
        &site,
        &[],
        "the site publishes its sealed count at log size 7, but the checkpoint's tree has only 6 \
         entries",
    );
}

#[test]
fn the_sealed_count_is_read_from_the_apis_counts_when_the_open_data_has_none() {
    let site = site();
    let index = serde_json::json!({
        "schema_version": 1,
        "log": {"key": site.key.as_str()},
        "petitions": [{"slug": SLUG, "signature_count": 12}],
    });
    site.put("data/petitions.json", serde_json::to_vec(&index).unwrap());
    let counts = |sealed: u64| {
        serde_json::json!({"updated_at": "2026-12-01T18:00:00Z", "petitions": {
            SLUG: {"count": 12, "by_region": {}, "log": {"sealed_count": sealed, "size": 6}},
        }})
    };
    let out = Verifier::new().ok(&site, &[]);
    assert!(
        out.contains(", root ")
            && out.contains(" (the site publishes no sealed count to compare)\n"),
        "{out}"
    );
    site.put("api/counts", serde_json::to_vec(&counts(4)).unwrap());
    assert!(!Verifier::new().ok(&site, &[]).contains("no sealed count"));
    let independent = independent_verifier(&site, SLUG);
    assert!(independent.status.success(), "{}", stderr(&independent));
    site.put("api/counts", serde_json::to_vec(&counts(6)).unwrap());
    let independent = independent_verifier(&site, SLUG);
    assert_eq!(
        stderr(&independent),
        "error: clean-air: the site publishes 6 sealed signatures at log size 6, the log counts 4\n"
    );
    Verifier::new().fails(
        &site,
        &[],
        "the site publishes 6 sealed signatures at log size 6, but the log's first 6 entries count 4",
    );
}

#[test]
fn a_petition_without_a_log_passes_only_with_nothing_sealed() {
    let site = LogSite::start();
    site.open_data(&site.key, &[(SLUG, 0, 0)]);
    let verifier = Verifier::new();
    assert_eq!(
        verifier.ok(&site, &[]),
        format!(
            "ok: {SLUG}: no log yet, and no sealed signature published\n\
             verified 1 petition log of {}\n",
            site.url
        )
    );
    let checkpoint = format!("{}log/clean-air/checkpoint", site.url);
    site.open_data(&site.key, &[(SLUG, 2, 2)]);
    verifier.fails(
        &site,
        &[],
        &format!(
            "the site has no checkpoint at {checkpoint}, but publishes 2 sealed signatures at log \
             size 2"
        ),
    );
    site.publish(SLUG, &signatures(SLUG, 2));
    verifier.ok(&site, &[]);
    site.files.lock().unwrap().clear();
    site.open_data(&site.key, &[(SLUG, 0, 0)]);
    verifier.fails(
        &site,
        &[],
        &format!(
            "the site has no checkpoint at {checkpoint}, but a log of size 2 was seen before: the \
             log was taken down"
        ),
    );
}

#[test]
fn a_rollback_to_a_smaller_checkpoint_fails() {
    let site = site();
    let verifier = Verifier::new();
    verifier.ok(&site, &[]);
    site.publish(SLUG, &signatures(SLUG, 3));
    site.open_data(&site.key, &[(SLUG, 3, 3)]);
    verifier.fails(
        &site,
        &[],
        "rollback: the checkpoint's tree size is 3, smaller than the size 6 seen before: the log \
         lost entries it had published",
    );
}

#[test]
fn a_fork_at_the_same_size_fails() {
    let site = site();
    let verifier = Verifier::new();
    let seen_root = root_of(&verifier.ok(&site, &[]));
    let mut entries = five();
    entries[5] = withdrawal(SLUG, 3, 29_000_002);
    entries.sort_by_key(Entry::append_order);
    site.publish(SLUG, &entries);
    let root = root_of(&Verifier::new().ok(&site, &[]));
    verifier.fails(
        &site,
        &[],
        &format!(
            "fork: the checkpoint of size 6 has root {root}, but root {seen_root} was seen before \
             at that size: the site shows different logs to different readers"
        ),
    );
}

#[test]
fn a_larger_log_must_extend_the_one_seen() {
    let site = site();
    let verifier = Verifier::new();
    let seen_root = root_of(&verifier.ok(&site, &[]));
    // A consistent extension passes.
    let mut grown = five();
    grown.push(signature(SLUG, 7, 29_000_003));
    site.publish(SLUG, &grown);
    site.open_data(&site.key, &[(SLUG, 5, 7)]);
    verifier.ok(&site, &[]);
    // History rewritten under a larger tree fails.
    let verifier = Verifier::new();
    site.publish(SLUG, &five());
    site.open_data(&site.key, &[(SLUG, 4, 6)]);
    verifier.ok(&site, &[]);
    let mut rewritten = signatures(SLUG, 6);
    rewritten.push(signature(SLUG, 8, 29_000_003));
    site.publish(SLUG, &rewritten);
    site.open_data(&site.key, &[(SLUG, 7, 7)]);
    verifier.fails(
        &site,
        &[],
        &format!(
            "history rewritten: the log of size 7 is not an extension of the log of size 6 seen \
             before (root {seen_root})"
        ),
    );
}

#[test]
fn a_hash_tile_other_than_the_entries_make_fails() {
    let site = site();
    let tile = "log/clean-air/tile/0/000.p/6";
    let mut body = site.get(tile);
    body[0] ^= 1;
    site.put(tile, body);
    Verifier::new().fails(
        &site,
        &[],
        &format!("hash tile {tile} is not the one the entries make"),
    );
}

#[test]
fn a_receipt_in_the_log_is_proved_included() {
    let site = site();
    let index_of = |n, bucket| {
        let entry = signature(SLUG, n, bucket);
        five().iter().position(|e| *e == entry).unwrap()
    };
    let out = Verifier::new().ok(&site, &["--receipt", &receipt_of(4)]);
    let root = root_of(&out);
    assert_eq!(
        out,
        format!(
            "ok: {SLUG}: 4 signatures, log size 6, root {root}\n\
             ok: {SLUG}: the receipt's signature is entry {} (bucket 29000001), included in this root\n\
             verified 1 petition log of {}\n",
            index_of(4, 29_000_001),
            site.url
        )
    );
    let out = Verifier::new().ok(&site, &["--receipt", &receipt_of(2)]);
    assert!(
        out.contains(&format!(
            "is entry {} (bucket 29000000), included in this root; it was withdrawn by entry 5\n",
            index_of(2, 29_000_000)
        )),
        "{out}"
    );
}

fn receipt_of(n: u32) -> String {
    receipt(SLUG, n).to_string()
}

#[test]
fn a_receipt_not_in_the_log_fails() {
    let site = site();
    let missing = receipt(SLUG, 9);
    Verifier::new().fails(
        &site,
        &["--receipt", &missing.to_string()],
        &format!(
            "the receipt's signature is not in the log: no signature entry has its commitment {} \
             (counted signatures are logged when their minute is sealed)",
            missing.commitment().to_hex()
        ),
    );
}

#[test]
fn another_petitions_checkpoint_fails() {
    let site = site();
    site.publish("other", &five());
    site.put("log/clean-air/checkpoint", site.get("log/other/checkpoint"));
    Verifier::new().fails(
        &site,
        &[],
        "the checkpoint is of the log `test-log/other`, not `test-log/clean-air`: another \
         petition's or site's",
    );
}

/// The independent verifier (tests/tools/verify-log, Python, from the RFC and C2SP specs):
/// the venv of the test command when it says where (PETITIO_TOOLS_VENV), else python3.
fn independent_verifier(site: &LogSite, slug: &str) -> Output {
    let python = std::env::var_os("PETITIO_TOOLS_VENV").map_or_else(
        || std::path::PathBuf::from("python3"),
        |venv| std::path::PathBuf::from(venv).join("bin/python"),
    );
    std::process::Command::new(python)
        .arg(common::repo_root().join("tests/tools/verify-log"))
        .args([site.url.as_str(), slug])
        .output()
        .expect("python3 with the `cryptography` package (tests/tools/requirements.txt)")
}

#[test]
fn the_independent_verifier_agrees_with_petitio_verify() {
    let site = site();
    // 600 entries: two full tiles and a partial one at level 0, a partial tile at level 1.
    let mut large = signatures("large", 600);
    large.push(withdrawal("large", 17, 29_000_005));
    large.sort_by_key(Entry::append_order);
    site.publish("large", &large);
    site.open_data(&site.key, &[(SLUG, 4, 6), ("large", 599, 601)]);
    let ours = Verifier::new().ok(&site, &[]);
    for slug in [SLUG, "large"] {
        let output = independent_verifier(&site, slug);
        assert!(output.status.success(), "{}", stderr(&output));
        let line = stdout(&output);
        assert!(ours.contains(&line), "{line} not in {ours}");
    }

    // And it fails on what petitio verify fails on.
    let mut entries = five();
    entries[4].region = "shymkent".into();
    replace_bundle(&site, &entries);
    let output = independent_verifier(&site, SLUG);
    assert!(!output.status.success());
    assert!(
        stderr(&output).starts_with("error: clean-air: the entries hash to "),
        "{}",
        stderr(&output)
    );
}

/// Not a check: writes a site with one 100,000-signature log (2,000 signatures a minute) to
/// the folder `PETITIO_BENCH_LOG_DIR` names, for the `petitio verify` figures of
/// BENCHMARKS.md (served there by a static file server and timed outside of any test).
#[test]
#[ignore = "writes the benchmark's log when asked (BENCHMARKS.md)"]
fn write_benchmark_log() {
    let Some(out) = std::env::var_os("PETITIO_BENCH_LOG_DIR") else {
        return;
    };
    let site = LogSite::start();
    let mut entries: Vec<Entry> = (0..100_000)
        .map(|n| signature("large", n, 29_000_000 + u64::from(n / 2_000)))
        .collect();
    entries.sort_by_key(Entry::append_order);
    site.publish("large", &entries);
    site.open_data(&site.key, &[("large", 100_000, 100_000)]);
    for (path, body) in site.files.lock().unwrap().iter() {
        let file = std::path::Path::new(&out).join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, body).unwrap();
    }
}
