//! Fuzzes the text of the "where we are now" note (#15), which every page, bundle and embed
//! reads from places an attacker may control (a blocked domain re-registered by someone
//! else). `WhereNote::parse` must never panic; a problem's line is within the text; a note
//! that parses is written one way only (rendering it gives back the very same text), and
//! all it lists is what readers may follow: origins and endpoints on `https://` (or
//! `http://` to this machine), the main origin among the origins, none both current and
//! abandoned.

#![no_main]

use libfuzzer_sys::fuzz_target;
use petitio_model::where_note::WhereNote;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let note = match WhereNote::parse(text) {
        Ok(note) => note,
        Err(error) => {
            if let Some(line) = error.line {
                let lines = text.split('\n').count();
                assert!((1..=lines).contains(&line), "line {line} of {lines}: {error}");
            }
            return;
        }
    };
    assert_eq!(note.to_text().expect("a parsed note renders"), text);
    assert_eq!(note.origins[0], note.main_origin);
    let local_or_https = |url: &str| {
        url.starts_with("https://")
            || url.starts_with("http://localhost")
            || url.starts_with("http://127.")
            || url.starts_with("http://[::1]")
    };
    for url in note.origins.iter().chain(&note.api_endpoints).chain(&note.abandoned) {
        assert!(local_or_https(url), "{url}");
    }
    for abandoned in &note.abandoned {
        assert!(!note.lists_origin(abandoned), "{abandoned}");
    }
});
