//! Fuzzes `petitio.toml` as an operator writes it, and `--base-url` as they type it.
//! `Config::parse` must never panic; every problem names `petitio.toml` (or `--base-url`)
//! and a line within the file; a valid config's `base_url` is absolute and ends with `/`,
//! its `base_path` starts and ends with `/` and is `base_url`'s path, its default language
//! is one of its languages, and parsing again with its own `base_url` as the override
//! resolves to the same URL and path. `base_path` goes into every internal link and into
//! `_headers` line by line, so it may hold only what RFC 3986 allows in a path.

#![no_main]

use libfuzzer_sys::fuzz_target;
use petitio_site::config::{Config, CONFIG_FILE};

/// The file's text and, when the input holds a NUL byte, the `--base-url` after it.
fn inputs(text: &str) -> (&str, Option<&str>) {
    match text.split_once('\0') {
        Some((file, base_url)) => (file, Some(base_url)),
        None => (text, None),
    }
}

/// RFC 3986 `pchar`, `/` and `%` (the start of a percent-escape).
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (file, base_url_override) = inputs(text);
    let config = match Config::parse(file, base_url_override) {
        Ok(config) => config,
        Err(problems) => {
            assert!(!problems.is_empty());
            let lines = file.split('\n').count();
            for problem in &problems {
                assert!(
                    problem.file == CONFIG_FILE || problem.file == "--base-url",
                    "a problem names an unexpected file: {problem}"
                );
                if let Some(line) = problem.line {
                    assert!(
                        (1..=lines).contains(&line),
                        "line outside the file ({lines} lines): {problem}"
                    );
                }
            }
            return;
        }
    };
    assert!(
        config.base_url.ends_with('/'),
        "base_url {:?}",
        config.base_url
    );
    assert!(
        config.base_url.starts_with("https://") || config.base_url.starts_with("http://"),
        "base_url {:?}",
        config.base_url
    );
    assert!(config.base_path.starts_with('/') && config.base_path.ends_with('/'));
    assert!(
        config.base_url.ends_with(&config.base_path),
        "base_path {:?} is not the path of {:?}",
        config.base_path,
        config.base_url
    );
    assert!(
        config.base_path.bytes().all(is_path_byte),
        "base_path {:?} holds a byte a URL path cannot",
        config.base_path
    );
    assert!(config.languages.contains(&config.default_language));
    for endpoint in config.api_endpoints.all() {
        assert!(!endpoint.ends_with('/') || endpoint.is_empty());
    }

    let again = Config::parse(file, Some(&config.base_url))
        .expect("a valid config stays valid with its own base_url as the override");
    assert_eq!(
        (&again.base_url, &again.base_path),
        (&config.base_url, &config.base_path)
    );
});
