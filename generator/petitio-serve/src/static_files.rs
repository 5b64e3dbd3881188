//! Static files from the output directory, as a static host serves them: a directory
//! answers with its `index.html`, an unknown path with `/404.html` and status 404, and
//! every response gets the headers the generated `_headers` file gives its path.
//! Two exceptions: `Cache-Control` is always `no-cache`, because a dev server must show the
//! latest build on every navigation (revalidation by `Last-Modified` keeps that cheap);
//! and `Strict-Transport-Security` is never sent, because it is meant for HTTPS and this
//! server speaks plain HTTP (sent anyway, it is at best ignored, and at worst a proxy
//! adding TLS in front would pass on a policy pinning the name to HTTPS for a year).
//!
//! While the last rebuild has failed, HTML responses are replaced by a page showing the
//! error (`error_page`), until a rebuild succeeds; other files are served as before.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, LAST_MODIFIED, STRICT_TRANSPORT_SECURITY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_status::SetStatus;

use crate::error::static_file_failure;
use crate::error_page;
use crate::headers::HEADERS_FILE;
use crate::site::LiveSite;

/// Name of the page served for unknown paths.
pub const NOT_FOUND_PAGE: &str = "404.html";

/// The static half of the server.
#[derive(Debug, Clone)]
pub struct StaticSite {
    files: ServeDir<SetStatus<ServeFile>>,
    not_found: ServeFile,
    site: Arc<LiveSite>,
    /// The site's folder, whose theme renders the error page.
    root: PathBuf,
}

impl StaticSite {
    /// Serves `out`, which rebuilds update in place (files are opened per request), of
    /// the site at `root`.
    pub fn new(root: &Path, out: &Path, site: Arc<LiveSite>) -> Self {
        let not_found = ServeFile::new(out.join(NOT_FOUND_PAGE));
        Self {
            files: ServeDir::new(out)
                .append_index_html_on_directories(true)
                .not_found_service(not_found.clone()),
            not_found,
            site,
            root: root.to_path_buf(),
        }
    }
}

/// Any request not routed elsewhere.
pub async fn serve(State(mut files): State<StaticSite>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let served = if is_host_configuration(&path) {
        files.not_found.try_call(request).await.map(|mut response| {
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        })
    } else {
        files.files.try_call(request).await
    };
    let mut response = match served {
        Ok(response) => response.map(Body::new),
        Err(error) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                static_file_failure(&error),
            )
                .into_response()
        }
    };
    let site = files.site.current();
    site.headers.apply(&path, response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.remove(STRICT_TRANSPORT_SECURITY);
    match &site.build_error {
        // Without a build there may be no 404 page either: unknown paths show the error too.
        Some(message) if is_html(&response) || response.status() == StatusCode::NOT_FOUND => {
            show_build_error(response, &files.root, message)
        }
        _ => response,
    }
}

/// Files that configure the host rather than being part of the site.
fn is_host_configuration(path: &str) -> bool {
    path.strip_prefix('/') == Some(HEADERS_FILE)
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// Replaces an HTML response's body with the error page, keeping its headers (the CSP
/// included) except those describing the replaced file.
fn show_build_error(response: Response, root: &Path, message: &str) -> Response {
    let (mut parts, _) = response.into_parts();
    for stale in [CONTENT_LENGTH, ETAG, LAST_MODIFIED] {
        parts.headers.remove(stale);
    }
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.status = StatusCode::INTERNAL_SERVER_ERROR;
    Response::from_parts(parts, Body::from(error_page::render(root, message)))
}
