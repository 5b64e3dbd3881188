//! A log's tiles as `tlog_tiles` reads them: [`HttpTiles`] fetches hash tiles and entry
//! bundles of one petition's log from the site (each once per run, nothing kept across
//! runs: tiles from a server are suspect until checked against a signed root), and
//! [`MemoryTree`] holds the hashes recomputed from the entries, to compare with them.

use std::cell::RefCell;
use std::collections::HashMap;

use tlog_tiles::{Hash, HashReader, Tile, TileReader};

use super::fetch::Site;
use crate::error::{FetchError, LogProblem};
use petitio_model::transparency::{decode_bundle, leaf_hash, TILE_HEIGHT};
use petitio_model::urls::log_tile;

/// One petition's tiles on a site, fetched on demand and kept for the run.
pub struct HttpTiles<'s> {
    site: &'s Site,
    slug: &'s str,
    fetched: RefCell<HashMap<Tile, Vec<u8>>>,
    /// The failure behind the last `tlog_tiles` error, which can only carry text.
    failure: RefCell<Option<FetchError>>,
}

impl<'s> HttpTiles<'s> {
    pub fn new(site: &'s Site, slug: &'s str) -> HttpTiles<'s> {
        HttpTiles {
            site,
            slug,
            fetched: RefCell::new(HashMap::new()),
            failure: RefCell::new(None),
        }
    }

    /// The site-relative path of `tile`.
    pub fn path(&self, tile: &Tile) -> String {
        log_tile(self.slug, tile)
    }

    /// The bytes of `tile` (a hash tile or an entry bundle), fetched once per run.
    pub fn tile(&self, tile: &Tile) -> Result<Vec<u8>, FetchError> {
        if let Some(data) = self.fetched.borrow().get(tile) {
            return Ok(data.clone());
        }
        let data = self.site.get(&self.path(tile))?;
        self.fetched.borrow_mut().insert(*tile, data.clone());
        Ok(data)
    }

    /// What a failed `tlog_tiles` call that read through this reader means: the fetch that
    /// failed, else the library's own finding (tiles that do not hash to the signed root).
    pub fn failure(&self, error: tlog_tiles::Error) -> LogProblem {
        match self.failure.borrow_mut().take() {
            Some(fetch) => LogProblem::Fetch(fetch),
            None => LogProblem::Tiles {
                reason: error.to_string(),
            },
        }
    }

    /// The entries of the bundle `tile` (a data tile), each checked to be there: a bundle
    /// is a sequence of entries, each a big-endian `u16` length and that many bytes
    /// (C2SP tlog-tiles), and must hold exactly the tile's width.
    pub fn entries(&self, tile: &Tile) -> Result<Vec<Vec<u8>>, LogProblem> {
        let path = self.path(tile);
        let data = self.tile(tile).map_err(LogProblem::Fetch)?;
        let Some(entries) = decode_bundle(&data) else {
            return Err(LogProblem::BundleMalformed { path });
        };
        if entries.len() != tile.width() as usize {
            return Err(LogProblem::BundleWidth {
                path,
                found: entries.len(),
                expected: tile.width(),
            });
        }
        Ok(entries.into_iter().map(<[u8]>::to_vec).collect())
    }
}

impl TileReader for HttpTiles<'_> {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|tile| {
                self.tile(tile).map_err(|error| {
                    let text = error.to_string();
                    *self.failure.borrow_mut() = Some(error);
                    tlog_tiles::Error::InvalidInput(text)
                })
            })
            .collect()
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {
        // Nothing is kept across runs.
    }
}

/// Every stored hash of a tree (RFC 6962 leaves and interior nodes, in `tlog_tiles`'
/// storage order), recomputed from its entries.
#[derive(Default)]
pub struct MemoryTree {
    hashes: Vec<Hash>,
    size: u64,
}

impl MemoryTree {
    /// Appends an entry (its RFC 6962 leaf hash and the interior nodes it completes).
    pub fn push(&mut self, entry: &[u8]) {
        let leaf = leaf_hash(entry);
        let new = tlog_tiles::stored_hashes_for_record_hash(self.size, leaf, self)
            .expect("the tree holds every hash below its size");
        self.hashes.extend(new);
        self.size += 1;
    }

    /// The root of the first `size` entries.
    pub fn root(&self, size: u64) -> Hash {
        tlog_tiles::tree_hash(size, self).expect("the tree holds every hash below its size")
    }

    /// The leaf hash of entry `index`.
    pub fn leaf(&self, index: u64) -> Hash {
        self.hashes[tlog_tiles::stored_hash_index(0, index) as usize]
    }

    /// The bytes `tile` must have.
    pub fn tile(&self, tile: &Tile) -> Vec<u8> {
        tile.read_data(self)
            .expect("the tree holds every tile below its size")
    }
}

impl HashReader for MemoryTree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.hashes
                    .get(i as usize)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}
