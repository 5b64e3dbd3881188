//! The transparency log as the real API and counting job write it (#13): signatures
//! recorded through `api::handle`, a withdrawal through the one recording function, the job
//! run until the buckets are sealed; then the published log is read back as any verifier
//! would (checkpoint signature, RFC 6962 root recomputed from the entry bundles by a
//! hand-written hash, the count rule), and searched, byte by byte, for anything derivable
//! from the signers' addresses and `SIGNING_KEY`.

mod common;

use common::*;
use futures::executor::block_on;
use petitio_model::log_key::VerifierKey;
use petitio_model::transparency::{
    count_entries, decode_bundle, leaf_hash, parse_checkpoint_text, Commitment, Entry, EntryKind,
    Hash, Receipt,
};
use petitio_signatures::email::canonicalize;
use petitio_signatures::events::{record_withdrawal, At};
use petitio_signatures::identity::{PetitionKey, SignerId, SigningKey};
use petitio_signatures::keys::TRANSPARENCY_PREFIX;
use petitio_signatures::snapshot::Snapshot;
use petitio_signatures::store::{KvStore, MemoryStore};
use petitio_signatures::tally::{run_scheduled, LogReport};
use sha2::{Digest, Sha256};

const LOG_PRIVATE: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const LOG_PUBLIC: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

const ADDRESSES: [&str; 5] = [
    "aliya.nurlanovna@mail.kz",
    "Bolat+petitions@gmail.com",
    "dana@example.org",
    "erlan.s@yandex.kz",
    "zhanna@proton.me",
];

/// A harness whose site publishes the log key and whose worker holds it.
fn logging_harness() -> Harness<MemoryStore> {
    let mut harness = Harness::new(
        MemoryStore::new(),
        config(&[("LOG_SIGNING_KEY", LOG_PRIVATE)]),
    );
    harness.manifest.log_key = Some(VerifierKey::parse(LOG_PUBLIC).unwrap());
    harness
}

fn sign_all(h: &Harness<MemoryStore>, addresses: &[&str], now_ms: u64) -> Vec<Receipt> {
    addresses
        .iter()
        .map(|address| {
            let answer = block_on(h.send_at(post_json("clean-air", &sign_body(address)), now_ms));
            assert_eq!(answer.status, 201, "{}", body_text(&answer));
            Receipt::parse(body_json(&answer)["receipt"].as_str().unwrap()).unwrap()
        })
        .collect()
}

fn run_job(h: &Harness<MemoryStore>, now_ms: u64) -> LogReport {
    block_on(run_scheduled(&h.store, &h.manifest, &h.config, now_ms))
        .unwrap()
        .log
}

/// RFC 6962, section 2.1, written from the RFC (not the crate that wrote the log).
fn rfc6962_root(leaves: &[Hash]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaves[0].0,
        n => {
            let k = n.next_power_of_two() / 2;
            let mut node = vec![1u8];
            node.extend(rfc6962_root(&leaves[..k]));
            node.extend(rfc6962_root(&leaves[k..]));
            Sha256::digest(&node).into()
        }
    }
}

/// The published log of `slug` as a verifier reads it: the checkpoint's size and root,
/// and every entry (bundles below 256 entries are one partial bundle).
fn read_log(store: &MemoryStore, slug: &str) -> (u64, Hash, Vec<Entry>) {
    let key = VerifierKey::parse(LOG_PUBLIC).unwrap();
    let note = block_on(store.get(&format!("tlog/{slug}/checkpoint")))
        .unwrap()
        .expect("a checkpoint");
    let note = String::from_utf8(note.value).unwrap();
    let text = key.verify_note(&note).expect("signed by the log key");
    let (origin, size, root) = parse_checkpoint_text(text).unwrap();
    assert_eq!(origin, format!("PeterNeumann/{slug}"));
    let bundle = block_on(store.get(&format!("tlog/{slug}/tile/entries/000.p/{size}")))
        .unwrap()
        .expect("the partial bundle of the checkpoint's size");
    let entries = decode_bundle(&bundle.value)
        .unwrap()
        .into_iter()
        .map(|bytes| Entry::decode(bytes).unwrap())
        .collect();
    (size, root, entries)
}

