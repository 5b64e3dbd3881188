//! The transparency log's vocabulary (#13): what one leaf says, the signer's receipt and
//! the commitment it opens, the rule that turns a petition's entries into its count, the
//! log's origin line, its checkpoint text and its tile paths. The counting job (which
//! writes the log), the worker and `petitio serve` (which serve it) and `petitio verify`
//! (which checks it) all read this one definition, so writer and checker cannot drift.
//!
//! The standards are C2SP's tlog-tiles, tlog-checkpoint and signed-note with RFC 6962
//! hashing; the Merkle tree, tiles and checkpoints come from Cloudflare's `tlog_tiles`
//! crate (azul), never from code of ours. docs/transparency.md explains the whole log.
//!
//! ## Entry (one leaf's data, version 1)
//!
//! | bytes | field |
//! |---|---|
//! | 1 | `kind`: 1 = signature, 2 = withdrawal |
//! | 32 | `commitment` (below) |
//! | 8 | `bucket`: the minute the event was recorded (Unix seconds / 60), big-endian |
//! | 1 | `region_len` |
//! | `region_len` | the region code chosen at signing (UTF-8, a slug, 1 to 64 bytes) |
//!
//! The `kind` byte also versions the layout: a future layout takes new kind numbers, which
//! this version refuses as an unknown kind. The leaf hash is RFC 6962's,
//! SHA-256(0x00 ‖ entry) ([`leaf_hash`]).
//!
//! ## Commitment and receipt
//!
//! `commitment = SHA-256("petitio-receipt-v1\0" ‖ slug ‖ "\0" ‖ r)`, where `r` is 32
//! random bytes only the signer keeps, in the receipt `petitio-receipt-v1:<slug>:<r as 64
//! lower-case hex>`. `r` is never derived from anything about the signer, so nothing
//! about the signer (an address, the signer id, any key) leads to the commitment. A
//! withdrawal entry carries the commitment of the signature it withdraws.
//!
//! ## Count rule ([`count_entries`])
//!
//! Tree size = number of entries. Commitments of signature entries are unique; each
//! withdrawal names the commitment of an earlier signature entry not yet withdrawn; the
//! buckets of successive entries never decrease, and within one bucket entries are in
//! (kind, commitment) order, as the job appends them. The petition's sealed count =
//! signatures − withdrawals.
//!
//! ## Origin, checkpoint and paths
//!
//! The origin is `<log key name>/<slug>` ([`origin`]): C2SP tlog-checkpoint asks for a
//! unique, schema-less, URL-like line without spaces or `+`, and recommends a URL; Petitio
//! uses the log key's name instead of a domain, because a blocked site moves to new domains
//! and a checkpoint's origin must never change (docs/transparency.md). Tiles have height 8
//! ([`TILE_HEIGHT`], 256 hashes), and are served at C2SP tlog-tiles paths under
//! `log/<slug>/` ([`crate::urls::log_checkpoint`], [`crate::urls::log_tile`]).

use std::fmt;

use sha2::{Digest, Sha256};
pub use tlog_tiles::{Hash, Tile};

use crate::slug::has_slug_form;

/// Height of every tile: C2SP tlog-tiles fixes it at 8 (256 hashes or entries a tile).
pub const TILE_HEIGHT: u8 = 8;
/// Entries (or hashes) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// The longest region code an entry holds, in bytes.
pub const MAX_REGION_BYTES: usize = 64;
/// Bytes of an entry before its region code.
const FIXED_BYTES: usize = 1 + 32 + 8 + 1;
/// The receipt's and the commitment's version tag.
pub const RECEIPT_PREFIX: &str = "petitio-receipt-v1";

/// `Cache-Control` of full tiles and full entry bundles: they never change.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of partial tiles, partial bundles and the checkpoint: replaced as the
/// log grows.
pub const CACHE_SHORT: &str = "public, max-age=60";
/// `Content-Type` of the checkpoint (a signed note).
pub const CHECKPOINT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
/// `Content-Type` of tiles and entry bundles.
pub const TILE_CONTENT_TYPE: &str = "application/octet-stream";

/// What an event did to a petition's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Signature = 1,
    Withdrawal = 2,
}

