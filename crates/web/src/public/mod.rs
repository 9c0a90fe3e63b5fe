//! The public face: the agenda, event pages, registration and its private
//! link, the accessibility statement, the RSS feed and the embeddable agenda. No account and no JavaScript; French
//! first, English on request; one layout (`public_base.html`).

mod agenda;
mod embed;
mod event;
mod feed;
mod feeds;
pub(crate) mod jsonld;
pub(crate) mod kept;
pub(crate) mod page;
mod private;
pub(crate) mod register;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::{AppState, WebError};
use page::{PublicPage, Visit};

pub fn routes(state: &AppState) -> Router<AppState> {
    // The pages everyone gets alike, served from memory while nothing
    // they show has changed (`kept`); forms and private links are not.
    let kept = Router::new()
        .merge(agenda::routes())
        .merge(event::routes())
        .merge(feeds::routes())
        .merge(feed::routes())
        .merge(embed::routes())
        .route("/accessibilite", get(accessibility))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kept::serve,
        ));
    Router::new()
        .merge(kept)
        .merge(register::routes().layer(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT)))
        .merge(private::routes().layer(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT)))
        .route("/static/public.css", get(css))
}

/// Public forms hold a few short fields: a larger body is refused unread.
pub(crate) const PUBLIC_BODY_LIMIT: usize = 16 * 1024;

#[derive(Template)]
#[template(path = "public_accessibility.html")]
struct AccessibilityPage {
    page: PublicPage,
    intro: String,
}

async fn accessibility(visit: Visit) -> Result<Html<String>, WebError> {
    let tr = visit.tr();
    let intro = tr.tf(
        "public.a11y.intro",
        &[
            ("library", visit.library.name.clone()),
            ("The_library", visit.library.the_name_capitalised()),
        ],
    );
    Ok(Html(
        AccessibilityPage {
            page: visit.page(tr.t("public.a11y.title")),
            intro,
        }
        .render()?,
    ))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/public.css"),
    )
}
