//! Events in the API: the list, one event with its sessions, and the writes
//! (create, change, publish or cancel through `status`).

use almanach_domain::ids::{EventId, LibraryId};
use std::collections::HashMap;

use almanach_domain::programme::{EventStatus, parse_name};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::api_queries::{EventPage, SessionPage};
use almanach_store::{Event, Series, StoreError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::caller::{Caller, Identity};
use super::error::ApiError;
use super::error::{CreateErrors, GetErrors, ListErrors, WriteErrors};
use super::input::{ApiJson, ApiQuery, Id, present, text, url};
use super::registrations::outs;
use super::schema::{SeriesRef, SessionOut, nullable_enum_schema, status_schema};
use super::sessions::{MAX_LIMIT, paging, public_may_see};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub series: Option<SeriesRef>,
    pub picture_url: String,
    #[schema(schema_with = status_schema)]
    pub status: EventStatus,
}

/// An event with all its sessions, cancelled ones included (and flagged).
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventOut,
    pub sessions: Vec<SessionOut>,
}

impl EventOut {
    fn new(e: &Event, series: &HashMap<i64, Series>) -> EventOut {
        EventOut {
            id: e.id.get(),
            title: e.title.clone(),
            description: e.description.clone(),
            series: e
                .series_id
                .and_then(|id| series.get(&id))
                .map(|s| SeriesRef {
                    id: s.id,
                    name: s.name.clone(),
                    colour: s.colour.clone(),
                }),
            picture_url: e.picture_url.clone(),
            status: e.status,
        }
    }
}

async fn series_by_id(
    state: &AppState,
    library_id: LibraryId,
) -> Result<HashMap<i64, Series>, ApiError> {
    Ok(state
        .store
        .list_series(library_id)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// A series id.
    series: Option<i64>,
    #[param(schema_with = event_status_param)]
    status: Option<EventStatus>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1_000_000)]
    offset: Option<u32>,
}

/// Events, those happening latest first.
#[utoipa::path(
    get,
    path = "/events",
    tag = "events",
    params(EventQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "Events", body = Vec<EventOut>), ListErrors)
)]
pub async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Json<Vec<EventOut>>, ApiError> {
    let (limit, offset) = paging(q.limit, q.offset)?;
    let statuses = match (q.status, caller.is_public()) {
        (Some(s), true) if !public_may_see(s) => return Ok(Json(Vec::new())),
        (None, true) => vec![EventStatus::Published],
        (None, false) => vec![EventStatus::Draft, EventStatus::Published],
        (Some(s), _) => vec![s],
    };
    let lib = caller.library(&state).await?;
    let events = state
        .store
        .event_page(
            lib.id,
            &EventPage {
                series_id: q.series,
                statuses,
                limit,
                offset,
            },
        )
        .await?;
    let series = series_by_id(&state, lib.id).await?;
    Ok(Json(
        events.iter().map(|e| EventOut::new(e, &series)).collect(),
    ))
}

async fn detail(
    state: &AppState,
    library_id: LibraryId,
    e: &Event,
) -> Result<EventDetail, ApiError> {
    let lib = state.store.library(library_id).await?;
    let page = SessionPage {
        event_id: Some(e.id),
        limit: i64::from(MAX_LIMIT),
        ..SessionPage::default()
    };
    let sessions = state.store.session_page(library_id, &page).await?;
    let tz = lib.tz();
    Ok(EventDetail {
        event: EventOut::new(e, &series_by_id(state, library_id).await?),
        sessions: outs(state, library_id, &tz, &sessions).await?,
    })
}

/// One event with its sessions; without a token, only a published one.
#[utoipa::path(
    get,
    path = "/events/{id}",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "The event and its sessions", body = EventDetail), GetErrors)
)]
pub async fn get_event(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<EventDetail>, ApiError> {
    let lib = caller.library(&state).await?;
    let e = state.store.event(lib.id, EventId(id)).await?;
    if caller.is_public() && !public_may_see(e.status) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(detail(&state, lib.id, &e).await?))
}

/// A new event; sessions are added to it afterwards.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventCreate {
    #[schema(max_length = 200, min_length = 1)]
    pub title: String,
    #[schema(max_length = 10_000)]
    pub description: Option<String>,
    /// A series id, or null.
    #[schema(minimum = 1)]
    pub series_id: Option<i64>,
    /// An https:// address, or empty.
    #[schema(max_length = 500, pattern = "^(https?://\\S*)?$")]
    pub picture_url: Option<String>,
    /// Default `draft`.
    #[schema(schema_with = nullable_status_schema)]
    pub status: Option<String>,
}

