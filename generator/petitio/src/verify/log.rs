//! Checking one petition's log, in the order a failure is most useful to read: the
//! checkpoint's signature and origin, the remembered checkpoint (rollback, fork), the
//! entries against the signed root (and, when they differ, which entry), the published hash
//! tiles against the entries, each entry and the count rule, the published count against
//! the log at the size it states, the receipt's inclusion proof, and last the consistency
//! proof from the remembered checkpoint (history not rewritten).

use tlog_tiles::{Checkpoint, Hash, Tile, TileHashReader};

use super::fetch::Site;
use super::open_data::PublishedCount;
use super::state::SeenCheckpoint;
use super::tiles::{HttpTiles, MemoryTree};
use super::witnessed::{OwnCheckpoint, WitnessSource};
use crate::error::LogProblem;
use petitio_model::log_key::VerifierKey;
use petitio_model::transparency::{
    count_entries, leaf_hash, origin, Entry, EntryKind, Receipt, TILE_HEIGHT,
};
use petitio_model::urls::log_checkpoint;

/// What to check one petition's log against.
pub struct LogCheck<'a> {
    pub site: &'a Site,
    pub slug: &'a str,
    pub key: &'a VerifierKey,
    /// The largest checkpoint seen before (state file).
    pub seen: Option<&'a SeenCheckpoint>,
    /// The count the site publishes and the log size it is for.
    pub published: Option<PublishedCount>,
    pub receipt: Option<&'a Receipt>,
    /// Witnesses whose cosigned checkpoint the log must be or extend.
    pub witnesses: &'a [WitnessSource],
}

/// A log that passed.
#[derive(Debug)]
pub struct Verified {
    pub size: u64,
    pub count: u64,
    pub root: Hash,
    pub receipt: Option<Included>,
    /// Whether the site published a sealed count that was compared with the log.
    pub compared: bool,
    /// Each witness checked and the size of the checkpoint it cosigned where it publishes
    /// (`None`: its cosignature is on the site's own checkpoint).
    pub witnessed: Vec<(String, Option<u64>)>,
    /// The checkpoint as served: a signed note (what a witness cosigns and republishes).
    pub note: String,
    /// The note's text, the checkpoint itself (what signatures sign).
    pub text: String,
}

/// Where a receipt's signature is in the log.
#[derive(Debug)]
pub struct Included {
    pub index: u64,
    pub bucket: u64,
    /// The index of the entry withdrawing it, if it was withdrawn.
    pub withdrawn_at: Option<u64>,
}

impl Verified {
    /// What the state file keeps of it.
    pub fn seen(&self) -> SeenCheckpoint {
        SeenCheckpoint {
            size: self.size,
            root: self.root.to_string(),
        }
    }
}

