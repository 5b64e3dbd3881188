//! Fuzzes the transparency log's parsers of untrusted input (#13): the tile paths of every
//! request to `/log/<slug>/...` (the worker and `petitio serve` answer them; a panic in
//! `tlog_tiles` behind them once was reachable), and what `petitio verify` and the verify
//! page read from a site they do not trust: entry bundles, entries, checkpoint texts and a
//! pasted receipt. None may panic; whatever parses is read one way only (writing it back
//! gives the very same bytes), so two verifiers cannot read one log two ways.

#![no_main]

use libfuzzer_sys::fuzz_target;
use petitio_model::transparency::{
    checkpoint_text, decode_bundle, encode_bundle, parse_checkpoint_text, parse_tile_path,
    tile_path, Entry, Receipt,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(tile) = parse_tile_path(text) {
            assert_eq!(tile_path(&tile), text);
        }
        if let Ok(receipt) = Receipt::parse(text) {
            assert_eq!(receipt.to_string(), text.trim());
            // (A receipt has no Debug: its secret must not reach a log.)
            assert!(Receipt::parse(&receipt.to_string()) == Ok(receipt));
        }
        if let Some((origin, size, root)) = parse_checkpoint_text(text) {
            let again = checkpoint_text(&origin, size, root).expect("a parsed checkpoint renders");
            assert_eq!(parse_checkpoint_text(&again), Some((origin, size, root)));
        }
    }
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encode().as_deref(), Some(data));
    }
    if let Some(entries) = decode_bundle(data) {
        assert_eq!(encode_bundle(entries.iter().copied()), data);
        for bytes in entries {
            if let Ok(entry) = Entry::decode(bytes) {
                assert_eq!(entry.encode().as_deref(), Some(bytes));
            }
        }
    }
});
