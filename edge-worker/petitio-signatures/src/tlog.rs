//! Appending to a petition's transparency log (#13): the counting job hands each petition's
//! newly sealed entries here, in the order it counted them; this writes the hash tiles and
//! entry bundles they complete or extend (C2SP tlog-tiles, height 8, through `tlog_tiles`:
//! no Merkle code of ours), then the checkpoint signed with the operator's log key
//! (`notes::NoteSigner`, the one key that signs what the site publishes).
//!
//! Storage (`keys::log_storage_key`): `tlog/<slug>/<C2SP path>`, the path the worker and
//! `petitio serve` serve under `/log/<slug>/`. Every tile path names its width, so each key
//! is written with one content only (a partial tile `…/000.p/5` stays as it is when
//! `…/000.p/9` follows; a full tile is written once): a repeated run writes the same bytes
//! again. The checkpoint is written last, after every tile it needs, and never replaced by
//! a smaller one.
//!
//! State: only the tree size, kept by the job in `tally`. Appending reads the right edge
//! back from KV (the partial tile of each level and the partial entry bundle, at most four
//! reads below 16.7 million entries): every hash a new entry's parents need lies there.

use std::collections::{BTreeMap, HashMap};

use petitio_model::transparency::{
    self, checkpoint_text, decode_bundle, encode_bundle, origin, Entry, Hash, Tile, TILE_HEIGHT,
    TILE_WIDTH,
};
use tlog_tiles::{split_stored_hash_index, stored_hash_index, HashReader};

use crate::keys::log_storage_key;
use crate::notes::NoteSigner;
use crate::store::{KvStore, PutOptions, StoreError};

/// KV operations the counting job may spend on logs in one run (Workers KV allows 1,000 per
/// invocation; the listing budget and the job's own keys take well under 100). The job
/// stops folding buckets once the entries it holds would cost this much; a single bucket is
/// always appended whole.
pub const MAX_LOG_OPERATIONS_PER_RUN: u64 = 600;

/// Bytes of one hash in a tile.
const HASH_BYTES: usize = 32;

/// The KV operations of appending to a log of `old` entries until it has `new`: the reads
/// of its right edge and of its checkpoint, the writes of every new or grown tile and
/// bundle, and of the checkpoint.
pub fn append_operations(old: u64, new: u64) -> u64 {
    if new <= old {
        return 0;
    }
    let edge_reads = right_edge(old).len() as u64 + u64::from(!old.is_multiple_of(TILE_WIDTH));
    let tiles = Tile::new_tiles(TILE_HEIGHT, old, new);
    let bundles = tiles.iter().filter(|tile| tile.level() == 0).count() as u64;
    edge_reads + 1 + tiles.len() as u64 + bundles + 1
}

/// The partial hash tile of each level of a tree of `size` entries (a level whose last
/// tile is full has none).
fn right_edge(size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    let mut level = 0u8;
    while level < 8 && size >> (u32::from(level) * u32::from(TILE_HEIGHT)) > 0 {
        let hashes = size >> (u32::from(level) * u32::from(TILE_HEIGHT));
        let width = hashes % TILE_WIDTH;
        if width > 0 {
            let width = u32::try_from(width).expect("below 256");
            tiles.push(Tile::new(
                TILE_HEIGHT,
                level,
                hashes / TILE_WIDTH,
                width,
                false,
            ));
        }
        level += 1;
    }
    tiles
}

/// The partial entry bundle of a log of `size` entries, if its last bundle is partial.
fn partial_bundle(size: u64) -> Option<Tile> {
    let width = u32::try_from(size % TILE_WIDTH).expect("below 256");
    (width > 0).then(|| Tile::new(TILE_HEIGHT, 0, size / TILE_WIDTH, width, true))
}

/// The hashes of the tiles being written, by (level, index): what `tlog_tiles` reads back.
#[derive(Default)]
struct Tiles(HashMap<(u8, u64), Vec<u8>>);