impl LogCheck<'_> {
    pub fn run(&self) -> Result<Verified, LogProblem> {
        let Some((checkpoint, note, text)) = self.checkpoint()? else {
            return self.no_log_yet();
        };
        let (size, root) = (checkpoint.size(), *checkpoint.hash());
        self.against_seen(size, root)?;
        let tiles = HttpTiles::new(self.site, self.slug);
        let (raw, tree) = read_entries(&tiles, size)?;
        if tree.root(size) != root {
            return Err(locate_difference(&tiles, &tree, size, root));
        }
        compare_hash_tiles(&tiles, &tree, size)?;
        let entries = decode(&raw)?;
        let count = count_entries(&entries).map_err(LogProblem::CountRule)?;
        if let Some(published) = &self.published {
            check_published(published, &entries, size)?;
        }
        let receipt = match self.receipt {
            Some(receipt) => Some(prove_receipt(&tiles, &entries, &raw, size, root, receipt)?),
            None => None,
        };
        self.consistent_with_seen(&tiles, size, root)?;
        let url = self.site.url(&log_checkpoint(self.slug));
        let own = OwnCheckpoint {
            url: &url,
            note: &note,
            text: &text,
        };
        let witnessed = self
            .witnesses
            .iter()
            .map(|w| {
                let at = w.check(self.slug, self.key, &tiles, (size, root), &own)?;
                Ok((w.key.name().to_owned(), at))
            })
            .collect::<Result<_, LogProblem>>()?;
        Ok(Verified {
            size,
            count,
            root,
            receipt,
            compared: self.published.is_some(),
            witnessed,
            note,
            text,
        })
    }

    /// A petition without a checkpoint passes only while it has nothing to log: no
    /// checkpoint seen before, no sealed signature published.
    fn no_log_yet(&self) -> Result<Verified, LogProblem> {
        let url = self.site.url(&log_checkpoint(self.slug));
        if let Some(seen) = self.seen.filter(|seen| seen.size > 0) {
            return Err(LogProblem::LogGone {
                url,
                seen: seen.size,
            });
        }
        if let Some(receipt) = self.receipt {
            return Err(LogProblem::ReceiptNotFound {
                commitment: receipt.commitment().to_hex(),
            });
        }
        if let Some(published) = self.published.filter(|p| p.count > 0 || p.log_size > 0) {
            return Err(LogProblem::NoLogForCount {
                url,
                published: published.count,
                size: published.log_size,
            });
        }
        Ok(Verified {
            size: 0,
            count: 0,
            root: tlog_tiles::EMPTY_HASH,
            receipt: None,
            compared: self.published.is_some(),
            witnessed: Vec::new(),
            note: String::new(),
            text: String::new(),
        })
    }

    /// The checkpoint (`None`: the site has none), its signature checked against the key
    /// and its origin against the petition's; with the note and its text.
    fn checkpoint(&self) -> Result<Option<(Checkpoint, String, String)>, LogProblem> {
        let path = log_checkpoint(self.slug);
        let url = self.site.url(&path);
        let Some(note) = self.site.get_optional(&path).map_err(LogProblem::Fetch)? else {
            return Ok(None);
        };
        let note = String::from_utf8(note)
            .map_err(|_| LogProblem::CheckpointMalformed { url: url.clone() })?;
        let text = self
            .key
            .verify_note(&note)
            .map(str::to_owned)
            .map_err(|problem| LogProblem::NotSigned {
                url: url.clone(),
                key: self.key.short(),
                problem,
            })?;
        let checkpoint = Checkpoint::from_bytes(text.as_bytes())
            .map_err(|_| LogProblem::CheckpointMalformed { url })?;
        let expected = origin(self.key.name(), self.slug);
        if checkpoint.origin() != expected {
            return Err(LogProblem::WrongOrigin {
                found: checkpoint.origin().to_owned(),
                expected,
            });
        }
        Ok(Some((checkpoint, note, text)))
    }

    /// A smaller tree than seen is a rollback; the same size with another root a fork.
    fn against_seen(&self, size: u64, root: Hash) -> Result<(), LogProblem> {
        let Some(seen) = self.seen else {
            return Ok(());
        };
        if size < seen.size {
            return Err(LogProblem::Rollback {
                seen: seen.size,
                now: size,
            });
        }
        if size == seen.size && root.to_string() != seen.root {
            return Err(LogProblem::Fork {
                size,
                seen_root: seen.root.clone(),
                root: root.to_string(),
            });
        }
        Ok(())
    }

    /// A larger tree must contain the one seen: a consistency proof from the tiles.
    fn consistent_with_seen(
        &self,
        tiles: &HttpTiles,
        size: u64,
        root: Hash,
    ) -> Result<(), LogProblem> {
        let Some(seen) = self.seen.filter(|seen| seen.size > 0 && seen.size < size) else {
            return Ok(());
        };
        let rewritten = || LogProblem::NotExtension {
            seen: seen.size,
            seen_root: seen.root.clone(),
            now: size,
        };
        let seen_root = Hash::parse_hash(&seen.root).map_err(|_| rewritten())?;
        if extends(tiles, size, root, seen.size, seen_root)? {
            Ok(())
        } else {
            Err(rewritten())
        }
    }
}

/// Whether the tree of `size` and `root` (whose tiles `tiles` reads) contains the tree of
/// `old_size` and `old_root`: a consistency proof built from the tiles and checked.
pub fn extends(
    tiles: &HttpTiles,
    size: u64,
    root: Hash,
    old_size: u64,
    old_root: Hash,
) -> Result<bool, LogProblem> {
    if old_size == 0 || old_size == size {
        return Ok(old_size == 0 || old_root == root);
    }
    let reader = TileHashReader::new(size, root, tiles);
    let proof = tlog_tiles::prove_tree(size, old_size, &reader).map_err(|e| tiles.failure(e))?;
    Ok(tlog_tiles::check_tree(&proof, size, root, old_size, old_root).is_ok())
}

/// Every entry of a tree of `size`, from its entry bundles, and the tree they make.
fn read_entries(tiles: &HttpTiles, size: u64) -> Result<(Vec<Vec<u8>>, MemoryTree), LogProblem> {
    let mut raw = Vec::with_capacity(size as usize);
    let mut tree = MemoryTree::default();
    for mut bundle in level_zero_tiles(size) {
        bundle.set_is_data();
        for entry in tiles.entries(&bundle)? {
            tree.push(&entry);
            raw.push(entry);
        }
    }
    Ok((raw, tree))
}

