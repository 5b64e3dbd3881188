//! Petitio's signature API.
//!
//! Everything here except `wasm` is plain Rust that never names `worker` types, so it
//! compiles and is tested natively and is shared with `petitio serve`. See ARCHITECTURE.md
//! for the storage layout and the counting design.

pub mod api;
pub mod config;
pub mod email;
pub mod error;
pub mod http;
pub mod identity;
pub mod keys;
pub mod lookalike;
pub mod manifest;
pub mod messages;
pub mod ratelimit;
pub mod record;
#[cfg(not(target_arch = "wasm32"))]
pub mod sim;
pub mod snapshot;
pub mod store;
pub mod tally;
pub mod time;
pub mod turnstile;
pub mod validate;
#[cfg(target_arch = "wasm32")]
mod wasm;
pub mod weburl;