impl HashReader for Tiles {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&index| {
                let wanted = Tile::from_index(TILE_HEIGHT, index);
                let data = self
                    .0
                    .get(&(wanted.level(), wanted.level_index()))
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)?;
                let width = u32::try_from(data.len() / HASH_BYTES)
                    .ok()
                    .filter(|width| (1..=TILE_WIDTH as u32).contains(width))
                    .ok_or(tlog_tiles::Error::InvalidTile)?;
                let held = Tile::new(
                    TILE_HEIGHT,
                    wanted.level(),
                    wanted.level_index(),
                    width,
                    false,
                );
                held.hash_at_index(data, index)
            })
            .collect()
    }
}

/// Why the log could not be appended to.
fn damaged(slug: &str, what: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "the transparency log of `{slug}` is damaged: {what}. Its tiles are written once and \
         never changed; restore them from a copy (any mirror or verifier that fetched them has \
         one)"
    ))
}

/// Appends `entries` (encoded) to the log of `slug`, which has `size` entries, and signs
/// the new checkpoint; returns the new size. Nothing to append: nothing written.
pub async fn append<S: KvStore>(
    store: &S,
    signer: &NoteSigner,
    slug: &str,
    size: u64,
    entries: &[Vec<u8>],
) -> Result<u64, StoreError> {
    if entries.is_empty() {
        return Ok(size);
    }
    let mut tiles = Tiles::default();
    for tile in right_edge(size) {
        let data = read(store, slug, &tile).await?;
        if data.len() != tile.width() as usize * HASH_BYTES {
            return Err(damaged(
                slug,
                &format!("tile {} is missing or cut", transparency::tile_path(&tile)),
            ));
        }
        tiles.0.insert((tile.level(), tile.level_index()), data);
    }
    let mut bundles: BTreeMap<u64, Vec<Vec<u8>>> = BTreeMap::new();
    if let Some(bundle) = partial_bundle(size) {
        let data = read(store, slug, &bundle).await?;
        let held = decode_bundle(&data)
            .filter(|held| held.len() == bundle.width() as usize)
            .ok_or_else(|| damaged(slug, "its last entry bundle is missing or cut"))?;
        bundles.insert(
            bundle.level_index(),
            held.into_iter().map(<[u8]>::to_vec).collect(),
        );
    }

    let mut n = size;
    for entry in entries {
        let hashes = tlog_tiles::stored_hashes(n, entry, &tiles)
            .map_err(|error| damaged(slug, &error.to_string()))?;
        let first = stored_hash_index(0, n);
        for (index, hash) in (first..).zip(hashes) {
            let (level, position) = split_stored_hash_index(index);
            if level % TILE_HEIGHT == 0 {
                let key = (level / TILE_HEIGHT, position / TILE_WIDTH);
                tiles.0.entry(key).or_default().extend_from_slice(&hash.0);
            }
        }
        bundles
            .entry(n / TILE_WIDTH)
            .or_default()
            .push(entry.clone());
        n += 1;
    }
    let root =
        tlog_tiles::tree_hash(n, &tiles).map_err(|error| damaged(slug, &error.to_string()))?;

    for tile in Tile::new_tiles(TILE_HEIGHT, size, n) {
        let hashes = &tiles.0[&(tile.level(), tile.level_index())];
        write(
            store,
            slug,
            &tile,
            &hashes[..tile.width() as usize * HASH_BYTES],
        )
        .await?;
        if tile.level() == 0 {
            let mut bundle = tile;
            bundle.set_is_data();
            let held = &bundles[&tile.level_index()][..tile.width() as usize];
            let data = encode_bundle(held.iter().map(Vec::as_slice));
            write(store, slug, &bundle, &data).await?;
        }
    }
    write_checkpoint(store, signer, slug, n, root).await?;
    Ok(n)
}

