//! A site's published transparency logs for the `petitio verify` tests: petitions' entries
//! turned into C2SP tiles, entry bundles and a checkpoint signed with a real log key (the
//! contract's encoding, `tlog_tiles` for the tree, `notes` for the signature: the same
//! pieces the counting job writes with), plus the open data naming them, held in memory
//! and served over HTTP by a small server thread. Tests tamper with the files in place.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use petitio_model::log_key::VerifierKey;
use petitio_model::transparency::{
    checkpoint_text, encode_bundle, origin, Commitment, Entry, EntryKind, Receipt, ReceiptSecret,
    TILE_HEIGHT,
};
use petitio_model::urls::{log_checkpoint, log_tile};
use petitio_signatures::notes::{self, NoteSigner};
use tlog_tiles::{Hash, HashReader, Tile};

/// Path (no leading `/`) → body.
pub type Files = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;

/// A site whose files a test controls, served on `127.0.0.1:<port>`.
pub struct LogSite {
    pub files: Files,
    pub url: String,
    pub signer: NoteSigner,
    pub key: VerifierKey,
}

/// The receipt of the `n`th signature of `slug` in these tests.
pub fn receipt(slug: &str, n: u32) -> Receipt {
    let mut secret = [0xa5; 32];
    secret[28..].copy_from_slice(&n.to_be_bytes());
    Receipt {
        slug: slug.to_owned(),
        secret: ReceiptSecret(secret),
    }
}

/// A signature entry for [`receipt`]`(slug, n)` in `bucket`.
pub fn signature(slug: &str, n: u32, bucket: u64) -> Entry {
    entry(EntryKind::Signature, receipt(slug, n).commitment(), bucket)
}

/// The withdrawal of [`signature`]`(slug, n, _)` in `bucket`.
pub fn withdrawal(slug: &str, n: u32, bucket: u64) -> Entry {
    entry(EntryKind::Withdrawal, receipt(slug, n).commitment(), bucket)
}

fn entry(kind: EntryKind, commitment: Commitment, bucket: u64) -> Entry {
    Entry {
        kind,
        commitment,
        bucket,
        region: "almaty".into(),
    }
}

/// `count` signatures of `slug` in buckets of three, in the job's append order.
pub fn signatures(slug: &str, count: u32) -> Vec<Entry> {
    let mut entries: Vec<Entry> = (0..count)
        .map(|n| signature(slug, n, 29_000_000 + u64::from(n / 3)))
        .collect();
    entries.sort_by_key(Entry::append_order);
    entries
}

impl LogSite {
    /// An empty site with a fresh log key named `test-log`, served at once. The key's
    /// base64 holds a `+` (about every other key does), so every test also checks that
    /// verifiers split a key only at its first two `+`.
    pub fn start() -> LogSite {
        let (private, key) = std::iter::repeat_with(|| notes::generate("test-log").unwrap())
            .find(|(_, key)| key.as_str().matches('+').count() > 2)
            .unwrap();
        let signer = NoteSigner::from_private_key(&private).unwrap();
        let files: Files = Arc::default();
        let url = serve(files.clone());
        LogSite {
            files,
            url,
            signer,
            key,
        }
    }

    /// Publishes `entries` as `slug`'s log, signed with `signer`.
    pub fn publish_with(&self, slug: &str, entries: &[Entry], signer: &NoteSigner) {
        let bytes: Vec<Vec<u8>> = entries.iter().map(|e| e.encode().unwrap()).collect();
        let tree = Tree::of(&bytes);
        let size = bytes.len() as u64;
        let mut files = self.files.lock().unwrap();
        files.retain(|path, _| !path.starts_with(&format!("log/{slug}/")));
        for tile in Tile::new_tiles(TILE_HEIGHT, 0, size) {
            files.insert(log_tile(slug, &tile), tile.read_data(&tree).unwrap());
            if tile.level() == 0 {
                let start = (tile.level_index() << TILE_HEIGHT) as usize;
                let end = start + tile.width() as usize;
                let mut bundle = tile;
                bundle.set_is_data();
                let entries = bytes[start..end].iter().map(Vec::as_slice);
                files.insert(log_tile(slug, &bundle), encode_bundle(entries));
            }
        }
        let origin = origin(signer.verifier_key().name(), slug);
        let text = checkpoint_text(&origin, size, tree.root(size)).unwrap();
        files.insert(
            log_checkpoint(slug),
            signer.sign(&text).unwrap().into_bytes(),
        );
    }

    /// Publishes `entries` as `slug`'s log with the site's key.
    pub fn publish(&self, slug: &str, entries: &[Entry]) {
        self.publish_with(slug, entries, &self.signer);
    }

    /// Writes `data/petitions.json` naming `key` and each petition's published sealed count
    /// at a log size (`"log": {"sealed_count", "size"}`), with a `signature_count` that
    /// also holds provisional signatures (10 more), which verifiers must not compare.
    pub fn open_data(&self, key: &VerifierKey, petitions: &[(&str, u64, u64)]) {
        let petitions: Vec<_> = petitions
            .iter()
            .map(|(slug, count, size)| {
                serde_json::json!({
                    "slug": slug,
                    "signature_count": count + 10,
                    "log": {"sealed_count": count, "size": size},
                })
            })
            .collect();
        let index = serde_json::json!({
            "schema_version": 1,
            "log": {"key": key.as_str()},
            "petitions": petitions,
        });
        self.put("data/petitions.json", serde_json::to_vec(&index).unwrap());
    }

    pub fn get(&self, path: &str) -> Vec<u8> {
        self.files.lock().unwrap()[path].clone()
    }

    pub fn put(&self, path: &str, body: Vec<u8>) {
        self.files.lock().unwrap().insert(path.to_owned(), body);
    }
}

/// Every stored hash of a tree built from entries, as the job's tree holds them.
struct Tree(Vec<Hash>);

impl Tree {
    fn of(entries: &[Vec<u8>]) -> Tree {
        let mut tree = Tree(Vec::new());
        for (n, entry) in entries.iter().enumerate() {
            let new = tlog_tiles::stored_hashes(n as u64, entry, &tree).unwrap();
            tree.0.extend(new);
        }
        tree
    }

    fn root(&self, size: u64) -> Hash {
        tlog_tiles::tree_hash(size, self).unwrap()
    }
}

impl HashReader for Tree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

/// Serves `files` over HTTP/1.1 on a free port of 127.0.0.1 (one request per connection,
/// 404 for a path it does not hold) until the test process ends; returns the base URL.
fn serve(files: Files) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("/");
            let body = files
                .lock()
                .unwrap()
                .get(path.trim_start_matches('/'))
                .cloned();
            let (status, body) = match body {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}
