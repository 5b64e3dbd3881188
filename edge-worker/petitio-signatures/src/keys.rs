//! The KV key layout, and the only place that formats or parses keys.
//!
//! | key | written by |
//! |---|---|
//! | `sig/<slug>/<id>` | a sign request: the signature record |
//! | `log/<bucket>/<slug>/<id>` | recording a signature: the entry the counting job folds |
//! | `log/<bucket>/<slug>/<id>/<event>` | a later event of the same signer: `s<g>` signed again (generation `g` ≥ 1), `w<g>` withdrew generation `g` |
//! | `mail/<slug>/<id>`, `mail/<slug>/<id>/w` | a confirmation (withdrawal) message went to this signer lately; holds when that stops mattering, expires |
//! | `tlog/<slug>/checkpoint`, `tlog/<slug>/tile/...` | the counting job only (`tlog`): a petition's transparency log, its signed checkpoint and C2SP tiles and entry bundles, served at `/log/<slug>/...` ([`log_storage_key`]) |
//! | `tlog/<slug>/cosignature/<name>+<key id>` | a witness's accepted cosignature (`cosignatures`): the line and the checkpoint it covers, one key per witness, last write wins ([`cosignature_key`]) |
//! | `tally` | the counting job only: its sealed state |
//! | `snapshot` | the counting job only: the published counts |
//!
//! Buckets are zero-padded to `BUCKET_DIGITS` so that lexicographic order (KV's listing
//! order) is numeric order. Slugs follow the one rule of `petitio_model::slug`, so they sit
//! in keys unescaped and every key stays far below KV's 512 bytes.

use petitio_model::slug::is_slug;

use crate::identity::SignerId;

pub const TALLY_KEY: &str = "tally";
pub const SNAPSHOT_KEY: &str = "snapshot";
pub const LOG_PREFIX: &str = "log/";
const SIGNATURE_PREFIX: &str = "sig/";
const MAIL_PREFIX: &str = "mail/";
/// Prefix of the transparency logs' files (not `log/`: that is the event log the job
/// lists, and a listing of it must not wade through tiles).
pub const TRANSPARENCY_PREFIX: &str = "tlog/";

/// Where a file of a petition's transparency log is stored: its served path
/// (`petitio_model::urls::log_checkpoint`, `log_tile`: `log/<slug>/...`) under
/// [`TRANSPARENCY_PREFIX`] instead of `log/`.
pub fn log_storage_key(served_path: &str) -> String {
    let rest = served_path
        .strip_prefix(petitio_model::urls::LOG_DIR)
        .unwrap_or(served_path);
    format!("{TRANSPARENCY_PREFIX}{rest}")
}

/// Where a witness's last accepted cosignature of a petition's checkpoint is stored
/// (`witness` is its `<name>+<key id>`): one key per (petition, witness), so witnesses
/// never write the same key. Not a served path: `log/<slug>/cosignature/...` names no
/// log file.
pub fn cosignature_key(slug: &str, witness: &str) -> String {
    format!("{TRANSPARENCY_PREFIX}{slug}/cosignature/{witness}")
}

/// Length of one bucket.
pub const BUCKET_SECONDS: u64 = 60;
const BUCKET_MS: u64 = BUCKET_SECONDS * 1000;
/// Digits of a bucket number in keys: enough for any date before the year 21,000.
pub const BUCKET_DIGITS: usize = 10;

/// One minute of signatures: floor(unix seconds / 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bucket(pub u64);

impl Bucket {
    pub fn containing(unix_ms: u64) -> Self {
        Self(unix_ms / BUCKET_MS)
    }

    /// First millisecond after the bucket.
    pub fn end_ms(self) -> u64 {
        (self.0 + 1) * BUCKET_MS
    }

    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

pub fn signature_key(slug: &str, id: &SignerId) -> String {
    format!("{SIGNATURE_PREFIX}{slug}/{}", id.as_str())
}

/// Prefix of every signature record of one petition.
pub fn signature_prefix(slug: &str) -> String {
    format!("{SIGNATURE_PREFIX}{slug}/")
}

/// An event of a signer's record, in the order they happen: signing (generation 0 is the
/// first signature), withdrawing that generation, signing again as the next generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogEvent {
    pub generation: u32,
    pub withdrawal: bool,
}

