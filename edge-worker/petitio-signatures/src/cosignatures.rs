//! Witnesses' cosignatures of the site's checkpoints (#13, C2SP tlog-cosignature): a
//! witness that verified a petition's log posts its cosignature line to
//! `log/<slug>/cosignature` ([`submit`]); the site keeps it when the witness is one of
//! `[log] witnesses` (the manifest's `witnesses`) and the line verifies over the
//! petition's *current* checkpoint, and serves the checkpoint with every kept line that
//! covers exactly that checkpoint appended as a further signature line ([`cosigned`]).
//! One implementation for the worker and `petitio serve` (through `log_files`).
//!
//! Storage: one key per (petition, witness) (`keys::cosignature_key`) holding the line and
//! the checkpoint text it covers; a later cosignature by the same witness replaces it
//! (last write wins), and no request reads and rewrites a key another one writes.
//! The signature is the authentication: no cookie or credential is involved.

use petitio_model::cosignature::{CosignatureKey, CosignatureLine};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, CosignatureRefusal};
use crate::keys::{cosignature_key, log_storage_key};
use crate::store::{KvStore, PutOptions};

/// The largest body a submission may have (a line is about 120 bytes).
pub const MAX_COSIGNATURE_BYTES: usize = 1024;

/// What is stored per (petition, witness).
#[derive(Debug, Serialize, Deserialize)]
struct StoredCosignature {
    /// The checkpoint's note text the line covers.
    checkpoint: String,
    /// The cosignature line, ending in a newline.
    line: String,
}

/// An accepted cosignature: the witness and the size of the checkpoint it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub witness: String,
    pub checkpoint_size: u64,
}

/// Keeps `body` (one cosignature line, a trailing newline allowed) as the cosignature of
/// the petition `slug`'s current checkpoint by one of `witnesses`, or says why not.
pub async fn submit<S: KvStore>(
    store: &S,
    witnesses: &[CosignatureKey],
    slug: &str,
    body: &[u8],
) -> Result<Accepted, ApiError> {
    let refused = ApiError::Cosignature;
    if body.len() > MAX_COSIGNATURE_BYTES {
        return Err(refused(CosignatureRefusal::TooLarge));
    }
    let line_text = std::str::from_utf8(body)
        .ok()
        .map(|text| text.strip_suffix('\n').unwrap_or(text))
        .map(|text| text.strip_suffix('\r').unwrap_or(text))
        .filter(|text| !text.contains(['\n', '\r']))
        .ok_or(refused(CosignatureRefusal::Malformed))?;
    let line = CosignatureLine::parse(line_text).ok_or(refused(CosignatureRefusal::Malformed))?;
    let key = witnesses
        .iter()
        .find(|key| key.names(&line))
        .ok_or_else(|| {
            refused(CosignatureRefusal::UnknownWitness {
                witness: line.short_key(),
            })
        })?;
    let note = current_checkpoint(store, slug)
        .await?
        .ok_or(refused(CosignatureRefusal::NoLog))?;
    let text = note_text(&note).ok_or(refused(CosignatureRefusal::NoLog))?;
    if !key.verifies(&line, text) {
        return Err(refused(CosignatureRefusal::NotCurrent));
    }
    let checkpoint_size =
        petitio_model::transparency::parse_checkpoint_text(text).map_or(0, |(_, size, _)| size);
    let stored = StoredCosignature {
        checkpoint: text.to_owned(),
        line: format!("{line_text}\n"),
    };
    let value = serde_json::to_vec(&stored).expect("a stored cosignature serialises");
    store
        .put(
            &cosignature_key(slug, &key.short()),
            &value,
            PutOptions::default(),
        )
        .await
        .map_err(|_| ApiError::StorageUnavailable)?;
    Ok(Accepted {
        witness: key.short(),
        checkpoint_size,
    })
}

