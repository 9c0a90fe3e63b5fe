//! The dashboard: the coming four weeks day by day, this week's and this
//! month's session counts, and the drafts still to publish.

use almanach_domain::fmt;
use almanach_domain::programme::EventStatus;
use almanach_store::SessionFilter;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use jiff::ToSpan;

use crate::auth::StaffSession;
use crate::view::dates::{add_days, day_start, monday, today};
use crate::view::session::{SessionRow, day_label};
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff", get(dashboard))
}

/// How far ahead the dashboard looks.
const AHEAD_DAYS: i64 = 28;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Page,
    /// ("samedi 13 janvier", its sessions), days without sessions left out.
    days: Vec<(String, Vec<SessionRow>)>,
    week: i64,
    month: i64,
    drafts: i64,
    logistics: super::needs::DashboardBlock,
    /// Tools renewing within 30 days: (id, name, "vendredi 25 décembre").
    renewals: Vec<(i64, String, String)>,
}

async fn dashboard(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let store = &state.store;
    let tz = store.library(lib).await?.tz();
    let now = today(&tz);
    let f = SessionFilter {
        from: Some(day_start(&tz, now)),
        to: Some(day_start(&tz, add_days(now, AHEAD_DAYS))),
        include_cancelled: true,
        ..Default::default()
    };
    let mut days: Vec<(String, Vec<SessionRow>)> = Vec::new();
    let mut last_date = String::new();
    let mut rows = SessionRow::all(&tr, &tz, &store.list_sessions(lib, &f).await?);
    let (from, to) = (f.from.unwrap_or_default(), f.to.unwrap_or_default());
    let logistics = super::needs::dashboard_block(&state, &s, &tz, from, to, &mut rows).await?;
    let year = fmt::needs_year(rows.iter().filter_map(|r| r.local_date.parse().ok()), now);
    for row in rows {
        if row.local_date != last_date {
            last_date = row.local_date.clone();
            days.push((day_label(&tr, &row.local_date, year), Vec::new()));
        }
        days.last_mut().expect("pushed above").1.push(row);
    }
    let week_start = monday(now);
    let month_start = now.first_of_month();
    let next_month = month_start.checked_add(1.month()).unwrap_or(month_start);
    let week = store
        .count_sessions(
            lib,
            day_start(&tz, week_start),
            day_start(&tz, add_days(week_start, 7)),
        )
        .await?;
    let month = store
        .count_sessions(lib, day_start(&tz, month_start), day_start(&tz, next_month))
        .await?;
    let drafts = store.count_events(lib, EventStatus::Draft).await?;
    let renewals = super::costs::renewals(&state, &s, now).await?;
    let page = Page::new(&s, tr.t("nav.dashboard"), "dashboard", &flash);
    Ok(Html(
        DashboardPage {
            page,
            days,
            week,
            month,
            drafts,
            logistics,
            renewals,
        }
        .render()?,
    ))
}
