//! Sessions in the API: the filtered list, one session, and the writes
//! (create under an event, change, cancel), parsed by the same domain rules
//! as the staff form and checked against the library's calendar.

use almanach_domain::calendar::local_to_instant;
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::programme::{
    AttendanceMode, EventStatus, RawSession, SessionDraft, SessionKind, calendar_warnings,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::api_queries::SessionPage;
use almanach_store::{Library, Session, SessionWrite, Store};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::caller::{Caller, Identity};
use super::error::{ActionErrors, ApiError, GetErrors, ListErrors, WriteErrors};
use super::input::{
    ApiJson, ApiQuery, Id, Loose, age_schema, capacity_schema, ids, present, price_schema,
};
use super::registrations::{out, outs};
use super::schema::{SessionOut, kind_schema, nullable_enum_schema, status_schema};
use crate::AppState;

// A parameter with its own schema loses its doc comment, so the text is here.
fn session_status_param() -> utoipa::openapi::Object {
    let mut s = status_schema();
    s.description = Some(
        "The event's status; `cancelled` means the session's or its event's. Without a token only published \
         events are shown. Cancelled sessions are left out unless asked for."
            .into(),
    );
    s
}

// ------------------------------------------------------------------ reads

pub const MAX_LIMIT: u32 = 500;
pub const MAX_OFFSET: u32 = 1_000_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// First library-local day, inclusive.
    #[param(format = Date, value_type = Option<String>)]
    from: Option<Date>,
    /// Last library-local day, inclusive.
    #[param(format = Date, value_type = Option<String>)]
    to: Option<Date>,
    /// A series id.
    series: Option<i64>,
    /// A theme id.
    theme: Option<i64>,
    /// A person's age: sessions whose audience admits it.
    #[param(minimum = 0, maximum = 120)]
    age: Option<u8>,
    /// A room id.
    room: Option<i64>,
    #[param(schema_with = session_status_param)]
    status: Option<EventStatus>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(minimum = 0, maximum = 1_000_000)]
    offset: Option<u32>,
}

/// `limit` and `offset` checked against their bounds.
pub fn paging(limit: Option<u32>, offset: Option<u32>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(100);
    let offset = offset.unwrap_or(0);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    if offset > MAX_OFFSET {
        return Err(ApiError::BadRequest(format!(
            "offset must be at most {MAX_OFFSET}"
        )));
    }
    Ok((i64::from(limit), i64::from(offset)))
}

/// A date as the library stores it; years outside 0..=9999 do not compare as text.
fn iso_day(name: &str, d: Option<Date>) -> Result<Option<String>, ApiError> {
    match d {
        Some(d) if d.year() < 0 => Err(ApiError::BadRequest(format!(
            "{name}: the year must be between 0 and 9999"
        ))),
        d => Ok(d.map(|d| d.to_string())),
    }
}

impl SessionQuery {
    /// The page to read, or None when nothing can match (the public asking
    /// for drafts, `to` before `from`).
    fn page(&self, public: bool) -> Result<Option<SessionPage>, ApiError> {
        let (limit, offset) = paging(self.limit, self.offset)?;
        if let (Some(a), Some(b)) = (self.from, self.to)
            && b < a
        {
            return Ok(None);
        }
        if self.age.is_some_and(|a| a > 120) {
            return Err(ApiError::BadRequest("age must be between 0 and 120".into()));
        }
        let (mut statuses, cancelled) = match self.status {
            None => (vec![], false),
            Some(EventStatus::Cancelled) => (vec![], true),
            Some(s) => (vec![s], false),
        };
        if public {
            if statuses.iter().any(|s| *s != EventStatus::Published) {
                return Ok(None);
            }
            statuses = vec![EventStatus::Published];
        }
        Ok(Some(SessionPage {
            from_date: iso_day("from", self.from)?,
            to_date: iso_day("to", self.to)?,
            series_id: self.series,
            theme_id: self.theme,
            room_id: self.room,
            event_id: None,
            age: self.age,
            event_statuses: statuses,
            cancelled: Some(cancelled),
            limit,
            offset,
        }))
    }
}

