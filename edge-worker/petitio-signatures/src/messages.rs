//! Every client-facing message, in Kazakh, Russian and English. Error bodies carry one of
//! these in the request's language; the static site shows its own text for the no-JS
//! redirects, keyed by the same error codes.

use crate::cosignatures::MAX_COSIGNATURE_BYTES;
use crate::email::MAX_EMAIL_CHARS;
use crate::error::{ApiError, CosignatureRefusal, InvalidInput, NotOpenReason};
use crate::validate::{MAX_BODY_BYTES, MAX_NAME_CHARS};

/// A language the API has messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    /// The codes of the languages messages exist in.
    pub const CODES: [&'static str; 3] = ["kk", "ru", "en"];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "kk" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Messages for `code`, English when the site uses a language without messages here.
    pub fn for_code(code: &str) -> Lang {
        Lang::from_code(code).unwrap_or(Lang::En)
    }
}

/// Picks the text for `lang` from a (kk, ru, en) triple.
fn pick(lang: Lang, [kk, ru, en]: [&str; 3]) -> String {
    match lang {
        Lang::Kk => kk,
        Lang::Ru => ru,
        Lang::En => en,
    }
    .to_owned()
}

/// Why a witness's cosignature was refused (for the witness's operator, who reads it in
/// `petitio witness --submit`'s report).
fn cosignature_refusal(refusal: &CosignatureRefusal, lang: Lang) -> String {
    match refusal {
        CosignatureRefusal::Malformed => pick(
            lang,
            [
                "Бұл қосқолтаңба емес: `petitio witness` басып шығарған бір жолды `— <name> <base64>` (C2SP cosignature/v1) жіберіңіз.",
                "Это не косигнатура: отправьте одну строку `— <name> <base64>` (C2SP cosignature/v1), как её печатает `petitio witness`.",
                "Not a cosignature: send one line `— <name> <base64>` (C2SP cosignature/v1) as `petitio witness` prints it.",
            ],
        ),
        CosignatureRefusal::TooLarge => {
            let bytes = MAX_COSIGNATURE_BYTES;
            pick(
                lang,
                [
                    &format!("Қосқолтаңба {bytes} байттан аспауы керек: `petitio witness` басып шығарған бір жолды жіберіңіз."),
                    &format!("Косигнатура занимает не более {bytes} байт: отправьте одну строку, которую печатает `petitio witness`."),
                    &format!("A cosignature is at most {bytes} bytes: send the one line `petitio witness` prints."),
                ],
            )
        }
        CosignatureRefusal::UnknownWitness { witness } => pick(
            lang,
            [
                &format!("{witness} куәгерінің қосқолтаңбасын бұл сайт қабылдамайды: сайт операторы қабылданатын куәгерлерді petitio.toml ішінде, `[log] witnesses` тізімінде көрсетеді."),
                &format!("Этот сайт не принимает косигнатуры свидетеля {witness}: оператор сайта перечисляет принимаемых свидетелей в petitio.toml, `[log] witnesses`."),
                &format!("This site does not accept cosignatures by the witness {witness}: its operator lists the witnesses it accepts in petitio.toml, `[log] witnesses`."),
            ],
        ),
        CosignatureRefusal::NotCurrent => pick(
            lang,
            [
                "Қосқолтаңба осы петицияның ағымдағы бақылау нүктесіне сәйкес келмейді (журнал содан бері өсті немесе жол өзгертілді): `petitio witness --submit` командасын қайта іске қосыңыз.",
                "Косигнатура не относится к текущей контрольной точке этой петиции (журнал с тех пор вырос или строка изменена): запустите `petitio witness --submit` ещё раз.",
                "The cosignature does not cover this petition's current checkpoint (the log has grown since, or the line was changed): run `petitio witness --submit` again.",
            ],
        ),
        CosignatureRefusal::NoLog => pick(
            lang,
            [
                "Бұл петицияның әлі ашықтық журналы жоқ: қосқолтаңба қоятын бақылау нүктесі жоқ.",
                "У этой петиции ещё нет журнала прозрачности: косигнировать пока нечего.",
                "This petition has no transparency log yet: there is no checkpoint to cosign.",
            ],
        ),
    }
}

