//! `petitio serve` exposed to a network (issue #10): slow or silent connections are closed
//! while other requests are answered, the number of connections is capped, a forwarded
//! client address is believed only when the user says which proxy header to trust, host
//! names the server does not serve are refused (DNS rebinding), and the production-only
//! `Strict-Transport-Security` header is not sent over plain HTTP.
//!
//! The timeouts are lowered through the environment variables `petitio serve` documents
//! for tests, so closures happen within seconds; a test waits for them with a generous
//! bound (`CLOSE_DEADLINE`) and asserts only that they happen, never how long they took.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::server::{
    petition, read_until_closed, site, timed_out, EventStream, Response, Server, PETITION_FILE,
    SLUG,
};
use common::TestSite;

/// Timeouts of a few seconds instead of the defaults (10 s, 10 s, 60 s).
const SHORT_TIMEOUTS: [(&str, &str); 3] = [
    ("PETITIO_SERVE_HEADER_TIMEOUT_SECS", "1"),
    ("PETITIO_SERVE_BODY_TIMEOUT_SECS", "1"),
    ("PETITIO_SERVE_IDLE_TIMEOUT_SECS", "2"),
];

/// How long a connection the server should close may stay open before the test fails:
/// the longest timeout above plus a wide margin for a loaded machine.
const CLOSE_DEADLINE: Duration = Duration::from_secs(20);

/// Reads `stream` until the server closes it; fails if it stays open past `CLOSE_DEADLINE`.
fn wait_until_closed(stream: &mut TcpStream, what: &str) -> Vec<u8> {
    read_until_closed(stream, CLOSE_DEADLINE, what)
}

/// Writes `prefix`, then one more byte of `filler` every 200 ms, on a thread of its own,
/// until the server closes the connection or the test ends. Returns the reading side.
fn trickle(server: &Server, prefix: &str, filler: u8, done: &Arc<AtomicBool>) -> TcpStream {
    let mut stream = server.connect();
    stream.write_all(prefix.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let done = Arc::clone(done);
    std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) && writer.write_all(&[filler]).is_ok() {
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    stream
}

/// A sign request's head announcing `length` bytes of body.
fn sign_head(server: &Server, length: usize) -> String {
    format!(
        "POST /api/petitions/{SLUG}/signatures HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
        server.address
    )
}

/// Sends a complete `GET /kk/` on `stream`, asking to close the connection after it.
fn send_get(stream: &mut TcpStream, server: &Server) {
    stream
        .write_all(
            format!(
                "GET /kk/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.address
            )
            .as_bytes(),
        )
        .unwrap();
}

/// Sends `GET /kk/` on `stream` and reads the answer, failing if none comes within
/// `CLOSE_DEADLINE`.
fn answer_to(stream: &mut TcpStream, server: &Server, what: &str) -> Response {
    send_get(stream, server);
    let received = wait_until_closed(stream, what);
    assert!(!received.is_empty(), "{what}: closed without an answer");
    Response::parse(&received)
}

#[test]
fn slow_and_silent_connections_are_closed_while_other_requests_are_answered() {
    let site = site();
    let server = Server::start_with(&site, &[], &SHORT_TIMEOUTS);
    let done = Arc::new(AtomicBool::new(false));

    let silent: Vec<TcpStream> = (0..3).map(|_| server.connect()).collect();
    let half_request_line: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(b"GET /kk/ HT").unwrap();
            stream
        })
        .collect();
    // One request answered, then nothing more on the kept-alive connection.
    let mut kept_alive = server.connect();
    kept_alive
        .write_all(format!("GET /kk/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).as_bytes())
        .unwrap();
    // Headers complete, body announced but only partly sent: to the API, which reads
    // bodies, and to a page, which does not.
    let stalled_bodies: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut stream = server.connect();
            stream
                .write_all(sign_head(&server, 200).as_bytes())
                .unwrap();
            stream.write_all(b"{\"email\":").unwrap();
            stream
        })
        .collect();
    let mut stalled_page_body = server.connect();
    stalled_page_body
        .write_all(
            format!(
                "POST /kk/ HTTP/1.1\r\nHost: {}\r\nContent-Length: 200\r\n\r\nabc",
                server.address
            )
            .as_bytes(),
        )
        .unwrap();
    // Never idle, but never done: only a deadline on the whole head or body ends these.
    let endless_head = trickle(
        &server,
        &format!("GET /kk/ HTTP/1.1\r\nHost: {}\r\nX-Slow: ", server.address),
        b'a',
        &done,
    );
    let endless_body = trickle(&server, &sign_head(&server, 100_000), b' ', &done);

    // Meanwhile, a normal request on a fresh connection is answered.
    assert_eq!(server.get("/kk/").status, 200);

    for (index, mut stream) in silent.into_iter().enumerate() {
        let received = wait_until_closed(&mut stream, &format!("silent connection {index}"));
        assert!(
            received.is_empty(),
            "{}",
            String::from_utf8_lossy(&received)
        );
    }
    for (index, mut stream) in half_request_line.into_iter().enumerate() {
        wait_until_closed(&mut stream, &format!("half request line {index}"));
    }
    let first = Response::parse(&wait_until_closed(&mut kept_alive, "kept-alive connection"));
    assert_eq!(first.status, 200);
    for (index, mut stream) in stalled_bodies.into_iter().enumerate() {
        let what = format!("stalled body {index}");
        let answer = Response::parse(&wait_until_closed(&mut stream, &what));
        assert_eq!(answer.status, 408, "{what}: {}", answer.body);
        assert_eq!(
            answer.body,
            "the request's body did not arrive within 1 s; send it at once\n"
        );
    }
    wait_until_closed(&mut stalled_page_body, "stalled body to a page");
    for (what, mut stream) in [
        ("endless head", endless_head),
        ("endless body", endless_body),
    ] {
        wait_until_closed(&mut stream, what);
    }
    done.store(true, Ordering::Relaxed);

    assert_eq!(server.get("/kk/").status, 200);
    server.stop();
}