impl EntryKind {
    fn from_byte(byte: u8) -> Option<EntryKind> {
        match byte {
            1 => Some(EntryKind::Signature),
            2 => Some(EntryKind::Withdrawal),
            _ => None,
        }
    }
}

/// SHA-256 of a domain-separated receipt secret and slug: what a leaf says about a signer.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Commitment(pub [u8; 32]);

impl Commitment {
    /// The commitment to `secret` for the petition `slug`.
    pub fn of(slug: &str, secret: &ReceiptSecret) -> Commitment {
        let mut hasher = Sha256::new();
        hasher.update(RECEIPT_PREFIX.as_bytes());
        hasher.update([0]);
        hasher.update(slug.as_bytes());
        hasher.update([0]);
        hasher.update(secret.0);
        Commitment(hasher.finalize().into())
    }

    /// 64 lower-case hex digits (how storage metadata and open data write it).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads [`Commitment::to_hex`]'s form (lower-case only).
    pub fn from_hex(text: &str) -> Option<Commitment> {
        parse_hex32(text).map(Commitment)
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Commitment({})", self.to_hex())
    }
}

/// The 32 random bytes of a receipt: only the signer has them.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptSecret(pub [u8; 32]);

impl fmt::Debug for ReceiptSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptSecret(..)")
    }
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let lower = text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let mut bytes = [0; 32];
    (lower && hex::decode_to_slice(text, &mut bytes).is_ok()).then_some(bytes)
}

/// What a signer keeps: `petitio-receipt-v1:<slug>:<secret as 64 lower-case hex>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt {
    pub slug: String,
    pub secret: ReceiptSecret,
}

/// Why a text is not a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptProblem {
    /// It does not start with `petitio-receipt-v1:`.
    Prefix,
    /// The petition part is not a slug.
    Slug,
    /// The secret is not 64 lower-case hex digits.
    Secret,
}

impl fmt::Display for ReceiptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReceiptProblem::Prefix => {
                "a receipt starts with `petitio-receipt-v1:`; copy it whole from where you kept it"
            }
            ReceiptProblem::Slug => {
                "the receipt's petition name (between the first and the last `:`) is not a slug"
            }
            ReceiptProblem::Secret => {
                "the receipt's secret (after the last `:`) must be 64 lower-case hex digits"
            }
        })
    }
}

impl Receipt {
    /// Reads a receipt; surrounding white space is ignored (it is often pasted).
    pub fn parse(text: &str) -> Result<Receipt, ReceiptProblem> {
        let rest = text
            .trim()
            .strip_prefix(RECEIPT_PREFIX)
            .and_then(|rest| rest.strip_prefix(':'))
            .ok_or(ReceiptProblem::Prefix)?;
        let (slug, secret) = rest.rsplit_once(':').ok_or(ReceiptProblem::Slug)?;
        if !has_slug_form(slug) || slug.len() > crate::slug::MAX_NAME_CHARS {
            return Err(ReceiptProblem::Slug);
        }
        let secret = parse_hex32(secret).ok_or(ReceiptProblem::Secret)?;
        Ok(Receipt {
            slug: slug.to_owned(),
            secret: ReceiptSecret(secret),
        })
    }

    /// The commitment a signature entry holds for this receipt.
    pub fn commitment(&self) -> Commitment {
        Commitment::of(&self.slug, &self.secret)
    }
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{RECEIPT_PREFIX}:{}:{}",
            self.slug,
            hex::encode(self.secret.0)
        )
    }
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Receipt({}, ..)", self.slug)
    }
}

/// One leaf's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub commitment: Commitment,
    /// The minute the event was recorded: Unix seconds / 60.
    pub bucket: u64,
    pub region: String,
}

/// Why bytes are not an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// Fewer bytes than the layout needs.
    Short { needed: usize, got: usize },
    /// A kind byte this version does not know.
    UnknownKind(u8),
    /// Bytes after the region code.
    Trailing(usize),
    /// The region code is empty, longer than 64 bytes or not a slug.
    BadRegion,
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::Short { needed, got } => {
                write!(f, "entry too short: {got} bytes where {needed} are needed")
            }
            EntryProblem::UnknownKind(kind) => {
                write!(
                    f,
                    "unknown entry kind {kind} (1 = signature, 2 = withdrawal)"
                )
            }
            EntryProblem::Trailing(extra) => {
                write!(f, "{extra} unexpected bytes after the entry's region code")
            }
            EntryProblem::BadRegion => write!(
                f,
                "the entry's region code is not a slug of 1 to {MAX_REGION_BYTES} bytes"
            ),
        }
    }
}

