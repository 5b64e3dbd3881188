//! How `petitio serve` sends confirmation and withdrawal messages (the core's `Mailer`):
//!
//! * by default, with no setup, each message is written as a MIME file (text and HTML
//!   parts) to `<root>/.petitio/outbox/<time>-<n>.eml`, and its link is printed in the
//!   terminal, so signing with confirmation works on a laptop with no mail server;
//! * with `--smtp smtp://host[:port]`, it is sent to that SMTP server with lettre, for
//!   self-hosters (plain SMTP: a relay on this machine or a trusted network).
//!
//! The message is what its recipient asked to receive; nothing else about the address is
//! kept, and the terminal shows only the file and the link, never the address.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use petitio_signatures::mailer::{Mail, Mailer};

use crate::error::ServeError;
use crate::terminal;

/// Where messages go.
#[derive(Debug)]
pub enum LocalMailer {
    Outbox { dir: PathBuf, written: AtomicU64 },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl LocalMailer {
    /// Files in `dir` (created on the first message).
    pub fn outbox(dir: PathBuf) -> Self {
        LocalMailer::Outbox {
            dir,
            written: AtomicU64::new(0),
        }
    }

    /// The SMTP server at `url` (`smtp://host[:port]`), checked now, connected per message.
    pub fn smtp(url: &str) -> Result<Self, ServeError> {
        let (host, port) = smtp_server(url).ok_or_else(|| ServeError::SmtpUrl(url.to_owned()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .build();
        Ok(LocalMailer::Smtp(transport))
    }
}

impl Mailer for LocalMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let message = mime_message(mail)?;
        match self {
            LocalMailer::Outbox { dir, written } => {
                let n = written.fetch_add(1, Ordering::Relaxed);
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.as_millis());
                let path = dir.join(format!("{now}-{n}.eml"));
                write_file(&path, &message.formatted())
                    .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
                terminal::message_written(&path, &mail.link);
                Ok(())
            }
            LocalMailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                // lettre's error can quote the server's answer, which may name the
                // recipient: only its kind is passed on.
                .map_err(|error| smtp_failure(&error)),
        }
    }
}

/// Host and port of `smtp://host[:port][/]` (port 25 by default; an IPv6 host in
/// brackets).
fn smtp_server(url: &str) -> Option<(&str, u16)> {
    let authority = url.strip_prefix("smtp://")?.trim_end_matches('/');
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (authority, 25),
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let valid = !host.is_empty() && !host.contains(['/', '@', '?', '#', ' ']) && port != 0;
    valid.then_some((host, port))
}

/// A message with a plain-text and an HTML alternative.
fn mime_message(mail: &Mail) -> Result<Message, String> {
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|_| format!("EMAIL_FROM {:?} is not an address", mail.from))?;
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|_| "the recipient's address is not one lettre accepts".to_owned())?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|error| format!("cannot build the message: {error}"))
}

/// Written beside its final name, then renamed: a reader never sees half a message.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("eml.partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

fn smtp_failure(error: &lettre::transport::smtp::Error) -> String {
    let kind = if error.is_permanent() {
        "refused the message permanently"
    } else if error.is_transient() {
        "refused the message for now"
    } else {
        "could not be reached or spoke no SMTP"
    };
    format!("the SMTP server {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from: "petitio@localhost".into(),
            to: "ann@mail.kz".into(),
            subject: "Подтвердите вашу подпись: Чистый воздух".into(),
            text: "text part".into(),
            html: "<p>html part</p>".into(),
            link: "http://127.0.0.1:8080/ru/petitions/x/confirm/?token=ab.cd".into(),
        }
    }

    #[tokio::test]
    async fn the_outbox_holds_one_mime_file_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = LocalMailer::outbox(dir.path().join("outbox"));
        mailer.send(&mail()).await.unwrap();
        mailer.send(&mail()).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(files.len(), 2);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(files[0].extension().unwrap() == "eml");
        assert!(
            text.contains("Content-Type: multipart/alternative"),
            "{text}"
        );
        assert!(text.contains("To: ann@mail.kz"), "{text}");
        assert!(text.contains("text part") && text.contains("<p>html part</p>"));
    }

    #[test]
    fn only_smtp_urls_are_accepted() {
        assert_eq!(
            smtp_server("smtp://127.0.0.1:2525"),
            Some(("127.0.0.1", 2525))
        );
        assert_eq!(smtp_server("smtp://mail.lan/"), Some(("mail.lan", 25)));
        assert_eq!(smtp_server("smtp://[::1]:2525"), Some(("::1", 2525)));
        for bad in [
            "smtp://",
            "smtp://a:b",
            "smtp://u@h:25",
            "smtp://h:0",
            "smtps://h",
        ] {
            assert_eq!(smtp_server(bad), None, "{bad}");
        }
        assert_eq!(
            LocalMailer::smtp("http://127.0.0.1:2525")
                .unwrap_err()
                .to_string(),
            "--smtp \"http://127.0.0.1:2525\" is not an SMTP URL: write it as \
             smtp://host:port (plain SMTP, e.g. a relay on this machine)"
        );
    }
}