#[test]
fn the_job_logs_exactly_what_it_counts_and_the_snapshot_says_how_much() {
    let h = logging_harness();
    let receipts = sign_all(&h, &ADDRESSES, NOW_MS);
    // The first signer withdraws a minute later.
    let id = signer_id(&h.config.signing_key, "clean-air", ADDRESSES[0]);
    let at = At {
        slug: "clean-air",
        id: &id,
        now_ms: NOW_MS + 60_000,
        not_before: None,
    };
    block_on(record_withdrawal(&h.store, &at)).unwrap();
    let report = run_job(&h, NOW_MS + 240_000);
    assert_eq!(
        report,
        LogReport::Appended {
            entries: 6,
            petitions: 1,
            unloggable: 0
        }
    );

    let (size, root, entries) = read_log(&h.store, "clean-air");
    assert_eq!(size, 6);
    let leaves: Vec<Hash> = entries
        .iter()
        .map(|entry| leaf_hash(&entry.encode().unwrap()))
        .collect();
    assert_eq!(rfc6962_root(&leaves), root.0, "the root is RFC 6962's");
    assert_eq!(count_entries(&entries), Ok(4));
    // Every receipt opens a signature entry; the withdrawal names the first receipt's.
    for receipt in &receipts {
        assert!(entries
            .iter()
            .any(|e| e.kind == EntryKind::Signature && e.commitment == receipt.commitment()));
    }
    let withdrawal = entries.last().unwrap();
    assert_eq!(withdrawal.kind, EntryKind::Withdrawal);
    assert_eq!(withdrawal.commitment, receipts[0].commitment());
    assert!(entries.iter().all(|e| e.region == "almaty-city"));

    let snapshot = block_on(Snapshot::read(&h.store)).unwrap().unwrap();
    let published = &snapshot.petitions["clean-air"];
    assert_eq!(published.count, 4);
    let log = published.log.expect("the snapshot states the log");
    assert_eq!((log.sealed_count, log.size), (4, 6));

    // A later run with nothing new changes nothing; a new signature extends the log.
    let before = h.store.dump();
    run_job(&h, NOW_MS + 300_000);
    let tlog = |dump: &Vec<(String, petitio_signatures::store::KvEntry)>| {
        dump.iter()
            .filter(|(key, _)| key.starts_with(TRANSPARENCY_PREFIX))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(tlog(&h.store.dump()), tlog(&before));
    sign_all(&h, &["late@mail.kz"], NOW_MS + 300_000);
    run_job(&h, NOW_MS + 500_000);
    let (size, _, entries) = read_log(&h.store, "clean-air");
    assert_eq!((size, count_entries(&entries)), (7, Ok(5)));
}

#[test]
fn without_a_log_key_the_job_counts_and_logs_nothing() {
    let h = Harness::new(MemoryStore::new(), config(&[]));
    sign_all(&h, &ADDRESSES[..2], NOW_MS);
    assert_eq!(run_job(&h, NOW_MS + 240_000), LogReport::Off);
    assert!(h
        .store
        .dump()
        .iter()
        .all(|(key, _)| !key.starts_with(TRANSPARENCY_PREFIX)));
    let snapshot = block_on(Snapshot::read(&h.store)).unwrap().unwrap();
    assert_eq!(snapshot.petitions["clean-air"].count, 2);
    assert_eq!(snapshot.petitions["clean-air"].log, None);
}

#[test]
fn a_key_that_cannot_sign_for_the_site_is_reported_and_logs_nothing() {
    let mut h = logging_harness();
    h.manifest.log_key = None;
    sign_all(&h, &ADDRESSES[..1], NOW_MS);
    let report = run_job(&h, NOW_MS + 240_000);
    assert!(
        matches!(&report, LogReport::Refused(problem) if problem.contains("publishes no log")),
        "{report:?}"
    );
    assert!(report
        .to_string()
        .starts_with("transparency log not written: "));
}

// ---- the threat model's test: key and addresses seized, log public ----------------------

fn signer_id(key: &SigningKey, slug: &str, address: &str) -> SignerId {
    SignerId::of(
        &PetitionKey::derive(key, slug),
        &canonicalize(address).unwrap(),
    )
}

/// Everything someone holding `SIGNING_KEY` and the address list can derive per address
/// and look for: the address as typed, lower-cased and canonical, its SHA-256, and the
/// signer id (an HMAC under the key), each as text, hex and raw bytes.
fn derivable(key: &SigningKey, slug: &str, address: &str) -> Vec<Vec<u8>> {
    let canonical = canonicalize(address).unwrap();
    let id = signer_id(key, slug, address);
    let mut needles = Vec::new();
    for text in [
        address.to_owned(),
        address.to_lowercase(),
        canonical.as_str().to_owned(),
    ] {
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        needles.push(text.into_bytes());
        needles.push(hex::encode(hash).into_bytes());
        needles.push(hash.to_vec());
    }
    needles.push(id.as_str().as_bytes().to_vec());
    needles.push(hex::decode(id.as_str()).unwrap());
    needles
}

/// The first needle found in `haystack`: any 8 consecutive bytes of a needle count (a
/// truncated hash or id is still a link).
fn find_any<'n>(haystack: &[u8], needles: &'n [Vec<u8>]) -> Option<&'n [u8]> {
    const WINDOW: usize = 8;
    needles.iter().map(Vec::as_slice).find(|needle| {
        needle
            .windows(WINDOW.min(needle.len()))
            .any(|part| haystack.windows(part.len()).any(|window| window == part))
    })
}