/// Whether `region` fits an entry: a slug (as regions in petitio.toml are) of at most
/// [`MAX_REGION_BYTES`].
pub fn is_entry_region(region: &str) -> bool {
    has_slug_form(region) && region.len() <= MAX_REGION_BYTES
}

impl Entry {
    /// The entry's bytes; `None` when its region does not fit ([`is_entry_region`]).
    pub fn encode(&self) -> Option<Vec<u8>> {
        if !is_entry_region(&self.region) {
            return None;
        }
        let mut bytes = Vec::with_capacity(FIXED_BYTES + self.region.len());
        bytes.push(self.kind as u8);
        bytes.extend_from_slice(&self.commitment.0);
        bytes.extend_from_slice(&self.bucket.to_be_bytes());
        bytes.push(u8::try_from(self.region.len()).ok()?);
        bytes.extend_from_slice(self.region.as_bytes());
        Some(bytes)
    }

    /// Reads an entry's bytes, exactly: nothing missing, nothing after.
    pub fn decode(bytes: &[u8]) -> Result<Entry, EntryProblem> {
        let short = |needed| EntryProblem::Short {
            needed,
            got: bytes.len(),
        };
        let (&kind, rest) = bytes.split_first().ok_or(short(FIXED_BYTES))?;
        let kind = EntryKind::from_byte(kind).ok_or(EntryProblem::UnknownKind(kind))?;
        if bytes.len() < FIXED_BYTES {
            return Err(short(FIXED_BYTES));
        }
        let commitment = Commitment(rest[..32].try_into().expect("32 bytes"));
        let bucket = u64::from_be_bytes(rest[32..40].try_into().expect("8 bytes"));
        let region_len = usize::from(rest[40]);
        let region = &bytes[FIXED_BYTES..];
        if region.len() < region_len {
            return Err(short(FIXED_BYTES + region_len));
        }
        if region.len() > region_len {
            return Err(EntryProblem::Trailing(region.len() - region_len));
        }
        let region = std::str::from_utf8(region)
            .ok()
            .filter(|region| is_entry_region(region))
            .ok_or(EntryProblem::BadRegion)?;
        Ok(Entry {
            kind,
            commitment,
            bucket,
            region: region.to_owned(),
        })
    }

    /// The order the job appends one bucket's entries in: by kind, then commitment.
    pub fn append_order(&self) -> (u64, EntryKind, Commitment) {
        (self.bucket, self.kind, self.commitment)
    }
}

/// RFC 6962's leaf hash of an entry's bytes: SHA-256(0x00 ‖ bytes).
pub fn leaf_hash(entry_bytes: &[u8]) -> Hash {
    tlog_tiles::record_hash(entry_bytes)
}

/// Why a list of entries is not a well-formed log ([`count_entries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountProblemKind {
    /// A signature entry repeats an earlier signature's commitment.
    DuplicateSignature,
    /// A withdrawal names no earlier signature entry.
    WithdrawalOfUnknown,
    /// A withdrawal names a signature already withdrawn.
    WithdrawnTwice,
    /// The entry comes before the one preceding it in the append order (bucket, then
    /// kind, then commitment).
    OutOfOrder,
}

/// The first problem of a list of entries: which entry (0-based) and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountProblem {
    pub index: u64,
    pub kind: CountProblemKind,
}

impl fmt::Display for CountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CountProblemKind::DuplicateSignature => {
                "is a signature whose commitment an earlier signature entry already has"
            }
            CountProblemKind::WithdrawalOfUnknown => {
                "withdraws a commitment no earlier signature entry has"
            }
            CountProblemKind::WithdrawnTwice => "withdraws a signature already withdrawn",
            CountProblemKind::OutOfOrder => {
                "is out of order (entries go by bucket, then kind, then commitment)"
            }
        };
        write!(f, "entry {} {what}", self.index)
    }
}

