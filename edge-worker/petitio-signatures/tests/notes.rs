//! Signed notes under the log key (`notes`): interoperability with Go's
//! `golang.org/x/mod/sumdb/note` through its published vectors, tampering, wrong keys,
//! cosignatures by other keys, and whether `LOG_SIGNING_KEY` may sign for the site.

use petitio_model::log_key::{VerifierKey, VerifierKeyProblem};
use petitio_signatures::error::{LogKeyError, NoteError};
use petitio_signatures::notes::{self, LogSigningKey, NoteSigner};

/// Go's `sumdb/note` documentation: Peter Neumann's key pair and signed note.
const PETER_PRIVATE: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_PUBLIC: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIGNATURE: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
/// The same package's second key (`EnochRoot`, made from an all-zero seed) and its
/// signature of the same text.
const ENOCH_PRIVATE: &str =
    "PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const ENOCH_PUBLIC: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const ENOCH_SIGNATURE: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn key(text: &str) -> VerifierKey {
    VerifierKey::parse(text).unwrap()
}

#[test]
fn signing_gives_the_go_note_packages_bytes() {
    for (private, public, signature) in [
        (PETER_PRIVATE, PETER_PUBLIC, PETER_SIGNATURE),
        (ENOCH_PRIVATE, ENOCH_PUBLIC, ENOCH_SIGNATURE),
    ] {
        let signer = NoteSigner::from_private_key(private).unwrap();
        assert_eq!(signer.verifier_key().as_str(), public);
        assert_eq!(signer.sign(TEXT).unwrap(), format!("{TEXT}\n{signature}"));
    }
    // White space around a pasted secret does not matter.
    let padded = NoteSigner::from_private_key(&format!(" {PETER_PRIVATE}\n")).unwrap();
    assert_eq!(padded.verifier_key().as_str(), PETER_PUBLIC);
}

#[test]
fn a_go_note_verifies_and_gives_its_text() {
    let note = format!("{TEXT}\n{PETER_SIGNATURE}");
    assert_eq!(notes::verify(&note, &key(PETER_PUBLIC)), Ok(TEXT));
}

#[test]
fn a_signature_by_another_key_is_ignored_as_the_spec_asks() {
    // A cosignature (a witness's, say) after ours, or before it: ours still verifies.
    for note in [
        format!("{TEXT}\n{PETER_SIGNATURE}{ENOCH_SIGNATURE}"),
        format!("{TEXT}\n{ENOCH_SIGNATURE}{PETER_SIGNATURE}"),
    ] {
        assert_eq!(notes::verify(&note, &key(PETER_PUBLIC)), Ok(TEXT));
        assert_eq!(notes::verify(&note, &key(ENOCH_PUBLIC)), Ok(TEXT));
    }
    // Only another key's signature: not signed by ours.
    let note = format!("{TEXT}\n{ENOCH_SIGNATURE}");
    assert_eq!(
        notes::verify(&note, &key(PETER_PUBLIC)),
        Err(NoteError::NotSignedBy {
            key: "PeterNeumann+c74f20a3".into()
        })
    );
}

#[test]
fn a_tampered_text_or_signature_fails() {
    let tampered_text = format!(
        "{}\n{PETER_SIGNATURE}",
        TEXT.replace("cryptography", "Cryptography")
    );
    let bad = Err(NoteError::BadSignature {
        key: "PeterNeumann+c74f20a3".into(),
    });
    assert_eq!(notes::verify(&tampered_text, &key(PETER_PUBLIC)), bad);
    let tampered_signature = format!(
        "{TEXT}\n{}",
        PETER_SIGNATURE.replace("x08go/ZJ", "x08go/ZK")
    );
    assert_eq!(notes::verify(&tampered_signature, &key(PETER_PUBLIC)), bad);
    // A bad signature by our key fails even beside a good one by another key.
    let mixed = format!(
        "{TEXT}\n{ENOCH_SIGNATURE}{}",
        PETER_SIGNATURE.replace("x08go/ZJ", "x08go/ZK")
    );
    assert_eq!(notes::verify(&mixed, &key(PETER_PUBLIC)), bad);
}

#[test]
fn a_wrong_key_finds_no_signature() {
    let (_, other) = notes::generate("PeterNeumann").unwrap();
    let note = format!("{TEXT}\n{PETER_SIGNATURE}");
    assert_eq!(
        notes::verify(&note, &other),
        Err(NoteError::NotSignedBy { key: other.short() })
    );
}

#[test]
fn what_is_not_a_note_or_a_note_text_is_refused() {
    let peter = key(PETER_PUBLIC);
    for note in [
        TEXT.to_owned(),
        format!("{TEXT}{PETER_SIGNATURE}"),
        format!("{TEXT}\n{}", PETER_SIGNATURE.trim_end()),
        format!("{TEXT}\u{1}\n{PETER_SIGNATURE}"),
    ] {
        assert_eq!(
            notes::verify(&note, &peter),
            Err(NoteError::Malformed),
            "{note:?}"
        );
    }
    let signer = NoteSigner::from_private_key(PETER_PRIVATE).unwrap();
    for text in ["no newline at the end", "a tab\tin it\n", ""] {
        assert_eq!(signer.sign(text), Err(NoteError::Text), "{text:?}");
    }
}