/// Whether the public may see a record of an event in `status`.
pub fn public_may_see(status: EventStatus) -> bool {
    status == EventStatus::Published
}

/// Sessions in time order.
#[utoipa::path(
    get,
    path = "/sessions",
    tag = "sessions",
    params(SessionQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "Sessions in time order", body = Vec<SessionOut>), ListErrors)
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SessionQuery>,
) -> Result<Json<Vec<SessionOut>>, ApiError> {
    let Some(page) = q.page(caller.is_public())? else {
        return Ok(Json(Vec::new()));
    };
    let lib = caller.library(&state).await?;
    let tz = lib.tz();
    let sessions = state.store.session_page(lib.id, &page).await?;
    Ok(Json(outs(&state, lib.id, &tz, &sessions).await?))
}

/// One session; without a token, only those of published events.
#[utoipa::path(
    get,
    path = "/sessions/{id}",
    tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "The session", body = SessionOut), GetErrors)
)]
pub async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<SessionOut>, ApiError> {
    let lib = caller.library(&state).await?;
    let s = state.store.session(lib.id, SessionId(id)).await?;
    if caller.is_public() && !public_may_see(s.event_status) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(out(&state, lib.id, &lib.tz(), &s).await?))
}

// ------------------------------------------------------------------ writes

/// Field by field, what turns a body's field into the form's text.
trait Given {
    fn given(self) -> Option<String>;
}

impl Given for String {
    fn given(self) -> Option<String> {
        Some(self)
    }
}

impl Given for Option<String> {
    fn given(self) -> Option<String> {
        self
    }
}

/// A session body: the fields of the staff form. `$core` is `String` where
/// kind, date, start and end are required (creation) and `Option<String>`
/// where absent fields keep their value (change).
macro_rules! session_body {
    ($(#[$m:meta])* $name:ident, $core:ty, $kind:ident) => {
        $(#[$m])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[schema(schema_with = $kind)]
            pub kind: $core,
            /// The library-local day, 1900 to 2199.
            #[schema(format = Date, pattern = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", examples("2025-01-18"))]
            pub date: $core,
            /// Wall-clock time in the library's zone, 24 h.
            #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", examples("14:00"))]
            pub start: $core,
            #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", examples("15:30"))]
            pub end: $core,
            /// A room id; null for none.
            #[serde(default, deserialize_with = "present")]
            #[schema(value_type = Option<i64>, minimum = 1)]
            pub room_id: Option<Option<i64>>,
            /// Seats; required when registration is.
            #[serde(default, deserialize_with = "present")]
            #[schema(schema_with = capacity_schema)]
            pub capacity: Option<Loose>,
            #[serde(default, deserialize_with = "present")]
            #[schema(schema_with = age_schema)]
            pub age_min: Option<Loose>,
            #[serde(default, deserialize_with = "present")]
            #[schema(schema_with = age_schema)]
            pub age_max: Option<Loose>,
            /// Children must come with an adult.
            pub accompanied: Option<bool>,
            #[serde(default, deserialize_with = "present")]
            #[schema(schema_with = price_schema)]
            pub price: Option<Loose>,
            /// Whether the session takes registrations (default `free_entry`).
            #[schema(schema_with = registration_schema)]
            pub registration: Option<String>,
            /// Default `in_person`.
            #[schema(schema_with = nullable_attendance_schema)]
            pub attendance: Option<String>,
            /// The link for online and hybrid sessions.
            #[schema(max_length = 500)]
            pub online_url: Option<String>,
            #[schema(max_items = 50)]
            pub theme_ids: Option<Vec<i64>>,
            #[schema(max_items = 50)]
            pub speaker_ids: Option<Vec<i64>>,
            /// Staff members leading the session.
            #[schema(max_items = 50)]
            pub lead_ids: Option<Vec<i64>>,
            /// Save despite the library's calendar (public holiday, closing
            /// day, outside opening hours).
            pub confirm_warnings: Option<bool>,
        }

        impl $name {
            /// Lays the body over a session as the form would show it.
            fn apply(self, mut raw: RawSession, mut links: Links) -> Change {
                let mut when = false;
                for (slot, v, timing) in [
                    (&mut raw.kind, self.kind.given(), false),
                    (&mut raw.date, self.date.given(), true),
                    (&mut raw.start, self.start.given(), true),
                    (&mut raw.end, self.end.given(), true),
                    (&mut raw.capacity, self.capacity.map(|l| l.0), false),
                    (&mut raw.age_min, self.age_min.map(|l| l.0), false),
                    (&mut raw.age_max, self.age_max.map(|l| l.0), false),
                    (&mut raw.price, self.price.map(|l| l.0), false),
                    (&mut raw.registration, self.registration, false),
                    (&mut raw.attendance, self.attendance, false),
                    (&mut raw.online_url, self.online_url, false),
                ] {
                    if let Some(v) = v {
                        when |= timing && *slot != v;
                        *slot = v;
                    }
                }
                if let Some(r) = self.room_id {
                    raw.room_id = r;
                }
                if let Some(a) = self.accompanied {
                    raw.accompanied = a;
                }
                for (slot, v) in [(&mut links.themes, self.theme_ids), (&mut links.speakers, self.speaker_ids), (&mut links.leads, self.lead_ids)] {
                    if let Some(v) = v {
                        *slot = v;
                    }
                }
                Change { raw, links, moved: when, confirmed: self.confirm_warnings.unwrap_or(false) }
            }
        }
    };
}

session_body!(
    /// A new session.
    SessionCreate,
    String,
    kind_schema
);
session_body!(
    /// Changes to a session: absent fields keep their value; null clears
    /// the room, capacity, ages and price, and keeps the others.
    SessionPatch,
    Option<String>,
    nullable_kind_schema
);

fn nullable_kind_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(SessionKind::ALL.iter().map(|k| k.slug()))
}

