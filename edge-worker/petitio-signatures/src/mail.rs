//! The confirmation and withdrawal messages, in kk/ru/en: what the signer asked for, the
//! petition's title, the one link to follow (a page of the site with a button: following
//! the link alone changes nothing, since mail scanners fetch links), what happens next,
//! and "if this was not you, ignore it".
//!
//! The texts live here, beside the API's other messages, because the worker cannot run the
//! theme's templates; the HTML part is one fixed template whose placeholders are filled
//! with escaped values ([`escape_html`]), never assembled from pieces.

use crate::mailer::Mail;
use crate::messages::Lang;
use crate::token::Action;
use petitio_model::escape::escape_html;

/// The words of one message in one language.
struct Texts {
    subject: &'static str,
    asked: &'static str,
    button: &'static str,
    next: &'static str,
    not_you: &'static str,
}

fn texts(action: Action, lang: Lang) -> Texts {
    match (action, lang) {
        (Action::Sign, Lang::Kk) => Texts {
            subject: "Қолыңызды растаңыз",
            asked: "Сіз немесе басқа біреу осы мекенжаймен мына петицияға қол қоюды сұрады:",
            button: "Қолымды растау",
            next: "Сілтемені ашып, беттегі батырманы басыңыз: сонда ғана қолыңыз есепке алынады. \
                   Сілтеме 7 күн жарамды. Мекенжайыңыз ешқайда сақталмайды.",
            not_you: "Егер бұл сіз болмасаңыз, бұл хатқа мән бермеңіз: ештеңе жазылмайды.",
        },
        (Action::Sign, Lang::Ru) => Texts {
            subject: "Подтвердите вашу подпись",
            asked: "Вы или кто-то другой указали этот адрес, чтобы подписать петицию:",
            button: "Подтвердить подпись",
            next: "Откройте ссылку и нажмите кнопку на странице: только тогда подпись будет \
                   засчитана. Ссылка действует 7 дней. Ваш адрес нигде не сохраняется.",
            not_you: "Если это были не вы, просто проигнорируйте письмо: ничего не будет записано.",
        },
        (Action::Sign, Lang::En) => Texts {
            subject: "Confirm your signature",
            asked: "You, or someone else, gave this address to sign the petition:",
            button: "Confirm my signature",
            next: "Open the link and press the button on that page: only then is your signature \
                   counted. The link works for 7 days. Your address is not stored anywhere.",
            not_you: "If this was not you, ignore this message: nothing will be recorded.",
        },
        (Action::Withdraw, Lang::Kk) => Texts {
            subject: "Қолыңызды қайтарып алуды растаңыз",
            asked: "Сіз немесе басқа біреу осы мекенжаймен қойылған қолды мына петициядан \
                    қайтарып алуды сұрады:",
            button: "Қолымды қайтарып алу",
            next: "Сілтемені ашып, беттегі батырманы басыңыз: сонда қолыңыз санаудан алынады. \
                   Кейін қайта қол қоюға болады. Сілтеме 7 күн жарамды.",
            not_you: "Егер бұл сіз болмасаңыз, бұл хатқа мән бермеңіз: қолыңыз орнында қалады.",
        },
        (Action::Withdraw, Lang::Ru) => Texts {
            subject: "Подтвердите отзыв подписи",
            asked: "Вы или кто-то другой попросили отозвать подпись, поставленную с этого \
                    адреса, под петицией:",
            button: "Отозвать подпись",
            next: "Откройте ссылку и нажмите кнопку на странице: тогда подпись будет снята со \
                   счёта. Потом можно подписать снова. Ссылка действует 7 дней.",
            not_you: "Если это были не вы, просто проигнорируйте письмо: подпись останется.",
        },
        (Action::Withdraw, Lang::En) => Texts {
            subject: "Confirm withdrawing your signature",
            asked: "You, or someone else, asked to withdraw the signature given with this \
                    address from the petition:",
            button: "Withdraw my signature",
            next: "Open the link and press the button on that page: then your signature is \
                   taken off the count. You can sign again later. The link works for 7 days.",
            not_you: "If this was not you, ignore this message: your signature stays.",
        },
    }
}

/// The HTML part; every `{…}` is replaced by an escaped value.
const HTML_TEMPLATE: &str = "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<title>{subject}</title></head><body>\n<p>{asked}</p>\n<p><strong>{title}</strong></p>\n\
<p><a href=\"{link}\">{button}</a></p>\n<p>{next}</p>\n<p>{not_you}</p>\n</body></html>\n";

/// The plain-text part.
const TEXT_TEMPLATE: &str = "{asked}\n\n  {title}\n\n{button}:\n{link}\n\n{next}\n\n{not_you}\n";

/// What a message is about.
pub struct MailRequest<'a> {
    pub action: Action,
    pub lang: Lang,
    pub title: &'a str,
    /// The absolute URL of the confirm page, with its token.
    pub link: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

/// The message for `request`.
pub fn compose(request: &MailRequest<'_>) -> Mail {
    let texts = texts(request.action, request.lang);
    let values = [
        ("{lang}", request.lang.code()),
        ("{subject}", texts.subject),
        ("{asked}", texts.asked),
        ("{title}", request.title),
        ("{link}", request.link),
        ("{button}", texts.button),
        ("{next}", texts.next),
        ("{not_you}", texts.not_you),
    ];
    Mail {
        from: request.from.to_owned(),
        to: request.to.to_owned(),
        subject: format!("{}: {}", texts.subject, one_line(request.title)),
        text: fill(TEXT_TEMPLATE, &values, |value| value.to_owned()),
        html: fill(HTML_TEMPLATE, &values, escape_html),
        link: request.link.to_owned(),
    }
}

/// `template` with each placeholder replaced once by its value, passed through `escape`.
/// Placeholders are replaced in one pass over the template, so a value that contains
/// another placeholder's name is never expanded.
fn fill(template: &str, values: &[(&str, &str)], escape: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        match values.iter().find(|(name, _)| tail.starts_with(name)) {
            Some((name, value)) => {
                out.push_str(&escape(value));
                rest = &tail[name.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A subject is one line: line breaks in a title become spaces.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n']).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(title: &str) -> MailRequest<'_> {
        MailRequest {
            action: Action::Sign,
            lang: Lang::Ru,
            title,
            link: "https://p.example/ru/petitions/x/confirm/?token=ab.cd",
            from: "petitio@p.example",
            to: "ann@mail.kz",
        }
    }

    #[test]
    fn the_message_names_the_petition_and_the_link_in_both_parts() {
        let mail = compose(&request("Чистый воздух"));
        assert_eq!(mail.subject, "Подтвердите вашу подпись: Чистый воздух");
        assert!(mail.text.contains("\n  Чистый воздух\n"));
        assert!(mail
            .text
            .contains("https://p.example/ru/petitions/x/confirm/?token=ab.cd"));
        assert!(mail.html.contains(
            "<a href=\"https://p.example/ru/petitions/x/confirm/?token=ab.cd\">Подтвердить подпись</a>"
        ));
        assert!(mail.html.contains("просто проигнорируйте письмо"));
    }

    #[test]
    fn a_title_is_escaped_and_never_expands() {
        let mail = compose(&request("<b>\"A\" & {link}\nB</b>"));
        assert!(mail
            .html
            .contains("<strong>&lt;b&gt;&quot;A&quot; &amp; {link}\nB&lt;/b&gt;</strong>"));
        assert_eq!(
            mail.subject,
            "Подтвердите вашу подпись: <b>\"A\" & {link} B</b>"
        );
    }
}
