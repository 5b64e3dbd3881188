//! How long `petitio serve` waits for a client and how many it serves at once: the limits
//! that keep slow, stalled or hostile clients on a LAN or a small server from tying it up.
//! The defaults live here, in one place; `petitio serve --help` prints them (`describe`)
//! and the README states them.
//!
//! * request head (10 s): the request line and headers must arrive within this time of
//!   the server starting to wait for them, on a new connection or for the next request on
//!   a kept-alive one (hyper's header timer: a deadline, not reset by each byte);
//! * request body (10 s): the whole body must arrive within this time (only the API reads
//!   bodies; a page answers without reading one, and the connection then closes);
//! * idle (60 s): a connection on which no byte is received or sent for this long is
//!   closed, whatever it is doing (a client that stops reading an answer, for instance).
//!   Live reload's event stream sends a keep-alive comment every quarter of it;
//! * connections (256): when all are taken and another client comes, those that have
//!   had a request and on which nothing has moved for a second (`QUIET_BEFORE_CLOSING`)
//!   are closed to make room, at once if idle, else once answered; until a slot is free,
//!   the newcomer waits. A quarter of them may be live-reload streams (which stay open),
//!   so open tabs never crowd pages out.
//!
//! On Ctrl-C, answers in progress get `SHUTDOWN_GRACE` (5 s) to finish.
//!
//! Tests lower the limits through environment variables, read only here:
//! `PETITIO_SERVE_HEADER_TIMEOUT_SECS`, `PETITIO_SERVE_BODY_TIMEOUT_SECS`,
//! `PETITIO_SERVE_IDLE_TIMEOUT_SECS` (whole seconds, 1 to 86400) and
//! `PETITIO_SERVE_MAX_CONNECTIONS` (1 to 65536).

use std::time::Duration;

use crate::error::ServeError;

/// The limits `petitio serve` runs with unless the environment lowers them.
pub const DEFAULT_LIMITS: ConnectionLimits = ConnectionLimits {
    request_head: Duration::from_secs(10),
    request_body: Duration::from_secs(10),
    idle: Duration::from_secs(60),
    max_connections: 256,
};

/// How many connections the system may hold waiting to be accepted while every slot is
/// taken (the system caps it, at `net.core.somaxconn` on Linux). Past it, a client's
/// connection attempts are dropped and it retries, slowly.
pub const LISTEN_QUEUE: u32 = 1024;

/// When every slot is taken and a client waits, connections that have had a request and
/// on which nothing has moved for this long are asked to close (see `connections`).
pub const QUIET_BEFORE_CLOSING: Duration = Duration::from_secs(1);

/// After Ctrl-C, how long answers in progress get to finish before the server exits.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

const HEADER_TIMEOUT_VAR: &str = "PETITIO_SERVE_HEADER_TIMEOUT_SECS";
const BODY_TIMEOUT_VAR: &str = "PETITIO_SERVE_BODY_TIMEOUT_SECS";
const IDLE_TIMEOUT_VAR: &str = "PETITIO_SERVE_IDLE_TIMEOUT_SECS";
const MAX_CONNECTIONS_VAR: &str = "PETITIO_SERVE_MAX_CONNECTIONS";

/// The most the environment may set: a day, and far more connections than file
/// descriptors a process usually gets.
const MAX_TIMEOUT_SECS: u32 = 86_400;
const MAX_CONNECTIONS: u32 = 65_536;

/// One part in this many of the connections may be live-reload streams.
const LIVE_RELOAD_SHARE: usize = 4;

/// Live reload's keep-alive comment comes this many times per idle timeout.
const KEEP_ALIVES_PER_IDLE_TIMEOUT: u32 = 4;

