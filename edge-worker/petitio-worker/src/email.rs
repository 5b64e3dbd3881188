//! `Mailer` over Cloudflare Email Service's `send_email` binding (`EMAIL` in
//! wrangler.toml): `env.EMAIL.send({from, to, subject, text, html})`, through workers-rs'
//! typed `SendEmail`. The error passed on never quotes the runtime's text, which could
//! name the recipient.

use petitio_signatures::mailer::{Mail, Mailer};
use worker::{Env, SendEmail, SendEmailBuilder};

/// The binding wrangler.toml declares under `[[send_email]]`.
pub const EMAIL_BINDING: &str = "EMAIL";

/// Sends through the binding, when the worker has one.
pub struct EmailBinding(Option<SendEmail>);

impl EmailBinding {
    pub fn from_env(env: &Env) -> Self {
        Self(env.get_binding::<SendEmail>(EMAIL_BINDING).ok())
    }
}

impl Mailer for EmailBinding {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let Some(binding) = &self.0 else {
            return Err(format!(
                "the {EMAIL_BINDING} send_email binding is missing: see wrangler.toml"
            ));
        };
        let message = SendEmailBuilder::new(&mail.from, &mail.to, &mail.subject);
        message.set_text(&mail.text);
        message.set_html(&mail.html);
        binding
            .send_with_builder(&message)
            .await
            .map(|_| ())
            .map_err(|_| "the send_email binding refused the message".to_owned())
    }
}
