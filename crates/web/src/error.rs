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
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

fn page(status: StatusCode, fr: &str, en: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{fr}</title><link rel=\"stylesheet\" \
         href=\"/static/app.css\"></head><body><main class=\"narrow\"><h1>{fr}</h1><p lang=\"en\">{en}</p>\
         <p><a href=\"/staff\">Retour à l'accueil</a></p></main></body></html>"
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

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