/// Checks a petition's whole log against the count rule and returns its count
/// (signatures − withdrawals), or the first problem.
pub fn count_entries<'e>(
    entries: impl IntoIterator<Item = &'e Entry>,
) -> Result<u64, CountProblem> {
    let mut counter = EntryCounter::default();
    for entry in entries {
        counter.push(entry)?;
    }
    Ok(counter.count())
}

/// [`count_entries`] one entry at a time (a verifier reading tiles streams them).
#[derive(Debug, Default, Clone)]
pub struct EntryCounter {
    /// Signature commitments seen, and whether each is withdrawn.
    signatures: std::collections::HashMap<Commitment, bool>,
    withdrawals: u64,
    index: u64,
    last: Option<(u64, EntryKind, Commitment)>,
}

impl EntryCounter {
    /// Takes the next entry, or says what is wrong with it.
    pub fn push(&mut self, entry: &Entry) -> Result<(), CountProblem> {
        let problem = |kind| CountProblem {
            index: self.index,
            kind,
        };
        let order = entry.append_order();
        if self.last.is_some_and(|last| order < last) {
            return Err(problem(CountProblemKind::OutOfOrder));
        }
        match entry.kind {
            EntryKind::Signature => {
                if self.signatures.contains_key(&entry.commitment) {
                    return Err(problem(CountProblemKind::DuplicateSignature));
                }
                self.signatures.insert(entry.commitment, false);
            }
            EntryKind::Withdrawal => match self.signatures.get_mut(&entry.commitment) {
                None => return Err(problem(CountProblemKind::WithdrawalOfUnknown)),
                Some(true) => return Err(problem(CountProblemKind::WithdrawnTwice)),
                Some(withdrawn) => {
                    *withdrawn = true;
                    self.withdrawals += 1;
                }
            },
        }
        self.last = Some(order);
        self.index += 1;
        Ok(())
    }

    /// Entries taken so far.
    pub fn size(&self) -> u64 {
        self.index
    }

    /// Signatures − withdrawals so far.
    pub fn count(&self) -> u64 {
        self.signatures.len() as u64 - self.withdrawals
    }
}

/// A petition log's origin line: `<log key name>/<slug>`, stable however often the site
/// moves (the key name names the site's log, not a domain).
pub fn origin(key_name: &str, slug: &str) -> String {
    format!("{key_name}/{slug}")
}

/// The text of a checkpoint (C2SP tlog-checkpoint, no extension lines): what the log key
/// signs as a note. `None` for an empty origin.
pub fn checkpoint_text(origin: &str, size: u64, root: Hash) -> Option<String> {
    let checkpoint = tlog_tiles::Checkpoint::new(origin, size, root, "").ok()?;
    String::from_utf8(checkpoint.to_bytes()).ok()
}

/// Reads a checkpoint's text (the note's text, without signatures): origin, size, root.
pub fn parse_checkpoint_text(text: &str) -> Option<(String, u64, Hash)> {
    let checkpoint = tlog_tiles::Checkpoint::from_bytes(text.as_bytes()).ok()?;
    Some((
        checkpoint.origin().to_owned(),
        checkpoint.size(),
        *checkpoint.hash(),
    ))
}

/// An entry bundle (C2SP tlog-tiles): each entry as a big-endian u16 length and its bytes.
pub fn encode_bundle<'e>(entries: impl IntoIterator<Item = &'e [u8]>) -> Vec<u8> {
    let mut bundle = Vec::new();
    for entry in entries {
        let len = u16::try_from(entry.len()).expect("an entry is at most 106 bytes");
        bundle.extend_from_slice(&len.to_be_bytes());
        bundle.extend_from_slice(entry);
    }
    bundle
}

