//! Sign-request parsing and validation: size limit first, then the body (JSON, or a
//! form-urlencoded no-JS form), then every field against its limits and the manifest.
//! Parsing never trusts the input: this module is the fuzz target's entry point.

use std::collections::BTreeMap;

use crate::email::{canonicalize, CanonicalEmail, EmailProblem};
use crate::error::{ApiError, Field, InvalidInput};
use crate::lookalike::{is_bidi_override_or_isolate, is_invisible};
use petitio_model::manifest::Manifest;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 4096;
/// Longest accepted name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 100;

/// The honeypot: a field hidden from people, which bots fill in.
pub const HONEYPOT_FIELD: &str = "website";
/// Turnstile's token: `turnstile_token` in JSON, `cf-turnstile-response` in the widget's form.
const TURNSTILE_FIELDS: [&str; 2] = ["turnstile_token", "cf-turnstile-response"];

/// How the body is encoded, from `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Form,
}

impl BodyFormat {
    /// `application/json` or `application/x-www-form-urlencoded` (parameters ignored).
    pub fn from_content_type(content_type: Option<&str>) -> Result<BodyFormat, ApiError> {
        let media_type = content_type
            .and_then(|value| value.split(';').next())
            .map(|value| value.trim().to_ascii_lowercase());
        match media_type.as_deref() {
            Some("application/json") => Ok(BodyFormat::Json),
            Some("application/x-www-form-urlencoded") => Ok(BodyFormat::Form),
            _ => Err(ApiError::UnsupportedContentType),
        }
    }
}

/// Refuses bodies over `MAX_BODY_BYTES`, by the declared `Content-Length` and by the
/// bytes actually received (a client may lie or stream without a length).
pub fn check_body_size(content_length: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
    let declared_too_large = content_length
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|length| length > MAX_BODY_BYTES as u64);
    if declared_too_large || body.len() > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge);
    }
    Ok(())
}

/// Reads a sign request's body as far as it can be read, reporting the first problem in
/// the API's order: size (413), content type (415), then the body itself (400).
pub fn read_body(
    content_type: Option<&str>,
    content_length: Option<&str>,
    body: &[u8],
) -> Result<RawSignRequest, ApiError> {
    check_body_size(content_length, body)?;
    let format = BodyFormat::from_content_type(content_type)?;
    parse_body(format, body)
}

/// A field's raw value as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RawValue {
    Text(String),
    Flag(bool),
    /// A JSON number, array or object: never valid for any field.
    Other,
}

/// A parsed but unvalidated body. Unknown fields are ignored; in forms the first of
/// repeated fields wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSignRequest {
    fields: BTreeMap<String, RawValue>,
}

/// A validated sign request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// Trimmed; at most `MAX_NAME_CHARS`; no control characters.
    pub name: String,
    pub email: CanonicalEmail,
    /// The address as typed (trimmed): where a confirmation message goes. Used once, to
    /// send it; never stored.
    pub address: String,
    /// One of the manifest's region codes.
    pub region: String,
    pub show_name: bool,
    /// One of the manifest's languages.
    pub lang: String,
    /// The honeypot was filled in: answer as if recorded, store nothing.
    pub honeypot_filled: bool,
    pub turnstile_token: Option<String>,
}

/// A validated request for a withdrawal message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawRequest {
    pub email: CanonicalEmail,
    /// Where the message goes; never stored.
    pub address: String,
    pub lang: String,
    pub honeypot_filled: bool,
    pub turnstile_token: Option<String>,
}

/// Parses `body` (its size already checked) as `format`.
pub fn parse_body(format: BodyFormat, body: &[u8]) -> Result<RawSignRequest, ApiError> {
    let mut fields = BTreeMap::new();
    match format {
        BodyFormat::Json => {
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(body).map_err(|_| ApiError::MalformedBody)?;
            for (name, value) in object {
                let value = match value {
                    serde_json::Value::Null => continue,
                    serde_json::Value::String(text) => RawValue::Text(text),
                    serde_json::Value::Bool(flag) => RawValue::Flag(flag),
                    _ => RawValue::Other,
                };
                fields.insert(name, value);
            }
        }
        BodyFormat::Form => {
            for (name, value) in decode_form(body)? {
                fields.entry(name).or_insert(RawValue::Text(value));
            }
        }
    }
    Ok(RawSignRequest { fields })
}

