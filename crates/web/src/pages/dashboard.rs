//! The dashboard: the coming weeks at a glance.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

use crate::auth::StaffSession;
use crate::view::{Flash, Page};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff", get(dashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Page,
}

async fn dashboard(State(_state): State<AppState>, s: StaffSession, flash: Flash) -> Result<Html<String>, WebError> {
    let page = Page::new(&s, crate::Tr::new(s.lang).t("nav.dashboard"), "dashboard", &flash);
    Ok(Html(DashboardPage { page }.render()?))
}
