//! Public pages served from memory (issue 11 §3). A page is rendered once,
//! then served as it was while the library's programme and seat versions
//! are the same (`Store::public_versions`: triggers bump them in the
//! transaction of any change, so a page is never older than the last
//! committed registration or edit) and the clock has not reached the next
//! moment the page changes by itself (`Store::next_public_change`: a
//! registration window opening, a session starting), nor five minutes. One
//! read of the versions per request; rendering only when they moved.
//!
//! Each page is kept with its `ETag` (a hash of its bytes: `If-None-Match`
//! gives 304) and compressed once, with brotli and gzip, for the clients
//! that say they take them. Only complete 200 answers without a cookie are
//! kept; whatever a request carries that a page depends on (the language,
//! the address the site is reached at, the path and query) is in the key.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

use almanach_domain::Lang;
use almanach_domain::ids::LibraryId;
use almanach_store::{PublicVersions, now};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::lang_of;

/// Longest a page is kept without a change, in seconds: what depends on
/// the day (« aujourd'hui ») follows within this.
const LONGEST: i64 = 300;
/// A page larger than this is served but not kept.
const LARGEST_PAGE: usize = 2 * 1024 * 1024;
/// Bytes kept in all (each page with its compressed copies); past it, the
/// store is emptied and fills again with what is asked.
const ALL_PAGES: usize = 24 * 1024 * 1024;
/// Smaller bodies are not worth compressing.
const SMALLEST_COMPRESSED: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    library: LibraryId,
    lang: Lang,
    /// What else the answer depends on: the API's `Accept-Language`.
    variant: String,
    /// The address the site is reached at (links in the page start with it).
    site: String,
    path_and_query: String,
}

struct Page {
    versions: PublicVersions,
    /// Unix seconds: kept until then at most.
    until: i64,
    headers: HeaderMap,
    etag: HeaderValue,
    body: Bytes,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
}

impl Page {
    fn size(&self) -> usize {
        self.body.len()
            + self.gzip.as_ref().map_or(0, Bytes::len)
            + self.brotli.as_ref().map_or(0, Bytes::len)
    }
}

/// The pages kept, shared by the server's requests.
#[derive(Default)]
pub(crate) struct Kept {
    pages: Mutex<Pages>,
    /// A lock per page being rendered: when a change makes every page
    /// stale under load, each is rendered once while the others asking
    /// for it wait for that one, instead of all rendering it together.
    renders: Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl Kept {
    /// The page kept for `key` if it is still what would be rendered now.
    fn fresh(&self, key: &Key, versions: PublicVersions, t: i64) -> Option<std::sync::Arc<Page>> {
        let pages = self.pages.lock().expect("not poisoned");
        pages
            .by_key
            .get(key)
            .filter(|p| p.versions == versions && t < p.until)
            .cloned()
    }
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<Key, std::sync::Arc<Page>>,
    bytes: usize,
    /// Per library: the programme version the next change of the clock was
    /// read at, and that moment.
    clock: HashMap<LibraryId, (i64, Option<i64>)>,
}

/// The middleware on the public pages that may be kept.
pub(crate) async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    keep(state, req, next, String::new()).await
}

/// The middleware on the API: the session list, as anyone gets it (a
/// caller with a token may see drafts: never kept).
pub(crate) async fn serve_api(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let anyone = req.method() == Method::GET
        && req.uri().path() == "/sessions"
        && !req.headers().contains_key(header::AUTHORIZATION);
    if !anyone {
        return next.run(req).await;
    }
    let variant = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "api".to_string(), |l| format!("api {l}"));
    keep(state, req, next, variant).await
}

async fn keep(state: AppState, req: Request, next: Next, variant: String) -> Response {
    // Without the versions nothing can be said fresh: render as usual (the
    // page itself answers a database in trouble).
    let Ok(library) = state.store.default_library_id().await else {
        return next.run(req).await;
    };
    let Ok(versions) = state.store.public_versions(library).await else {
        return next.run(req).await;
    };
    let headers = req.headers();
    let key = Key {
        library,
        lang: lang_of(headers),
        variant,
        site: state.public_url(headers).link("/"),
        path_and_query: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string()),
    };
    let accepts = Accepts::of(headers);
    let asked_tag = headers.get(header::IF_NONE_MATCH).cloned();
    let t = now();
    if let Some(page) = state.kept.fresh(&key, versions, t) {
        return answer(&page, accepts, asked_tag.as_ref());
    }
    let render = state
        .kept
        .renders
        .lock()
        .expect("not poisoned")
        .entry(key.clone())
        .or_default()
        .clone();
    let _rendering = render.lock().await;
    // Rendered meanwhile by the request this one waited for?
    if let Some(page) = state.kept.fresh(&key, versions, now()) {
        return answer(&page, accepts, asked_tag.as_ref());
    }
    let answered = render_and_keep(&state, req, next, key.clone(), versions, library, t).await;
    state
        .kept
        .renders
        .lock()
        .expect("not poisoned")
        .remove(&key);
    match answered {
        Ok(page) => answer(&page, accepts, asked_tag.as_ref()),
        Err(response) => response,
    }
}

