//! Every error status of the API with its exact body, headers and language, and the
//! no-JS redirect for each outcome.

mod common;

use common::*;
use petitio_signatures::store::MemoryStore;

fn harness() -> Harness<MemoryStore> {
    Harness::new(MemoryStore::new(), config(&[]))
}

fn error_body(code: &str, message: &str, field: Option<&str>) -> String {
    let field = field.map_or("null".to_owned(), |field| format!("\"{field}\""));
    format!(r#"{{"error":{{"code":"{code}","message":"{message}","field":{field}}}}}"#)
}

fn assert_error(
    response: &petitio_signatures::http::ApiResponse,
    status: u16,
    code: &str,
    message: &str,
    field: Option<&str>,
) {
    assert_eq!(response.status, status, "{}", body_text(response));
    assert_eq!(body_text(response), error_body(code, message, field));
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

fn english(req: petitio_signatures::http::ApiRequest) -> petitio_signatures::http::ApiRequest {
    with_header(req, "accept-language", "en-GB,en;q=0.9")
}

#[test]
fn invalid_input_names_the_field_in_the_request_language() {
    let h = harness();
    let no_name = r#"{"email":"a@mail.kz","region":"abroad","consent":true,"lang":"en"}"#;
    assert_error(
        &h.send(post_json("clean-air", no_name)),
        400,
        "invalid_input",
        "Please enter your name.",
        Some("name"),
    );
    let russian = r#"{"name":"A","email":"nope","region":"abroad","consent":true,"lang":"ru"}"#;
    assert_error(
        &h.send(post_json("clean-air", russian)),
        400,
        "invalid_input",
        "Это не похоже на адрес электронной почты. Проверьте его, например: name@example.kz.",
        Some("email"),
    );
    // No `lang` and no Accept-Language: the site's default, Kazakh.
    let kazakh = r#"{"name":"A","email":"a@mail.kz","region":"abroad"}"#;
    assert_error(
        &h.send(post_json("clean-air", kazakh)),
        400,
        "invalid_input",
        "Осы петицияға қол қоюға келісетініңізді растаңыз.",
        Some("consent"),
    );
    let mars = r#"{"name":"A","email":"a@mail.kz","region":"mars","consent":true,"lang":"en"}"#;
    assert_error(
        &h.send(post_json("clean-air", mars)),
        400,
        "invalid_input",
        "There is no such region. Please choose one from the list.",
        Some("region"),
    );
}

#[test]
fn malformed_body() {
    assert_error(
        &harness().send(english(post_json("clean-air", "{\"name\":"))),
        400,
        "malformed_body",
        "The request could not be read: send a JSON object or a form.",
        None,
    );
}

#[test]
fn forbidden_origin() {
    let req = with_header(
        post_json("clean-air", &sign_body("a@mail.kz")),
        "sec-fetch-site",
        "cross-site",
    );
    let req = english(with_header(req, "origin", "https://evil.example"));
    assert_error(
        &harness().send(req),
        403,
        "forbidden_origin",
        "Signatures are accepted only from the petition's own site. Open the petition page and sign there.",
        None,
    );
}

#[test]
fn failed_and_unavailable_challenge() {
    let mut h = Harness::new(
        MemoryStore::new(),
        config(&[("TURNSTILE_SECRET", "2x0000000000000000000000000000000AA")]),
    );
    let missing_token = english(post_json("clean-air", &sign_body("a@mail.kz")));
    assert_error(
        &h.send(missing_token),
        403,
        "challenge_failed",
        "The anti-bot check failed. Reload the page and try again.",
        None,
    );
    let mut body: serde_json::Value = serde_json::from_str(&sign_body("a@mail.kz")).unwrap();
    body["turnstile_token"] = "token-1".into();
    h.turnstile = ScriptedTurnstile::answering(Ok(false));
    assert_error(
        &h.send(english(post_json("clean-air", &body.to_string()))),
        403,
        "challenge_failed",
        "The anti-bot check failed. Reload the page and try again.",
        None,
    );
    h.turnstile = ScriptedTurnstile::answering(Err("connection refused".into()));
    let response = h.send(english(post_json("clean-air", &body.to_string())));
    assert_error(
        &response,
        503,
        "challenge_unavailable",
        "The anti-bot check is unavailable right now. Please try again in a minute.",
        None,
    );
    assert_eq!(response.header("retry-after"), Some("10"));
    assert!(h.store.dump().is_empty());
    h.turnstile = ScriptedTurnstile::answering(Ok(true));
    assert_eq!(
        h.send(post_json("clean-air", &body.to_string())).status,
        201
    );
    assert_eq!(*h.turnstile.tokens.lock().unwrap(), ["token-1"]);
}

#[test]
fn unknown_petition_and_route() {
    let h = harness();
    assert_error(
        &h.send(english(post_json("no-such", &sign_body("a@mail.kz")))),
        404,
        "petition_not_found",
        "There is no such petition.",
        None,
    );
    assert_error(
        &h.send(english(get("/api/petitions/no-such/count", &[]))),
        404,
        "petition_not_found",
        "There is no such petition.",
        None,
    );
    assert_error(
        &h.send(get("/api/nothing", &[("accept-language", "ru")])),
        404,
        "not_found",
        "По этому адресу ничего нет.",
        None,
    );
}

#[test]
fn wrong_method() {
    let h = harness();
    let response = h.send(english(get(&signatures_path("clean-air"), &[])));
    assert_error(
        &response,
        405,
        "method_not_allowed",
        "Only these methods are allowed here: POST, OPTIONS.",
        None,
    );
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    let mut delete = get("/api/counts", &[]);
    delete.method = "DELETE".into();
    assert_eq!(h.send(delete).header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn petitions_not_open() {
    let h = harness();
    let cases = [
        ("old-road", "This petition no longer accepts signatures."),
        (
            "new-bridge",
            "This petition is not open for signatures yet.",
        ),
        (
            "expired",
            "The deadline for signing this petition has passed.",
        ),
    ];
    for (slug, message) in cases {
        assert_error(
            &h.send(english(post_json(slug, &sign_body("a@mail.kz")))),
            409,
            "petition_not_open",
            message,
            None,
        );
    }
    // The deadline day itself is still open (in Kazakhstan's time zone).
    assert_eq!(
        h.send(post_json("last-day", &sign_body("a@mail.kz")))
            .status,
        201
    );
}

#[test]
fn body_too_large_by_header_or_by_bytes() {
    let h = harness();
    let declared = with_header(post_json("clean-air", "{}"), "content-length", "5000");
    assert_error(
        &h.send(english(declared)),
        413,
        "body_too_large",
        "The request is too large: at most 4 KiB.",
        None,
    );
    let padded = format!("{{\"name\":\"{}\"}}", "x".repeat(5000));
    assert_error(
        &h.send(with_header(
            post_json("clean-air", &padded),
            "accept-language",
            "kk",
        )),
        413,
        "body_too_large",
        "Сұрау тым үлкен: 4 КиБ-тан аспауы керек.",
        None,
    );
}

#[test]
fn unsupported_content_type() {
    let req = with_header(post_json("clean-air", "{}"), "content-type", "text/plain");
    assert_error(
        &harness().send(english(req)),
        415,
        "unsupported_content_type",
        "Unsupported content type: send application/json or application/x-www-form-urlencoded.",
        None,
    );
}

#[test]
fn rate_limited_after_the_burst() {
    let h = harness();
    for n in 0..5 {
        let response = h.send(post_json("clean-air", &sign_body(&format!("s{n}@mail.kz"))));
        assert_eq!(response.status, 201);
    }
    let response = h.send(english(post_json("clean-air", &sign_body("late@mail.kz"))));
    assert_error(
        &response,
        429,
        "rate_limited",
        "Too many attempts from your network. Please try again in 60 s.",
        None,
    );
    assert_eq!(response.header("retry-after"), Some("60"));
    // Limits are per petition.
    assert_eq!(
        h.send(post_json("green-park", &sign_body("late@mail.kz")))
            .status,
        201
    );
}

#[test]
fn storage_failure_is_never_a_success() {
    use petitio_signatures::sim::{SimConfig, SimulatedKv};
    let kv = SimulatedKv::new(
        SimConfig {
            failure_per_million: 1_000_000,
            ..SimConfig::default()
        },
        NOW_MS,
    );
    let h = Harness::new(kv.at(0), config(&[]));
    let response = h.send(english(post_json("clean-air", &sign_body("a@mail.kz"))));
    assert_error(
        &response,
        503,
        "storage_unavailable",
        "Your signature could not be saved right now. Please try again in a minute.",
        None,
    );
    assert_eq!(response.header("retry-after"), Some("10"));
    assert_error(
        &h.send(english(get("/api/counts", &[]))),
        503,
        "storage_unavailable",
        "Your signature could not be saved right now. Please try again in a minute.",
        None,
    );
}

#[test]
fn form_posts_are_redirected_to_the_site() {
    let h = harness();
    let form = "name=Aliya&email=aliya%40mail.kz&region=astana&consent=on&lang=ru";
    let response = h.send(post_form("clean-air", form));
    assert_eq!(response.status, 303);
    assert_eq!(
        response.header("location"),
        Some("/ru/petitions/clean-air/signed/?result=recorded#result-recorded")
    );
    assert_eq!(
        h.send(post_form("clean-air", form)).header("location"),
        Some("/ru/petitions/clean-air/signed/?result=already_signed#result-already_signed")
    );
    assert_eq!(
        h.send(post_form("clean-air", "name=&lang=en"))
            .header("location"),
        Some("/en/petitions/clean-air/?result=invalid_input&field=name#sign-error-name")
    );
    assert_eq!(
        h.send(post_form("old-road", form)).header("location"),
        Some("/ru/petitions/old-road/?result=petition_not_open#sign-error-petition_not_open")
    );
    assert_eq!(
        h.send(post_form("no-such", form)).header("location"),
        Some("/kk/?result=petition_not_found")
    );
}

#[test]
fn redirects_go_to_the_mirror_or_the_site_origin() {
    let h = Harness::new(
        MemoryStore::new(),
        config(&[("SITE_ORIGIN", "https://site.example")]),
    );
    let form = "name=A&email=a%40mail.kz&region=astana&consent=on";
    assert_eq!(
        h.send(post_form("clean-air", form)).header("location"),
        Some("https://site.example/kk/petitions/clean-air/signed/?result=recorded#result-recorded")
    );
    let from_mirror = with_header(post_form("green-park", form), "origin", MIRROR);
    assert_eq!(
        from_mirror_location(&h, from_mirror),
        "https://mirror.example/kk/petitions/green-park/signed/?result=recorded#result-recorded"
    );
}

fn from_mirror_location(
    h: &Harness<MemoryStore>,
    req: petitio_signatures::http::ApiRequest,
) -> String {
    h.send(req).header("location").unwrap().to_owned()
}

#[test]
fn cors_only_for_allowed_origins() {
    let h = harness();
    let allowed = h.send(get("/api/counts", &[("origin", MIRROR)]));
    assert_eq!(allowed.header("access-control-allow-origin"), Some(MIRROR));
    assert_eq!(allowed.header("vary"), Some("Origin"));
    let other = h.send(get("/api/counts", &[("origin", "https://evil.example")]));
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(other.header("vary"), Some("Origin"));

    let mut preflight = get(&signatures_path("clean-air"), &[("origin", MIRROR)]);
    preflight.method = "OPTIONS".into();
    let response = h.send(preflight.clone());
    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("Content-Type")
    );
    let refused = h.send(with_header(preflight, "origin", "https://evil.example"));
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("access-control-allow-origin"), None);
}