impl LogEvent {
    /// The first signature: the one event whose key has no suffix.
    pub const FIRST: LogEvent = LogEvent {
        generation: 0,
        withdrawal: false,
    };

    /// The key suffix: none for the first signature, else `/s<g>` or `/w<g>`.
    pub fn suffix(self) -> String {
        match (self.withdrawal, self.generation) {
            (false, 0) => String::new(),
            (false, g) => format!("/s{g}"),
            (true, g) => format!("/w{g}"),
        }
    }

    fn parse(text: &str) -> Option<LogEvent> {
        let (withdrawal, digits) = match text.split_at_checked(1)? {
            ("s", digits) => (false, digits),
            ("w", digits) => (true, digits),
            _ => return None,
        };
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        let event = LogEvent {
            generation: canonical.then(|| digits.parse().ok()).flatten()?,
            withdrawal,
        };
        // `s0` is written without a suffix, so `/s0` names nothing.
        (event != LogEvent::FIRST).then_some(event)
    }
}

pub fn log_key(bucket: Bucket, slug: &str, id: &SignerId) -> String {
    event_log_key(bucket, slug, id, LogEvent::FIRST)
}

/// The log entry of `event`.
pub fn event_log_key(bucket: Bucket, slug: &str, id: &SignerId, event: LogEvent) -> String {
    format!(
        "{}{slug}/{}{}",
        log_bucket_prefix(bucket),
        id.as_str(),
        event.suffix()
    )
}

/// The short-lived key saying a message went to this signer of this petition lately: one
/// for confirmation messages, one for withdrawal messages (`withdrawal`), so a signer can
/// withdraw right after confirming, and nobody can send a victim more than one of each.
pub fn mail_key(slug: &str, id: &SignerId, withdrawal: bool) -> String {
    let suffix = if withdrawal { "/w" } else { "" };
    format!("{MAIL_PREFIX}{slug}/{}{suffix}", id.as_str())
}

/// Prefix of every log entry in `bucket`, all petitions together.
pub fn log_bucket_prefix(bucket: Bucket) -> String {
    format!("{LOG_PREFIX}{:0width$}/", bucket.0, width = BUCKET_DIGITS)
}

/// The parts of a `log/` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey {
    pub bucket: Bucket,
    pub slug: String,
    pub id: SignerId,
    pub event: LogEvent,
}

pub fn parse_log_key(key: &str) -> Option<LogKey> {
    let mut parts = key.strip_prefix(LOG_PREFIX)?.split('/');
    let bucket = parts.next()?;
    let slug = parts.next()?;
    let id = SignerId::parse(parts.next()?)?;
    let event = match parts.next() {
        None => LogEvent::FIRST,
        Some(event) => LogEvent::parse(event)?,
    };
    let well_formed = parts.next().is_none()
        && bucket.len() == BUCKET_DIGITS
        && bucket.bytes().all(|b| b.is_ascii_digit())
        && is_slug(slug);
    if !well_formed {
        return None;
    }
    Some(LogKey {
        bucket: Bucket(bucket.parse().ok()?),
        slug: slug.to_owned(),
        id,
        event,
    })
}

