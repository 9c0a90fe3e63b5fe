//! iCalendar feeds: everything public (`/agenda.ics`), a series', a
//! theme's, and one event's ("add to my calendar", optionally one of its
//! sessions). Cancelled sessions stay in, marked cancelled with a higher
//! SEQUENCE, so subscribed calendars update instead of silently keeping them.

use almanach_domain::ical::Calendar;
use almanach_domain::ids::{EventId, SessionId};
use almanach_store::{CalendarSession, FeedScope, now};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::page::Visit;
use super::page::published_event;
use crate::{AppState, WebError};

/// Feeds reach back this far, so a subscribed calendar keeps the recent past.
const PAST_DAYS: i64 = 92;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agenda.ics", get(agenda))
        // The router has no `{id}.ics` patterns: the handlers read the suffix.
        .route("/series/{file}", get(series))
        .route("/themes/{file}", get(theme))
}

/// `12.ics` → 12; anything else is not a feed.
fn feed_id<T: std::str::FromStr>(file: &str) -> Result<T, WebError> {
    file.strip_suffix(".ics")
        .and_then(|id| id.parse().ok())
        .ok_or(WebError::NotFound)
}

fn since() -> i64 {
    now() - PAST_DAYS * 24 * 3600
}

fn calendar(visit: &Visit, name: String, sessions: &[CalendarSession], file: &str) -> Response {
    // Calendar UIDs take the public address's host, as e-mails do, so a
    // session added from an e-mail and from a feed is one entry.
    let events = sessions
        .iter()
        .map(|c| c.ical_event(&visit.public_url, &visit.library.name))
        .collect();
    let body = Calendar {
        name: Some(name),
        method: None,
        events,
    }
    .write(&visit.tz());
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn agenda(State(state): State<AppState>, visit: Visit) -> Result<Response, WebError> {
    let sessions = state
        .store
        .calendar_sessions(visit.library.id, FeedScope::All { since: since() })
        .await?;
    Ok(calendar(
        &visit,
        visit.library.name.clone(),
        &sessions,
        "agenda.ics",
    ))
}

async fn series(
    State(state): State<AppState>,
    visit: Visit,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = feed_id(&file)?;
    let series = state.store.series(visit.library.id, id).await?;
    let sessions = state
        .store
        .calendar_sessions(visit.library.id, FeedScope::Series { id, since: since() })
        .await?;
    Ok(calendar(
        &visit,
        format!("{} — {}", series.name, visit.library.name),
        &sessions,
        &file,
    ))
}

async fn theme(
    State(state): State<AppState>,
    visit: Visit,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = feed_id(&file)?;
    let theme = state.store.theme(visit.library.id, id).await?;
    let sessions = state
        .store
        .calendar_sessions(visit.library.id, FeedScope::Theme { id, since: since() })
        .await?;
    Ok(calendar(
        &visit,
        format!("{} — {}", theme.title, visit.library.name),
        &sessions,
        &file,
    ))
}

#[derive(Debug, Deserialize)]
pub struct EventFeedQuery {
    /// Only this session of the event.
    session: Option<String>,
}

/// `/events/{id}.ics`: an event's sessions (or one), to add to a calendar.
/// Reached through the event page's route, which shares its path.
pub(crate) async fn event(
    state: AppState,
    visit: Visit,
    file: &str,
    q: EventFeedQuery,
) -> Result<Response, WebError> {
    let id: EventId = feed_id(file)?;
    let event = published_event(&state, &visit, id).await?;
    let mut sessions = state
        .store
        .calendar_sessions(visit.library.id, FeedScope::Event(id))
        .await?;
    if let Some(sid) = q.session.as_deref().filter(|s| !s.is_empty()) {
        let sid: SessionId = sid.parse().map_err(|_| WebError::NotFound)?;
        sessions.retain(|c| c.session.id == sid);
        if sessions.is_empty() {
            return Err(WebError::NotFound);
        }
    }
    Ok(calendar(&visit, event.title, &sessions, file))
}

/// Query of `/events/{id}.ics`, for the event page's route.
pub(crate) type EventQuery = Query<EventFeedQuery>;
