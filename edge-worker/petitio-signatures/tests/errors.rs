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

/// A store every operation of which fails.
fn failing_kv() -> petitio_signatures::sim::SimulatedKv {
    use petitio_signatures::sim::{SimConfig, SimulatedKv};
    SimulatedKv::new(
        SimConfig {
            failure_per_million: 1_000_000,
            ..SimConfig::default()
        },
        NOW_MS,
    )
}

#[test]
fn storage_failure_is_never_a_success() {
    let kv = failing_kv();
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
        without_receipt(response.header("location").unwrap()),
        "/ru/petitions/clean-air/signed/?result=recorded#result-recorded"
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
    // The form's language, though the petition is unknown (issue #10, item 15).
    assert_eq!(
        h.send(post_form("no-such", form)).header("location"),
        Some("/ru/?result=petition_not_found")
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
        without_receipt(
            h.send(post_form("clean-air", form))
                .header("location")
                .unwrap()
        ),
        "https://site.example/kk/petitions/clean-air/signed/?result=recorded#result-recorded"
    );
    let from_mirror = with_header(post_form("green-park", form), "origin", MIRROR);
    assert_eq!(
        without_receipt(&from_mirror_location(&h, from_mirror)),
        "https://mirror.example/kk/petitions/green-park/signed/?result=recorded#result-recorded"
    );
}