/// Every byte of the published log (keys, values and metadata of `tlog/`).
fn published_log(store: &MemoryStore) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (key, entry) in store.dump() {
        if key.starts_with(TRANSPARENCY_PREFIX) {
            bytes.extend(key.as_bytes());
            bytes.extend(&entry.value);
            bytes.extend(entry.metadata.unwrap_or_default().as_bytes());
        }
    }
    bytes
}

#[test]
fn the_published_log_holds_nothing_derivable_from_the_key_and_the_addresses() {
    let h = logging_harness();
    sign_all(&h, &ADDRESSES, NOW_MS);
    run_job(&h, NOW_MS + 240_000);
    let log = published_log(&h.store);
    assert!(
        log.len() > 5 * 50,
        "the log was written: {} bytes",
        log.len()
    );
    let key = &h.config.signing_key;
    let needles: Vec<Vec<u8>> = ADDRESSES
        .iter()
        .flat_map(|address| derivable(key, "clean-air", address))
        .collect();
    assert_eq!(find_any(&log, &needles), None);
    // The signer ids are in KV (`sig/`, `log/`): the search does find what is there.
    let everything: Vec<u8> = h
        .store
        .dump()
        .into_iter()
        .flat_map(|(key, _)| key.into_bytes())
        .collect();
    assert!(find_any(&everything, &needles).is_some());
}

#[test]
fn the_search_finds_a_signer_id_put_into_an_entry() {
    let key = SigningKey::new(SIGNING_KEY.as_bytes().to_vec());
    let id = signer_id(&key, "clean-air", ADDRESSES[1]);
    let mut leaked = [0u8; 32];
    hex::decode_to_slice(id.as_str(), &mut leaked).unwrap();
    let entry = Entry {
        kind: EntryKind::Signature,
        commitment: Commitment(leaked),
        bucket: 29_539_440,
        region: "astana".into(),
    };
    let bundle = petitio_model::transparency::encode_bundle([entry.encode().unwrap().as_slice()]);
    let needles = derivable(&key, "clean-air", ADDRESSES[1]);
    assert!(find_any(&bundle, &needles).is_some());
    // So is a truncated one.
    let mut half = [0u8; 32];
    half[..10].copy_from_slice(&leaked[..10]);
    let entry = Entry {
        commitment: Commitment(half),
        ..entry
    };
    assert!(find_any(&entry.encode().unwrap(), &needles).is_some());
}
