//! A public event page: what it is, its sessions with time, room and its
//! access, audience, price and seats, its speakers, a link to share, and
//! the same facts as schema.org JSON-LD.

use almanach_domain::ids::EventId;
use std::collections::HashMap;

use almanach_domain::fmt;
use almanach_store::{Event, SessionFilter, Target, now};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::agenda::kind_key;
use super::page::{Badge, PublicPage, Visit, badge, published_event};
use super::{feeds, jsonld};
use crate::view::when;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/events/{id}", get(event_page_or_calendar))
}

/// `/events/12` is the page, `/events/12.ics` its calendar: the router
/// cannot tell them apart by pattern.
async fn event_page_or_calendar(
    State(state): State<AppState>,
    visit: Visit,
    Path(file): Path<String>,
    Query(q): feeds::EventQuery,
) -> Result<Response, WebError> {
    if file.ends_with(".ics") {
        return feeds::event(state, visit, &file, q).await;
    }
    let id = file.parse().map_err(|_| WebError::NotFound)?;
    Ok(event_page(State(state), visit, Path(id))
        .await?
        .into_response())
}

pub struct SessionView {
    pub id: i64,
    pub when: String,
    pub kind: String,
    pub room: Option<String>,
    /// The room's step-free access, when the room is known.
    pub step_free: Option<bool>,
    pub audience: String,
    pub price: String,
    pub cancelled: bool,
    /// None for a course, whose seats are the course's.
    pub badge: Option<Badge>,
    pub register: Option<String>,
}

/// A speaker as the public sees one: no contact details.
pub struct SpeakerView {
    pub name: String,
    pub organisation: String,
}

#[derive(Template)]
#[template(path = "public_event.html")]
struct EventPage {
    page: PublicPage,
    event: Event,
    paragraphs: Vec<String>,
    series: Option<String>,
    sessions: Vec<SessionView>,
    /// For a course: its seats and its one registration form.
    course: Option<(Badge, Option<String>)>,
    speakers: Vec<SpeakerView>,
    share: String,
    /// schema.org `Event`s, one per session, for the `application/ld+json` script.
    ld: Vec<serde_json::Value>,
}

async fn event_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<EventId>,
) -> Result<Html<String>, WebError> {
    let (tr, tz, lib) = (visit.tr(), visit.tz(), visit.library.id);
    let event = published_event(&state, &visit, id).await?;
    let filter = SessionFilter {
        event_id: Some(id),
        include_cancelled: true,
        ..Default::default()
    };
    let sessions = state.store.list_sessions(lib, &filter).await?;
    let rooms: HashMap<i64, bool> = state
        .store
        .list_rooms(lib)
        .await?
        .into_iter()
        .map(|r| (r.id, r.step_free))
        .collect();
    let t = now();
    let is_course = state.store.is_course(lib, id).await?;
    let course_seats = if is_course && !sessions.is_empty() {
        Some(state.store.seat_state(lib, Target::Course(id)).await?)
    } else {
        None
    };
    let course = course_seats.as_ref().map(|st| {
        let b = badge(tr, &tz, st, t);
        let link = b.can_register.then(|| format!("/events/{id}/register"));
        (b, link)
    });
    let all_speakers = state.store.list_speakers(lib).await?;
    let share = visit.link(&format!("/events/{id}"));
    let ctx = jsonld::Context {
        library: &visit.library,
        event: &event,
        page_url: &share,
        base: &visit.public_url,
        now: t,
    };
    let mut views = Vec::new();
    let mut ld = Vec::new();
    for s in &sessions {
        let seats = match &course_seats {
            Some(st) => st.clone(),
            None => state.store.seat_state(lib, Target::Session(s.id)).await?,
        };
        let own = if is_course {
            None
        } else {
            Some(badge(tr, &tz, &seats, t))
        };
        let register = match (&own, &course) {
            (Some(b), _) if b.can_register => {
                Some(format!("/events/{id}/sessions/{}/register", s.id))
            }
            (None, Some((_, link))) => link.clone(),
            _ => None,
        };
        let theirs: Vec<&almanach_store::Speaker> = all_speakers
            .iter()
            .filter(|p| s.speaker_ids.contains(&p.id))
            .collect();
        ld.push(jsonld::session(
            &ctx,
            s,
            &seats,
            &theirs,
            register.as_deref(),
        ));
        views.push(SessionView {
            id: s.id.get(),
            when: when(tr.lang, &tz, s.starts_at, s.ends_at),
            kind: tr.t(kind_key(s.kind)).to_string(),
            room: s.room_name.clone(),
            step_free: s.room_id.and_then(|r| rooms.get(&r).copied()),
            audience: s.ages().describe(tr.lang),
            price: fmt::price(s.price_cents, tr.lang),
            cancelled: s.is_cancelled(),
            badge: own,
            register: register.filter(|_| !is_course),
        });
    }
    let mut speaker_ids: Vec<i64> = sessions
        .iter()
        .flat_map(|s| s.speaker_ids.iter().copied())
        .collect();
    speaker_ids.sort_unstable();
    speaker_ids.dedup();
    let speakers = all_speakers
        .into_iter()
        .filter(|s| speaker_ids.contains(&s.id))
        .map(|s| SpeakerView {
            name: s.name,
            organisation: s.organisation,
        })
        .collect();
    let series = match event.series_id {
        Some(sid) => Some(state.store.series(lib, sid).await?.name),
        None => None,
    };
    let mut page = visit.page(event.title.clone());
    page.canonical = Some(share.clone());
    let paragraphs = event
        .description
        .split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    Ok(Html(
        EventPage {
            page,
            paragraphs,
            series,
            sessions: views,
            course,
            speakers,
            share,
            event,
            ld,
        }
        .render()?,
    ))
}