impl RawSignRequest {
    /// The `lang` field when it names one of the site's languages: the language for
    /// messages even when other fields are invalid.
    pub fn requested_lang<'m>(&self, manifest: &'m Manifest) -> Option<&'m str> {
        self.requested_lang_among(&manifest.languages)
    }

    /// The `lang` field when it is one of `languages`.
    pub fn requested_lang_among<'l, L: AsRef<str>>(&self, languages: &'l [L]) -> Option<&'l str> {
        match self.fields.get(Field::Lang.as_str()) {
            Some(RawValue::Text(code)) => languages
                .iter()
                .map(AsRef::as_ref)
                .find(|lang| *lang == code.trim()),
            _ => None,
        }
    }

    /// Checks every field; the first problem found (in form order) is the error.
    pub fn validate(&self, manifest: &Manifest) -> Result<SignRequest, ApiError> {
        let lang = self.lang(manifest)?;
        let name = validate_name(self.text(Field::Name)?.unwrap_or_default())?;
        let (email, address) = self.email()?;
        let region = match self.text(Field::Region)?.map(str::trim) {
            None | Some("") => return Err(invalid(InvalidInput::RegionMissing)),
            Some(code) if manifest.regions.iter().any(|region| region == code) => code.to_owned(),
            Some(_) => return Err(invalid(InvalidInput::RegionUnknown)),
        };
        if !self.flag(Field::Consent)? {
            return Err(invalid(InvalidInput::ConsentMissing));
        }
        Ok(SignRequest {
            name,
            email,
            address,
            region,
            show_name: self.flag(Field::ShowName)?,
            lang,
            honeypot_filled: self.honeypot_filled(),
            turnstile_token: self.turnstile_token()?,
        })
    }

    /// A withdrawal request's fields: the address and the language.
    pub fn validate_withdrawal(&self, manifest: &Manifest) -> Result<WithdrawRequest, ApiError> {
        let lang = self.lang(manifest)?;
        let (email, address) = self.email()?;
        Ok(WithdrawRequest {
            email,
            address,
            lang,
            honeypot_filled: self.honeypot_filled(),
            turnstile_token: self.turnstile_token()?,
        })
    }

    /// The token of a confirmation (`token`), trimmed.
    pub fn token(&self) -> Result<&str, ApiError> {
        match self.text(Field::Token) {
            Ok(Some(token)) => Ok(token.trim()),
            _ => Err(ApiError::TokenInvalid),
        }
    }

    /// `lang`, else the site's default.
    fn lang(&self, manifest: &Manifest) -> Result<String, ApiError> {
        Ok(match self.text(Field::Lang)? {
            None => manifest.default_language.clone(),
            Some(_) => self
                .requested_lang(manifest)
                .ok_or(invalid(InvalidInput::LangUnknown))?
                .to_owned(),
        })
    }

    /// The canonical address and the address as typed (trimmed).
    fn email(&self) -> Result<(CanonicalEmail, String), ApiError> {
        let typed = self.text(Field::Email)?.unwrap_or_default();
        let email = canonicalize(typed).map_err(|problem| {
            invalid(match problem {
                EmailProblem::Missing => InvalidInput::EmailMissing,
                EmailProblem::TooLong => InvalidInput::EmailTooLong,
                EmailProblem::Malformed => InvalidInput::EmailMalformed,
                EmailProblem::MixedScripts => InvalidInput::EmailMixedScripts,
            })
        })?;
        Ok((email, typed.trim().to_owned()))
    }

    /// Text of `field`; `None` when absent or empty after trimming.
    fn text(&self, field: Field) -> Result<Option<&str>, ApiError> {
        match self.fields.get(field.as_str()) {
            None => Ok(None),
            Some(RawValue::Text(text)) if text.trim().is_empty() => Ok(None),
            Some(RawValue::Text(text)) => Ok(Some(text)),
            Some(_) => Err(invalid(InvalidInput::WrongType(field))),
        }
    }

    /// A yes/no: JSON `true`/`false`, or the text a checkbox or a script sends.
    fn flag(&self, field: Field) -> Result<bool, ApiError> {
        match self.fields.get(field.as_str()) {
            None => Ok(false),
            Some(RawValue::Flag(flag)) => Ok(*flag),
            Some(RawValue::Text(text)) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" | "" => Ok(false),
                _ => Err(invalid(InvalidInput::WrongType(field))),
            },
            Some(RawValue::Other) => Err(invalid(InvalidInput::WrongType(field))),
        }
    }

    fn honeypot_filled(&self) -> bool {
        match self.fields.get(HONEYPOT_FIELD) {
            None | Some(RawValue::Flag(false)) => false,
            Some(RawValue::Text(text)) => !text.trim().is_empty(),
            Some(RawValue::Flag(true) | RawValue::Other) => true,
        }
    }

    fn turnstile_token(&self) -> Result<Option<String>, ApiError> {
        for name in TURNSTILE_FIELDS {
            match self.fields.get(name) {
                Some(RawValue::Text(token)) if !token.trim().is_empty() => {
                    return Ok(Some(token.trim().to_owned()))
                }
                Some(RawValue::Flag(_) | RawValue::Other) => {
                    return Err(invalid(InvalidInput::WrongType(Field::TurnstileToken)))
                }
                _ => {}
            }
        }
        Ok(None)
    }
}

