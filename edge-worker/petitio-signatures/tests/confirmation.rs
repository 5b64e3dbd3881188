//! Double opt-in with nothing stored until confirmed (`SIGNATURE_CONFIRMATION=email`):
//! the sign request mails a token and answers 202 whatever the state; the confirm
//! endpoint records through `events`; withdrawal is a message and a click too, and the
//! counting job subtracts it exactly once; tokens act only on state older than
//! themselves; every refusal has its exact code.

mod common;

use common::*;
use futures::executor::block_on;
use petitio_model::manifest::ManifestWhere;
use petitio_signatures::mailer::{Mail, MemoryMailer};
use petitio_signatures::snapshot::Snapshot;
use petitio_signatures::store::{KvStore, MemoryStore};
use petitio_signatures::tally::run_scheduled;
use petitio_signatures::token::TOKEN_LIFETIME_MS;

const FROM: &str = "petitio@petitio.example";
const ADDRESS: &str = "Ann.Signer@Mail.kz";

fn email_config() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SIGNATURE_CONFIRMATION", "email"),
        ("EMAIL_FROM", FROM),
        ("SITE_ORIGIN", "https://petitio.example"),
    ]
}

fn harness() -> Harness<MemoryStore> {
    Harness::new(MemoryStore::new(), config(&email_config()))
}

fn confirmations(slug: &str) -> String {
    format!("/api/petitions/{slug}/confirmations")
}

fn withdrawals(slug: &str) -> String {
    format!("/api/petitions/{slug}/withdrawals")
}

/// The token of the link in the last message sent.
fn last_token(mailer: &MemoryMailer) -> String {
    let mail = mailer.sent().pop().expect("a message was sent");
    token_of(&mail)
}

fn token_of(mail: &Mail) -> String {
    let start = mail.text.find("?token=").expect("a link with a token") + "?token=".len();
    mail.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn confirm_body(token: &str) -> String {
    serde_json::json!({ "token": token, "lang": "en" }).to_string()
}

fn at(
    h: &Harness<MemoryStore>,
    req: petitio_signatures::http::ApiRequest,
    now_ms: u64,
) -> petitio_signatures::http::ApiResponse {
    block_on(h.send_at(req, now_ms))
}

fn keys(h: &Harness<MemoryStore>) -> Vec<String> {
    h.store.dump().into_iter().map(|(key, _)| key).collect()
}

fn published_count(h: &Harness<MemoryStore>, now_ms: u64, slug: &str) -> u64 {
    block_on(run_scheduled(&h.store, &h.manifest, &h.config, now_ms)).unwrap();
    block_on(Snapshot::read(&h.store))
        .unwrap()
        .unwrap()
        .petitions[slug]
        .count
}

#[test]
fn signing_mails_a_link_and_stores_nothing_but_the_throttle() {
    let h = harness();
    let response = h.send(post_json("clean-air", &sign_body(ADDRESS)));
    assert_eq!(response.status, 202, "{}", body_text(&response));
    assert_eq!(
        body_json(&response),
        serde_json::json!({"status": "check_email", "slug": "clean-air"})
    );
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert_eq!(mail.from, FROM);
    assert_eq!(mail.to, ADDRESS, "sent to the address as typed");
    assert_eq!(mail.subject, "Қолыңызды растаңыз: clean-air");
    let link_start = "https://petitio.example/kk/petitions/clean-air/confirm/?token=";
    assert!(mail.text.contains(link_start), "{}", mail.text);
    assert!(mail.html.contains(&format!("href=\"{link_start}")));
    // Only the short-lived note that a message went out: no record, no log entry.
    let stored = keys(&h);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].starts_with("mail/clean-air/"), "{stored:?}");
}

#[test]
fn confirming_records_once_and_counts() {
    let h = harness();
    h.send(post_json("clean-air", &sign_body(ADDRESS)));
    let token = last_token(&h.mailer);
    let first = h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&token),
    ));
    assert_eq!(first.status, 201, "{}", body_text(&first));
    let body = body_json(&first);
    assert_eq!(body["status"], "recorded");
    assert_eq!(body["count"], 1);
    let again = h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&token),
    ));
    assert_eq!(again.status, 200);
    assert_eq!(body_json(&again)["status"], "already_signed");
    assert_eq!(body_json(&again)["receipt"], body["receipt"]);
    assert_eq!(published_count(&h, NOW_MS + 180_000, "clean-air"), 1);
}