/// Size of the file a stalled download asks for: more than the socket buffers of both
/// ends hold, so the server's writes stall when the client stops reading.
const BIG_FILE_BYTES: usize = 32 * 1024 * 1024;

/// The test site with a big static file; returns its name in the build once served.
fn site_with_a_big_file() -> TestSite {
    let site = site();
    site.write("static/big.txt", &"x".repeat(BIG_FILE_BYTES));
    site
}

/// A download of the big file, answered (the status line is read) and then stalled: the
/// test reads nothing more from it until it wants to.
fn stalled_download(server: &Server, site: &TestSite) -> TcpStream {
    let big = asset_named(site, "big.");
    let mut stream = server.connect();
    stream
        .write_all(
            format!(
                "GET /assets/{big} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.address
            )
            .as_bytes(),
        )
        .unwrap();
    let mut start = [0u8; 12];
    stream.read_exact(&mut start).unwrap();
    assert_eq!(&start, b"HTTP/1.1 200");
    stream
}

/// The file name, in the served build, of the asset whose name starts with `prefix`.
fn asset_named(site: &TestSite, prefix: &str) -> String {
    std::fs::read_dir(site.path(".petitio/site/assets"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no asset {prefix}* in the build"))
}

#[test]
fn a_client_that_stops_reading_is_dropped_after_the_idle_timeout() {
    let site = site_with_a_big_file();
    // One connection at a time: the second request is answered only once the first,
    // stalled one has been dropped.
    let mut env = SHORT_TIMEOUTS.to_vec();
    env.push(("PETITIO_SERVE_MAX_CONNECTIONS", "1"));
    let server = Server::start_with(&site, &[], &env);
    let mut stalled = stalled_download(&server, &site);

    let answer = answer_to(&mut server.connect(), &server, "the next connection");
    assert_eq!(answer.status, 200);

    let rest = wait_until_closed(&mut stalled, "the stalled download");
    assert!(
        rest.len() < BIG_FILE_BYTES,
        "the whole file was sent: the stalled connection was kept"
    );
    server.stop();
}

/// Long timeouts, so only the test closes the connections holding the slots, and three
/// slots.
const THREE_SLOTS: [(&str, &str); 3] = [
    ("PETITIO_SERVE_MAX_CONNECTIONS", "3"),
    ("PETITIO_SERVE_HEADER_TIMEOUT_SECS", "300"),
    ("PETITIO_SERVE_IDLE_TIMEOUT_SECS", "300"),
];

/// Asserts that no answer comes on `stream` for a second.
fn assert_not_answered(stream: &mut TcpStream, what: &str) {
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Err(error) if timed_out(&error) => {}
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let site = site_with_a_big_file();
    let server = Server::start_with(&site, &[], &THREE_SLOTS);
    // Answers under way are not idle: they keep their slots.
    let mut held: Vec<TcpStream> = (0..3).map(|_| stalled_download(&server, &site)).collect();

    let mut waiting = server.connect();
    send_get(&mut waiting, &server);
    assert_not_answered(
        &mut waiting,
        "a fourth connection was served while three answers were under way",
    );

    drop(held.pop());
    let received = wait_until_closed(&mut waiting, "the waiting connection");
    assert_eq!(Response::parse(&received).status, 200);
    drop(held);
    server.stop();
}

#[test]
fn at_the_cap_kept_alive_connections_make_room() {
    let site = site();
    let server = Server::start_with(&site, &[], &THREE_SLOTS);
    // Two connections kept alive after an answer, one new that has sent nothing yet.
    let kept_alive: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = server.connect();
            stream
                .write_all(
                    format!("GET /kk/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).as_bytes(),
                )
                .unwrap();
            read_one_answer(&mut stream);
            stream
        })
        .collect();
    // The server closes kept-alive connections quiet for a second (QUIET_BEFORE_CLOSING):
    // wait past that, or on a loaded machine one just answered would not qualify yet,
    // another closing alone would make room, and it would stay open to its idle timeout.
    std::thread::sleep(Duration::from_millis(1500));
    let mut silent = server.connect();

    let answer = answer_to(&mut server.connect(), &server, "the fourth connection");
    assert_eq!(answer.status, 200);
    for (index, mut stream) in kept_alive.into_iter().enumerate() {
        let rest = wait_until_closed(&mut stream, &format!("kept-alive connection {index}"));
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    }
    // A connection that has not sent its request yet is left to the head timeout: under
    // load, its request may be on its way.
    assert_not_answered(&mut silent, "the silent connection was closed");
    silent
        .write_all(format!("GET /kk/ HTTP/1.0\r\nHost: {}\r\n\r\n", server.address).as_bytes())
        .unwrap();
    assert_eq!(Response::read_from(&mut silent).status, 200);
    server.stop();
}

/// Reads one answer with a `Content-Length` from a connection that stays open.
fn read_one_answer(stream: &mut TcpStream) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .expect("a content-length")
                .trim()
                .parse()
                .unwrap();
            if received.len() >= end + 4 + length {
                return;
            }
        }
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "closed before the answer ended");
        received.extend_from_slice(&buffer[..read]);
    }
}