/// Renders the page and keeps it when it may be: the page, or the answer
/// as it came when it is not to be kept.
async fn render_and_keep(
    state: &AppState,
    req: Request,
    next: Next,
    key: Key,
    versions: PublicVersions,
    library: LibraryId,
    t: i64,
) -> Result<std::sync::Arc<Page>, Response> {
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        // A page's body is in memory: this does not happen; if it did, the
        // client is asked to come back rather than given half a page.
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
        )
            .into_response());
    };
    let until = match until(state, library, versions.programme, t).await {
        Some(until) if body.len() <= LARGEST_PAGE => until,
        _ => return Err(Response::from_parts(parts, Body::from(body))),
    };
    let mut kept_headers = parts.headers;
    kept_headers.remove(header::CONTENT_LENGTH);
    let text = kept_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_text);
    let compress = text && body.len() >= SMALLEST_COMPRESSED;
    let page = std::sync::Arc::new(Page {
        versions,
        until,
        etag: etag(&body),
        gzip: compress.then(|| gzip(&body)),
        brotli: compress.then(|| brotli(&body)),
        headers: kept_headers,
        body,
    });
    let mut pages = state.kept.pages.lock().expect("not poisoned");
    if pages.bytes + page.size() > ALL_PAGES {
        pages.by_key.clear();
        pages.bytes = 0;
    }
    pages.bytes += page.size();
    if let Some(old) = pages.by_key.insert(key, page.clone()) {
        pages.bytes -= old.size();
    }
    Ok(page)
}

/// Until when a page rendered now (at programme version `programme`) may
/// be kept: the clock's next change for the library, five minutes at most.
async fn until(state: &AppState, library: LibraryId, programme: i64, t: i64) -> Option<i64> {
    let known = {
        let pages = state.kept.pages.lock().expect("not poisoned");
        pages
            .clock
            .get(&library)
            .filter(|(v, next)| *v == programme && next.is_none_or(|n| t < n))
            .map(|(_, next)| *next)
    };
    let next = match known {
        Some(next) => next,
        None => {
            let next = state.store.next_public_change(library, t).await.ok()?;
            let mut pages = state.kept.pages.lock().expect("not poisoned");
            pages.clock.insert(library, (programme, next));
            next
        }
    };
    Some(next.map_or(t + LONGEST, |n| n.min(t + LONGEST)))
}

/// The kept page as this client takes it: 304 when it holds these bytes.
fn answer(page: &Page, accepts: Accepts, asked_tag: Option<&HeaderValue>) -> Response {
    let mut headers = page.headers.clone();
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    if asked_tag.is_some_and(|asked| matches_tag(asked, &page.etag)) {
        headers.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let (body, encoding) = match (&page.brotli, &page.gzip) {
        (Some(br), _) if accepts.brotli => (br.clone(), Some("br")),
        (_, Some(gz)) if accepts.gzip => (gz.clone(), Some("gzip")),
        _ => (page.body.clone(), None),
    };
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    (StatusCode::OK, headers, body).into_response()
}

/// `If-None-Match`: a list of tags (weak ones compare by their value), or `*`.
fn matches_tag(asked: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(asked) = asked.to_str() else {
        return false;
    };
    let etag = etag.to_str().unwrap_or("");
    asked
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// The encodings a client takes (`Accept-Encoding`; `q=0` refuses one).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Accepts {
    brotli: bool,
    gzip: bool,
}

impl Accepts {
    fn of(headers: &HeaderMap) -> Accepts {
        let mut out = Accepts::default();
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                if refused {
                    continue;
                }
                match coding.as_str() {
                    "br" => out.brotli = true,
                    "gzip" | "x-gzip" => out.gzip = true,
                    "*" => {
                        out.brotli = true;
                        out.gzip = true;
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// A strong tag: the first 128 bits of the bytes' SHA-256, in hex.
fn etag(body: &[u8]) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let hash = hex::encode(&Sha256::digest(body)[..16]);
    HeaderValue::from_str(&format!("\"{hash}\"")).expect("hex is a header value")
}

fn is_text(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    t.starts_with("text/") || t.contains("json") || t.contains("xml") || t.contains("javascript")
}

fn gzip(body: &[u8]) -> Bytes {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(body).expect("writes to memory");
    Bytes::from(e.finish().expect("writes to memory"))
}

fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(body).expect("writes to memory");
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        h
    }

    #[test]
    fn encodings_are_read_with_their_refusals() {
        assert_eq!(
            Accepts::of(&headers("gzip, deflate, br, zstd")),
            Accepts {
                brotli: true,
                gzip: true
            }
        );
        assert_eq!(
            Accepts::of(&headers("br;q=0, gzip;q=0.5")),
            Accepts {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(Accepts::of(&headers("identity")), Accepts::default());
        assert_eq!(Accepts::of(&HeaderMap::new()), Accepts::default());
    }

    #[test]
    fn tags_match_in_lists_weak_or_not() {
        let tag = HeaderValue::from_static("\"abc\"");
        for asked in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(
                matches_tag(&HeaderValue::from_static(asked), &tag),
                "{asked}"
            );
        }
        assert!(!matches_tag(&HeaderValue::from_static("\"abd\""), &tag));
    }

    #[test]
    fn compressed_copies_give_the_page_back() {
        use std::io::Read;
        let body = "Atelier « Découvrir l'IA » — samedi 13 janvier, 14 h – 15 h 30. ".repeat(50);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gzip(body.as_bytes())[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, body);
        let mut back = Vec::new();
        brotli::Decompressor::new(&brotli(body.as_bytes())[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body.as_bytes());
        assert!(brotli(body.as_bytes()).len() < body.len() / 4);
    }
}
