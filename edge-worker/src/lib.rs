//! Petitio's signature API.
//!
//! Everything here except `wasm` is plain Rust that never names `worker` types, so it
//! compiles and is tested natively and is shared with `petitio serve`. See ARCHITECTURE.md
//! for the storage layout and the counting design.

pub mod http;
pub mod manifest;
pub mod store;