fn registration_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(["free_entry", "required"])
}

fn nullable_attendance_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(AttendanceMode::ALL.iter().map(|k| k.slug()))
}

/// Problems with dates and times not in the API's one spelling (the form
/// takes several), so that the schema's patterns say exactly what it
/// accepts; empty values are left to the form's parser (which says they
/// are required).
fn spelling(raw: &RawSession) -> Problems {
    // Compared as bytes: a text of other characters never matches the
    // shape, and no slice can cut a character in two.
    let shaped = |s: &str, shape: &[u8]| {
        s.len() == shape.len()
            && s.bytes().zip(shape).all(|(c, &want)| {
                if want == b'0' {
                    c.is_ascii_digit()
                } else {
                    c == want
                }
            })
    };
    let mut p = Problems::new();
    let d = raw.date.as_str();
    let date_ok = shaped(d, b"0000-00-00")
        && (b"1900".as_slice()..b"2200".as_slice()).contains(&&d.as_bytes()[..4])
        && d.parse::<Date>().is_ok();
    if !d.is_empty() && !date_ok {
        p.push(Problem::field("date", "error.api_date"));
    }
    for (field, t) in [("start", raw.start.as_str()), ("end", raw.end.as_str())] {
        let ok = shaped(t, b"00:00") && t < "24:00" && t.as_bytes()[3] < b'6';
        if !t.is_empty() && !ok {
            p.push(Problem::field(field, "error.api_time"));
        }
    }
    p
}

/// A session as typed, with what the calendar check needs to know.
struct Change {
    raw: RawSession,
    links: Links,
    /// The date or times changed (always true for a new session), so the
    /// library's calendar is checked again.
    moved: bool,
    /// The client accepts the calendar's warnings.
    confirmed: bool,
}

#[derive(Debug, Default)]
struct Links {
    themes: Vec<i64>,
    speakers: Vec<i64>,
    leads: Vec<i64>,
}

