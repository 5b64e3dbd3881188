//! Petitio's shared vocabulary: the values the generator, `petitio serve` and the edge
//! worker all speak of, defined once so they cannot disagree. No I/O, no runtime types:
//! it compiles natively and for wasm32 (the worker links it).

pub mod date;
pub mod manifest;
