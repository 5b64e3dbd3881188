//! Fuzzes the sign-request parser and validator with arbitrary bodies in both encodings:
//! they must never panic, and whatever they accept must respect every documented limit
//! (look-alikes included: no invisible or direction-changing name, no invisible character
//! in the canonical email, each of its parts single-script).

#![no_main]

use libfuzzer_sys::fuzz_target;
use petitio_model::manifest::{Manifest, ManifestPetition};
use petitio_signatures::email::{canonicalize, MAX_EMAIL_CHARS};
use petitio_signatures::lookalike::{
    is_bidi_override_or_isolate, is_default_ignorable, is_invisible, is_single_script,
};
use petitio_signatures::validate::{check_body_size, parse_body, BodyFormat, MAX_NAME_CHARS};

fn manifest() -> Manifest {
    Manifest {
        log_key: None,
        witnesses: Vec::new(),
        where_note: None,
        version: 1,
        base_path: "/".into(),
        default_language: "kk".into(),
        languages: vec!["kk".into(), "ru".into(), "en".into()],
        regions: vec!["almaty-city".into(), "astana".into(), "abroad".into()],
        region_names: Default::default(),
        number_groups: Default::default(),
        utc_offset: Default::default(),
        plural_tables: Default::default(),
        petitions: vec![ManifestPetition {
            slug: "clean-air".into(),
            status: petitio_model::status::Status::Open,
            deadline: None,
            languages: vec!["kk".into()],
            titles: Default::default(),
            milestones: Vec::new(),
        }],
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let format = if selector % 2 == 0 {
        BodyFormat::Json
    } else {
        BodyFormat::Form
    };
    if check_body_size(None, body).is_err() {
        return;
    }
    let Ok(raw) = parse_body(format, body) else {
        return;
    };
    let manifest = manifest();
    if let Some(lang) = raw.requested_lang(&manifest) {
        assert!(manifest.languages.iter().any(|l| l == lang));
    }
    let Ok(request) = raw.validate(&manifest) else {
        return;
    };
    assert!(!request.name.is_empty());
    assert_eq!(request.name.trim(), request.name);
    assert!(request.name.chars().count() <= MAX_NAME_CHARS);
    assert!(!request.name.chars().any(char::is_control));
    assert!(!request.name.chars().any(is_bidi_override_or_isolate));
    assert!(!request.name.chars().all(is_invisible));
    assert!(request.email.as_str().chars().count() <= MAX_EMAIL_CHARS);
    assert!(!request.email.as_str().chars().any(is_default_ignorable));
    let (local, domain) = request.email.as_str().split_once('@').unwrap();
    assert!(is_single_script(local));
    assert!(domain.split('.').all(is_single_script));
    assert_eq!(
        canonicalize(request.email.as_str()).as_ref(),
        Ok(&request.email)
    );
    assert!(manifest.regions.contains(&request.region));
    assert!(manifest.languages.contains(&request.lang));
});
