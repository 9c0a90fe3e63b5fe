//! The private link `/r/{token}`: the person sees their registration and
//! their place on the waiting list, cancels it, or erases their data. The
//! token is the only key: pages are never cached, indexed or sent as a referrer.

use almanach_domain::registration::RegistrationStatus;
use almanach_store::{Actor, Registration, SessionFilter, now};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::page::{PublicPage, Visit};
use crate::auth::sha256_hex;
use crate::view::when;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/r/{token}", get(show))
        .route("/r/{token}/cancel", get(cancel_confirm).post(cancel))
        .route("/r/{token}/forget", get(forget_confirm).post(forget))
}

async fn find(state: &AppState, token: &str) -> Result<Registration, WebError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound);
    }
    state
        .store
        .registration_by_token(&sha256_hex(token))
        .await?
        .ok_or(WebError::NotFound)
}

/// Keeps the token out of caches, search engines and other sites' logs.
fn private(body: String) -> Response {
    let mut res = Html(body).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

#[derive(Deserialize)]
struct ShowQuery {
    new: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "public_private.html")]
struct PrivatePage {
    page: PublicPage,
    r: Registration,
    event_title: String,
    event_id: i64,
    sessions: Vec<(String, Option<String>)>,
    link: String,
    token: String,
    heading: String,
    notice: Option<&'static str>,
    started: bool,
}

async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let r = find(&state, &token).await?;
    let (tr, tz) = (visit.tr(), visit.tz());
    let event = state.store.event(r.library_id, r.event_id).await?;
    let sessions = match r.session_id {
        Some(id) => vec![state.store.session(r.library_id, id).await?],
        None => {
            state
                .store
                .list_sessions(
                    r.library_id,
                    &SessionFilter {
                        event_id: Some(r.event_id),
                        ..Default::default()
                    },
                )
                .await?
        }
    };
    let heading = match (r.status, r.position) {
        (RegistrationStatus::Confirmed, _) => tr.t("public.private.confirmed").to_string(),
        (RegistrationStatus::Waiting, Some(n)) => {
            tr.tf("public.private.waiting", &[("n", n.to_string())])
        }
        (RegistrationStatus::Waiting, None) => tr.t("public.private.waiting_unknown").to_string(),
        (RegistrationStatus::Cancelled, _) => tr.t("public.private.cancelled").to_string(),
    };
    let notice = match (q.new.is_some(), q.done.as_deref()) {
        (_, Some("cancelled")) => Some("public.private.done_cancelled"),
        (_, Some("forgotten")) => Some("public.private.done_forgotten"),
        (true, _) => Some("public.private.keep_link"),
        _ => None,
    };
    let mut page = visit.page(heading.clone());
    page.private = true;
    let started = sessions.first().is_some_and(|s| s.starts_at <= now());
    let body = PrivatePage {
        page,
        event_title: event.title,
        event_id: event.id.get(),
        sessions: sessions
            .iter()
            .map(|s| {
                (
                    when(tr.lang, &tz, s.starts_at, s.ends_at),
                    s.room_name.clone(),
                )
            })
            .collect(),
        link: visit.link(&format!("/r/{token}")),
        token,
        heading,
        notice,
        started,
        r,
    }
    .render()?;
    Ok(private(body))
}

#[derive(Template)]
#[template(path = "public_confirm.html")]
struct ConfirmPage {
    page: PublicPage,
    heading: String,
    text: String,
    action: String,
    button: String,
    back: String,
}

fn confirm(visit: &Visit, token: &str, what: &str) -> Result<Response, WebError> {
    let tr = visit.tr();
    let heading = tr
        .t(if what == "cancel" {
            "public.cancel.title"
        } else {
            "public.forget.title"
        })
        .to_string();
    let mut page = visit.page(heading.clone());
    page.private = true;
    let body = ConfirmPage {
        page,
        heading,
        text: tr
            .t(if what == "cancel" {
                "public.cancel.text"
            } else {
                "public.forget.text"
            })
            .into(),
        action: format!("/r/{token}/{what}"),
        button: tr
            .t(if what == "cancel" {
                "public.cancel.button"
            } else {
                "public.forget.button"
            })
            .into(),
        back: format!("/r/{token}"),
    }
    .render()?;
    Ok(private(body))
}

async fn cancel_confirm(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    find(&state, &token).await?;
    confirm(&visit, &token, "cancel")
}

async fn forget_confirm(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    find(&state, &token).await?;
    confirm(&visit, &token, "forget")
}

#[derive(Deserialize)]
struct Empty {}

// No Origin check on the private link's actions: the token in the path is
// the secret another site cannot know, and these pages send no referrer (the
// token must not leak), so browsers post them with `Origin: null`.
async fn cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
    _f: Form<Empty>,
) -> Result<Response, WebError> {
    withdraw(&state, &token, false).await
}

async fn forget(
    State(state): State<AppState>,
    Path(token): Path<String>,
    _f: Form<Empty>,
) -> Result<Response, WebError> {
    withdraw(&state, &token, true).await
}

/// Cancels the registration of `token` or, with `forget`, also erases what
/// it kept of the person; then back to the link's page, which says so.
async fn withdraw(state: &AppState, token: &str, forget: bool) -> Result<Response, WebError> {
    let r = find(state, token).await?;
    let actor = Actor::system(r.library_id, "public");
    let done = if forget {
        state.store.forget_registration(&actor, r.id).await?;
        "forgotten"
    } else {
        state.store.cancel_registration(&actor, r.id).await?;
        "cancelled"
    };
    Ok(Redirect::to(&format!("/r/{token}?done={done}")).into_response())
}