#[test]
fn a_sign_request_for_a_signed_address_looks_the_same() {
    let h = harness();
    h.send(post_json("clean-air", &sign_body(ADDRESS)));
    let token = last_token(&h.mailer);
    h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&token),
    ));
    let later = NOW_MS + 3_600_000;
    let response = at(&h, post_json("clean-air", &sign_body(ADDRESS)), later);
    assert_eq!(response.status, 202);
    assert_eq!(body_json(&response)["status"], "check_email");
    assert_eq!(h.mailer.sent().len(), 2);
}

#[test]
fn one_message_per_signer_and_interval() {
    let h = harness();
    assert_eq!(
        h.send(post_json("clean-air", &sign_body(ADDRESS))).status,
        202
    );
    // The same address however it is spelled: the signer id is what is throttled.
    let again = at(
        &h,
        post_json("clean-air", &sign_body("ann.signer@mail.kz")),
        NOW_MS + 30_000,
    );
    assert_eq!(again.status, 429, "{}", body_text(&again));
    assert_eq!(body_json(&again)["error"]["code"], "mail_rate_limited");
    assert_eq!(again.header("retry-after"), Some("570"));
    assert_eq!(
        body_json(&again)["error"]["message"],
        "Бұл мекенжайға хат жақында жіберілді. Поштаңызды тексеріңіз немесе 10 минуттан кейін қайталаңыз."
    );
    assert_eq!(h.mailer.sent().len(), 1);
    // Another petition, or another signer, is not held back.
    assert_eq!(
        h.send(post_json("green-park", &sign_body(ADDRESS))).status,
        202
    );
    assert_eq!(
        h.send(post_json("clean-air", &sign_body("bob@mail.kz")))
            .status,
        202
    );
}

#[test]
fn a_message_that_cannot_be_sent_is_a_503_and_holds_nothing_back() {
    let mut h = harness();
    h.mailer = MemoryMailer::failing("the mail service refused");
    let response = h.send(post_json("clean-air", &sign_body(ADDRESS)));
    assert_eq!(response.status, 503);
    assert_eq!(body_json(&response)["error"]["code"], "mail_unavailable");
    assert_eq!(response.header("retry-after"), Some("10"));
    assert!(keys(&h).is_empty());
}

#[test]
fn a_filled_honeypot_answers_202_and_sends_nothing() {
    let h = harness();
    let mut body: serde_json::Value = serde_json::from_str(&sign_body(ADDRESS)).unwrap();
    body["website"] = "http://spam.example".into();
    let response = h.send(post_json("clean-air", &body.to_string()));
    assert_eq!(response.status, 202);
    assert!(h.mailer.sent().is_empty());
    assert!(keys(&h).is_empty());
}

#[test]
fn bad_tokens_are_refused_with_their_codes() {
    let h = harness();
    h.send(post_json("clean-air", &sign_body(ADDRESS)));
    let token = last_token(&h.mailer);
    let code = |slug: &str, body: &str, now_ms: u64| {
        let response = at(&h, post_json_to(&confirmations(slug), body), now_ms);
        (
            response.status,
            body_json(&response)["error"]["code"].clone(),
        )
    };
    let mut altered = token.clone().into_bytes();
    altered[10] = if altered[10] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).unwrap();
    assert_eq!(
        code("clean-air", &confirm_body(&altered), NOW_MS),
        (400, "token_invalid".into())
    );
    assert_eq!(
        code("green-park", &confirm_body(&token), NOW_MS),
        (400, "token_invalid".into())
    );
    assert_eq!(
        code("clean-air", "{}", NOW_MS),
        (400, "token_invalid".into())
    );
    assert_eq!(
        code(
            "clean-air",
            &confirm_body(&token),
            NOW_MS + TOKEN_LIFETIME_MS
        ),
        (410, "token_expired".into())
    );
    let response = h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&altered),
    ));
    assert_eq!(
        body_json(&response)["error"]["message"],
        "This confirmation link is not valid. Copy the whole link from the message, or sign again."
    );
    assert!(keys(&h).iter().all(|key| key.starts_with("mail/")));
}