/// Changes to an event: absent fields keep their value; `series_id: null`
/// takes the event out of its series.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[schema(max_length = 200, min_length = 1)]
    pub title: Option<String>,
    #[schema(max_length = 10_000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub series_id: Option<Option<i64>>,
    #[schema(max_length = 500, pattern = "^(https?://\\S*)?$")]
    pub picture_url: Option<String>,
    #[schema(schema_with = nullable_status_schema)]
    pub status: Option<String>,
}

fn event_status_param() -> utoipa::openapi::Object {
    let mut s = status_schema();
    s.description =
        Some("Without a token only published events are shown; cancelled events are left out unless asked for.".into());
    s
}

fn nullable_status_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(EventStatus::ALL.iter().map(|s| s.slug()))
}

/// Checks every field of an event as it would be saved.
async fn parse(
    state: &AppState,
    library_id: LibraryId,
    e: &Event,
    status: &str,
) -> Result<Event, ApiError> {
    let mut p = Problems::new();
    let title = p.take(parse_name("title", &e.title, 200));
    let description = p.take(text("description", &e.description, 10_000));
    let picture_url = p.take(url("picture_url", &e.picture_url));
    let status = EventStatus::parse(status);
    if status.is_none() {
        p.push(Problem::field("status", "error.choose"));
    }
    if let Some(id) = e.series_id {
        match state.store.series(library_id, id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                p.push(Problem::field("series_id", "error.unknown_record"))
            }
            Err(other) => return Err(other.into()),
        }
    }
    match (title, description, picture_url, status) {
        (Some(title), Some(description), Some(picture_url), Some(status)) if p.is_empty() => {
            Ok(Event {
                title,
                description,
                picture_url,
                status,
                ..e.clone()
            })
        }
        _ => Err(ApiError::Validation(p)),
    }
}

/// Creates an event (a draft unless `status` says otherwise).
#[utoipa::path(
    post,
    path = "/events",
    tag = "events",
    request_body = EventCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The event created", body = EventDetail), CreateErrors)
)]
pub async fn create_event(
    State(state): State<AppState>,
    who: Identity,
    ApiJson(b): ApiJson<EventCreate>,
) -> Result<(StatusCode, Json<EventDetail>), ApiError> {
    who.require(Action::EditProgramme)?;
    let lib_id = who.staff.library_id;
    let draft = Event {
        id: EventId(0),
        series_id: b.series_id,
        title: b.title,
        description: b.description.unwrap_or_default(),
        picture_url: b.picture_url.unwrap_or_default(),
        status: EventStatus::Draft,
    };
    let event = parse(
        &state,
        lib_id,
        &draft,
        b.status.as_deref().unwrap_or("draft"),
    )
    .await?;
    let id = state
        .store
        .save_event(&who.actor(&state).await?, &event)
        .await?;
    let saved = state.store.event(lib_id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, lib_id, &saved).await?),
    ))
}

/// Changes an event; `status` publishes or cancels it.
#[utoipa::path(
    patch,
    path = "/events/{id}",
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    request_body = EventPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The event as saved", body = EventDetail), WriteErrors)
)]
pub async fn patch_event(
    State(state): State<AppState>,
    who: Identity,
    Id(id): Id,
    ApiJson(b): ApiJson<EventPatch>,
) -> Result<Json<EventDetail>, ApiError> {
    who.require(Action::EditProgramme)?;
    let lib_id = who.staff.library_id;
    let current = state.store.event(lib_id, EventId(id)).await?;
    let merged = Event {
        id: EventId(id),
        series_id: b.series_id.unwrap_or(current.series_id),
        title: b.title.unwrap_or_else(|| current.title.clone()),
        description: b.description.unwrap_or_else(|| current.description.clone()),
        picture_url: b.picture_url.unwrap_or_else(|| current.picture_url.clone()),
        status: current.status,
    };
    let event = parse(
        &state,
        lib_id,
        &merged,
        b.status.as_deref().unwrap_or(current.status.slug()),
    )
    .await?;
    if event != current {
        state
            .store
            .save_event(&who.actor(&state).await?, &event)
            .await?;
    }
    let saved = state.store.event(lib_id, EventId(id)).await?;
    Ok(Json(detail(&state, lib_id, &saved).await?))
}