#[test]
fn live_reload_outlives_the_idle_timeout_and_leaves_room_for_pages() {
    let site = site();
    let server = Server::start_with(
        &site,
        &[],
        &[
            ("PETITIO_SERVE_IDLE_TIMEOUT_SECS", "1"),
            ("PETITIO_SERVE_MAX_CONNECTIONS", "4"),
        ],
    );
    let mut events = EventStream::open(&server);
    // A quarter of the connections (here one) may be event streams.
    let refused = server.request(&format!(
        "GET /_petitio/livereload HTTP/1.0\r\nHost: {}\r\n\r\n",
        server.address
    ));
    assert_eq!(refused.status, 503);
    assert_eq!(
        refused.body,
        "too many pages are open for live reload (at most 1); close some tabs, or reload \
         this one later\n"
    );
    assert_eq!(server.get("/kk/").status, 200);

    // Keep-alive comments come every quarter of the idle timeout: eight of them span two
    // idle timeouts, and the stream still delivers the next reload.
    events.wait_for_times(": keep-alive", 8, "keep-alive comments");
    site.write(PETITION_FILE, &petition("Екінші нұсқа."));
    events.wait_for_reload();
    server.stop();
}

#[test]
fn serve_help_states_the_limits() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_petitio"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    let expected = "\
Limits, so that slow or stalled clients cannot tie the server up:
  10 s to send a request's line and headers (also the wait for the next request on a
       kept-alive connection)
  10 s to send a request's body
  60 s without a byte sent or received closes a connection (live reload sends a
       keep-alive comment every 15 s)
  256 connections at once (live reload may use 64 of them); when all are taken, idle
       ones are closed to make room