#[test]
fn confirming_after_the_deadline_fails_clearly() {
    let h = harness();
    // `last-day` accepts signatures through 2026-03-01 in +05:00.
    h.send(post_json("last-day", &sign_body(ADDRESS)));
    let token = last_token(&h.mailer);
    let next_day = NOW_MS + 12 * 3_600_000;
    let response = at(
        &h,
        post_json_to(&confirmations("last-day"), &confirm_body(&token)),
        next_day,
    );
    assert_eq!(response.status, 409, "{}", body_text(&response));
    assert_eq!(body_json(&response)["error"]["code"], "petition_not_open");
    assert_eq!(
        body_json(&response)["error"]["message"],
        "The deadline for signing this petition has passed."
    );
}

#[test]
fn withdrawing_takes_a_message_and_one_click_and_counts_once() {
    let h = harness();
    h.send(post_json("clean-air", &sign_body(ADDRESS)));
    let sign_token = last_token(&h.mailer);
    h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&sign_token),
    ));
    assert_eq!(published_count(&h, NOW_MS + 180_000, "clean-air"), 1);

    let later = NOW_MS + 3_600_000;
    let ask = serde_json::json!({"email": ADDRESS, "lang": "ru"}).to_string();
    let response = at(&h, post_json_to(&withdrawals("clean-air"), &ask), later);
    assert_eq!(response.status, 202, "{}", body_text(&response));
    assert_eq!(body_json(&response)["status"], "check_email");
    let mail = h.mailer.sent().pop().unwrap();
    assert_eq!(mail.subject, "Подтвердите отзыв подписи: clean-air");
    assert!(mail
        .text
        .contains("https://petitio.example/ru/petitions/clean-air/confirm/?token="));
    let withdraw_token = token_of(&mail);
    for (n, expected) in [
        (0, (201, "withdrawn")),
        (1, (200, "already_withdrawn")),
        (2, (200, "already_withdrawn")),
    ] {
        let response = at(
            &h,
            post_json_to(&confirmations("clean-air"), &confirm_body(&withdraw_token)),
            later + 1_000 + n * 1_000,
        );
        assert_eq!(
            (
                response.status,
                body_json(&response)["status"].as_str().unwrap()
            ),
            expected
        );
    }
    assert_eq!(published_count(&h, later + 300_000, "clean-air"), 0);
    // The old sign link cannot undo the withdrawal.
    let replayed = at(
        &h,
        post_json_to(&confirmations("clean-air"), &confirm_body(&sign_token)),
        later + 400_000,
    );
    assert_eq!(replayed.status, 409);
    assert_eq!(body_json(&replayed)["error"]["code"], "token_superseded");

    // Signing again afterwards is possible, and counts once more.
    let resign_at = later + 900_000;
    assert_eq!(
        at(&h, post_json("clean-air", &sign_body(ADDRESS)), resign_at).status,
        202
    );
    let resign = last_token(&h.mailer);
    let response = at(
        &h,
        post_json_to(&confirmations("clean-air"), &confirm_body(&resign)),
        resign_at + 1_000,
    );
    assert_eq!(response.status, 201, "{}", body_text(&response));
    assert_eq!(published_count(&h, resign_at + 300_000, "clean-air"), 1);
    // And the old withdraw link cannot undo the new signature.
    let replayed = at(
        &h,
        post_json_to(&confirmations("clean-air"), &confirm_body(&withdraw_token)),
        resign_at + 400_000,
    );
    assert_eq!(body_json(&replayed)["error"]["code"], "token_superseded");
    assert_eq!(published_count(&h, resign_at + 600_000, "clean-air"), 1);
}

#[test]
fn withdrawing_an_address_that_never_signed_says_only_check_your_email() {
    let h = harness();
    let ask = serde_json::json!({"email": "never@mail.kz"}).to_string();
    let response = h.send(post_json_to(&withdrawals("clean-air"), &ask));
    assert_eq!(response.status, 202);
    let token = last_token(&h.mailer);
    let response = h.send(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&token),
    ));
    assert_eq!(response.status, 200);
    assert_eq!(body_json(&response)["status"], "not_signed");
    assert!(keys(&h).iter().all(|key| key.starts_with("mail/")));
}

