//! The staff interface: one file per area, each page action a function
//! (`*_form` shows a form, `*_save` validates and saves, miniflux-style).

mod actions;
mod audit;
mod calendar;
mod costs;
mod dashboard;
mod day;
mod digest;
mod documents;
mod events;
mod import;
mod it_setup;
mod library;
mod needs;
mod password_reset;
mod personal_data;
mod registrations;
mod rooms;
mod series;
mod session_mail;
mod sessions;
mod sign_in;
mod speakers;
mod staff;
mod stats;
mod themes;
mod tokens;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        // The public address is the public agenda; staff go to /staff.
        .route("/", get(|| async { Redirect::to("/agenda") }))
        .route("/static/app.css", get(css))
        .route("/static/nav.js", get(nav_js))
        .route("/static/pick.js", get(pick_js))
        .route("/static/review.css", get(review_css))
        .route("/static/day.js", get(day_js))
        .route("/static/colours.css", get(colours_css))
        .route("/healthz", get(|| async { "ok" }))
        .merge(sign_in::routes())
        .merge(password_reset::routes())
        .merge(dashboard::routes())
        .merge(calendar::routes())
        .merge(events::routes())
        .merge(sessions::routes())
        .merge(rooms::routes())
        .merge(series::routes())
        .merge(themes::routes())
        .merge(speakers::routes())
        .merge(staff::routes())
        .merge(tokens::routes())
        .merge(library::routes())
        .merge(audit::routes())
        .merge(registrations::routes())
        .merge(day::routes())
        .merge(stats::routes())
        .merge(needs::routes())
        .merge(it_setup::routes())
        .merge(digest::routes())
        .merge(session_mail::routes())
        .merge(personal_data::routes())
        .merge(import::routes())
        .merge(documents::routes())
        .merge(costs::routes())
        .merge(actions::routes())
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// The menu's few lines of progressive enhancement (base.html).
async fn nav_js() -> impl IntoResponse {
    script(include_str!("../../static/nav.js"))
}

/// The session form's theme filter, a static file so pages keep to
/// `script-src 'self'`.
async fn pick_js() -> impl IntoResponse {
    script(include_str!("../../static/pick.js"))
}

async fn review_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::review::REVIEW_CSS,
    )
}

async fn day_js() -> impl IntoResponse {
    script(include_str!("../../static/day.js"))
}

fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// The series' colours (`view::colour_class`). It changes when a colour
/// does, so browsers ask again each time, and get a 304 while it has not.
async fn colours_css(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let css = crate::view::colours_css(&state.store.series_colours().await?);
    let etag = format!("\"{}\"", &crate::auth::sha256_hex(&css)[..16]);
    let same = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let head = [
        (header::CONTENT_TYPE, "text/css; charset=utf-8".to_string()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
        (header::ETAG, etag),
    ];
    Ok(if same {
        (StatusCode::NOT_MODIFIED, head).into_response()
    } else {
        (head, css).into_response()
    })
}
