//! What the API answers, shared by its handlers: a session with its series,
//! room, audience and seats, and the schemas of the enumerations it uses.
//! Pure types, no handler: sessions, events and registrations read them.

use almanach_domain::Lang;
use almanach_domain::programme::{AttendanceMode, EventStatus, SessionKind};
use almanach_domain::registration::Availability;
use almanach_store::{SeatState, Session, Target};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{Object, ObjectBuilder};

// ------------------------------------------------------------------ sessions

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesRef {
    pub id: i64,
    pub name: String,
    /// `#1a2b3c`
    pub colour: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomRef {
    pub id: i64,
    pub name: String,
}

/// Who a session is for, by age, with the phrase the agenda prints.
#[derive(Debug, Serialize, ToSchema)]
pub struct Audience {
    #[schema(minimum = 0, maximum = 120)]
    pub age_min: Option<u8>,
    #[schema(minimum = 0, maximum = 120)]
    pub age_max: Option<u8>,
    /// Children must come with an adult.
    pub accompanied: bool,
    /// "à partir de 14 ans", ready to display: a no-break space keeps the
    /// number with "ans" (and "4 à 10" together).
    pub label_fr: String,
    /// "ages 14 and up"
    pub label_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    pub event_id: i64,
    /// The event's title.
    pub title: String,
    pub series: Option<SeriesRef>,
    #[schema(schema_with = kind_schema)]
    pub kind: SessionKind,
    /// RFC 3339 with the library's offset: `2025-01-18T14:00:00+01:00`.
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    /// The library-local day.
    #[schema(format = Date)]
    pub local_date: String,
    pub room: Option<RoomRef>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<u32>,
    pub audience: Audience,
    #[schema(minimum = 0)]
    pub price_cents: i64,
    pub registration_required: bool,
    #[schema(schema_with = attendance_schema)]
    pub attendance_mode: AttendanceMode,
    /// The link to join online (empty for sessions in person).
    pub online_url: String,
    /// The event's status.
    #[schema(schema_with = status_schema)]
    pub status: EventStatus,
    /// Cancelled itself or through its event.
    pub cancelled: bool,
    pub theme_ids: Vec<i64>,
    pub speaker_ids: Vec<i64>,
    /// Seats and whether registration is open, now.
    pub seats: SeatsOut,
}

pub fn kind_schema() -> utoipa::openapi::Object {
    enum_schema(SessionKind::ALL.iter().map(|k| k.slug()))
}

pub fn attendance_schema() -> utoipa::openapi::Object {
    enum_schema(AttendanceMode::ALL.iter().map(|k| k.slug()))
}

pub fn status_schema() -> utoipa::openapi::Object {
    enum_schema(EventStatus::ALL.iter().map(|k| k.slug()))
}

/// An instant as RFC 3339 with the offset `tz` has then.
pub fn rfc3339(tz: &TimeZone, at: i64) -> String {
    Timestamp::from_second(at)
        .map(|t| {
            let z = t.to_zoned(tz.clone());
            z.timestamp().display_with_offset(z.offset()).to_string()
        })
        .unwrap_or_default()
}

impl SessionOut {
    pub fn new(s: &Session, tz: &TimeZone, seats: SeatsOut) -> SessionOut {
        let ages = s.ages();
        SessionOut {
            id: s.id.get(),
            event_id: s.event_id.get(),
            title: s.event_title.clone(),
            series: s.series_id.map(|id| SeriesRef {
                id,
                name: s.series_name.clone().unwrap_or_default(),
                colour: s.series_colour.clone().unwrap_or_default(),
            }),
            kind: s.kind,
            start: rfc3339(tz, s.starts_at),
            end: rfc3339(tz, s.ends_at),
            local_date: s.local_date.clone(),
            room: s.room_id.map(|id| RoomRef {
                id,
                name: s.room_name.clone().unwrap_or_default(),
            }),
            capacity: s.capacity,
            audience: Audience {
                age_min: s.age_min,
                age_max: s.age_max,
                accompanied: s.accompanied,
                label_fr: ages.describe(Lang::Fr),
                label_en: ages.describe(Lang::En),
            },
            price_cents: s.price_cents,
            registration_required: s.registration_required,
            attendance_mode: s.attendance_mode,
            online_url: s.online_url.clone(),
            status: s.event_status,
            cancelled: s.is_cancelled(),
            theme_ids: s.theme_ids.clone(),
            speaker_ids: s.speaker_ids.clone(),
            seats,
        }
    }
}

// ------------------------------------------------------------------ seats

/// A session's seats as the public sees them now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatsOut {
    /// Seats in all; null when there is no limit. For a course, its smallest session's.
    #[schema(minimum = 1)]
    pub capacity: Option<u32>,
    /// Seats held by confirmed registrations.
    #[schema(minimum = 0)]
    pub confirmed: u32,
    /// Seats still free; null when there is no limit.
    #[schema(minimum = 0)]
    pub seats_left: Option<u32>,
    /// Parties on the waiting list.
    #[schema(minimum = 0)]
    pub waiting: u32,
    /// `free_entry`: no registration; `not_yet_open` (see `opens_at`); `open`;
    /// `full`: a new registration joins the waiting list; `closed` (also
    /// when cancelled or started).
    #[schema(schema_with = registration_state_schema)]
    pub registration: String,
    /// When registration opens, when it takes registrations at all.
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    /// When registration closes (at the latest, when the session starts).
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    #[schema(minimum = 1, maximum = 8)]
    pub max_seats_per_registration: u32,
    /// The event is a course: one registration holds a seat on every
    /// session (`POST /api/v1/events/{event_id}/registrations`).
    pub course: bool,
}

pub const REGISTRATION_STATES: [&str; 5] = ["free_entry", "not_yet_open", "open", "full", "closed"];

fn registration_state_schema() -> utoipa::openapi::Object {
    enum_schema(REGISTRATION_STATES)
}

impl SeatsOut {
    pub fn new(st: &SeatState, tz: &TimeZone, now: i64) -> SeatsOut {
        let registration = match st.offer.availability(now) {
            Availability::FreeEntry => "free_entry",
            Availability::NotYetOpen { .. } => "not_yet_open",
            Availability::Open { .. } => "open",
            Availability::WaitingList => "full",
            Availability::Closed | Availability::Past | Availability::Cancelled => "closed",
        };
        let required = st.offer.registration_required;
        SeatsOut {
            capacity: st.offer.capacity,
            confirmed: st.offer.taken,
            seats_left: st.offer.free(),
            waiting: st.waiting,
            registration: registration.into(),
            opens_at: st
                .settings
                .opens_at
                .filter(|_| required)
                .map(|at| rfc3339(tz, at)),
            closes_at: required.then(|| rfc3339(tz, st.offer.closes_at())),
            max_seats_per_registration: st.settings.max_seats,
            course: matches!(st.target, Target::Course(_)),
        }
    }
}

// ------------------------------------------------------------------ enumerations

/// A string that is one of `values`.
pub fn enum_schema<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_string)))
        .build()
}

/// The same, or null.
pub fn nullable_enum_schema<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .enum_values(Some(
            values
                .into_iter()
                .map(serde_json::Value::from)
                .chain([serde_json::Value::Null]),
        ))
        .build()
}