/// A stored session as the form would show it, for changes to start from.
fn raw_of(s: &Session, tz: &TimeZone) -> (RawSession, Links) {
    let hm = |at: i64| {
        Timestamp::from_second(at)
            .map(|t| t.to_zoned(tz.clone()).time().strftime("%H:%M").to_string())
            .unwrap_or_default()
    };
    let raw = RawSession {
        kind: s.kind.slug().into(),
        date: s.local_date.clone(),
        start: hm(s.starts_at),
        end: hm(s.ends_at),
        room_id: s.room_id,
        capacity: s.capacity.map(|c| c.to_string()).unwrap_or_default(),
        age_min: s.age_min.map(|c| c.to_string()).unwrap_or_default(),
        age_max: s.age_max.map(|c| c.to_string()).unwrap_or_default(),
        accompanied: s.accompanied,
        price: format!("{}.{:02}", s.price_cents / 100, s.price_cents % 100),
        registration: crate::view::session::registration_slug(s.registration_required).into(),
        attendance: s.attendance_mode.slug().into(),
        online_url: s.online_url.clone(),
    };
    let links = Links {
        themes: s.theme_ids.clone(),
        speakers: s.speaker_ids.clone(),
        leads: s.lead_ids.clone(),
    };
    (raw, links)
}