/// The tiles of level 0 of a tree of `size` (full ones, then a partial one).
fn level_zero_tiles(size: u64) -> impl Iterator<Item = Tile> {
    Tile::new_tiles(TILE_HEIGHT, 0, size)
        .into_iter()
        .filter(|tile| tile.level() == 0)
}

/// The entries do not hash to the signed root: name the first entry that differs from
/// the tree the (authenticated) hash tiles hold, and whether it belongs elsewhere.
fn locate_difference(tiles: &HttpTiles, tree: &MemoryTree, size: u64, root: Hash) -> LogProblem {
    let mismatch = LogProblem::RootMismatch {
        computed: tree.root(size).to_string(),
        root: root.to_string(),
    };
    let reader = TileHashReader::new(size, root, tiles);
    let indexes: Vec<u64> = (0..size)
        .map(|i| tlog_tiles::stored_hash_index(0, i))
        .collect();
    let Ok(leaves) = tlog_tiles::HashReader::read_hashes(&reader, &indexes) else {
        // The tiles do not match the root either: only the root itself is known good.
        return mismatch;
    };
    let Some(index) = (0..size).find(|&i| tree.leaf(i) != leaves[i as usize]) else {
        return mismatch;
    };
    let mut bundle = Tile::from_index(TILE_HEIGHT, tlog_tiles::stored_hash_index(0, index));
    bundle.set_is_data();
    let path = tiles.path(&full_width(bundle, size));
    let leaf = tree.leaf(index);
    match leaves.iter().position(|&h| h == leaf) {
        Some(at) => LogProblem::EntryMoved {
            index,
            at: at as u64,
            path,
        },
        None => LogProblem::EntryAltered { index, path },
    }
}

/// The published tile that holds `tile`'s hashes in a tree of `size` (its parent at 0).
fn full_width(tile: Tile, size: u64) -> Tile {
    let mut published = tile.parent(0, size).unwrap_or(tile);
    if tile.is_data() {
        published.set_is_data();
    }
    published
}

/// Every hash tile the site publishes for the tree must be the one the entries make.
fn compare_hash_tiles(tiles: &HttpTiles, tree: &MemoryTree, size: u64) -> Result<(), LogProblem> {
    for tile in Tile::new_tiles(TILE_HEIGHT, 0, size) {
        if tiles.tile(&tile).map_err(LogProblem::Fetch)? != tree.tile(&tile) {
            return Err(LogProblem::TileMismatch {
                path: tiles.path(&tile),
            });
        }
    }
    Ok(())
}

fn decode(raw: &[Vec<u8>]) -> Result<Vec<Entry>, LogProblem> {
    raw.iter()
        .enumerate()
        .map(|(index, bytes)| {
            Entry::decode(bytes).map_err(|problem| LogProblem::EntryMalformed { index, problem })
        })
        .collect()
}

/// The published count must be the count rule's over the log's first entries, as many as
/// the published log size says (the open data may lag the checkpoint).
fn check_published(
    published: &PublishedCount,
    entries: &[Entry],
    size: u64,
) -> Result<(), LogProblem> {
    let at = published.log_size;
    if at > size {
        return Err(LogProblem::PublishedAhead {
            published_size: at,
            size,
        });
    }
    let logged = count_entries(&entries[..at as usize]).map_err(LogProblem::CountRule)?;
    if logged != published.count {
        return Err(LogProblem::CountMismatch {
            published: published.count,
            size: at,
            logged,
        });
    }
    Ok(())
}

/// The receipt's signature entry, and its inclusion proof from the tiles checked against
/// the signed root.
fn prove_receipt(
    tiles: &HttpTiles,
    entries: &[Entry],
    raw: &[Vec<u8>],
    size: u64,
    root: Hash,
    receipt: &Receipt,
) -> Result<Included, LogProblem> {
    let commitment = receipt.commitment();
    let is_signature = |e: &Entry| e.kind == EntryKind::Signature && e.commitment == commitment;
    let Some(index) = entries.iter().position(is_signature) else {
        return Err(LogProblem::ReceiptNotFound {
            commitment: commitment.to_hex(),
        });
    };
    let withdrawn_at = entries
        .iter()
        .position(|e| e.kind == EntryKind::Withdrawal && e.commitment == commitment)
        .map(|i| i as u64);
    let index_u64 = index as u64;
    let reader = TileHashReader::new(size, root, tiles);
    let proof = tlog_tiles::prove_record(size, index_u64, &reader).map_err(|e| tiles.failure(e))?;
    let leaf = leaf_hash(&raw[index]);
    tlog_tiles::check_record(&proof, size, root, index_u64, leaf)
        .map_err(|_| LogProblem::InclusionFailed { index: index_u64 })?;
    Ok(Included {
        index: index_u64,
        bucket: entries[index].bucket,
        withdrawn_at,
    })
}