/// The checkpoint note `note` of the petition `slug` with the kept cosignature of each of
/// `witnesses` that covers exactly this checkpoint appended, in the order of `witnesses`.
/// A cosignature that cannot be read leaves the note as it is.
pub async fn cosigned<S: KvStore>(
    store: &S,
    witnesses: &[CosignatureKey],
    slug: &str,
    mut note: Vec<u8>,
) -> Vec<u8> {
    let Some(text) = std::str::from_utf8(&note).ok().and_then(note_text) else {
        return note;
    };
    let text = text.to_owned();
    for key in witnesses {
        let Ok(Some(entry)) = store.get(&cosignature_key(slug, &key.short())).await else {
            continue;
        };
        let Ok(stored) = serde_json::from_slice::<StoredCosignature>(&entry.value) else {
            continue;
        };
        if stored.checkpoint == text {
            note.extend_from_slice(stored.line.as_bytes());
        }
    }
    note
}

/// The petition's signed checkpoint as the counting job wrote it (`None`: no log yet).
async fn current_checkpoint<S: KvStore>(store: &S, slug: &str) -> Result<Option<String>, ApiError> {
    let key = log_storage_key(&petitio_model::urls::log_checkpoint(slug));
    match store.get(&key).await {
        Ok(entry) => Ok(entry.and_then(|entry| String::from_utf8(entry.value).ok())),
        Err(_) => Err(ApiError::StorageUnavailable),
    }
}