";
    assert!(help.contains(expected), "{help}");
}

/// Signs with a fresh email each time; the test sets the burst limit.
struct Signer<'a> {
    server: &'a Server,
    count: usize,
}

impl Signer<'_> {
    fn sign(&mut self, extra: &[(&str, &str)]) -> u16 {
        self.count += 1;
        let response = self
            .server
            .sign_with(&format!("signer{}@example.org", self.count), extra);
        response.status
    }
}

#[test]
fn without_the_option_forwarded_addresses_do_not_bypass_the_rate_limit() {
    let site = site();
    let server = Server::start_with(&site, &[], &[("RATE_LIMIT_BURST", "3/600")]);
    let mut signer = Signer {
        server: &server,
        count: 0,
    };
    for _ in 0..3 {
        assert_eq!(signer.sign(&[]), 201);
    }
    assert_eq!(signer.sign(&[]), 429);
    for index in 1..=6 {
        let spoofed = format!("198.51.100.{index}");
        assert_eq!(
            signer.sign(&[("CF-Connecting-IP", &spoofed)]),
            429,
            "{spoofed}"
        );
        assert_eq!(
            signer.sign(&[("X-Forwarded-For", &spoofed)]),
            429,
            "{spoofed}"
        );
        assert_eq!(signer.sign(&[("X-Real-IP", &spoofed)]), 429, "{spoofed}");
    }
    server.stop();
}

#[test]
fn with_the_option_the_named_headers_right_most_entry_is_the_client_address() {
    let site = site();
    let server = Server::start_with(
        &site,
        &["--trust-proxy-header", "X-Forwarded-For"],
        &[("RATE_LIMIT_BURST", "2/600")],
    );
    let mut signer = Signer {
        server: &server,
        count: 0,
    };
    // The client wrote the first entry; the proxy appended the address it saw.
    let first = [("X-Forwarded-For", "198.51.100.1, 203.0.113.1")];
    assert_eq!(signer.sign(&first), 201);
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "198.51.100.2, 203.0.113.1")]),
        201
    );
    assert_eq!(signer.sign(&first), 429);
    // Another header naming another address changes nothing: only the named one counts.
    assert_eq!(
        signer.sign(&[("CF-Connecting-IP", "203.0.113.9"), first[0]]),
        429
    );
    // The same client rewriting its own part changes nothing either.
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "203.0.113.2, 203.0.113.1")]),
        429
    );
    // Another address, as the proxy saw it, has a limit of its own.
    assert_eq!(
        signer.sign(&[("X-Forwarded-For", "203.0.113.1, 203.0.113.2")]),
        201
    );
    server.stop();
}

