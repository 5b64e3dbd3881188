//! Static files from the output directory, as a static host serves them: a directory
//! answers with its `index.html`, an unknown path with `/404.html` and status 404, and
//! every response gets the headers the generated `_headers` file gives its path.
//! Two exceptions: `Cache-Control` is always `no-cache`, because a dev server must show the
//! latest build on every navigation (revalidation by `Last-Modified` keeps that cheap);
//! and `Strict-Transport-Security` is never sent, because it is meant for HTTPS and this
//! server speaks plain HTTP (sent anyway, it is at best ignored, and at worst a proxy
//! adding TLS in front would pass on a policy pinning the name to HTTPS for a year).
//!
//! Pages, badges and open data get the published counts filled in as they are served
//! (`fill`, the page-fill contract), so they are never answered "not modified" from the
//! build's timestamps: their conditional request headers are dropped.
//!
//! Paths under `log/` are the petitions' transparency logs, served from the store as the
//! worker serves them from KV, and where witnesses post their cosignatures
//! (`petitio_signatures::log_files`, the same code and headers).
//!
//! While the last rebuild has failed, HTML responses are replaced by a page showing the
//! error (`error_page`), until a rebuild succeeds; other files are served as before.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    LAST_MODIFIED, RANGE, STRICT_TRANSPORT_SECURITY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_status::SetStatus;

use petitio_model::urls::Filled;
use petitio_signatures::fill::{RequestValues, PERSONAL_CACHE_CONTROL};
use petitio_signatures::{cosignatures, log_files};

use crate::api_bridge::{
    body_too_slow_response, from_api_response, read_body, unix_millis_now, SignatureApi,
};
use crate::error::static_file_failure;
use crate::error_page;
use crate::fill::live_file;
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
    /// Where the published counts come from.
    api: Arc<SignatureApi>,
}

impl StaticSite {
    /// Serves `out`, which rebuilds update in place (files are opened per request), of
    /// the site at `root`.
    pub fn new(root: &Path, out: &Path, site: Arc<LiveSite>, api: Arc<SignatureApi>) -> Self {
        let not_found = ServeFile::new(out.join(NOT_FOUND_PAGE));
        Self {
            files: ServeDir::new(out)
                .append_index_html_on_directories(true)
                .not_found_service(not_found.clone()),
            not_found,
            site,
            root: root.to_path_buf(),
            api,
        }
    }
}

/// Any request not routed elsewhere.
pub async fn serve(State(mut files): State<StaticSite>, mut request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let site = files.site.current();
    if let Some((log_path, manifest)) = site.manifest.as_ref().and_then(|manifest| {
        let site_path = path.strip_prefix(manifest.base_path.as_str())?;
        log_files::is_log_path(site_path).then_some((site_path, manifest))
    }) {
        let method = request.method().as_str().to_owned();
        let limit = cosignatures::MAX_COSIGNATURE_BYTES + 1;
        let read = read_body(request.into_body(), limit);
        let Ok(body) = tokio::time::timeout(files.api.body_timeout, read).await else {
            return body_too_slow_response(files.api.body_timeout);
        };
        let store = &files.api.store;
        return from_api_response(
            log_files::handle(store, manifest, &method, log_path, &body).await,
        );
    }
    let fill_path = site
        .manifest
        .as_ref()
        .and_then(|manifest| Some((path.strip_prefix(manifest.base_path.as_str())?, manifest)))
        .filter(|(site_path, manifest)| {
            Filled::of(site_path, &manifest.languages, &manifest.default_language)
                != Filled::AsBuilt
        })
        .map(|(site_path, _)| site_path.to_owned());
    if fill_path.is_some() {
        for conditional in [IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, RANGE] {
            request.headers_mut().remove(conditional);
        }
    }
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
    site.headers.apply(&path, response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.remove(STRICT_TRANSPORT_SECURITY);
    if let (Some(site_path), Some(manifest), None) = (&fill_path, &site.manifest, &site.build_error)
    {
        if response.status() == StatusCode::OK {
            let request_values = RequestValues::from_query(query.as_deref());
            response = fill(response, site_path, manifest, request_values, &files.api).await;
        }
    }
    match &site.build_error {
        // Without a build there may be no 404 page either: unknown paths show the error too.
        Some(message) if is_html(&response) || response.status() == StatusCode::NOT_FOUND => {
            show_build_error(response, &files.root, message)
        }
        _ => response,
    }
}

/// The response with the published counts and the request's values filled in, or as it was
/// when there is nothing to fill (no counts yet, or the store cannot be read: the page then
/// shows the build's counts). A page filled with a request's token is never stored.
async fn fill(
    response: Response,
    site_path: &str,
    manifest: &petitio_model::manifest::Manifest,
    request: RequestValues<'_>,
    api: &SignatureApi,
) -> Response {
    let max_age_ms = api.config.counts_cache_seconds.saturating_mul(1000);
    let published = api
        .snapshots
        .read(&api.store, unix_millis_now(), max_age_ms)
        .await
        .ok();
    let snapshot = published
        .as_ref()
        .and_then(|published| published.snapshot.as_ref());
    if snapshot.is_none() && !request.is_personal() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(built) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the file could not be read",
        )
            .into_response();
    };
    let filled = live_file(site_path, &built, manifest, snapshot, request);
    if filled.is_some() {
        for stale in [CONTENT_LENGTH, ETAG, LAST_MODIFIED] {
            parts.headers.remove(stale);
        }
        if request.is_personal() {
            parts.headers.insert(
                CACHE_CONTROL,
                HeaderValue::from_static(PERSONAL_CACHE_CONTROL),
            );
        }
    }
    Response::from_parts(parts, Body::from(filled.unwrap_or_else(|| built.to_vec())))
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