/// A signed note's text: everything up to and including the newline before the blank
/// line that starts the signatures.
fn note_text(note: &str) -> Option<&str> {
    note.find("\n\n").map(|end| &note[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::{self, NoteSigner};
    use crate::store::MemoryStore;
    use ed25519_dalek::{Signer as _, SigningKey};
    use futures::executor::block_on;
    use petitio_model::cosignature;
    use petitio_model::log_key::VerifierKey;
    use petitio_model::transparency::{checkpoint_text, origin, Hash};

    const SLUG: &str = "clean-air";

    struct Witness {
        name: String,
        signing: SigningKey,
        key: CosignatureKey,
    }

    impl Witness {
        fn new(name: &str, seed: u8) -> Witness {
            let signing = SigningKey::from_bytes(&[seed; 32]);
            let text = cosignature::verifier_key_text(name, signing.verifying_key().as_bytes());
            Witness {
                name: name.to_owned(),
                signing,
                key: CosignatureKey::parse(&text).unwrap(),
            }
        }

        fn cosign(&self, text: &str) -> String {
            let timestamp = 1_780_000_000;
            let message = cosignature::message(timestamp, text);
            let signature = self.signing.sign(message.as_bytes()).to_bytes();
            let public = self.signing.verifying_key().to_bytes();
            let id = cosignature::key_id(&self.name, &public);
            cosignature::line(&self.name, id, timestamp, &signature)
        }
    }

    struct Log {
        store: MemoryStore,
        signer: NoteSigner,
    }

    impl Log {
        fn new() -> Log {
            let (private, _) = notes::generate("petitio-test").unwrap();
            Log {
                store: MemoryStore::new(),
                signer: NoteSigner::from_private_key(&private).unwrap(),
            }
        }

        fn key(&self) -> &VerifierKey {
            self.signer.verifier_key()
        }

        /// Writes a checkpoint of `size` as the counting job does; returns its text.
        fn seal(&self, size: u64) -> String {
            let text = checkpoint_text(
                &origin(self.key().name(), SLUG),
                size,
                Hash([size as u8; 32]),
            )
            .unwrap();
            let note = self.signer.sign(&text).unwrap();
            let key = log_storage_key(&petitio_model::urls::log_checkpoint(SLUG));
            block_on(self.store.put(&key, note.as_bytes(), PutOptions::default())).unwrap();
            text
        }

        fn served(&self, witnesses: &[CosignatureKey]) -> String {
            let key = log_storage_key(&petitio_model::urls::log_checkpoint(SLUG));
            let note = block_on(self.store.get(&key)).unwrap().unwrap().value;
            String::from_utf8(block_on(cosigned(&self.store, witnesses, SLUG, note))).unwrap()
        }

        fn submit(&self, witnesses: &[CosignatureKey], body: &str) -> Result<Accepted, ApiError> {
            block_on(submit(&self.store, witnesses, SLUG, body.as_bytes()))
        }
    }

    #[test]
    fn a_configured_witnesss_cosignature_is_kept_and_served_with_the_checkpoint() {
        let log = Log::new();
        let text = log.seal(5);
        let (a, b) = (
            Witness::new("volunteer-a", 1),
            Witness::new("volunteer-b", 2),
        );
        let witnesses = [a.key.clone(), b.key.clone()];
        let bare = log.served(&witnesses);
        assert_eq!(
            log.submit(&witnesses, &b.cosign(&text)),
            Ok(Accepted {
                witness: b.key.short(),
                checkpoint_size: 5
            })
        );
        // Without the trailing newline too.
        assert!(log.submit(&witnesses, a.cosign(&text).trim_end()).is_ok());
        let served = log.served(&witnesses);
        assert_eq!(
            served,
            format!("{bare}{}{}", a.cosign(&text), b.cosign(&text)),
            "appended in the configured order"
        );
        // Still the log's valid signed note (other keys' lines ignored), and cosigned.
        assert_eq!(notes::verify(&served, log.key()), Ok(text.as_str()));
        assert!(a.key.cosigned(&served, &text) && b.key.cosigned(&served, &text));
        // A second submission by the same witness replaces its line (one key per witness).
        assert!(log.submit(&witnesses, &a.cosign(&text)).is_ok());
        assert_eq!(log.served(&witnesses), served);
        assert_eq!(
            log.store.dump().len(),
            3,
            "the checkpoint and one key per witness"
        );
    }

    #[test]
    fn only_cosignatures_of_the_current_checkpoint_by_configured_witnesses_are_served() {
        let log = Log::new();
        let text = log.seal(5);
        let a = Witness::new("volunteer-a", 1);
        let witnesses = [a.key.clone()];
        log.submit(&witnesses, &a.cosign(&text)).unwrap();
        assert!(log.served(&witnesses).ends_with(&a.cosign(&text)));
        // The site stops accepting the witness: its kept line is no longer served.
        let bare = log.served(&[]);
        assert_eq!(log.served(&[Witness::new("other", 3).key]), bare);
        // The job seals again: the kept line covers the old checkpoint only.
        let newer = log.seal(6);
        let served = log.served(&witnesses);
        assert!(served.starts_with(&newer), "{served}");
        assert!(!served.contains(a.cosign(&text).trim_end()), "{served}");
        assert!(!a.key.cosigned(&served, &newer));
    }

    #[test]
    fn each_bad_submission_is_refused_with_its_reason_and_changes_nothing() {
        use CosignatureRefusal::*;
        let log = Log::new();
        let a = Witness::new("volunteer-a", 1);
        let stranger = Witness::new("stranger", 4);
        let witnesses = [a.key.clone()];
        let refused = |body: &str, refusal: CosignatureRefusal| {
            let before = log.store.dump();
            assert_eq!(
                log.submit(&witnesses, body),
                Err(ApiError::Cosignature(refusal))
            );
            assert_eq!(log.store.dump(), before, "a refusal writes nothing");
        };
        // No checkpoint yet.
        refused(&a.cosign("petitio-test/clean-air\n0\nAA==\n"), NoLog);
        let old = log.seal(5);
        let text = log.seal(6);
        refused(&"x".repeat(MAX_COSIGNATURE_BYTES + 1), TooLarge);
        refused("hello", Malformed);
        refused(
            &format!("{}{}", a.cosign(&text), a.cosign(&text)),
            Malformed,
        );
        refused(&format!("{}\n", a.cosign(&text)), Malformed);
        refused(&notes_line(&log.signer, &text), Malformed);
        refused(
            &stranger.cosign(&text),
            UnknownWitness {
                witness: stranger.key.short(),
            },
        );
        // The stranger's line under the configured name: the id still differs.
        refused(
            &stranger
                .cosign(&text)
                .replacen("stranger", "volunteer-a", 1),
            UnknownWitness {
                witness: format!("volunteer-a+{}", &stranger.key.short()[9..]),
            },
        );
        refused(&a.cosign(&old), NotCurrent);
        let mut forged = a.cosign(&text).into_bytes();
        let last = forged.len() - 20;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        refused(std::str::from_utf8(&forged).unwrap(), NotCurrent);
        assert!(log.submit(&witnesses, &a.cosign(&text)).is_ok());
    }

    /// The log key's own signature line of `text` (a signed-note Ed25519 line, not a
    /// cosignature).
    fn notes_line(signer: &NoteSigner, text: &str) -> String {
        let note = signer.sign(text).unwrap();
        note[text.len() + 1..].to_owned()
    }
}
