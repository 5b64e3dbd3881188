//! A running `petitio serve` for the serve tests: the real binary on a copy of a fixture
//! site, spoken to over plain TCP so a test controls every byte (the `Host` header, a
//! request sent half, a body that never ends). Waits are bounded polls (up to `PATIENCE`),
//! never assertions on how long things take.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::TestSite;

/// How long to wait for something that should happen soon before failing.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub const SLUG: &str = "serve-test";
pub const PETITION_FILE: &str = "content/petitions/serve-test/index.kk.md";
pub const PETITION_PAGE: &str = "/kk/petitions/serve-test/";

/// An open petition without a deadline, with `body` as its text.
pub fn petition(body: &str) -> String {
    format!(
        "+++\n\
         title = \"Сынақ петициясы\"\n\
         summary = \"Жергілікті серверді тексеру.\"\n\
         addressee = \"Әкімдік\"\n\
         created = 2026-01-10\n\
         status = \"open\"\n\
         +++\n\
         {body}\n"
    )
}

/// The `valid` fixture plus an open petition without a deadline.
pub fn site() -> TestSite {
    let site = TestSite::copy("valid");
    site.write(PETITION_FILE, &petition("Бірінші нұсқа."));
    site
}

/// A running `petitio serve`; killed if a test fails before stopping it.
pub struct Server {
    child: Child,
    /// `127.0.0.1:<port>`, as printed.
    pub address: String,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    /// `petitio --root <site> serve`.
    pub fn start(site: &TestSite) -> Server {
        Server::start_with(site, &[], &[])
    }

    /// `petitio --root <site> serve <args>`, with `env` added to the environment.
    pub fn start_with(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_petitio"));
        command.arg("--root").arg(site.root());
        Server::spawn(command, args, env)
    }