/// The entries of a bundle; `None` when a length runs past its end.
pub fn decode_bundle(mut bundle: &[u8]) -> Option<Vec<&[u8]>> {
    let mut entries = Vec::new();
    while !bundle.is_empty() {
        let (len, rest) = bundle.split_at_checked(2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (entry, rest) = rest.split_at_checked(len)?;
        entries.push(entry);
        bundle = rest;
    }
    Some(entries)
}

/// The C2SP tlog-tiles path of a tile, relative to the log's prefix:
/// `tile/<L>/<N>[.p/<W>]` for hash tiles, `tile/entries/<N>[.p/<W>]` for entry bundles.
/// `tlog_tiles::Tile::path` writes Go's sumdb form `tile/<H>/<L or data>/...`; the C2SP
/// form drops the height (always 8) and names data tiles `entries`.
pub fn tile_path(tile: &Tile) -> String {
    let go_path = tile.path();
    let rest = go_path
        .strip_prefix(&format!("tile/{TILE_HEIGHT}/"))
        .expect("every tile of the log has height 8");
    match rest.strip_prefix("data/") {
        Some(index) => format!("tile/entries/{index}"),
        None => format!("tile/{rest}"),
    }
}

/// The tile a C2SP tlog-tiles path names (the inverse of [`tile_path`]); only canonical
/// paths (those [`tile_path`] writes) are accepted.
pub fn parse_tile_path(path: &str) -> Option<Tile> {
    let rest = path.strip_prefix("tile/")?;
    let go_rest = match rest.strip_prefix("entries/") {
        Some(index) => format!("data/{index}"),
        None if rest.starts_with("data/") => return None,
        None => rest.to_owned(),
    };
    // `Tile::from_path` panics (through `Tile::new`) on a width of 0 or a level above 63:
    // a request must never reach it with those.
    let level_ok = go_rest
        .split('/')
        .next()
        .is_some_and(|level| level == "data" || level.parse::<u8>().is_ok_and(|l| l < 64));
    let width_ok = match go_rest.split_once(".p/") {
        Some((_, width)) => width
            .parse::<u64>()
            .is_ok_and(|w| (1..TILE_WIDTH).contains(&w)),
        None => true,
    };
    if !level_ok || !width_ok {
        return None;
    }
    let tile = Tile::from_path(&format!("tile/{TILE_HEIGHT}/{go_rest}")).ok()?;
    (tile.height() == TILE_HEIGHT && tile_path(&tile) == path).then_some(tile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(kind: EntryKind, c: u8, bucket: u64) -> Entry {
        Entry {
            kind,
            commitment: Commitment([c; 32]),
            bucket,
            region: "almaty-city".into(),
        }
    }

    #[test]
    fn an_entry_has_the_documented_layout() {
        let bytes = entry(EntryKind::Withdrawal, 7, 0x0102_0304)
            .encode()
            .unwrap();
        let mut expected = vec![2];
        expected.extend([7; 32]);
        expected.extend([0, 0, 0, 0, 1, 2, 3, 4, 11]);
        expected.extend(b"almaty-city");
        assert_eq!(bytes, expected);
        assert_eq!(
            Entry::decode(&bytes).unwrap(),
            entry(EntryKind::Withdrawal, 7, 0x0102_0304)
        );
        // RFC 6962: SHA-256(0x00 || data).
        let mut prefixed = vec![0];
        prefixed.extend(&bytes);
        assert_eq!(
            leaf_hash(&bytes).0,
            <[u8; 32]>::from(Sha256::digest(&prefixed))
        );
    }

    #[test]
    fn bad_entries_are_refused_with_what_is_wrong() {
        let good = entry(EntryKind::Signature, 1, 5).encode().unwrap();
        let mut unknown = good.clone();
        unknown[0] = 3;
        let mut trailing = good.clone();
        trailing.push(b'x');
        let mut bad_region = good.clone();
        let last = bad_region.len() - 1;
        bad_region[last] = b'Y';
        let mut empty_region = good[..FIXED_BYTES].to_vec();
        empty_region[FIXED_BYTES - 1] = 0;
        let cases: [(&[u8], EntryProblem); 7] = [
            (&[], EntryProblem::Short { needed: 42, got: 0 }),
            (
                &good[..41],
                EntryProblem::Short {
                    needed: 42,
                    got: 41,
                },
            ),
            (
                &good[..good.len() - 1],
                EntryProblem::Short {
                    needed: good.len(),
                    got: good.len() - 1,
                },
            ),
            (&unknown, EntryProblem::UnknownKind(3)),
            (&trailing, EntryProblem::Trailing(1)),
            (&bad_region, EntryProblem::BadRegion),
            (&empty_region, EntryProblem::BadRegion),
        ];
        for (bytes, problem) in cases {
            assert_eq!(Entry::decode(bytes), Err(problem), "{bytes:?}");
        }
        assert_eq!(
            EntryProblem::Short { needed: 42, got: 3 }.to_string(),
            "entry too short: 3 bytes where 42 are needed"
        );
        let mut long = entry(EntryKind::Signature, 1, 5);
        long.region = "a".repeat(65);
        assert_eq!(long.encode(), None);
    }

    #[test]
    fn a_receipt_round_trips_and_opens_its_commitment() {
        let receipt = Receipt {
            slug: "clean-air".into(),
            secret: ReceiptSecret([0xab; 32]),
        };
        let text = receipt.to_string();
        assert_eq!(
            text,
            format!("petitio-receipt-v1:clean-air:{}", "ab".repeat(32))
        );
        assert_eq!(Receipt::parse(&format!(" {text}\n")).unwrap(), receipt);
        let mut preimage = b"petitio-receipt-v1\0clean-air\0".to_vec();
        preimage.extend([0xab; 32]);
        assert_eq!(
            receipt.commitment().0,
            <[u8; 32]>::from(Sha256::digest(&preimage))
        );
        let hex = receipt.commitment().to_hex();
        assert_eq!(Commitment::from_hex(&hex), Some(receipt.commitment()));
        assert_eq!(Commitment::from_hex(&hex.to_uppercase()), None);
    }

    #[test]
    fn bad_receipts_are_refused_with_what_is_wrong() {
        let secret = "ab".repeat(32);
        for (text, problem) in [
            (
                format!("petitio-receipt-v2:clean-air:{secret}"),
                ReceiptProblem::Prefix,
            ),
            (format!("clean-air-{secret}"), ReceiptProblem::Prefix),
            (format!("petitio-receipt-v1:{secret}"), ReceiptProblem::Slug),
            (
                format!("petitio-receipt-v1:Clean:{secret}"),
                ReceiptProblem::Slug,
            ),
            (
                format!("petitio-receipt-v1::{secret}"),
                ReceiptProblem::Slug,
            ),
            (
                "petitio-receipt-v1:clean-air:ab".into(),
                ReceiptProblem::Secret,
            ),
            (
                format!("petitio-receipt-v1:clean-air:{}", secret.to_uppercase()),
                ReceiptProblem::Secret,
            ),
            (
                format!("petitio-receipt-v1:clean-air:{secret}0"),
                ReceiptProblem::Secret,
            ),
        ] {
            assert_eq!(Receipt::parse(&text), Err(problem), "{text}");
        }
    }

    #[test]
    fn the_count_rule_counts_and_names_the_first_problem() {
        use CountProblemKind::*;
        use EntryKind::*;
        let good = [
            entry(Signature, 1, 10),
            entry(Signature, 2, 10),
            entry(Withdrawal, 1, 10),
            entry(Signature, 3, 11),
            entry(Withdrawal, 3, 12),
        ];
        assert_eq!(count_entries(&good), Ok(1));
        assert_eq!(count_entries(&[]), Ok(0));
        for (entries, index, kind) in [
            (
                vec![entry(Signature, 1, 1), entry(Signature, 1, 2)],
                1,
                DuplicateSignature,
            ),
            (vec![entry(Withdrawal, 1, 1)], 0, WithdrawalOfUnknown),
            (
                vec![
                    entry(Signature, 1, 1),
                    entry(Withdrawal, 1, 1),
                    entry(Withdrawal, 1, 2),
                ],
                2,
                WithdrawnTwice,
            ),
            (
                vec![entry(Signature, 2, 1), entry(Signature, 1, 1)],
                1,
                OutOfOrder,
            ),
            (
                vec![entry(Signature, 1, 2), entry(Signature, 2, 1)],
                1,
                OutOfOrder,
            ),
            (
                vec![entry(Withdrawal, 1, 1), entry(Signature, 1, 1)],
                0,
                WithdrawalOfUnknown,
            ),
        ] {
            assert_eq!(count_entries(&entries), Err(CountProblem { index, kind }));
        }
        assert_eq!(
            CountProblem {
                index: 4,
                kind: WithdrawnTwice
            }
            .to_string(),
            "entry 4 withdraws a signature already withdrawn"
        );
    }

    #[test]
    fn tile_paths_are_c2sp_paths() {
        for (tile, path) in [
            (Tile::new(8, 0, 0, 256, false), "tile/0/000"),
            (
                Tile::new(8, 1, 1_234_067, 7, false),
                "tile/1/x001/x234/067.p/7",
            ),
            (Tile::new(8, 0, 5, 256, true), "tile/entries/005"),
            (Tile::new(8, 0, 1000, 3, true), "tile/entries/x001/000.p/3"),
        ] {
            assert_eq!(tile_path(&tile), path);
            assert_eq!(parse_tile_path(path), Some(tile), "{path}");
        }
        for path in [
            "tile/8/0/000",
            "tile/data/000",
            "tile/0/0",
            "tile/0/000.p/256",
            "tile/0/000.p/0",
            "tile/0/000.p/00",
            "tile/64/000",
            "tile/255/000.p/1",
            "tile/entries/000.p/0",
            "tile/entries/5",
            "checkpoint",
        ] {
            assert_eq!(parse_tile_path(path), None, "{path}");
        }
    }

    #[test]
    fn a_checkpoint_text_is_c2sp() {
        let root = Hash([0; 32]);
        let text = checkpoint_text(&origin("petitio-log", "clean-air"), 3, root).unwrap();
        assert_eq!(
            text,
            "petitio-log/clean-air\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        );
        assert_eq!(
            parse_checkpoint_text(&text),
            Some(("petitio-log/clean-air".into(), 3, root))
        );
    }

    #[test]
    fn a_bundle_is_length_prefixed_entries() {
        let bundle = encode_bundle([&b"ab"[..], b"", b"c"]);
        assert_eq!(bundle, [0, 2, b'a', b'b', 0, 0, 0, 1, b'c']);
        assert_eq!(decode_bundle(&bundle), Some(vec![&b"ab"[..], b"", b"c"]));
        assert_eq!(decode_bundle(&bundle[..8]), None);
        assert_eq!(decode_bundle(&[0]), None);
    }

    fn any_entry() -> impl Strategy<Value = Entry> {
        (
            prop_oneof![Just(EntryKind::Signature), Just(EntryKind::Withdrawal)],
            any::<[u8; 32]>(),
            any::<u64>(),
            "[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,2}",
        )
            .prop_map(|(kind, c, bucket, region)| Entry {
                kind,
                commitment: Commitment(c),
                bucket,
                region,
            })
    }

    proptest! {
        #[test]
        fn entries_round_trip(entry in any_entry()) {
            let bytes = entry.encode().unwrap();
            prop_assert_eq!(Entry::decode(&bytes), Ok(entry));
        }

        #[test]
        fn any_tile_path_is_read_or_refused_without_panicking(
            path in "tile/(entries|[0-9]{1,3})(/x?[0-9]{1,4}){1,3}(\\.p/[0-9]{1,4})?",
        ) {
            if let Some(tile) = parse_tile_path(&path) {
                prop_assert_eq!(tile_path(&tile), path);
            }
        }

        #[test]
        fn receipts_round_trip(secret in any::<[u8; 32]>(), slug in "[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}") {
            let receipt = Receipt { slug, secret: ReceiptSecret(secret) };
            prop_assert_eq!(Receipt::parse(&receipt.to_string()), Ok(receipt));
        }

        #[test]
        fn bundles_round_trip(entries in proptest::collection::vec(any_entry(), 0..20)) {
            let encoded: Vec<Vec<u8>> = entries.iter().map(|e| e.encode().unwrap()).collect();
            let bundle = encode_bundle(encoded.iter().map(Vec::as_slice));
            let decoded: Vec<Entry> = decode_bundle(&bundle).unwrap().into_iter()
                .map(|bytes| Entry::decode(bytes).unwrap()).collect();
            prop_assert_eq!(decoded, entries);
        }
    }
}
