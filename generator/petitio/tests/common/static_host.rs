//! A plain static host for the tests: serves a built `dist/` over HTTP/1.1 from a std
//! `TcpListener` on its own thread, as a volunteer's host or a CDN would (no API), with
//! files replaced or removed and the Content-Security-Policy header it sends chosen by the
//! test, so each problem `petitio doctor` looks for can be put in place.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What the host serves; changed by the test while it runs.
#[derive(Default)]
struct Served {
    dist: Option<PathBuf>,
    /// Paths (`/.well-known/petitio-where`) answered with this body instead of the file's;
    /// `None` answers 404.
    overrides: BTreeMap<String, Option<Vec<u8>>>,
    /// The `Content-Security-Policy` header sent with HTML, if any.
    csp: Option<String>,
    /// Paths answered with this status (and an empty body), as a broken server would.
    statuses: BTreeMap<String, u16>,
}

/// A running host on `127.0.0.1`; its thread lives as long as the test process.
pub struct StaticHost {
    pub port: u16,
    served: Arc<Mutex<Served>>,
}

impl StaticHost {
    /// Listens now (so the port is known before the site is built), serving nothing yet.
    pub fn bind() -> StaticHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(Mutex::new(Served::default()));
        let shared = Arc::clone(&served);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &shared));
            }
        });
        StaticHost { port, served }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn serve(&self, dist: PathBuf) {
        self.served.lock().unwrap().dist = Some(dist);
    }

    pub fn set_csp(&self, csp: Option<&str>) {
        self.served.lock().unwrap().csp = csp.map(str::to_owned);
    }

    /// Answers `path` with `body` (`None`: 404) instead of the built file.
    pub fn replace(&self, path: &str, body: Option<&str>) {
        self.served
            .lock()
            .unwrap()
            .overrides
            .insert(path.to_owned(), body.map(|b| b.as_bytes().to_vec()));
    }
}

impl StaticHost {
    /// Answers `path` with `status` and no body.
    pub fn fail(&self, path: &str, status: u16) {
        self.served
            .lock()
            .unwrap()
            .statuses
            .insert(path.to_owned(), status);
    }
}

fn answer(mut stream: TcpStream, served: &Mutex<Served>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (body, csp, status) = {
        let served = served.lock().unwrap();
        let body = match served.overrides.get(&path) {
            Some(body) => body.clone(),
            None => served.dist.as_ref().and_then(|dist| {
                let mut file = dist.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                std::fs::read(file).ok()
            }),
        };
        (
            body,
            served.csp.clone(),
            served.statuses.get(&path).copied(),
        )
    };
    if let Some(status) = status {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Failing\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let html = path.ends_with('/') || path.ends_with(".html");
    let mut head = String::new();
    let body = match body {
        Some(body) => {
            head.push_str("HTTP/1.1 200 OK\r\n");
            head.push_str(if html {
                "Content-Type: text/html; charset=utf-8\r\n"
            } else {
                "Content-Type: text/plain; charset=utf-8\r\n"
            });
            if let (true, Some(csp)) = (html, csp) {
                head.push_str(&format!("Content-Security-Policy: {csp}\r\n"));
            }
            body
        }
        None => {
            head.push_str("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n");
            b"not found".to_vec()
        }
    };
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}