/// A new signature's redirect less its receipt (`&receipt=petitio-receipt-v1:<slug>:<r>`,
/// checked to be one: the signed page shows it).
fn without_receipt(location: &str) -> String {
    let (before, rest) = location.split_once("&receipt=").expect("a receipt");
    let (receipt, after) = rest.split_once('#').expect("a fragment after it");
    petitio_model::transparency::Receipt::parse(receipt).expect("a receipt");
    format!("{before}#{after}")
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

/// The language each error message must be in: the body's `lang` first (against an
/// `Accept-Language` naming another language), then `Accept-Language`, then the site's
/// default. Every error code, in each of kk, ru and en.
mod language_of_every_error {
    use super::*;
    use petitio_signatures::error::{ApiError, InvalidInput, NotOpenReason};
    use petitio_signatures::http::{ApiRequest, ApiResponse};
    use petitio_signatures::messages::{message, Lang};
    use petitio_signatures::store::KvStore;

    const LANGS: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// Another language than `lang`, for the header the body must win over.
    fn other(lang: Lang) -> Lang {
        match lang {
            Lang::Kk => Lang::Ru,
            Lang::Ru => Lang::En,
            Lang::En => Lang::Kk,
        }
    }

    /// A sign request's JSON body with `lang` (None: without the field).
    fn body(email: &str, lang: Option<Lang>) -> String {
        let mut body: serde_json::Value = serde_json::from_str(&sign_body(email)).unwrap();
        if let Some(lang) = lang {
            body["lang"] = lang.code().into();
        }
        body.to_string()
    }

    fn with_languages(req: ApiRequest, accept: Option<Lang>) -> ApiRequest {
        match accept {
            Some(lang) => with_header(req, "accept-language", lang.code()),
            None => req,
        }
    }

    /// A sign request for `slug` with a body in `lang` and an `Accept-Language`.
    fn sign<S: KvStore>(
        h: &Harness<S>,
        slug: &str,
        lang: Option<Lang>,
        accept: Option<Lang>,
    ) -> ApiResponse {
        h.send(with_languages(
            post_json(slug, &body("a@mail.kz", lang)),
            accept,
        ))
    }

    fn message_of(response: &ApiResponse) -> (String, String) {
        let body = body_json(response);
        (
            body["error"]["code"].as_str().unwrap().to_owned(),
            body["error"]["message"].as_str().unwrap().to_owned(),
        )
    }

    fn assert_in(response: &ApiResponse, error: &ApiError, lang: Lang, case: &str) {
        assert_eq!(
            response.status,
            error.status(),
            "{case}: {}",
            body_text(response)
        );
        assert_eq!(
            message_of(response),
            (error.code().to_owned(), message(error, lang)),
            "{case} in {lang:?}"
        );
    }

    /// Sends a case's request with a body language and an Accept-Language.
    type Send = Box<dyn Fn(Option<Lang>, Option<Lang>) -> ApiResponse>;
    /// Sends a case's request with an Accept-Language.
    type SendBodyless = Box<dyn Fn(Option<Lang>) -> ApiResponse>;

    /// Errors a sign request with a readable body can meet: they follow its `lang`.
    fn with_a_readable_body() -> Vec<(&'static str, ApiError, Send)> {
        let turnstile = [("TURNSTILE_SECRET", "2x0000000000000000000000000000000AA")];
        vec![
            (
                "invalid input",
                ApiError::Invalid(InvalidInput::ConsentMissing),
                Box::new(|lang, accept| {
                    let mut body: serde_json::Value =
                        serde_json::from_str(&body("a@mail.kz", lang)).unwrap();
                    body["consent"] = false.into();
                    harness().send(with_languages(
                        post_json("clean-air", &body.to_string()),
                        accept,
                    ))
                }),
            ),
            (
                "forbidden origin",
                ApiError::ForbiddenOrigin,
                Box::new(|lang, accept| {
                    let req = with_header(
                        post_json("clean-air", &body("a@mail.kz", lang)),
                        "sec-fetch-site",
                        "cross-site",
                    );
                    let req = with_header(req, "origin", "https://evil.example");
                    harness().send(with_languages(req, accept))
                }),
            ),
            (
                "challenge failed",
                ApiError::ChallengeFailed,
                Box::new(move |lang, accept| {
                    let h = Harness::new(MemoryStore::new(), config(&turnstile));
                    sign(&h, "clean-air", lang, accept)
                }),
            ),
            (
                "challenge unavailable",
                ApiError::ChallengeUnavailable,
                Box::new(move |lang, accept| {
                    let mut h = Harness::new(MemoryStore::new(), config(&turnstile));
                    h.turnstile = ScriptedTurnstile::answering(Err("unreachable".into()));
                    let mut body: serde_json::Value =
                        serde_json::from_str(&body("a@mail.kz", lang)).unwrap();
                    body["turnstile_token"] = "token".into();
                    h.send(with_languages(
                        post_json("clean-air", &body.to_string()),
                        accept,
                    ))
                }),
            ),
            (
                "rate limited",
                ApiError::RateLimited {
                    retry_after_seconds: 60,
                },
                Box::new(|lang, accept| {
                    let h =
                        Harness::new(MemoryStore::new(), config(&[("RATE_LIMIT_BURST", "1/60")]));
                    assert_eq!(
                        h.send(post_json("clean-air", &body("a@mail.kz", None)))
                            .status,
                        201
                    );
                    h.send(with_languages(
                        post_json("clean-air", &body("b@mail.kz", lang)),
                        accept,
                    ))
                }),
            ),
            (
                "storage unavailable",
                ApiError::StorageUnavailable,
                Box::new(|lang, accept| {
                    let kv = failing_kv();
                    let h = Harness::new(kv.at(0), config(&[]));
                    sign(&h, "clean-air", lang, accept)
                }),
            ),
            (
                "unknown petition",
                ApiError::PetitionNotFound,
                Box::new(|lang, accept| sign(&harness(), "no-such", lang, accept)),
            ),
            (
                "petition not open",
                ApiError::NotOpen(NotOpenReason::Closed),
                Box::new(|lang, accept| sign(&harness(), "old-road", lang, accept)),
            ),
            (
                "unknown route",
                ApiError::RouteNotFound,
                Box::new(|lang, accept| {
                    let mut req = post_json("clean-air", &body("a@mail.kz", lang));
                    req.path = "/api/petitions/clean-air/nothing".into();
                    harness().send(with_languages(req, accept))
                }),
            ),
            (
                "method not allowed",
                ApiError::MethodNotAllowed {
                    allow: "POST, OPTIONS",
                },
                Box::new(|lang, accept| {
                    let mut req = post_json("clean-air", &body("a@mail.kz", lang));
                    req.method = "PUT".into();
                    harness().send(with_languages(req, accept))
                }),
            ),
        ]
    }

    /// Errors of requests whose body says nothing (unreadable, or none at all): they
    /// follow `Accept-Language`.
    fn without_a_readable_body() -> Vec<(&'static str, ApiError, SendBodyless)> {
        vec![
            (
                "malformed body",
                ApiError::MalformedBody,
                Box::new(|accept| {
                    harness().send(with_languages(
                        post_json("clean-air", r#"{"lang":"en","name":"#),
                        accept,
                    ))
                }),
            ),
            (
                "body too large",
                ApiError::BodyTooLarge,
                Box::new(|accept| {
                    let padded = format!(r#"{{"lang":"en","name":"{}"}}"#, "x".repeat(5000));
                    harness().send(with_languages(post_json("clean-air", &padded), accept))
                }),
            ),
            (
                "unsupported content type",
                ApiError::UnsupportedContentType,
                Box::new(|accept| {
                    let req = with_header(
                        post_json("clean-air", r#"{"lang":"en"}"#),
                        "content-type",
                        "text/plain",
                    );
                    harness().send(with_languages(req, accept))
                }),
            ),
            (
                "unknown petition's count",
                ApiError::PetitionNotFound,
                Box::new(|accept| {
                    harness().send(with_languages(
                        get("/api/petitions/no-such/count", &[]),
                        accept,
                    ))
                }),
            ),
            (
                "unknown route",
                ApiError::RouteNotFound,
                Box::new(|accept| harness().send(with_languages(get("/api/nothing", &[]), accept))),
            ),
            (
                "method not allowed",
                ApiError::MethodNotAllowed {
                    allow: "POST, OPTIONS",
                },
                Box::new(|accept| {
                    harness().send(with_languages(
                        get(&signatures_path("clean-air"), &[]),
                        accept,
                    ))
                }),
            ),
            (
                "counts unavailable",
                ApiError::StorageUnavailable,
                Box::new(|accept| {
                    let kv = failing_kv();
                    let h = Harness::new(kv.at(0), config(&[]));
                    h.send(with_languages(get("/api/counts", &[]), accept))
                }),
            ),
        ]
    }

    #[test]
    fn follow_the_bodys_lang_before_accept_language() {
        for (case, error, send) in with_a_readable_body() {
            for lang in LANGS {
                assert_in(&send(Some(lang), Some(other(lang))), &error, lang, case);
                assert_in(&send(None, Some(lang)), &error, lang, case);
            }
            assert_in(&send(None, None), &error, Lang::Kk, case);
        }
    }

    #[test]
    fn follow_accept_language_when_the_body_cannot_say() {
        for (case, error, send) in without_a_readable_body() {
            for lang in LANGS {
                assert_in(&send(Some(lang)), &error, lang, case);
            }
            assert_in(&send(None), &error, Lang::Kk, case);
        }
    }

    #[test]
    fn the_no_js_answer_for_an_unknown_petition_follows_the_form_too() {
        let form = "name=A&email=a%40mail.kz&region=astana&consent=on&lang=en";
        let req = with_header(post_form("no-such", form), "accept-language", "ru");
        assert_eq!(
            harness().send(req).header("location"),
            Some("/en/?result=petition_not_found")
        );
    }

    #[test]
    fn the_unavailable_answer_follows_the_body_then_accept_language() {
        let req = with_header(
            post_json("clean-air", &body("a@mail.kz", Some(Lang::Ru))),
            "accept-language",
            "kk",
        );
        let response = petitio_signatures::api::unavailable(&ApiError::StorageUnavailable, &req);
        assert_in(
            &response,
            &ApiError::StorageUnavailable,
            Lang::Ru,
            "unavailable",
        );
        assert_eq!(response.header("retry-after"), Some("10"));
        let req = with_header(get("/api/counts", &[]), "accept-language", "kk-KZ");
        assert_in(
            &petitio_signatures::api::unavailable(&ApiError::StorageUnavailable, &req),
            &ApiError::StorageUnavailable,
            Lang::Kk,
            "unavailable",
        );
        assert_in(
            &petitio_signatures::api::unavailable(
                &ApiError::StorageUnavailable,
                &get("/api/counts", &[]),
            ),
            &ApiError::StorageUnavailable,
            Lang::En,
            "unavailable without a language",
        );
    }
}