/// The slug and id of a `sig/` key.
pub fn parse_signature_key(key: &str) -> Option<(String, SignerId)> {
    let (slug, id) = key.strip_prefix(SIGNATURE_PREFIX)?.split_once('/')?;
    let id = SignerId::parse(id)?;
    is_slug(slug).then(|| (slug.to_owned(), id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id_from(byte: u8) -> SignerId {
        SignerId::parse(&format!("{byte:02x}").repeat(32)).unwrap()
    }

    #[test]
    fn formats_the_documented_layout() {
        let id = id_from(0xab);
        assert_eq!(
            log_key(Bucket(29_395_201), "clean-air", &id),
            format!("log/0029395201/clean-air/{}", id.as_str())
        );
        assert_eq!(
            signature_key("clean-air", &id),
            format!("sig/clean-air/{}", id.as_str())
        );
    }

    #[test]
    fn log_files_are_stored_under_their_own_prefix() {
        let tile = petitio_model::transparency::Tile::new(8, 0, 1, 5, true);
        assert_eq!(
            log_storage_key(&petitio_model::urls::log_tile("clean-air", &tile)),
            "tlog/clean-air/tile/entries/001.p/5"
        );
        assert_eq!(
            log_storage_key(&petitio_model::urls::log_checkpoint("clean-air")),
            "tlog/clean-air/checkpoint"
        );
        assert!(!TRANSPARENCY_PREFIX.starts_with(LOG_PREFIX));
    }

    #[test]
    fn buckets_are_minutes() {
        assert_eq!(Bucket::containing(59_999), Bucket(0));
        assert_eq!(Bucket::containing(60_000), Bucket(1));
        assert_eq!(Bucket(1).end_ms(), 120_000);
    }

    #[test]
    fn refuses_foreign_keys() {
        assert_eq!(parse_log_key("log/12/clean-air/x"), None);
        assert_eq!(parse_log_key("tally"), None);
        assert_eq!(parse_signature_key("sig/Bad Slug/00"), None);
        // A slug the generator refuses names no petition: one rule on both sides.
        let id = id_from(0xab);
        assert_eq!(parse_signature_key(&signature_key("a--b", &id)), None);
        assert_eq!(parse_log_key(&log_key(Bucket(1), "-x", &id)), None);
        let first = log_key(Bucket(1), "x", &id);
        for suffix in ["/s0", "/s01", "/w", "/x1", "/w1/w1", "/s-1", "/"] {
            assert_eq!(parse_log_key(&format!("{first}{suffix}")), None, "{suffix}");
        }
    }

    #[test]
    fn events_have_the_documented_suffixes() {
        let id = id_from(0xab);
        let key = |generation, withdrawal| {
            event_log_key(
                Bucket(1),
                "x",
                &id,
                LogEvent {
                    generation,
                    withdrawal,
                },
            )
        };
        let first = log_key(Bucket(1), "x", &id);
        assert_eq!(key(0, false), first);
        assert_eq!(key(0, true), format!("{first}/w0"));
        assert_eq!(key(2, false), format!("{first}/s2"));
        assert_eq!(mail_key("x", &id, false), format!("mail/x/{}", id.as_str()));
        assert_eq!(
            mail_key("x", &id, true),
            format!("mail/x/{}/w", id.as_str())
        );
        for (generation, withdrawal) in [(0, true), (1, false), (1, true), (10, false)] {
            let event = LogEvent {
                generation,
                withdrawal,
            };
            assert_eq!(
                parse_log_key(&key(generation, withdrawal)).unwrap().event,
                event
            );
        }
    }

    /// Slugs as the generator accepts them: words of letters and digits joined by hyphens.
    const SLUG: &str = "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}";

    proptest! {
        #[test]
        fn log_keys_round_trip(bucket in 0u64..10_000_000_000, slug in SLUG, byte: u8) {
            let id = id_from(byte);
            let key = log_key(Bucket(bucket), &slug, &id);
            prop_assert_eq!(parse_log_key(&key), Some(LogKey { bucket: Bucket(bucket), slug, id, event: LogEvent::FIRST }));
        }

        #[test]
        fn event_keys_round_trip(bucket in 0u64..10_000_000_000, slug in SLUG, byte: u8, generation: u32, withdrawal: bool) {
            let id = id_from(byte);
            let event = LogEvent { generation, withdrawal };
            let key = event_log_key(Bucket(bucket), &slug, &id, event);
            prop_assert!(key.starts_with(&log_bucket_prefix(Bucket(bucket))));
            prop_assert_eq!(parse_log_key(&key), Some(LogKey { bucket: Bucket(bucket), slug, id, event }));
        }

        #[test]
        fn signature_keys_round_trip(slug in SLUG, byte: u8) {
            let id = id_from(byte);
            let key = signature_key(&slug, &id);
            prop_assert!(key.starts_with(&signature_prefix(&slug)));
            prop_assert_eq!(parse_signature_key(&key), Some((slug, id)));
        }

        #[test]
        fn key_order_is_bucket_order(a in 0u64..10_000_000_000, b in 0u64..10_000_000_000) {
            prop_assert_eq!(log_bucket_prefix(Bucket(a)).cmp(&log_bucket_prefix(Bucket(b))), a.cmp(&b));
        }
    }
}
