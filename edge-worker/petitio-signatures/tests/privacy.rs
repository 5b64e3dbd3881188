//! Invariant 1: no raw email, IP address, user agent, or undisclosed name is stored.
//! Signs with known values, runs the counting job, and scans every stored key, value and
//! metadata for them, in the spellings they could take.

mod common;

use common::*;
use futures::executor::block_on;
use petitio_signatures::email::canonicalize;
use petitio_signatures::store::MemoryStore;
use petitio_signatures::tally::run_scheduled;

const NAME: &str = "Zhanargul Secretname";
const EMAIL: &str = "Zhanargul.Private+petitions@Gmail.com";
const IP: &str = "198.51.100.23";
const USER_AGENT: &str = "Mozilla/5.0 (PrivacyProbe/7.1)";

#[test]
fn nothing_identifying_is_stored() {
    let h = Harness::new(MemoryStore::new(), config(&[]));
    let body = serde_json::json!({
        "name": NAME, "email": EMAIL, "region": "abroad", "consent": true, "show_name": false,
    });
    let mut req = with_header(
        post_json("clean-air", &body.to_string()),
        "user-agent",
        USER_AGENT,
    );
    req.client_ip = Some(IP.into());
    assert_eq!(h.send(req).status, 201);
    let form = format!(
        "name={}&email={}&region=astana&consent=on",
        NAME.replace(' ', "+"),
        EMAIL.replace('+', "%2B").replace('@', "%40")
    );
    let mut form_req = with_header(post_form("green-park", &form), "user-agent", USER_AGENT);
    form_req.client_ip = Some(IP.into());
    assert_eq!(h.send(form_req).status, 303);
    block_on(run_scheduled(
        &h.store,
        &h.manifest,
        &h.config,
        NOW_MS + 180_000,
    ))
    .unwrap();

    assert_nothing_identifying(&h, &[]);
}

/// The same with confirmation by email: signing, confirming, withdrawing and confirming
/// that, with the counting job run; the tokens of the messages are not stored either.
#[test]
fn nothing_identifying_is_stored_with_confirmation_by_email() {
    let h = Harness::new(
        MemoryStore::new(),
        config(&[
            ("SIGNATURE_CONFIRMATION", "email"),
            ("EMAIL_FROM", "petitio@p.example"),
        ]),
    );
    let send = |path: String, body: serde_json::Value, now_ms: u64| {
        let mut req = with_header(
            post_json_to(&path, &body.to_string()),
            "user-agent",
            USER_AGENT,
        );
        req.client_ip = Some(IP.into());
        block_on(h.send_at(req, now_ms)).status
    };
    let token = || {
        let text = h.mailer.sent().pop().unwrap().text;
        let start = text.find("?token=").unwrap() + "?token=".len();
        text[start..].split_whitespace().next().unwrap().to_owned()
    };
    let sign = serde_json::json!({
        "name": NAME, "email": EMAIL, "region": "abroad", "consent": true, "show_name": false,
    });
    assert_eq!(send(signatures_path("clean-air"), sign, NOW_MS), 202);
    let sign_token = token();
    let confirm = |token: &str| serde_json::json!({ "token": token });
    let confirmations = "/api/petitions/clean-air/confirmations".to_owned();
    assert_eq!(
        send(confirmations.clone(), confirm(&sign_token), NOW_MS + 1_000),
        201
    );
    let later = NOW_MS + 3_600_000;
    let withdraw = serde_json::json!({ "email": EMAIL });
    assert_eq!(
        send(
            "/api/petitions/clean-air/withdrawals".into(),
            withdraw,
            later
        ),
        202
    );
    let withdraw_token = token();
    assert_eq!(
        send(confirmations, confirm(&withdraw_token), later + 1_000),
        201
    );
    block_on(run_scheduled(
        &h.store,
        &h.manifest,
        &h.config,
        later + 180_000,
    ))
    .unwrap();
    assert_nothing_identifying(&h, &[sign_token, withdraw_token]);
}

/// Scans every stored key, value and metadata for the test's identifiers and `also`.
fn assert_nothing_identifying(h: &Harness<MemoryStore>, also: &[String]) {
    let canonical = canonicalize(EMAIL).unwrap();
    let mut forbidden = vec![
        NAME.to_lowercase(),
        "secretname".into(),
        EMAIL.to_lowercase(),
        canonical.as_str().to_owned(),
        "zhanargulprivate".into(),
        "zhanargul.private".into(),
        IP.into(),
        "privacyprobe".into(),
    ];
    forbidden.extend(also.iter().map(|token| token.to_lowercase()));
    // A token's payload and MAC, apart.
    forbidden.extend(
        also.iter()
            .flat_map(|token| token.split('.').map(str::to_owned)),
    );
    let dump = h.store.dump();
    assert!(
        dump.len() >= 6,
        "records, log entries, tally and snapshot: {dump:?}"
    );
    for (key, entry) in dump {
        let text = format!(
            "{key}\n{}\n{}",
            String::from_utf8_lossy(&entry.value),
            entry.metadata.unwrap_or_default()
        )
        .to_lowercase();
        for needle in &forbidden {
            assert!(
                !text.contains(needle.as_str()),
                "{needle:?} stored under {key}: {text}"
            );
        }
    }
}