/// The message for `error` in `lang`.
pub fn message(error: &ApiError, lang: Lang) -> String {
    match error {
        ApiError::Invalid(input) => invalid_input(*input, lang),
        ApiError::MalformedBody => pick(
            lang,
            [
                "Сұрауды оқу мүмкін болмады: JSON-объектіні немесе форманы жіберіңіз.",
                "Не удалось прочитать запрос: отправьте JSON-объект или форму.",
                "The request could not be read: send a JSON object or a form.",
            ],
        ),
        ApiError::BodyTooLarge => {
            let kib = MAX_BODY_BYTES / 1024;
            pick(
                lang,
                [
                    &format!("Сұрау тым үлкен: {kib} КиБ-тан аспауы керек."),
                    &format!("Запрос слишком большой: не более {kib} КиБ."),
                    &format!("The request is too large: at most {kib} KiB."),
                ],
            )
        }
        ApiError::UnsupportedContentType => pick(
            lang,
            [
                "Мазмұн түріне қолдау көрсетілмейді: application/json немесе \
                 application/x-www-form-urlencoded жіберіңіз.",
                "Неподдерживаемый тип содержимого: отправьте application/json или \
                 application/x-www-form-urlencoded.",
                "Unsupported content type: send application/json or \
                 application/x-www-form-urlencoded.",
            ],
        ),
        ApiError::ForbiddenOrigin => pick(
            lang,
            [
                "Қолдар тек петицияның өз сайты арқылы қабылданады. Петиция бетін ашып, сол жерде қол қойыңыз.",
                "Подписи принимаются только с сайта петиции. Откройте страницу петиции и подпишите её там.",
                "Signatures are accepted only from the petition's own site. Open the petition page and sign there.",
            ],
        ),
        ApiError::ChallengeFailed => pick(
            lang,
            [
                "Роботтан қорғау тексеруінен өту мүмкін болмады. Бетті жаңартып, қайталап көріңіз.",
                "Проверка на робота не пройдена. Обновите страницу и попробуйте ещё раз.",
                "The anti-bot check failed. Reload the page and try again.",
            ],
        ),
        ApiError::ChallengeUnavailable => pick(
            lang,
            [
                "Роботтан қорғау тексеруі қазір қолжетімсіз. Бір минуттан кейін қайталап көріңіз.",
                "Проверка на робота сейчас недоступна. Попробуйте ещё раз через минуту.",
                "The anti-bot check is unavailable right now. Please try again in a minute.",
            ],
        ),
        ApiError::RateLimited {
            retry_after_seconds: seconds,
        } => pick(
            lang,
            [
                &format!("Желіңізден тым көп әрекет жасалды. {seconds} секундтан кейін қайталап көріңіз."),
                &format!("Слишком много попыток из вашей сети. Попробуйте ещё раз через {seconds} с."),
                &format!("Too many attempts from your network. Please try again in {seconds} s."),
            ],
        ),
        ApiError::StorageUnavailable => pick(
            lang,
            [
                "Қолыңызды қазір сақтау мүмкін болмады. Бір минуттан кейін қайталап көріңіз.",
                "Сейчас не удалось сохранить вашу подпись. Попробуйте ещё раз через минуту.",
                "Your signature could not be saved right now. Please try again in a minute.",
            ],
        ),
        ApiError::SiteNotBuilt => pick(
            lang,
            [
                "Сайт әлі құрастырылмаған: petitio serve көрсеткен қатені түзетіңіз, сонда қол қою жұмыс істей бастайды.",
                "Сайт ещё не собран: исправьте ошибку, которую показывает petitio serve, и подписи заработают.",
                "The site has not been built yet: fix the error petitio serve shows, and signing starts working.",
            ],
        ),
        ApiError::PetitionNotFound => pick(
            lang,
            [
                "Мұндай петиция жоқ.",
                "Такой петиции нет.",
                "There is no such petition.",
            ],
        ),
        ApiError::RouteNotFound => pick(
            lang,
            [
                "Бұл мекенжайда ештеңе жоқ.",
                "По этому адресу ничего нет.",
                "There is nothing at this address.",
            ],
        ),
        ApiError::NotOpen(reason) => not_open(*reason, lang),
        ApiError::TokenInvalid => pick(
            lang,
            [
                "Бұл растау сілтемесі жарамсыз. Хаттағы сілтемені толық көшіріңіз немесе қайта қол қойыңыз.",
                "Эта ссылка подтверждения недействительна. Скопируйте ссылку из письма целиком или подпишите заново.",
                "This confirmation link is not valid. Copy the whole link from the message, or sign again.",
            ],
        ),
        ApiError::TokenExpired => pick(
            lang,
            [
                "Бұл растау сілтемесінің мерзімі өтті (7 күн). Петиция бетінде қайта қол қойыңыз.",
                "Срок действия этой ссылки истёк (7 дней). Подпишите петицию заново на её странице.",
                "This confirmation link has expired (after 7 days). Sign again on the petition's page.",
            ],
        ),
        ApiError::TokenSuperseded => pick(
            lang,
            [
                "Бұл сілтеме қолыңыздың соңғы өзгерісінен ескі, сондықтан ештеңе өзгертпейді. Жаңа хат сұраңыз.",
                "Эта ссылка старше последнего изменения вашей подписи и ничего не меняет. Запросите новое письмо.",
                "This link is older than your signature's last change, so it changes nothing. Ask for a new message.",
            ],
        ),
        ApiError::MailRateLimited {
            retry_after_seconds: seconds,
        } => {
            let minutes = seconds.div_ceil(60);
            pick(
                lang,
                [
                    &format!("Бұл мекенжайға хат жақында жіберілді. Поштаңызды тексеріңіз немесе {minutes} минуттан кейін қайталаңыз."),
                    &format!("Письмо на этот адрес уже недавно отправлено. Проверьте почту или повторите через {minutes} мин."),
                    &format!("A message went to this address a moment ago. Check your mail, or try again in {minutes} min."),
                ],
            )
        }
        ApiError::MailUnavailable => pick(
            lang,
            [
                "Растау хатын қазір жіберу мүмкін болмады. Бір минуттан кейін қайталап көріңіз.",
                "Сейчас не удалось отправить письмо для подтверждения. Попробуйте ещё раз через минуту.",
                "The confirmation message could not be sent right now. Please try again in a minute.",
            ],
        ),
        ApiError::WithdrawalUnavailable => pick(
            lang,
            [
                "Бұл сайт хат жібермейді, сондықтан қолтаңбаны мұнда кері қайтарып алу мүмкін емес: сайт операторларына жазыңыз.",
                "Этот сайт не отправляет писем, поэтому отозвать подпись здесь нельзя: напишите операторам сайта.",
                "This site sends no email, so a signature cannot be withdrawn here: please write to the site's operators.",
            ],
        ),
        ApiError::Cosignature(refusal) => cosignature_refusal(refusal, lang),
        ApiError::MethodNotAllowed { allow } => pick(
            lang,
            [
                &format!("Бұл мекенжайда тек мына әдістерге рұқсат бар: {allow}."),
                &format!("По этому адресу разрешены только методы: {allow}."),
                &format!("Only these methods are allowed here: {allow}."),
            ],
        ),
    }
}