#[test]
fn without_javascript_every_step_lands_on_a_page() {
    let h = harness();
    let form = "name=Ann&email=ann%40mail.kz&region=astana&consent=on&lang=ru";
    let response = h.send(post_form("clean-air", form));
    assert_eq!(response.status, 303);
    assert_eq!(
        response.header("location"),
        Some("https://petitio.example/ru/petitions/clean-air/signed/?result=check_email#result-check_email")
    );
    let token = last_token(&h.mailer);
    let confirm = format!("token={token}&lang=ru");
    let response = h.send(post_form_to(&confirmations("clean-air"), &confirm));
    // The signed page carries the receipt, which it shows (page fill) and keeps (script).
    let location = response.header("location").unwrap();
    let receipt = location
        .strip_prefix(
            "https://petitio.example/ru/petitions/clean-air/signed/?result=recorded&receipt=",
        )
        .and_then(|rest| rest.strip_suffix("#result-recorded"))
        .unwrap_or_else(|| panic!("{location}"));
    let receipt = petitio_model::transparency::Receipt::parse(receipt).unwrap();
    let commitment = receipt.commitment().to_hex();
    assert!(h
        .store
        .dump()
        .iter()
        .any(|(key, entry)| key.starts_with("log/")
            && entry
                .metadata
                .as_deref()
                .unwrap_or_default()
                .contains(&commitment)));
    let response = h.send(post_form_to(
        &confirmations("clean-air"),
        "token=nonsense&lang=ru",
    ));
    assert_eq!(
        response.header("location"),
        Some("https://petitio.example/ru/petitions/clean-air/confirm/?result=token_invalid#result-token_invalid")
    );
    let response = at(
        &h,
        post_form_to(&withdrawals("clean-air"), "email=ann%40mail.kz&lang=ru"),
        NOW_MS + 3_600_000,
    );
    assert_eq!(
        response.header("location"),
        Some("https://petitio.example/ru/petitions/clean-air/withdraw/?result=check_email#result-check_email")
    );
    let token = last_token(&h.mailer);
    let response = at(
        &h,
        post_form_to(
            &confirmations("clean-air"),
            &format!("token={token}&lang=ru"),
        ),
        NOW_MS + 3_601_000,
    );
    assert_eq!(
        response.header("location"),
        Some("https://petitio.example/ru/petitions/clean-air/withdraw/?result=withdrawn#result-withdrawn")
    );
}

