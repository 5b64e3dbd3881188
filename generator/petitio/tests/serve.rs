//! `petitio serve` end to end: the real binary on a copy of a fixture site, spoken to over
//! plain HTTP. Pages carry the CSP of `_headers`; signatures go through the real API into
//! the local database and survive a restart; an edit reloads open pages; a broken file
//! shows its error in the browser until it is fixed, while the server keeps answering.
//! Waits are bounded polls (up to `PATIENCE`), never assertions on how long things take.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::TestSite;

/// How long to wait for something that should happen soon before failing.
const PATIENCE: Duration = Duration::from_secs(30);

const SLUG: &str = "serve-test";
const PETITION_FILE: &str = "content/petitions/serve-test/index.kk.md";
const PETITION_PAGE: &str = "/kk/petitions/serve-test/";

fn petition(body: &str) -> String {
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
fn site() -> TestSite {
    let site = TestSite::copy("valid");
    site.write(PETITION_FILE, &petition("Бірінші нұсқа."));
    site
}

/// A running `petitio serve`; killed if a test fails before stopping it.
struct Server {
    child: Child,
    address: String,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    /// `petitio --root <site> serve`.
    fn start(site: &TestSite) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_petitio"));
        command.arg("--root").arg(site.root());
        Server::spawn(command)
    }

    /// `petitio serve` run inside the site's folder, as the README's first command does.
    fn start_in_site_folder(site: &TestSite) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_petitio"));
        command.current_dir(site.root());
        Server::spawn(command)
    }

    fn spawn(mut command: Command) -> Server {
        let mut child = command
            .args(["serve", "--port", "0"])
            .env_remove("SIGNING_KEY")
            .env_remove("ALLOWED_ORIGINS")
            .env_remove("TURNSTILE_SECRET")
            .env("SETTLE_SECONDS", "0")
            .env("RATE_LIMIT_BURST", "100/60")
            .env("RATE_LIMIT_SUSTAINED", "1000/3600")
            .env("PETITIO_TALLY_INTERVAL_SECS", "1")
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

    fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    fn get(&self, path: &str) -> Response {
        self.request(&format!(
            "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n",
            self.address
        ))
    }

    fn sign(&self, email: &str) -> Response {
        self.sign_from(email, None)
    }

    /// Signs as a visitor whose address a CDN reports in `CF-Connecting-IP`, if given.
    fn sign_from(&self, email: &str, client_ip: Option<&str>) -> Response {
        let forwarded = client_ip
            .map(|address| format!("CF-Connecting-IP: {address}\r\n"))
            .unwrap_or_default();
        let body = serde_json::json!({
            "name": "Test Signer",
            "email": email,
            "region": "almaty-city",
            "lang": "kk",
            "consent": true,
        })
        .to_string();
        self.request(&format!(
            "POST /api/petitions/{SLUG}/signatures HTTP/1.0\r\nHost: {}\r\nOrigin: {}\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\n{forwarded}\
             Content-Length: {}\r\n\r\n{body}",
            self.address,
            self.origin(),
            body.len()
        ))
    }

    fn request(&self, raw: &str) -> Response {
        let mut stream = TcpStream::connect(&self.address).expect("the server accepts");
        stream.write_all(raw.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        Response::parse(&answer)
    }

    /// Polls `path` until `done` holds for its response.
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let started = Instant::now();
        loop {
            let response = self.get(path);
            if done(&response) {
                return response;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{what}: last answer to {path} was {} {}",
                response.status,
                response.body
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The published count of the test petition once the counting job has run.
    fn wait_for_count(&self, expected: u64) {
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
    fn errors(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Ctrl-C, as a user would; the server must exit successfully.
    fn stop(mut self) {
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

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
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

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Front matter that is not TOML.
const BROKEN_PETITION: &str = "+++\ntitle = \n+++\nБұзылған.\n";

/// What `petitio check` says of the site: the message the server must show too.
fn check_errors(site: &TestSite) -> String {
    let checked = site.run(&["check"]);
    assert!(!checked.status.success());
    common::stderr(&checked).trim_end().to_owned()
}

/// The `Content-Security-Policy` the build writes into `_headers` for every path.
fn csp_in_headers_file(site: &TestSite) -> String {
    site.read(".petitio/site/_headers")
        .lines()
        .find_map(|line| line.trim().strip_prefix("Content-Security-Policy: "))
        .expect("_headers sets a CSP")
        .to_owned()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn pages_are_served_as_a_static_host_serves_them_with_the_headers_file_applied() {
    let site = site();
    let server = Server::start(&site);

    let page = server.get(PETITION_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Бірінші нұсқа."));
    assert_eq!(
        page.header("content-security-policy"),
        Some(csp_in_headers_file(&site).as_str())
    );
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page
        .body
        .contains("<script src=\"/_petitio/livereload.js\" defer></script>"));

    let script = server.get("/_petitio/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script
        .body
        .contains("new EventSource(\"/_petitio/livereload\")"));

    let missing = server.get("/kk/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, site.read(".petitio/site/404.html"));

    assert_eq!(server.get("/_headers").status, 404);
    server.stop();
}

#[test]
fn a_signature_is_recorded_once_survives_a_restart_and_is_counted_once() {
    let site = site();
    let server = Server::start(&site);
    let first = server.sign("signer@example.org");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(server.sign("signer@example.org").status, 200);
    server.stop();

    let restarted = Server::start(&site);
    let again = restarted.sign("SIGNER@example.org");
    assert_eq!(again.status, 200, "{}", again.body);
    restarted.wait_for_count(1);
    restarted.stop();
}

#[test]
fn nothing_stored_holds_the_email_the_name_or_the_address_in_the_clear() {
    let site = site();
    let server = Server::start(&site);
    assert_eq!(server.sign("private.person@example.org").status, 201);
    assert_eq!(
        server
            .sign_from("second.person@example.org", Some("203.0.113.7"))
            .status,
        201
    );
    server.wait_for_count(2);
    server.stop();

    let store = petitio_serve::RedbStore::open(&site.path(".petitio/data")).unwrap();
    let stored = store.dump().unwrap();
    assert!(stored.iter().any(|(key, _)| key.starts_with("sig/")));
    for (key, entry) in stored {
        let text = format!(
            "{key} {} {}",
            String::from_utf8_lossy(&entry.value),
            entry.metadata.unwrap_or_default()
        );
        for secret in [
            "private.person",
            "second.person",
            "example.org",
            "Test Signer",
            "127.0.0.1",
            "203.0.113.7",
        ] {
            assert!(!text.contains(secret), "{secret} stored in {text}");
        }
    }
}

#[test]
fn an_edit_reloads_open_pages_and_a_broken_file_is_shown_until_fixed() {
    let site = site();
    let server = Server::start(&site);
    let mut events = EventStream::open(&server);

    site.write(PETITION_FILE, &petition("Екінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the edited page", |page| {
        page.status == 200 && page.body.contains("Екінші нұсқа.")
    });
    events.wait_for_reload();

    site.write(PETITION_FILE, BROKEN_PETITION);
    let message = check_errors(&site);
    let message = message.as_str();
    let broken = server.wait_for(PETITION_PAGE, "the error page", |page| page.status == 500);
    assert!(
        broken.body.contains(&escape_html(message)),
        "{message}\nnot in\n{}",
        broken.body
    );
    assert_eq!(
        broken.header("content-security-policy"),
        Some(csp_in_headers_file(&site).as_str())
    );
    assert_eq!(server.get("/api/counts").status, 200);
    assert!(server.errors().contains(message));

    site.write(PETITION_FILE, &petition("Үшінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the fixed page", |page| {
        page.status == 200 && page.body.contains("Үшінші нұсқа.")
    });
    server.stop();
}

#[test]
fn started_inside_the_site_folder_it_rebuilds_on_edits() {
    // The root is then "."; the watcher reports absolute paths, which once matched no source.
    let site = site();
    let server = Server::start_in_site_folder(&site);
    site.write(PETITION_FILE, &petition("Екінші нұсқа."));
    server.wait_for(PETITION_PAGE, "the edited page", |page| {
        page.status == 200 && page.body.contains("Екінші нұсқа.")
    });
    server.stop();
}

#[test]
fn a_site_broken_from_the_start_is_served_with_its_error_until_fixed() {
    let site = site();
    site.write(PETITION_FILE, BROKEN_PETITION);
    let message = check_errors(&site);
    let server = Server::start(&site);

    let page = server.get("/kk/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains(&escape_html(&message)), "{}", page.body);
    let api = server.get("/api/counts");
    assert_eq!(api.status, 503);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&api.body).unwrap(),
        serde_json::json!({"error": {
            "code": "site_not_built",
            "message": "The site has not been built yet: fix the error petitio serve shows, \
                        and signing starts working.",
            "field": null
        }})
    );

    site.write(PETITION_FILE, &petition("Түзетілген."));
    server.wait_for(PETITION_PAGE, "the fixed page", |page| {
        page.status == 200 && page.body.contains("Түзетілген.")
    });
    assert_eq!(server.sign("first@example.org").status, 201);
    server.stop();
}

#[test]
fn a_watched_folder_created_while_serving_is_watched_from_then_on() {
    let site = site();
    assert!(!site.path("static").exists());
    let server = Server::start(&site);

    site.write("static/first.txt", "first");
    wait_for_asset(&site, "first.");
    site.write("static/second.txt", "second");
    wait_for_asset(&site, "second.");
    server.stop();
}

/// Waits until the served build has an asset whose name starts with `prefix`.
fn wait_for_asset(site: &TestSite, prefix: &str) {
    let started = Instant::now();
    let assets = site.path(".petitio/site/assets");
    loop {
        let found = std::fs::read_dir(&assets).unwrap().any(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(prefix)
        });
        if found {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no asset {prefix}* in {}",
            assets.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An open `/_petitio/livereload` connection.
struct EventStream {
    stream: TcpStream,
    received: String,
}

impl EventStream {
    /// Connects and waits until the server has subscribed it to reloads.
    fn open(server: &Server) -> EventStream {
        let mut stream = TcpStream::connect(&server.address).unwrap();
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
        let mut events = EventStream {
            stream,
            received: String::new(),
        };
        events.wait_for(": connected", "the event stream's greeting");
        events
    }

    fn wait_for_reload(&mut self) {
        self.wait_for("event: reload", "a reload event");
    }

    fn wait_for(&mut self, text: &str, what: &str) {
        let started = Instant::now();
        let mut buffer = [0u8; 4096];
        while !self.received.contains(text) {
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
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(error) => panic!("{what}: {error}"),
            }
        }
    }
}