/// Signs and writes the checkpoint of `size` entries with `root`, unless the stored one is
/// as large already (a run that read a stale `tally` must not roll the log back).
async fn write_checkpoint<S: KvStore>(
    store: &S,
    signer: &NoteSigner,
    slug: &str,
    size: u64,
    root: Hash,
) -> Result<(), StoreError> {
    let key = log_storage_key(&petitio_model::urls::log_checkpoint(slug));
    if let Some(stored) = store.get(&key).await? {
        let text = String::from_utf8_lossy(&stored.value);
        let stored_size = text
            .lines()
            .nth(1)
            .and_then(|line| line.parse::<u64>().ok());
        if stored_size.is_some_and(|stored| stored >= size) {
            return Ok(());
        }
    }
    let origin = origin(signer.verifier_key().name(), slug);
    let text =
        checkpoint_text(&origin, size, root).ok_or_else(|| damaged(slug, "its origin is empty"))?;
    let note = signer
        .sign(&text)
        .map_err(|error| StoreError::Unavailable(format!("cannot sign the checkpoint: {error}")))?;
    store
        .put(&key, note.as_bytes(), PutOptions::default())
        .await
}

async fn read<S: KvStore>(store: &S, slug: &str, tile: &Tile) -> Result<Vec<u8>, StoreError> {
    let key = log_storage_key(&petitio_model::urls::log_tile(slug, tile));
    Ok(store
        .get(&key)
        .await?
        .map(|entry| entry.value)
        .unwrap_or_default())
}

async fn write<S: KvStore>(
    store: &S,
    slug: &str,
    tile: &Tile,
    data: &[u8],
) -> Result<(), StoreError> {
    let key = log_storage_key(&petitio_model::urls::log_tile(slug, tile));
    store.put(&key, data, PutOptions::default()).await
}

/// The entries of one petition that one run appends, in the order they are counted:
/// bucket by bucket, and within a bucket by kind, then commitment
/// (`transparency::Entry::append_order`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pending {
    pub by_petition: BTreeMap<String, Vec<Entry>>,
    /// Counted events the log cannot hold: recorded before the log existed (no commitment),
    /// or with a region code an entry cannot carry (`petitio check` refuses such codes, so only
    /// a manifest built before that check could bring one).
    pub unloggable: u64,
}

impl Pending {
    /// Adds one sealed bucket's counted events (any order).
    pub fn add_bucket(&mut self, mut events: Vec<(String, Option<Entry>)>) {
        events.sort_by(|(a_slug, a), (b_slug, b)| {
            (a_slug, a.as_ref().map(Entry::append_order))
                .cmp(&(b_slug, b.as_ref().map(Entry::append_order)))
        });
        for (slug, entry) in events {
            match entry.filter(|entry| transparency::is_entry_region(&entry.region)) {
                Some(entry) => self.by_petition.entry(slug).or_default().push(entry),
                None => self.unloggable += 1,
            }
        }
    }

    /// The KV operations appending all of it costs, given each log's current size.
    pub fn operations(&self, sizes: &BTreeMap<String, u64>) -> u64 {
        self.by_petition
            .iter()
            .map(|(slug, entries)| {
                let old = sizes.get(slug).copied().unwrap_or(0);
                append_operations(old, old + entries.len() as u64)
            })
            .sum()
    }