#[test]
fn without_site_origin_the_link_follows_the_request() {
    let mut vars = email_config();
    vars.retain(|(name, _)| *name != "SITE_ORIGIN");
    let h = Harness::new(MemoryStore::new(), config(&vars));
    let req = with_header(
        post_json("clean-air", &sign_body(ADDRESS)),
        "host",
        "127.0.0.1:8080",
    );
    h.send(req);
    let req = with_header(
        with_header(
            post_json("clean-air", &sign_body("b@mail.kz")),
            "host",
            "petitio.example",
        ),
        "origin",
        MIRROR,
    );
    h.send(req);
    let req = with_header(
        post_json("clean-air", &sign_body("c@mail.kz")),
        "host",
        "petitio.example",
    );
    h.send(req);
    let links: Vec<String> = h
        .mailer
        .sent()
        .iter()
        .map(|mail| {
            mail.text
                .lines()
                .find(|l| l.contains("?token="))
                .unwrap()
                .split("?token=")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        links,
        [
            "http://127.0.0.1:8080/kk/petitions/clean-air/confirm/",
            "https://mirror.example/kk/petitions/clean-air/confirm/",
            "https://petitio.example/kk/petitions/clean-air/confirm/",
        ]
    );
}

/// #15 item 4: with the site's "where we are now" note in the manifest, the link goes to the
/// origin the signer signed from when the note lists it, else to the note's main origin:
/// never to an abandoned origin, nor to `SITE_ORIGIN` once the note has moved on from it.
#[test]
fn with_a_where_note_the_link_goes_to_an_origin_the_note_lists() {
    let mut h = harness();
    h.manifest.where_note = Some(ManifestWhere {
        sequence: 2,
        main_origin: "https://new.example".into(),
        origins: vec!["https://new.example".into(), MIRROR.into()],
        abandoned: vec!["https://petitio.example".into()],
    });
    let from = |origin: Option<&str>, email: &str| {
        let req = post_json("clean-air", &sign_body(email));
        let req = match origin {
            Some(origin) => with_header(req, "origin", origin),
            None => req,
        };
        assert_eq!(h.send(req).status, 202);
    };
    from(Some(MIRROR), "a@mail.kz");
    from(Some("https://petitio.example"), "b@mail.kz");
    from(None, "c@mail.kz");
    let links: Vec<String> = h
        .mailer
        .sent()
        .iter()
        .map(|mail| link_origin_of(&mail.text))
        .collect();
    assert_eq!(
        links,
        [MIRROR, "https://new.example", "https://new.example"]
    );
}

/// The origin of the link in a message's text.
fn link_origin_of(text: &str) -> String {
    let line = text.lines().find(|l| l.contains("?token=")).unwrap();
    let link = &line[line.find("http").unwrap()..];
    let after_scheme = link.find("://").unwrap() + 3;
    let end = link[after_scheme..].find('/').unwrap() + after_scheme;
    link[..end].to_owned()
}

#[test]
fn confirmation_none_still_records_at_once() {
    let h = Harness::new(MemoryStore::new(), config(&[]));
    let response = h.send(post_json("clean-air", &sign_body(ADDRESS)));
    assert_eq!(response.status, 201);
    assert!(h.mailer.sent().is_empty());
    // Withdrawing needs a sender even then; without one it is refused for good (no
    // Retry-After: trying again will not help).
    let ask = serde_json::json!({"email": ADDRESS, "lang": "en"}).to_string();
    let response = h.send(post_json_to(&withdrawals("clean-air"), &ask));
    assert_eq!(response.status, 501);
    assert_eq!(
        body_json(&response)["error"]["code"],
        "withdrawal_unavailable"
    );
    assert_eq!(
        body_json(&response)["error"]["message"],
        "This site sends no email, so a signature cannot be withdrawn here: please write to the site's operators."
    );
    assert!(!response
        .headers
        .iter()
        .any(|(name, _)| name == "Retry-After"));
    let _ = block_on(h.store.get("tally"));
}

/// A page on an origin nobody listed: with confirmation by email it signs, confirms and
/// asks for a withdrawal like the main site (ARCHITECTURE.md, "Which origins may sign"),
/// CORS preflights included; the mailed link still goes to `SITE_ORIGIN`, not to the copy.
#[test]
fn a_copy_on_an_unlisted_origin_signs_confirms_and_withdraws() {
    const COPY: &str = "https://volunteer-copy.example";
    let from_copy = |req| {
        with_header(
            with_header(req, "sec-fetch-site", "cross-site"),
            "origin",
            COPY,
        )
    };
    // Not unless the operator chose it: by default only ALLOWED_ORIGINS may.
    let listed_only = harness();
    let refused = listed_only.send(from_copy(post_json("clean-air", &sign_body(ADDRESS))));
    assert_eq!(refused.status, 403, "{}", body_text(&refused));
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let any_origin = [email_config(), vec![("SIGN_FROM_ANY_ORIGIN", "true")]].concat();
    let h = Harness::new(MemoryStore::new(), config(&any_origin));
    for path in [
        signatures_path("clean-air"),
        confirmations("clean-air"),
        withdrawals("clean-air"),
    ] {
        let mut preflight = from_copy(get(&path, &[]));
        preflight.method = "OPTIONS".into();
        let response = h.send(preflight);
        assert_eq!(response.status, 204, "{path}");
        assert_eq!(response.header("access-control-allow-origin"), Some(COPY));
    }
    let signed = h.send(from_copy(post_json("clean-air", &sign_body(ADDRESS))));
    assert_eq!(signed.status, 202, "{}", body_text(&signed));
    assert_eq!(signed.header("access-control-allow-origin"), Some(COPY));
    let mail = h.mailer.sent().pop().unwrap();
    assert!(
        mail.text
            .contains("https://petitio.example/kk/petitions/clean-air/confirm/?token="),
        "{}",
        mail.text
    );
    let confirmed = h.send(from_copy(post_json_to(
        &confirmations("clean-air"),
        &confirm_body(&token_of(&mail)),
    )));
    assert_eq!(confirmed.status, 201, "{}", body_text(&confirmed));
    let ask = serde_json::json!({ "email": ADDRESS, "lang": "en" }).to_string();
    let later = NOW_MS + 3_600_000;
    let withdrawal = at(
        &h,
        from_copy(post_json_to(&withdrawals("clean-air"), &ask)),
        later,
    );
    assert_eq!(withdrawal.status, 202, "{}", body_text(&withdrawal));
}
