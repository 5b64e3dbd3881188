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

    let canonical = canonicalize(EMAIL).unwrap();
    let forbidden = [
        NAME.to_lowercase(),
        "secretname".into(),
        EMAIL.to_lowercase(),
        canonical.as_str().to_owned(),
        "zhanargulprivate".into(),
        "zhanargul.private".into(),
        IP.into(),
        "privacyprobe".into(),
    ];
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
