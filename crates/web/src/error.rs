//! One error type for pages: each maps to a status and a bilingual message;
//! internal causes go to the log, never to the page.

use almanach_store::StoreError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Not signed in: go to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignIn { next: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The database is overloaded (no connection in time, a lock not had in
    /// time); nothing was written and trying again soon may work. The
    /// string is the cause, for the log.
    #[error("busy: {0}")]
    Busy(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// What `Retry-After` says when the database is busy, in seconds. Overload
/// passes in seconds (a pool wait is 10 s at most, a rush's transactions
/// take milliseconds each), and a small number keeps people from giving up,
/// while still spreading a crowd's retries over more than one instant.
pub const BUSY_RETRY_AFTER: u64 = 2;

/// Adds `Retry-After: BUSY_RETRY_AFTER` to an answer.
pub fn retry_soon(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, BUSY_RETRY_AFTER.into());
    res
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            busy @ StoreError::Busy(_) => WebError::Busy(with_causes(&busy)),
            other => WebError::Internal(with_causes(&other)),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {}", with_causes(&e)))
    }
}

/// An error and its causes on one line, outermost first (`Display` alone
/// often drops them: "error occurred while decoding" without the column).
/// A cause already spelled out by the message before it is not repeated.
pub fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

fn page(status: StatusCode, fr: &str, en: &str) -> Response {
    // Pages that report a fault the librarian did not cause quote the
    // request's id (`trace`), which the log lines of the request carry.
    let reference = if status.is_server_error() {
        crate::trace::current_request_id()
            .map(|id| {
                format!("<p>Référence : <code>{id}</code> <span lang=\"en\">(reference)</span></p>")
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let body = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{fr}</title><link rel=\"stylesheet\" \
         href=\"/static/app.css\"></head><body><main class=\"narrow\"><h1>{fr}</h1><p lang=\"en\">{en}</p>\
         {reference}<p><a href=\"/staff\">Retour à l'accueil</a></p></main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => page(StatusCode::NOT_FOUND, "Page introuvable", "Page not found"),
            WebError::Forbidden => page(
                StatusCode::FORBIDDEN,
                "Votre rôle ne permet pas cette action",
                "Your role does not allow this action",
            ),
            WebError::Csrf => page(
                StatusCode::FORBIDDEN,
                "Formulaire expiré : rechargez la page et recommencez",
                "This form has expired: reload the page and try again",
            ),
            WebError::SignIn { next } => {
                let to = format!("/staff/sign-in?next={}", urlencode(&next));
                Redirect::to(&to).into_response()
            }
            WebError::BadRequest(why) => {
                tracing::info!(%why, "bad request");
                page(StatusCode::BAD_REQUEST, "Requête invalide", "Bad request")
            }
            WebError::Busy(cause) => {
                tracing::warn!(%cause, "database busy: answered 503");
                retry_soon(page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Trop de demandes en ce moment : réessayez dans quelques secondes",
                    "Too many requests right now: try again in a few seconds",
                ))
            }
            WebError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Une erreur est survenue ; elle a été consignée",
                    "Something went wrong; it has been logged",
                )
            }
        }
    }
}

/// What `urlencode` leaves as it is: RFC 3986's unreserved characters, and
/// `/` so that a path given back in `next=` stays readable.
const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// A query value, percent-encoded (UTF-8, upper-case hex).
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, KEPT).to_string()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn query_values_are_percent_encoded_as_before() {
        assert_eq!(urlencode("/staff/events"), "/staff/events");
        assert_eq!(urlencode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            urlencode("/staff?x=1&y=é z"),
            "/staff%3Fx%3D1%26y%3D%C3%A9%20z"
        );
        assert_eq!(urlencode("100%+#"), "100%25%2B%23");
    }

    /// A message that does not repeat its cause, as most wrappers write.
    #[derive(Debug, thiserror::Error)]
    #[error("cannot read the session row")]
    struct Outer(#[source] std::io::Error);

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What an internal error writes to the log while it becomes a page.
    fn logged(e: WebError) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let res = e.into_response();
            assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        });
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_store_error_keeps_its_inner_cause_in_the_log() {
        let inner = Outer(std::io::Error::other("disk quota exceeded"));
        let store = StoreError::Other(sqlx::Error::Configuration(Box::new(inner)));
        assert!(
            !store.to_string().contains("disk quota"),
            "the premise: Display alone drops the cause"
        );
        let line = logged(WebError::from(store));
        assert!(line.contains("internal error"), "{line}");
        assert!(line.contains("cannot read the session row"), "{line}");
        assert!(line.contains("disk quota exceeded"), "{line}");
    }

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::other("broken pipe");
        let e = sqlx::Error::Io(io);
        let text = with_causes(&e);
        assert_eq!(text.matches("broken pipe").count(), 1, "{text}");
        assert_eq!(
            with_causes(&Outer(std::io::Error::other("gone"))),
            "cannot read the session row: gone"
        );
    }
}
