//! The page-fill contract's worker adapter (`petitio_model::fill`): pages and badges stream
//! through the runtime's own HTMLRewriter (reached through wasm_bindgen, so the wasm
//! carries no HTML parser: `lol_html` compiled in would add ~220 KB gzip, BENCHMARKS.md),
//! and open data gets the published counts written in (`petitio_signatures::live_data`).
//! The values come from `petitio_signatures::fill::LiveCounts`, as in `petitio serve`.
//!
//! A filled response is cacheable for [`FILLED_MAX_AGE`] seconds (counts change once a
//! minute); open data also says `Access-Control-Allow-Origin: *` (public, read-only).

use std::rc::Rc;
use std::sync::Arc;

use petitio_model::fill::{edits, Edit, SELECTOR};
use petitio_model::manifest::Manifest;
use petitio_model::urls::Filled;
use petitio_signatures::fill::{LiveCounts, PageValues, RequestValues, PERSONAL_CACHE_CONTROL};
use petitio_signatures::live_data;
use petitio_signatures::snapshot::Published;
use wasm_bindgen::prelude::*;
use worker::{js_sys, web_sys, Headers, Response};

/// Seconds a filled page, badge or data file may be cached.
pub const FILLED_MAX_AGE: u32 = 60;

#[wasm_bindgen]
extern "C" {
    /// The runtime's streaming HTML rewriter.
    #[wasm_bindgen(js_name = HTMLRewriter)]
    type HtmlRewriter;
    #[wasm_bindgen(constructor, js_class = "HTMLRewriter")]
    fn new() -> HtmlRewriter;
    #[wasm_bindgen(method, js_class = "HTMLRewriter")]
    fn on(this: &HtmlRewriter, selector: &str, handlers: &js_sys::Object) -> HtmlRewriter;
    #[wasm_bindgen(method, js_class = "HTMLRewriter")]
    fn transform(this: &HtmlRewriter, response: &web_sys::Response) -> web_sys::Response;

    /// An element as HTMLRewriter hands it to a handler.
    type RewriterElement;
    #[wasm_bindgen(method, js_name = getAttribute)]
    fn get_attribute(this: &RewriterElement, name: &str) -> Option<String>;
    #[wasm_bindgen(method, catch, js_name = setAttribute)]
    fn set_attribute(this: &RewriterElement, name: &str, value: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = setInnerContent)]
    fn set_inner_content(this: &RewriterElement, content: &str, options: &JsValue);
}

/// The asset `built` (answered 200 for `path`, relative to the base path, with the URL
/// query `query`) with the published counts (if any were read) and the request's values
/// filled in; as built when there is nothing to fill.
pub async fn live_response(
    built: Response,
    path: &str,
    manifest: Rc<Manifest>,
    published: Option<Arc<Published>>,
    query: Option<&str>,
) -> worker::Result<Response> {
    let filled = Filled::of(path, &manifest.languages, &manifest.default_language);
    let is_data = matches!(
        filled,
        Filled::DataIndex | Filled::DataCsv | Filled::DataPetition { .. }
    );
    let headers = copied_headers(&built)?;
    if is_data {
        headers.set("Access-Control-Allow-Origin", "*")?;
    }
    let published = published.filter(|published| published.snapshot.is_some());
    let request = RequestValues::from_query(query);
    let personal = request.is_personal() && matches!(filled, Filled::Markup { .. });
    if (published.is_none() && !personal) || filled == Filled::AsBuilt {
        return Ok(built.with_headers(headers));
    }
    let cache_control = if personal {
        PERSONAL_CACHE_CONTROL.to_owned()
    } else {
        format!("public, max-age={FILLED_MAX_AGE}")
    };
    headers.set("Cache-Control", &cache_control)?;
    headers.delete("ETag")?;
    let status = built.status_code();
    match (filled, published) {
        (Filled::Markup { lang }, published) => {
            let token = request.token.map(str::to_owned);
            let receipt = request.receipt.map(str::to_owned);
            let lang = lang.to_owned();
            let transformed =
                rewriter(manifest, published, lang, token, receipt).transform(&built.into());
            Ok(Response::from(transformed).with_headers(headers))
        }
        (_, Some(published)) => {
            let mut built = built;
            let bytes = built.bytes().await?;
            let snapshot = published.snapshot.as_ref().expect("filtered above");
            let live = match filled {
                Filled::DataCsv => live_data::csv(&bytes, snapshot),
                _ => live_data::json(&bytes, snapshot),
            };
            headers.delete("Content-Length")?;
            Ok(Response::from_bytes(live.unwrap_or(bytes))?
                .with_status(status)
                .with_headers(headers))
        }
        (_, None) => Ok(built.with_headers(headers)),
    }
}

/// The asset's headers in a new, mutable set (an asset's own are immutable).
fn copied_headers(response: &Response) -> worker::Result<Headers> {
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    Ok(headers)
}

/// An HTMLRewriter filling every `[data-fill]` element from the published counts (when
/// there are any) and the request's own values (a token, a receipt). The handler is handed to the JS garbage
/// collector (`into_js_value`): it lives as long as the response streams, and is reclaimed
/// with it (workerd has weak references).
fn rewriter(
    manifest: Rc<Manifest>,
    published: Option<Arc<Published>>,
    lang: String,
    token: Option<String>,
    receipt: Option<String>,
) -> HtmlRewriter {
    let handler = Closure::<dyn FnMut(RewriterElement)>::new(move |element: RewriterElement| {
        let values = PageValues {
            counts: published
                .as_ref()
                .and_then(|published| published.snapshot.as_ref())
                .map(|snapshot| LiveCounts {
                    snapshot,
                    manifest: &manifest,
                    lang: &lang,
                }),
            request: RequestValues {
                token: token.as_deref(),
                receipt: receipt.as_deref(),
            },
        };
        for edit in edits(|name| element.get_attribute(name), &values) {
            match edit {
                Edit::Text(text) => element.set_inner_content(&text, &content_option(false)),
                Edit::Markup(markup) => element.set_inner_content(&markup, &content_option(true)),
                // A refused name leaves the build's value, as the contract says.
                Edit::Attribute { name, value } => {
                    let _ = element.set_attribute(&name, &value);
                }
            }
        }
    });
    let handlers = js_sys::Object::new();
    js_sys::Reflect::set(&handlers, &"element".into(), &handler.into_js_value())
        .expect("setting a property of a fresh object cannot fail");
    HtmlRewriter::new().on(SELECTOR, &handlers)
}

/// `{ html: false }`: the content is text, which the rewriter escapes; `{ html: true }`:
/// markup, whose values the contract has escaped.
fn content_option(html: bool) -> JsValue {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"html".into(), &JsValue::from_bool(html))
        .expect("setting a property of a fresh object cannot fail");
    options.into()
}
