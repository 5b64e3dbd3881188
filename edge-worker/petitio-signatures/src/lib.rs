//! Petitio's signature core: the API, counting, the storage trait, identities.
//!
//! Plain Rust that never names `worker` types, so it compiles and is tested natively and
//! is shared with `petitio serve`; the Cloudflare Worker (`petitio-worker`) is a thin shell
//! around it. See ARCHITECTURE.md for the storage layout and the counting design.

pub mod api;
pub mod config;
pub mod cosignatures;
pub mod email;
pub mod error;
pub mod events;
pub mod fill;
pub mod http;
pub mod identity;
pub mod keys;
pub mod live_data;
pub mod log_files;
pub mod lookalike;
pub mod mail;
pub mod mailer;
pub mod messages;
pub mod notes;
pub mod ratelimit;
pub mod record;
#[cfg(feature = "sim")]
pub mod sim;
pub mod snapshot;
pub mod store;
pub mod tally;
pub mod tlog;
pub mod token;
pub mod turnstile;
pub mod validate;