/// Every id in `list` names a record of the library, else a problem on `field`.
async fn check_refs<F, Fut>(
    p: &mut Problems,
    field: &'static str,
    list: &[i64],
    exists: F,
) -> Result<(), ApiError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = almanach_store::Result<bool>>,
{
    match ids(field, list, 50) {
        Err(problem) => p.push(problem),
        Ok(list) => {
            for id in list {
                if !exists(id).await? {
                    p.push(Problem::field(field, "error.unknown_record"));
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Whether a lookup found its record.
fn found<T>(r: almanach_store::Result<T>) -> almanach_store::Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(almanach_store::StoreError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Parses, checks references and the calendar, and saves; answers the
/// session as stored.
async fn save(
    state: &AppState,
    who: &Identity,
    lib: &Library,
    event_id: EventId,
    id: Option<SessionId>,
    change: Change,
) -> Result<SessionOut, ApiError> {
    let Change {
        raw,
        links,
        moved,
        confirmed,
    } = change;
    let store: &Store = &state.store;
    let lib_id = lib.id;
    let mut p = spelling(&raw);
    let draft = match SessionDraft::parse(&raw) {
        Ok(d) => Some(d),
        Err(q) => {
            let known: Vec<_> = p.0.iter().map(|x| x.field).collect();
            p.0.extend(q.0.into_iter().filter(|x| !known.contains(&x.field)));
            None
        }
    };
    if let Some(room) = raw.room_id
        && !found(store.room(lib_id, room).await)?
    {
        p.push(Problem::field("room_id", "error.unknown_record"));
    }
    check_refs(&mut p, "theme_ids", &links.themes, |i| async move {
        found(store.theme(lib_id, i).await)
    })
    .await?;
    check_refs(&mut p, "speaker_ids", &links.speakers, |i| async move {
        found(store.speaker(lib_id, i).await)
    })
    .await?;
    check_refs(&mut p, "lead_ids", &links.leads, |i| async move {
        found(store.staff_by_id(lib_id, i).await)
    })
    .await?;
    let Some(draft) = draft.filter(|_| p.is_empty()) else {
        return Err(ApiError::Validation(p));
    };
    let tz = lib.tz();
    let starts_at = local_to_instant(&tz, draft.date, draft.start)
        .map_err(Problems::from)?
        .as_second();
    let ends_at = local_to_instant(&tz, draft.date, draft.end)
        .map_err(|_| Problems::from(Problem::field("end", "error.time_does_not_exist")))?
        .as_second();
    if moved && !confirmed {
        let warnings = calendar_warnings(
            &lib.hours(),
            &lib.closing(),
            draft.date,
            draft.start,
            draft.end,
        );
        if !warnings.is_empty() {
            return Err(ApiError::CalendarWarning(warnings));
        }
    }
    let write = SessionWrite {
        event_id,
        kind: draft.kind,
        starts_at,
        ends_at,
        local_date: draft.date.to_string(),
        room_id: draft.room_id,
        capacity: draft.capacity,
        age_min: draft.ages.min,
        age_max: draft.ages.max,
        accompanied: draft.ages.accompanied,
        price_cents: draft.price_cents,
        registration_required: draft.registration_required,
        attendance_mode: draft.attendance,
        online_url: draft.online_url,
        theme_ids: links.themes,
        speaker_ids: links.speakers,
        lead_ids: links.leads,
    };
    let actor = who.actor(state).await?;
    match store.save_session(&actor, id, &write).await? {
        Ok(id) => Ok(out(state, lib_id, &tz, &store.session(lib_id, id).await?).await?),
        Err(clash) => Err(ApiError::RoomClash { clash, tz }),
    }
}

/// Adds a session to an event.
#[utoipa::path(
    post,
    path = "/events/{id}/sessions",
    tag = "sessions",
    params(("id" = i64, Path, description = "Event id")),
    request_body = SessionCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The session created", body = SessionOut), WriteErrors)
)]
pub async fn create_session(
    State(state): State<AppState>,
    who: Identity,
    Id(event_id): Id,
    ApiJson(body): ApiJson<SessionCreate>,
) -> Result<(StatusCode, Json<SessionOut>), ApiError> {
    who.require(Action::EditProgramme)?;
    let lib = state.store.library(who.staff.library_id).await?;
    let event_id = EventId(event_id);
    state.store.event(lib.id, event_id).await?;
    let change = Change {
        moved: true,
        ..body.apply(RawSession::default(), Links::default())
    };
    let out = save(&state, &who, &lib, event_id, None, change).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Changes a session; absent fields keep their value.
#[utoipa::path(
    patch,
    path = "/sessions/{id}",
    tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    request_body = SessionPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The session as saved", body = SessionOut), WriteErrors)
)]
pub async fn patch_session(
    State(state): State<AppState>,
    who: Identity,
    Id(id): Id,
    ApiJson(body): ApiJson<SessionPatch>,
) -> Result<Json<SessionOut>, ApiError> {
    who.require(Action::EditProgramme)?;
    let lib = state.store.library(who.staff.library_id).await?;
    let current = state.store.session(lib.id, SessionId(id)).await?;
    let (raw, links) = raw_of(&current, &lib.tz());
    let change = body.apply(raw, links);
    Ok(Json(
        save(
            &state,
            &who,
            &lib,
            current.event_id,
            Some(SessionId(id)),
            change,
        )
        .await?,
    ))
}

/// Cancels a session (its registrants keep their place in the records).
#[utoipa::path(
    post,
    path = "/sessions/{id}/cancel",
    tag = "sessions",
    params(("id" = i64, Path, description = "Session id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The session, cancelled", body = SessionOut), ActionErrors)
)]
pub async fn cancel_session(
    State(state): State<AppState>,
    who: Identity,
    Id(id): Id,
) -> Result<Json<SessionOut>, ApiError> {
    who.require(Action::EditProgramme)?;
    let lib = state.store.library(who.staff.library_id).await?;
    let current = state.store.session(lib.id, SessionId(id)).await?;
    if !current.cancelled {
        state
            .store
            .set_session_cancelled(&who.actor(&state).await?, SessionId(id), true)
            .await?;
    }
    Ok(Json(
        out(
            &state,
            lib.id,
            &lib.tz(),
            &state.store.session(lib.id, SessionId(id)).await?,
        )
        .await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_of_dates_and_times() {
        let check = |date: &str, start: &str| {
            let raw = RawSession {
                date: date.into(),
                start: start.into(),
                end: "23:59".into(),
                ..Default::default()
            };
            spelling(&raw).0.iter().map(|p| p.key).collect::<Vec<_>>()
        };
        assert!(check("2025-01-18", "00:00").is_empty());
        assert!(
            check("", "").is_empty(),
            "empty values are the form parser's to report"
        );
        for date in [
            "18/01/2025",
            "2025-1-18",
            "2025-02-29",
            "1899-12-31",
            "2200-01-01",
            "2025é01-18",
            "２０２５-01-18",
            "2025-01-18 ",
        ] {
            assert_eq!(check(date, "14:00"), ["error.api_date"], "{date:?}");
        }
        for time in [
            "14h", "14:5", "24:00", "12:60", "1é:00", "１4:00", "14:00:00",
        ] {
            assert_eq!(check("2025-01-18", time), ["error.api_time"], "{time:?}");
        }
    }
}