fn not_open(reason: NotOpenReason, lang: Lang) -> String {
    match reason {
        NotOpenReason::NotYetOpen => pick(
            lang,
            [
                "Бұл петиция әлі қол жинауға ашылған жоқ.",
                "Эта петиция ещё не открыта для подписей.",
                "This petition is not open for signatures yet.",
            ],
        ),
        NotOpenReason::Closed => pick(
            lang,
            [
                "Бұл петиция енді қол қабылдамайды.",
                "Эта петиция больше не принимает подписи.",
                "This petition no longer accepts signatures.",
            ],
        ),
        NotOpenReason::DeadlinePassed => pick(
            lang,
            [
                "Бұл петицияға қол жинау мерзімі аяқталды.",
                "Срок сбора подписей под этой петицией истёк.",
                "The deadline for signing this petition has passed.",
            ],
        ),
    }
}

fn invalid_input(input: InvalidInput, lang: Lang) -> String {
    match input {
        InvalidInput::NameMissing => pick(
            lang,
            [
                "Атыңызды жазыңыз.",
                "Укажите ваше имя.",
                "Please enter your name.",
            ],
        ),
        InvalidInput::NameTooLong => pick(
            lang,
            [
                &format!("Атыңыз тым ұзын: {MAX_NAME_CHARS} таңбадан аспауы керек."),
                &format!("Имя слишком длинное: не более {MAX_NAME_CHARS} символов."),
                &format!("The name is too long: at most {MAX_NAME_CHARS} characters."),
            ],
        ),
        InvalidInput::NameControlCharacters => pick(
            lang,
            [
                "Атыңызда рұқсат етілмеген басқару таңбалары бар. Оны қайта жазыңыз.",
                "Имя содержит недопустимые управляющие символы. Введите имя заново.",
                "The name contains control characters that are not allowed. Please type it again.",
            ],
        ),
        InvalidInput::NameInvisible => pick(
            lang,
            [
                "Атыңызда көрінетін таңба жоқ. Атыңызды әріптермен жазыңыз.",
                "В имени нет видимых символов. Напишите имя буквами.",
                "The name has no visible characters. Please write your name in letters.",
            ],
        ),
        InvalidInput::NameBidiControls => pick(
            lang,
            [
                "Атыңызда мәтін бағытын өзгертетін жасырын таңбалар бар. Атыңызды қайта теріңіз.",
                "Имя содержит скрытые символы, меняющие направление текста. Наберите имя заново.",
                "The name contains hidden characters that change the direction of text. Please type it again.",
            ],
        ),
        InvalidInput::EmailMissing => pick(
            lang,
            [
                "Электрондық пошта мекенжайыңызды жазыңыз.",
                "Укажите адрес электронной почты.",
                "Please enter your email address.",
            ],
        ),
        InvalidInput::EmailTooLong => pick(
            lang,
            [
                &format!("Электрондық пошта мекенжайы тым ұзын: {MAX_EMAIL_CHARS} таңбадан аспауы керек."),
                &format!("Адрес электронной почты слишком длинный: не более {MAX_EMAIL_CHARS} символов."),
                &format!("The email address is too long: at most {MAX_EMAIL_CHARS} characters."),
            ],
        ),
        InvalidInput::EmailMalformed => pick(
            lang,
            [
                "Бұл электрондық пошта мекенжайына ұқсамайды. Тексеріңіз, мысалы: name@example.kz.",
                "Это не похоже на адрес электронной почты. Проверьте его, например: name@example.kz.",
                "This does not look like an email address. Check it, for example: name@example.kz.",
            ],
        ),
        InvalidInput::EmailMixedScripts => pick(
            lang,
            [
                "Электрондық пошта мекенжайында әртүрлі әліпбилердің әріптері араласқан (мысалы, латын әріптерінің арасында кирилл «а»). Оны бір пернетақта тілінде қайта теріңіз.",
                "В адресе электронной почты смешаны буквы разных алфавитов (например, кириллическая «а» среди латинских). Наберите его заново в одной раскладке.",
                "The email address mixes letters of different alphabets (for example a Cyrillic \"а\" among Latin letters). Please type it again in one keyboard layout.",
            ],
        ),
        InvalidInput::RegionMissing => pick(
            lang,
            [
                "Өңіріңізді таңдаңыз.",
                "Выберите ваш регион.",
                "Please choose your region.",
            ],
        ),
        InvalidInput::RegionUnknown => pick(
            lang,
            [
                "Мұндай өңір жоқ. Өңірді тізімнен таңдаңыз.",
                "Такого региона нет. Выберите регион из списка.",
                "There is no such region. Please choose one from the list.",
            ],
        ),
        InvalidInput::ConsentMissing => pick(
            lang,
            [
                "Осы петицияға қол қоюға келісетініңізді растаңыз.",
                "Подтвердите, что вы согласны подписать эту петицию.",
                "Please confirm that you agree to sign this petition.",
            ],
        ),
        InvalidInput::LangUnknown => pick(
            lang,
            [
                "Бұл тіл қолжетімсіз. Сайттағы тілдердің бірін таңдаңыз.",
                "Этот язык недоступен. Выберите один из языков сайта.",
                "This language is not available. Choose one of the site's languages.",
            ],
        ),
        InvalidInput::WrongType(field) => {
            let field = field.as_str();
            pick(
                lang,
                [
                    &format!("«{field}» өрісінің мәні дұрыс емес түрде берілген. Бетті жаңартып, қайталап көріңіз."),
                    &format!("Значение поля «{field}» имеет неверный тип. Обновите страницу и попробуйте ещё раз."),
                    &format!("The field \"{field}\" has a value of the wrong type. Reload the page and try again."),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Field;

    fn every_error() -> Vec<ApiError> {
        let inputs = [
            InvalidInput::NameMissing,
            InvalidInput::NameTooLong,
            InvalidInput::NameControlCharacters,
            InvalidInput::NameInvisible,
            InvalidInput::NameBidiControls,
            InvalidInput::EmailMissing,
            InvalidInput::EmailTooLong,
            InvalidInput::EmailMalformed,
            InvalidInput::EmailMixedScripts,
            InvalidInput::RegionMissing,
            InvalidInput::RegionUnknown,
            InvalidInput::ConsentMissing,
            InvalidInput::LangUnknown,
            InvalidInput::WrongType(Field::ShowName),
        ];
        let mut errors: Vec<ApiError> = inputs.into_iter().map(ApiError::Invalid).collect();
        errors.extend([
            ApiError::MalformedBody,
            ApiError::BodyTooLarge,
            ApiError::UnsupportedContentType,
            ApiError::ForbiddenOrigin,
            ApiError::ChallengeFailed,
            ApiError::ChallengeUnavailable,
            ApiError::RateLimited {
                retry_after_seconds: 5,
            },
            ApiError::StorageUnavailable,
            ApiError::SiteNotBuilt,
            ApiError::PetitionNotFound,
            ApiError::RouteNotFound,
            ApiError::NotOpen(NotOpenReason::NotYetOpen),
            ApiError::NotOpen(NotOpenReason::Closed),
            ApiError::NotOpen(NotOpenReason::DeadlinePassed),
            ApiError::MethodNotAllowed { allow: "GET" },
            ApiError::TokenInvalid,
            ApiError::TokenExpired,
            ApiError::TokenSuperseded,
            ApiError::MailRateLimited {
                retry_after_seconds: 600,
            },
            ApiError::MailUnavailable,
            ApiError::WithdrawalUnavailable,
            ApiError::Cosignature(CosignatureRefusal::Malformed),
            ApiError::Cosignature(CosignatureRefusal::TooLarge),
            ApiError::Cosignature(CosignatureRefusal::UnknownWitness {
                witness: "volunteer-1+1c43ee70".into(),
            }),
            ApiError::Cosignature(CosignatureRefusal::NotCurrent),
            ApiError::Cosignature(CosignatureRefusal::NoLog),
        ]);
        errors
    }

    #[test]
    fn every_message_exists_in_three_distinct_languages() {
        let mut seen = std::collections::HashSet::new();
        for error in every_error() {
            let texts = [Lang::Kk, Lang::Ru, Lang::En].map(|lang| message(&error, lang));
            assert!(texts.iter().all(|text| text.ends_with('.')), "{texts:?}");
            assert!(texts[0] != texts[1] && texts[1] != texts[2], "{texts:?}");
            // Kazakh uses letters Russian lacks; a Russian text pasted by mistake would not.
            let kazakh_letters = "әғқңөұүһі";
            let has_kazakh = |text: &str| {
                text.to_lowercase()
                    .chars()
                    .any(|c| kazakh_letters.contains(c))
            };
            assert!(has_kazakh(&texts[0]), "{}", texts[0]);
            assert!(!has_kazakh(&texts[1]), "{}", texts[1]);
            for text in texts {
                assert!(seen.insert(text.clone()), "duplicate message {text}");
            }
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        assert_eq!(Lang::for_code("de"), Lang::En);
        assert_eq!(Lang::for_code("kk"), Lang::Kk);
    }
}