#[test]
fn any_text_signs_and_verifies_with_a_new_key() {
    let (private, public) = notes::generate("petitio-test").unwrap();
    assert!(
        private.starts_with("PRIVATE+KEY+petitio-test+"),
        "{private}"
    );
    assert_eq!(public.name(), "petitio-test");
    let signer = NoteSigner::from_private_key(&private).unwrap();
    assert_eq!(signer.verifier_key(), &public);
    let text = "petitio.example/endpoints\n7\nhttps://a.example/api\nhttps://b.example/api\n";
    let note = signer.sign(text).unwrap();
    assert_eq!(notes::verify(&note, &public), Ok(text));
    // Two keys made one after the other differ.
    let (_, again) = notes::generate("petitio-test").unwrap();
    assert_ne!(again, public);
    assert!(format!("{signer:?}").contains("<redacted>"));
    assert!(!format!("{signer:?}").contains(&private));
}

#[test]
fn key_names_follow_petitios_rule() {
    assert_eq!(
        notes::generate("petitio.example/log")
            .unwrap_err()
            .to_string(),
        "`petitio.example/log` is not a log key name: use 1 to 64 ASCII letters, digits, \
         `.`, `_` and `-`, starting with a letter or digit"
    );
    // A valid signed-note key whose name Petitio does not accept.
    let (private, public) = signed_note::generate_key(&mut rand_core::OsRng, "a/b");
    assert_eq!(VerifierKey::parse(&public), Err(VerifierKeyProblem::Name));
    assert_eq!(
        NoteSigner::from_private_key(&private).unwrap_err(),
        NoteError::PrivateKey
    );
}

#[test]
fn a_malformed_private_key_is_refused() {
    for text in [
        "",
        PETER_PUBLIC,
        &PETER_PRIVATE.replace("c74f20a3", "c74f20a4"),
        &PETER_PRIVATE[..PETER_PRIVATE.len() - 2],
    ] {
        assert_eq!(
            NoteSigner::from_private_key(text).unwrap_err(),
            NoteError::PrivateKey,
            "{text}"
        );
    }
}

#[test]
fn the_secret_signs_only_for_the_key_the_site_publishes() {
    let peter = key(PETER_PUBLIC);
    let enoch = key(ENOCH_PUBLIC);
    let secret = LogSigningKey::from_secret(Some(PETER_PRIVATE));
    assert_eq!(
        secret
            .signer_for(Some(&peter))
            .unwrap()
            .unwrap()
            .verifier_key(),
        &peter
    );
    assert_eq!(LogSigningKey::from_secret(None).signer_for(None), Ok(None));
    assert_eq!(LogSigningKey::from_secret(Some(" ")), LogSigningKey::Unset);
    let error =
        |secret: &LogSigningKey, published| secret.signer_for(published).unwrap_err().to_string();
    assert_eq!(
        error(&secret, Some(&enoch)),
        "LOG_SIGNING_KEY is the key PeterNeumann+c74f20a3, but the site publishes the log key \
         EnochRoot+af0cfe78: install the private key of EnochRoot+af0cfe78 (or, after rotating, \
         deploy the site built with the new key). Signing of notes is off until then; counting \
         goes on"
    );
    assert_eq!(
        error(&secret, None),
        "LOG_SIGNING_KEY is the key PeterNeumann+c74f20a3, but petitio.toml publishes no log \
         key (`[log] key`), so nobody could check its notes: add its public key to \
         petitio.toml (`petitio keygen` does) and deploy. Signing of notes is off until then; \
         counting goes on"
    );
    assert_eq!(
        error(&LogSigningKey::Unset, Some(&peter)),
        "LOG_SIGNING_KEY is not set, but petitio.toml publishes the log key \
         PeterNeumann+c74f20a3: install its private key with `wrangler secret put \
         LOG_SIGNING_KEY --config edge-worker/wrangler.toml < .petitio/keys/<name>.key` \
         (docs/keys.md). Signing of notes is off until then; counting goes on"
    );
    let invalid = LogSigningKey::from_secret(Some(PETER_PUBLIC));
    assert_eq!(
        invalid.signer_for(Some(&peter)),
        Err(LogKeyError::Invalid {
            problem: NoteError::PrivateKey
        })
    );
    assert_eq!(
        error(&invalid, None),
        "LOG_SIGNING_KEY is not usable: the log signing key is not a signed-note private key \
         (`PRIVATE+KEY+<name>+<key id>+<key>`, as `petitio keygen` writes it), or its name \
         breaks the rule for key names (1 to 64 ASCII letters, digits, `.`, `_` and `-`, \
         starting with a letter or digit). Install the file `petitio keygen` wrote \
         (docs/keys.md). Signing of notes is off until then; counting goes on"
    );
}