    /// `petitio serve` run inside the site's folder, as the README's first command does.
    pub fn start_in_site_folder(site: &TestSite) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_petitio"));
        command.current_dir(site.root());
        Server::spawn(command, &[], &[])
    }

    fn spawn(mut command: Command, args: &[&str], env: &[(&str, &str)]) -> Server {
        command
            .args(["serve", "--port", "0"])
            .args(args)
            .env_remove("SIGNING_KEY")
            .env_remove("LOG_SIGNING_KEY")
            .env_remove("ALLOWED_ORIGINS")
            .env_remove("TURNSTILE_SECRET")
            .env("SIGNATURE_CONFIRMATION", "none")
            .env("SETTLE_SECONDS", "0")
            .env("RATE_LIMIT_BURST", "100/60")
            .env("RATE_LIMIT_SUSTAINED", "1000/3600")
            .env("PETITIO_TALLY_INTERVAL_SECS", "1");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("petitio starts");
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        let address = loop {
            match stdout.recv_timeout(PATIENCE) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("Serving http://") {
                        break url.split('/').next().unwrap().to_owned();
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let errors: Vec<String> = stderr.try_iter().collect();
                    panic!("petitio serve did not start:\n{}", errors.join("\n"));
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || stdout.into_iter().for_each(drop));
        Server {
            child,
            address,
            stderr,
        }
    }

    pub fn port(&self) -> &str {
        self.address.rsplit(':').next().unwrap()
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A new connection to the server.
    pub fn connect(&self) -> TcpStream {
        TcpStream::connect(&self.address).expect("the server accepts")
    }

    pub fn get(&self, path: &str) -> Response {
        self.get_for_host(path, &self.address)
    }

    /// `GET path` naming `host` in the `Host` header.
    pub fn get_for_host(&self, path: &str, host: &str) -> Response {
        self.request(&format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n"))
    }

    pub fn sign(&self, email: &str) -> Response {
        self.sign_with(email, &[])
    }

    /// Signs the test petition from the server's own origin, with `extra` headers.
    pub fn sign_with(&self, email: &str, extra: &[(&str, &str)]) -> Response {
        let origin = self.origin();
        let mut headers = vec![("Host", self.address.as_str()), ("Origin", &origin)];
        headers.extend_from_slice(extra);
        self.sign_with_only(email, &headers)
    }

    /// Signs the test petition with exactly `headers` (and the body's own).
    pub fn sign_with_only(&self, email: &str, headers: &[(&str, &str)]) -> Response {
        let body = serde_json::json!({
            "name": "Test Signer",
            "email": email,
            "region": "almaty-city",
            "lang": "kk",
            "consent": true,
        })
        .to_string();
        let headers: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        self.request(&format!(
            "POST /api/petitions/{SLUG}/signatures HTTP/1.0\r\n{headers}\
             Content-Type: application/json\r\nAccept: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ))
    }

    /// Sends `raw` on a new connection and reads the answer to its end.
    pub fn request(&self, raw: &str) -> Response {
        let mut stream = self.connect();
        stream.write_all(raw.as_bytes()).unwrap();
        Response::read_from(&mut stream)
    }

    /// Polls `path` until `done` holds for its response.
    pub fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        self.wait_within(PATIENCE, path, what, done)
    }

    /// Polls `path` until `done` holds for its response, for up to `patience`.
    pub fn wait_within(
        &self,
        patience: Duration,
        path: &str,
        what: &str,
        done: impl Fn(&Response) -> bool,
    ) -> Response {
        let started = Instant::now();
        loop {
            let response = self.get(path);
            if done(&response) {
                return response;
            }
            assert!(
                started.elapsed() < patience,
                "{what}: last answer to {path} was {} {}",
                response.status,
                response.body
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The published count of the test petition once the counting job has run.
    pub fn wait_for_count(&self, expected: u64) {
        self.wait_for(
            &format!("/api/petitions/{SLUG}/count"),
            "the count",
            |response| {
                let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
                json["count"] == expected && !json["updated_at"].is_null()
            },
        );
    }

    /// Everything the server printed to stderr so far.
    pub fn errors(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Ctrl-C, as a user would; the server must exit successfully.
    pub fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit {status}: {}", self.errors());
                return;
            }
            assert!(started.elapsed() < PATIENCE, "petitio serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// Reads `stream` until the server closes it (the end of the stream, or a reset when the
/// server dropped bytes it had not read) and returns what came; fails naming `what` if it
/// is still open after `deadline`.
pub fn read_until_closed(stream: &mut TcpStream, deadline: Duration, what: &str) -> Vec<u8> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(250)))
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
            Err(error) if timed_out(&error) => assert!(
                started.elapsed() < deadline,
                "{what}: still open after {deadline:?}, after {:?}",
                String::from_utf8_lossy(&received)
            ),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return received,
            Err(error) => panic!("{what}: {error}"),
        }
    }
}

/// A read that found nothing within the socket's read timeout.
pub fn timed_out(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// One HTTP answer.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// Reads `stream` until the server closes it (within `PATIENCE`), and parses what came.
    pub fn read_from(stream: &mut TcpStream) -> Response {
        Response::parse(&read_until_closed(stream, PATIENCE, "the answer"))
    }

    pub fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap();
        Response {
            status: status.parse().unwrap(),
            headers: lines
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }
}

/// An open `/_petitio/livereload` connection.
pub struct EventStream {
    stream: TcpStream,
    pub received: String,
}

impl EventStream {
    /// Connects and waits until the server has subscribed it to reloads.
    pub fn open(server: &Server) -> EventStream {
        let mut events = EventStream::request(server);
        events.wait_for(": connected", "the event stream's greeting");
        events
    }

    /// Connects and asks for the stream, without waiting for an answer.
    pub fn request(server: &Server) -> EventStream {
        let mut stream = server.connect();
        stream
            .write_all(
                format!(
                    "GET /_petitio/livereload HTTP/1.1\r\nHost: {}\r\n\
                     Accept: text/event-stream\r\n\r\n",
                    server.address
                )
                .as_bytes(),
            )
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        EventStream {
            stream,
            received: String::new(),
        }
    }

    pub fn wait_for_reload(&mut self) {
        self.wait_for("event: reload", "a reload event");
    }

    /// Reads until `text` has been received `times` times in all.
    pub fn wait_for_times(&mut self, text: &str, times: usize, what: &str) {
        let started = Instant::now();
        let mut buffer = [0u8; 4096];
        while self.received.matches(text).count() < times {
            assert!(
                started.elapsed() < PATIENCE,
                "{what}: received only {:?}",
                self.received
            );
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("{what}: the stream ended after {:?}", self.received),
                Ok(read) => self
                    .received
                    .push_str(&String::from_utf8_lossy(&buffer[..read])),
                Err(error) if timed_out(&error) => {}
                Err(error) => panic!("{what}: {error}"),
            }
        }
    }

    pub fn wait_for(&mut self, text: &str, what: &str) {
        self.wait_for_times(text, 1, what);
    }
}
