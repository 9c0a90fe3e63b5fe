//! Request tracing: every request gets an id, carried by a span (method,
//! matched route, status, duration) around every log line the request
//! writes, echoed in the `X-Request-Id` answer header and shown on error
//! pages, so a librarian can quote it and an operator find its lines.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnRequest, OnResponse, TraceLayer};
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being answered, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The same id for code that sees no request (error pages).
    static CURRENT: String;
}

/// The id of the request this task is answering, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// An id a proxy gave (nginx's `$request_id`, a load balancer's) is kept so
/// its log and ours agree, but only when short and plain: it goes into our
/// logs, a header and a page.
fn accepted(v: &HeaderValue) -> Option<String> {
    let b = v.as_bytes();
    let plain = (1..=64).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    plain.then(|| String::from_utf8_lossy(b).into_owned())
}

/// Sixteen hexadecimal digits: short enough to read over the phone, random
/// enough never to meet another request's in a log.
fn generated() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Gives the request its id (before the trace layer opens its span) and
/// echoes it in the answer.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(accepted)
        .unwrap_or_else(generated);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = CURRENT.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

#[derive(Clone, Copy)]
pub struct RequestSpan;

impl MakeSpan<Body> for RequestSpan {
    fn make_span(&mut self, req: &Request) -> Span {
        let id = req
            .extensions()
            .get::<RequestId>()
            .map_or("", |r| r.0.as_str());
        // The route as declared (`/staff/sessions/{id}`), never the raw
        // path: paths carry private link tokens (`/r/…`).
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("(none)", MatchedPath::as_str);
        tracing::info_span!(
            "request",
            id,
            method = %req.method(),
            route,
            status = tracing::field::Empty,
            ms = tracing::field::Empty,
        )
    }
}

/// A line when a request starts, at debug level: with it a slow request
/// shows in the log before it ends.
#[derive(Clone, Copy)]
pub struct Started;

impl<B> OnRequest<B> for Started {
    fn on_request(&mut self, _: &axum::http::Request<B>, _: &Span) {
        tracing::debug!("started");
    }
}

#[derive(Clone, Copy)]
pub struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, res: &axum::http::Response<B>, latency: Duration, span: &Span) {
        span.record("status", res.status().as_u16());
        span.record("ms", u64::try_from(latency.as_millis()).unwrap_or(u64::MAX));
        tracing::info!("answered");
    }
}

/// The span per request; failures are not logged again here (an internal
/// error logs its cause where it happens, inside this span).
pub fn layer()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, Started, Answered, (), (), ()>
{
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(Started)
        .on_response(Answered)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incoming_id_is_kept_only_when_short_and_plain() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(accepted(&v("abc-123_X.9")).as_deref(), Some("abc-123_X.9"));
        assert_eq!(accepted(&v(&"a".repeat(64))).map(|s| s.len()), Some(64));
        assert_eq!(accepted(&v(&"a".repeat(65))), None, "too long");
        assert_eq!(accepted(&v("")), None);
        assert_eq!(accepted(&v("a b")), None, "a space");
        assert_eq!(accepted(&v("<script>")), None);
        assert_eq!(accepted(&v("a%0d%0a")), None, "percent signs");
        assert_eq!(
            accepted(&HeaderValue::from_bytes("é".as_bytes()).unwrap()),
            None,
            "beyond ASCII"
        );
    }

    #[test]
    fn generated_ids_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (generated(), generated());
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