/// Time and connection limits of the server (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub request_head: Duration,
    pub request_body: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// The defaults, with any of the test variables read through `env` applied.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, ServeError> {
        let number = |name: &'static str, max: u32| -> Result<Option<u32>, ServeError> {
            match env(name) {
                None => Ok(None),
                Some(text) => match text.trim().parse::<u32>() {
                    Ok(value) if (1..=max).contains(&value) => Ok(Some(value)),
                    _ => Err(ServeError::Limit {
                        name,
                        value: text,
                        max,
                    }),
                },
            }
        };
        let seconds = |name, default: Duration| {
            number(name, MAX_TIMEOUT_SECS)
                .map(|value| value.map_or(default, |secs| Duration::from_secs(secs.into())))
        };
        Ok(Self {
            request_head: seconds(HEADER_TIMEOUT_VAR, DEFAULT_LIMITS.request_head)?,
            request_body: seconds(BODY_TIMEOUT_VAR, DEFAULT_LIMITS.request_body)?,
            idle: seconds(IDLE_TIMEOUT_VAR, DEFAULT_LIMITS.idle)?,
            max_connections: number(MAX_CONNECTIONS_VAR, MAX_CONNECTIONS)?
                .map_or(DEFAULT_LIMITS.max_connections, |value| value as usize),
        })
    }

    /// How many live-reload event streams may be open at once.
    pub fn live_reload_streams(&self) -> usize {
        (self.max_connections / LIVE_RELOAD_SHARE).max(1)
    }

    /// How often an event stream with nothing to say sends a comment, so the idle timeout
    /// never closes it.
    pub fn keep_alive_interval(&self) -> Duration {
        self.idle / KEEP_ALIVES_PER_IDLE_TIMEOUT
    }

    /// The limits as `petitio serve --help` states them.
    pub fn describe(&self) -> String {
        let seconds = |duration: Duration| format!("{} s", duration.as_secs_f64());
        format!(
            "Limits, so that slow or stalled clients cannot tie the server up:\n  \
             {} to send a request's line and headers (also the wait for the next request on a\n       \
             kept-alive connection)\n  \
             {} to send a request's body\n  \
             {} without a byte sent or received closes a connection (live reload sends a\n       \
             keep-alive comment every {})\n  \
             {} connections at once (live reload may use {} of them); when all are taken, idle\n       \
             ones are closed to make room\n",
            seconds(self.request_head),
            seconds(self.request_body),
            seconds(self.idle),
            seconds(self.keep_alive_interval()),
            self.max_connections,
            self.live_reload_streams(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_ten_seconds_for_a_request_a_minute_idle_and_256_connections() {
        let limits = ConnectionLimits::from_env(|_| None).unwrap();
        assert_eq!(limits, DEFAULT_LIMITS);
        assert_eq!(limits.request_head, Duration::from_secs(10));
        assert_eq!(limits.request_body, Duration::from_secs(10));
        assert_eq!(limits.idle, Duration::from_secs(60));
        assert_eq!(limits.max_connections, 256);
        assert_eq!(limits.live_reload_streams(), 64);
        assert_eq!(limits.keep_alive_interval(), Duration::from_secs(15));
    }

    #[test]
    fn the_environment_lowers_each_limit() {
        let limits = ConnectionLimits::from_env(|name| {
            let value = match name {
                HEADER_TIMEOUT_VAR => "1",
                BODY_TIMEOUT_VAR => "2",
                IDLE_TIMEOUT_VAR => "1",
                MAX_CONNECTIONS_VAR => "3",
                _ => return None,
            };
            Some(value.to_owned())
        })
        .unwrap();
        assert_eq!(
            limits,
            ConnectionLimits {
                request_head: Duration::from_secs(1),
                request_body: Duration::from_secs(2),
                idle: Duration::from_secs(1),
                max_connections: 3,
            }
        );
        assert_eq!(limits.live_reload_streams(), 1);
        assert_eq!(limits.keep_alive_interval(), Duration::from_millis(250));
    }

    #[test]
    fn zero_text_or_too_much_is_refused_naming_the_variable() {
        for value in ["0", "ten", "-1", "86401"] {
            let error = ConnectionLimits::from_env(|name| {
                (name == IDLE_TIMEOUT_VAR).then(|| value.to_owned())
            })
            .unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "PETITIO_SERVE_IDLE_TIMEOUT_SECS must be a whole number from 1 to 86400, \
                     got `{value}`"
                )
            );
        }
        let error = ConnectionLimits::from_env(|name| {
            (name == MAX_CONNECTIONS_VAR).then(|| "65537".to_owned())
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "PETITIO_SERVE_MAX_CONNECTIONS must be a whole number from 1 to 65536, got `65537`"
        );
    }
}
