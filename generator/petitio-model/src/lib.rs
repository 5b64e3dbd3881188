//! Petitio's shared vocabulary: the values the generator, `petitio serve` and the edge
//! worker all speak of, defined once so they cannot disagree: slugs, language codes, dates
//! and the site's time zone, petition statuses, the URL scheme, the manifest, milestone
//! dates in open data, the operator's log key as published (`log_key`), the text of the
//! signed "where we are now" note (`where_note`), numbers as pages write them, signatures by
//! region as pages show them, HTML escaping, the page-fill contract and the transparency
//! log's entries, receipts and paths (`transparency`), witnesses' cosignatures (`cosignature`). No I/O, no runtime types: it compiles natively and for wasm32 (the worker
//! links it).

pub mod cosignature;
pub mod date;
pub mod escape;
pub mod fill;
pub mod lang;
pub mod log_key;
pub mod manifest;
pub mod milestones;
pub mod numbers;
pub mod plurals;
pub mod regions;
pub mod slug;
pub mod status;
pub mod transparency;
pub mod urls;
pub mod weburl;
pub mod where_note;