    /// Entries held.
    pub fn entries(&self) -> u64 {
        self.by_petition.values().map(|e| e.len() as u64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;
    use petitio_model::transparency::{
        leaf_hash, parse_tile_path, Commitment, EntryKind, CACHE_IMMUTABLE,
    };

    const PRIVATE: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    fn entry(i: u64) -> Vec<u8> {
        let mut c = [0u8; 32];
        c[..8].copy_from_slice(&i.to_be_bytes());
        Entry {
            kind: EntryKind::Signature,
            commitment: Commitment(c),
            bucket: 7,
            region: "astana".into(),
        }
        .encode()
        .unwrap()
    }

    /// RFC 6962's Merkle tree hash, written out from the RFC for this test only.
    fn rfc6962_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => tlog_tiles::EMPTY_HASH,
            1 => leaves[0],
            n => {
                let k = n.next_power_of_two() / 2;
                tlog_tiles::node_hash(rfc6962_root(&leaves[..k]), rfc6962_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn appends_in_runs_give_the_tree_of_all_entries() {
        let store = MemoryStore::new();
        let signer = NoteSigner::from_private_key(PRIVATE).unwrap();
        let all: Vec<Vec<u8>> = (0..600).map(entry).collect();
        let mut size = 0;
        for run in [1usize, 2, 253, 1, 255, 88] {
            let batch = &all[size as usize..size as usize + run];
            let before = append_operations(size, size + run as u64);
            size = block_on(append(&store, &signer, "clean-air", size, batch)).unwrap();
            let checkpoint = block_on(store.get("tlog/clean-air/checkpoint"))
                .unwrap()
                .unwrap();
            let text = signer
                .verifier_key()
                .verify_note(std::str::from_utf8(&checkpoint.value).unwrap());
            let (origin, tree_size, root) =
                transparency::parse_checkpoint_text(text.unwrap()).unwrap();
            assert_eq!(origin, "PeterNeumann/clean-air");
            assert_eq!(tree_size, size);
            let leaves: Vec<Hash> = all[..size as usize].iter().map(|e| leaf_hash(e)).collect();
            assert_eq!(root, rfc6962_root(&leaves), "size {size}");
            assert!(before > 0);
        }
        assert_eq!(size, 600);
        // Full tiles and bundles of the final tree, each path with one content.
        let keys: Vec<String> = store.dump().into_iter().map(|(key, _)| key).collect();
        for path in [
            "tile/0/000",
            "tile/0/001",
            "tile/0/002.p/88",
            "tile/1/000.p/2",
        ] {
            assert!(
                keys.contains(&format!("tlog/clean-air/{path}")),
                "{path}: {keys:?}"
            );
        }
        let bundle = block_on(store.get("tlog/clean-air/tile/entries/001"))
            .unwrap()
            .unwrap();
        let held = decode_bundle(&bundle.value).unwrap();
        assert_eq!(
            held,
            all[256..512].iter().map(Vec::as_slice).collect::<Vec<_>>()
        );
        let full = parse_tile_path("tile/0/001").unwrap();
        let resource = petitio_model::urls::LogResource::Tile {
            slug: "clean-air",
            tile: full,
        };
        assert_eq!(resource.cache_control(), CACHE_IMMUTABLE);
    }

    #[test]
    fn a_smaller_checkpoint_never_replaces_a_larger_one() {
        let store = MemoryStore::new();
        let signer = NoteSigner::from_private_key(PRIVATE).unwrap();
        let all: Vec<Vec<u8>> = (0..5).map(entry).collect();
        block_on(append(&store, &signer, "x", 0, &all)).unwrap();
        let large = block_on(store.get("tlog/x/checkpoint")).unwrap();
        // A run that read a stale state appends the first three again.
        block_on(append(&store, &signer, "x", 0, &all[..3])).unwrap();
        assert_eq!(block_on(store.get("tlog/x/checkpoint")).unwrap(), large);
    }

    #[test]
    fn a_missing_edge_tile_stops_the_append() {
        let store = MemoryStore::new();
        let signer = NoteSigner::from_private_key(PRIVATE).unwrap();
        let all: Vec<Vec<u8>> = (0..5).map(entry).collect();
        block_on(append(&store, &signer, "x", 0, &all[..3])).unwrap();
        block_on(store.delete("tlog/x/tile/0/000.p/3")).unwrap();
        let error = block_on(append(&store, &signer, "x", 3, &all[3..])).unwrap_err();
        assert!(
            error.to_string().contains("tile tile/0/000.p/3 is missing"),
            "{error}"
        );
    }

    #[test]
    fn operations_count_reads_and_writes() {
        // Empty log, 3 entries: tile 0.p/3 and its bundle, checkpoint read and write.
        assert_eq!(append_operations(0, 3), 4);
        // 3 -> 300: reads tile 0.p/3, bundle, checkpoint; writes tiles 0/000, 0/001.p/44,
        // 1/000.p/1, bundles 000 and 001.p/44, checkpoint.
        assert_eq!(append_operations(3, 300), 3 + 3 + 2 + 1);
        assert_eq!(append_operations(5, 5), 0);
    }
}