fn refusal(host: &str) -> String {
    format!(
        "petitio serve does not answer for the host `{host}`: it answers for 127.0.0.1, \
         localhost, [::1], the address it listens on and the names given with \
         --allowed-host, so that no other site can reach it through its own name (DNS \
         rebinding).\nTo open it under this name, restart it with \
         `petitio serve --allowed-host {host}`.\n"
    )
}

#[test]
fn requests_for_host_names_it_does_not_serve_are_refused() {
    let site = site();
    let server = Server::start_with(&site, &["--allowed-host", "petitions.lan"], &[]);
    let port = server.port().to_owned();
    let evil = format!("evil.example:{port}");

    for host in ["evil.example", evil.as_str()] {
        let page = server.get_for_host("/kk/", host);
        assert_eq!(page.status, 421, "{host}");
        assert_eq!(page.body, refusal("evil.example"));
    }
    // A page of the rebinding site signing through its own name, which passes the
    // API's own check of `Origin` against `Host`.
    let evil_origin = format!("http://{evil}");
    let forged = server.sign_with_only(
        "victim@example.org",
        &[
            ("Host", evil.as_str()),
            ("Origin", &evil_origin),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    );
    assert_eq!(forged.status, 421);
    assert_eq!(
        server.sign("victim@example.org").status,
        201,
        "nothing was stored"
    );
    // The request target's own host counts too (absolute form).
    let absolute = server.request(&format!(
        "GET http://evil.example/kk/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(absolute.status, 421);
    assert_eq!(absolute.body, refusal("evil.example"));

    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        format!("petitions.lan:{port}"),
        "Petitions.LAN".to_owned(),
    ] {
        assert_eq!(server.get_for_host("/kk/", &host).status, 200, "{host}");
    }
    server.stop();
}

#[test]
fn an_allowed_host_must_be_a_bare_name_or_address() {
    let site = site();
    let output = site.run(&["serve", "--allowed-host", "http://petitions.lan:8080/"]);
    assert!(!output.status.success());
    assert_eq!(
        common::stderr(&output),
        "error: invalid value 'http://petitions.lan:8080/' for '--allowed-host <NAME>': \
         `http://petitions.lan:8080/` is not a host name or address: give the name alone, \
         without scheme, port or path, e.g. --allowed-host petitions.lan\n\n\
         For more information, try '--help'.\n"
    );
}

/// Every address of 127.0.0.0/8 reaches this machine on Linux: a stand-in for a LAN
/// address, which tests cannot count on having.
#[cfg(target_os = "linux")]
#[test]
fn on_every_interface_a_literal_address_of_this_machine_is_answered() {
    let site = site();
    let server = Server::start_with(&site, &["--host", "0.0.0.0"], &[]);
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    let port = server.port().to_owned();
    let ask = |address: &str, host: &str| {
        let mut stream = TcpStream::connect(format!("{address}:{port}")).unwrap();
        stream
            .write_all(format!("GET /kk/ HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
            .unwrap();
        Response::read_from(&mut stream).status
    };
    assert_eq!(ask("127.0.0.2", &format!("127.0.0.2:{port}")), 200);
    assert_eq!(ask("127.0.0.2", &format!("0.0.0.0:{port}")), 200);
    assert_eq!(ask("127.0.0.2", &format!("127.0.0.3:{port}")), 421);
    assert_eq!(ask("127.0.0.2", "lan-name"), 421);
    server.stop();
}

#[test]
fn the_production_hsts_header_is_not_sent_over_plain_http() {
    let site = site();
    let server = Server::start(&site);
    assert!(
        site.read(".petitio/site/_headers")
            .contains("Strict-Transport-Security:"),
        "the build no longer sets HSTS: this test has nothing to check"
    );
    for path in ["/kk/", "/kk/no-such-page/", "/api/counts"] {
        let response = server.get(path);
        assert_eq!(response.header("strict-transport-security"), None, "{path}");
        assert!(response.header("content-type").is_some(), "{path}");
    }
    server.stop();
}
