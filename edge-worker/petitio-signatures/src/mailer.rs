//! Sending a message: the `Mailer` trait the signing flow is written against, so that the
//! transport is the adapter's: the worker's `send_email` binding (`petitio-worker`),
//! `petitio serve`'s outbox files or SMTP (`petitio-serve`), and [`MemoryMailer`] here for
//! native tests. A mailer is handed the recipient's address once, to send one message; it
//! must not keep or log it (the outbox keeps the message itself, which is what its
//! recipient asked for).

use std::sync::Mutex;

/// One message, in plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the message carries (also in `text` and `html`), for a local transport to
    /// show in the terminal.
    pub link: String,
}

/// Sends messages. Futures need not be `Send` (wasm is single-threaded).
#[allow(async_fn_in_trait)]
pub trait Mailer {
    /// Sends `mail`; the error says why it could not be handed over (for the operator:
    /// it never contains the address).
    async fn send(&self, mail: &Mail) -> Result<(), String>;
}

/// Keeps what it is asked to send, in memory (native tests only read it back).
#[derive(Debug, Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<Mail>>,
    /// When set, every send fails with this text.
    failure: Option<String>,
}

impl MemoryMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A mailer whose every send fails.
    pub fn failing(reason: &str) -> Self {
        Self {
            sent: Mutex::default(),
            failure: Some(reason.to_owned()),
        }
    }

    /// Every message sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent.lock().expect("mailer poisoned").clone()
    }
}

impl Mailer for MemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.sent
            .lock()
            .expect("mailer poisoned")
            .push(mail.clone());
        Ok(())
    }
}