/// Decodes `application/x-www-form-urlencoded` strictly: a bad `%` escape or bytes that
/// are not UTF-8 make the body malformed (rather than turning into U+FFFD in a name).
fn decode_form(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |&b| b == b'=');
            let name = decode_component(parts.next().unwrap_or_default())?;
            let value = decode_component(parts.next().unwrap_or_default())?;
            Ok((name, value))
        })
        .collect()
}

fn decode_component(encoded: &[u8]) -> Result<String, ApiError> {
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let [high, low] = rest
                    .get(..2)
                    .and_then(|hex| <[u8; 2]>::try_from(hex).ok())
                    .ok_or(ApiError::MalformedBody)?;
                bytes.push(hex_value(high)? << 4 | hex_value(low)?);
                rest = &rest[2..];
            }
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::MalformedBody)
}

fn hex_value(digit: u8) -> Result<u8, ApiError> {
    char::from(digit)
        .to_digit(16)
        .map(|value| value as u8)
        .ok_or(ApiError::MalformedBody)
}

fn invalid(input: InvalidInput) -> ApiError {
    ApiError::Invalid(input)
}

/// A name is trimmed of white space and of invisible characters at its ends; it must
/// show something, contain no control characters and no bidi embedding, override or
/// isolate (which would make it, and the text after it on a page, read in another
/// order), and have at most `MAX_NAME_CHARS` characters.
fn validate_name(raw: &str) -> Result<String, ApiError> {
    if raw.trim().is_empty() {
        return Err(invalid(InvalidInput::NameMissing));
    }
    if raw.chars().any(is_bidi_override_or_isolate) {
        return Err(invalid(InvalidInput::NameBidiControls));
    }
    let name = raw.trim_matches(is_invisible);
    if name.is_empty() {
        return Err(invalid(InvalidInput::NameInvisible));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(InvalidInput::NameControlCharacters));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(InvalidInput::NameTooLong));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use petitio_model::manifest::ManifestPetition;
    use proptest::prelude::*;

    fn manifest() -> Manifest {
        Manifest {
            log_key: None,
            witnesses: Vec::new(),
            where_note: None,
            version: 1,
            base_path: "/".into(),
            default_language: "kk".into(),
            languages: vec!["kk".into(), "ru".into(), "en".into()],
            regions: vec!["almaty-city".into(), "abroad".into()],
            region_names: Default::default(),
            number_groups: Default::default(),
            plural_tables: Default::default(),
            utc_offset: Default::default(),
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

    fn json(body: &str) -> Result<SignRequest, ApiError> {
        parse_body(BodyFormat::Json, body.as_bytes())?.validate(&manifest())
    }

    fn form(body: &str) -> Result<SignRequest, ApiError> {
        parse_body(BodyFormat::Form, body.as_bytes())?.validate(&manifest())
    }

    fn problem(result: Result<SignRequest, ApiError>) -> InvalidInput {
        match result {
            Err(ApiError::Invalid(input)) => input,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_json_request() {
        let request = json(
            r#"{"name":"  Әлия ","email":"Aliya@Mail.kz","region":"abroad","consent":true,
                "show_name":"on","lang":"ru","turnstile_token":"tok"}"#,
        )
        .unwrap();
        assert_eq!(request.name, "Әлия");
        assert_eq!(request.email.as_str(), "aliya@mail.kz");
        assert_eq!(request.region, "abroad");
        assert!(request.show_name);
        assert_eq!(request.lang, "ru");
        assert!(!request.honeypot_filled);
        assert_eq!(request.turnstile_token.as_deref(), Some("tok"));
    }

    #[test]
    fn accepts_a_form_with_defaults() {
        let request = form(
            "name=Ann+Lee&email=ann%40mail.kz&region=almaty-city&consent=on&website=&cf-turnstile-response=t",
        )
        .unwrap();
        assert_eq!(request.name, "Ann Lee");
        assert!(!request.show_name);
        assert_eq!(request.lang, "kk");
        assert_eq!(request.turnstile_token.as_deref(), Some("t"));
    }

    #[test]
    fn notices_the_honeypot() {
        let request =
            form("name=A&email=a%40mail.kz&region=abroad&consent=yes&website=http%3A%2F%2Fspam")
                .unwrap();
        assert!(request.honeypot_filled);
    }

    #[test]
    fn reports_each_problem() {
        let ok = "email=a%40mail.kz&region=abroad&consent=on";
        assert_eq!(problem(form(ok)), InvalidInput::NameMissing);
        assert_eq!(
            problem(form(&format!(
                "name={}&{ok}",
                "я".repeat(MAX_NAME_CHARS + 1)
            ))),
            InvalidInput::NameTooLong
        );
        assert!(form(&format!("name={}&{ok}", "я".repeat(MAX_NAME_CHARS))).is_ok());
        assert_eq!(
            problem(form(&format!("name=A%07B&{ok}"))),
            InvalidInput::NameControlCharacters
        );
        // Zero-width space, zero-width joiner, Hangul filler, blank Braille.
        assert_eq!(
            problem(form(&format!(
                "name=%E2%80%8B+%E2%80%8D%E3%85%A4%E2%A0%80&{ok}"
            ))),
            InvalidInput::NameInvisible
        );
        // "Aliya" then a right-to-left override: the page would show what follows reversed.
        assert_eq!(
            problem(form(&format!("name=Aliya%E2%80%AE&{ok}"))),
            InvalidInput::NameBidiControls
        );
        assert_eq!(
            problem(form(&format!("name=%E2%81%A6Aliya%E2%81%A9&{ok}"))),
            InvalidInput::NameBidiControls
        );
        assert_eq!(
            problem(form(
                "name=A&email=ann%40gm%D0%B0il.com&region=abroad&consent=on"
            )),
            InvalidInput::EmailMixedScripts
        );
        assert_eq!(
            problem(form("name=A&region=abroad&consent=on")),
            InvalidInput::EmailMissing
        );
        assert_eq!(
            problem(form("name=A&email=nope&region=abroad&consent=on")),
            InvalidInput::EmailMalformed
        );
        assert_eq!(
            problem(form("name=A&email=a%40mail.kz&consent=on")),
            InvalidInput::RegionMissing
        );
        assert_eq!(
            problem(form("name=A&email=a%40mail.kz&region=mars&consent=on")),
            InvalidInput::RegionUnknown
        );
        assert_eq!(
            problem(form("name=A&email=a%40mail.kz&region=abroad")),
            InvalidInput::ConsentMissing
        );
        assert_eq!(
            problem(form("name=A&email=a%40mail.kz&region=abroad&consent=no")),
            InvalidInput::ConsentMissing
        );
        assert_eq!(
            problem(form(&format!("lang=de&name=A&{ok}"))),
            InvalidInput::LangUnknown
        );
        assert_eq!(
            problem(json(r#"{"name":1}"#)),
            InvalidInput::WrongType(Field::Name)
        );
        assert_eq!(
            problem(json(
                r#"{"name":"A","email":"a@mail.kz","region":"abroad","consent":"maybe"}"#
            )),
            InvalidInput::WrongType(Field::Consent)
        );
    }

    #[test]
    fn refuses_unreadable_bodies() {
        for body in ["", "[1]", "{", "\"text\""] {
            assert_eq!(json(body), Err(ApiError::MalformedBody), "{body:?}");
        }
        for body in [&b"name=%FF"[..], b"name=%4", b"name=%+1", b"name=\xff"] {
            assert_eq!(
                parse_body(BodyFormat::Form, body),
                Err(ApiError::MalformedBody),
                "{body:?}"
            );
        }
    }

    #[test]
    fn recognises_content_types() {
        assert_eq!(
            BodyFormat::from_content_type(Some("application/json; charset=utf-8")),
            Ok(BodyFormat::Json)
        );
        assert_eq!(
            BodyFormat::from_content_type(Some("Application/X-WWW-Form-Urlencoded")),
            Ok(BodyFormat::Form)
        );
        for other in [None, Some("text/plain"), Some("multipart/form-data")] {
            assert_eq!(
                BodyFormat::from_content_type(other),
                Err(ApiError::UnsupportedContentType)
            );
        }
    }

    #[test]
    fn limits_body_size() {
        let limit = vec![b' '; MAX_BODY_BYTES];
        assert_eq!(check_body_size(Some("4096"), &limit), Ok(()));
        assert_eq!(
            check_body_size(Some("4097"), b"{}"),
            Err(ApiError::BodyTooLarge)
        );
        assert_eq!(
            check_body_size(None, &[b' '; MAX_BODY_BYTES + 1]),
            Err(ApiError::BodyTooLarge)
        );
    }

    proptest! {
        #[test]
        fn accepted_names_respect_the_limits(name in "\\PC{0,120}") {
            let body = serde_json::json!({
                "name": name, "email": "a@mail.kz", "region": "abroad", "consent": true
            });
            if let Ok(request) = json(&body.to_string()) {
                prop_assert!(!request.name.is_empty());
                prop_assert!(request.name.chars().count() <= MAX_NAME_CHARS);
                prop_assert!(!request.name.chars().any(char::is_control));
                prop_assert!(!request.name.chars().any(is_bidi_override_or_isolate));
                prop_assert!(!request.name.chars().all(is_invisible));
                prop_assert_eq!(request.name.trim(), request.name.as_str());
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            for format in [BodyFormat::Json, BodyFormat::Form] {
                if let Ok(raw) = parse_body(format, &body) {
                    let _ = raw.validate(&manifest());
                }
            }
        }

        #[test]
        fn accepted_regions_and_languages_come_from_the_manifest(region in "[a-z-]{0,12}", lang in "[a-z]{0,3}") {
            let body = serde_json::json!({
                "name": "A", "email": "a@mail.kz", "region": region, "consent": true, "lang": lang
            });
            if let Ok(request) = json(&body.to_string()) {
                prop_assert!(manifest().regions.contains(&request.region));
                prop_assert!(manifest().languages.contains(&request.lang));
            }
        }
    }
}
