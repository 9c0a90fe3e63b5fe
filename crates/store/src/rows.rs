//! Records several modules read, and how a database row becomes one: the
//! column readers, events, sessions, speakers and registrations. A leaf:
//! it imports nothing else of the crate, so any module may import it.

use almanach_domain::Lang;
use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::programme::{AttendanceMode, EventStatus, SessionKind};
use almanach_domain::registration::RegistrationStatus;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, StoreError};

pub(crate) fn flag(r: &AnyRow, c: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(c)? != 0)
}

pub(crate) fn opt_u32(r: &AnyRow, c: &str) -> Result<Option<u32>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u32))
}

pub(crate) fn opt_u8(r: &AnyRow, c: &str) -> Result<Option<u8>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u8))
}

pub(crate) fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Unusable(format!("unknown {what} {v:?} in database"))
}

// ---------------------------------------------------------------- speakers

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Speaker {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

pub(crate) fn speaker(r: &AnyRow) -> Result<Speaker> {
    Ok(Speaker {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        organisation: r.try_get("organisation")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        notes: r.try_get("notes")?,
    })
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub series_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub picture_url: String,
    pub status: EventStatus,
}

pub(crate) fn event(r: &AnyRow) -> Result<Event> {
    let status: String = r.try_get("status")?;
    Ok(Event {
        id: r.try_get("id")?,
        series_id: r.try_get("series_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        picture_url: r.try_get("picture_url")?,
        status: EventStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
    })
}

// ---------------------------------------------------------------- sessions

/// A session as stored, with what lists and pages show next to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Session {
    pub id: SessionId,
    pub event_id: EventId,
    pub event_title: String,
    pub event_status: EventStatus,
    pub series_id: Option<i64>,
    pub series_name: Option<String>,
    pub series_colour: Option<String>,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub ends_at: i64,
    pub local_date: String,
    pub room_id: Option<i64>,
    pub room_name: Option<String>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub accompanied: bool,
    pub price_cents: i64,
    pub registration_required: bool,
    pub attendance_mode: AttendanceMode,
    pub online_url: String,
    pub cancelled: bool,
    /// The start first announced, once the published session was moved.
    pub previous_starts_at: Option<i64>,
    pub theme_ids: Vec<i64>,
    pub speaker_ids: Vec<i64>,
    pub lead_ids: Vec<i64>,
}

impl Session {
    /// Who the session is for: its age range and whether children come
    /// with an adult.
    pub fn ages(&self) -> almanach_domain::programme::AgeRange {
        almanach_domain::programme::AgeRange {
            min: self.age_min,
            max: self.age_max,
            accompanied: self.accompanied,
        }
    }

    /// Cancelled itself or through its event.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled || self.event_status == EventStatus::Cancelled
    }
}

/// The age range of a row holding a session's columns.
pub(crate) fn age_range(r: &AnyRow) -> Result<almanach_domain::programme::AgeRange> {
    Ok(almanach_domain::programme::AgeRange {
        min: opt_u8(r, "age_min")?,
        max: opt_u8(r, "age_max")?,
        accompanied: flag(r, "accompanied")?,
    })
}

pub(crate) fn session(r: &AnyRow) -> Result<Session> {
    let ages = age_range(r)?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("event_status")?;
    let mode: String = r.try_get("attendance_mode")?;
    Ok(Session {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        event_title: r.try_get("event_title")?,
        event_status: EventStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        series_id: r.try_get("series_id")?,
        series_name: r.try_get("series_name")?,
        series_colour: r.try_get("series_colour")?,
        kind: SessionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        local_date: r.try_get("local_date")?,
        room_id: r.try_get("room_id")?,
        room_name: r.try_get("room_name")?,
        capacity: opt_u32(r, "capacity")?,
        age_min: ages.min,
        age_max: ages.max,
        accompanied: ages.accompanied,
        price_cents: r.try_get("price_cents")?,
        registration_required: flag(r, "registration_required")?,
        attendance_mode: AttendanceMode::parse(&mode).ok_or_else(|| bad("mode", &mode))?,
        online_url: r.try_get("online_url")?,
        cancelled: flag(r, "cancelled")?,
        previous_starts_at: r.try_get("previous_starts_at")?,
        theme_ids: Vec::new(),
        speaker_ids: Vec::new(),
        lead_ids: Vec::new(),
    })
}

// ---------------------------------------------------------------- registrations

/// What one registration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Target {
    Session(SessionId),
    /// Every session of a course event (`events.course`).
    Course(EventId),
}

impl Target {
    /// The stored id: the session's, or the course's event's.
    pub fn raw(self) -> i64 {
        match self {
            Target::Session(id) => id.get(),
            Target::Course(id) => id.get(),
        }
    }
}

/// A target as stored: the event, and the session unless it is a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct At {
    pub(crate) event_id: EventId,
    pub(crate) session_id: Option<SessionId>,
}

impl At {
    /// The `coalesce(session_id, 0)` the queries compare with.
    pub(crate) fn key(self) -> i64 {
        self.session_id.map_or(0, SessionId::get)
    }
    pub(crate) fn target(self) -> Target {
        self.session_id
            .map_or(Target::Course(self.event_id), Target::Session)
    }
}

/// A party registered for a session or a course. Its `Debug` leaves out the
/// personal data, so it never lands in a log.
#[derive(Clone, Serialize, PartialEq)]
pub struct Registration {
    pub id: RegistrationId,
    pub library_id: LibraryId,
    pub event_id: EventId,
    pub session_id: Option<SessionId>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub seats: u32,
    pub ages: Vec<u8>,
    pub status: RegistrationStatus,
    /// 1-based rank on the waiting list, while waiting.
    pub position: Option<u32>,
    /// "public", or "staff" for a phone caller registered by the library.
    pub source: String,
    pub created_at: i64,
    pub promoted_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub anonymised: bool,
    /// The language the person registered in; their e-mails are written in it.
    pub lang: Lang,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("id", &self.id)
            .field("target", &self.target())
            .field("seats", &self.seats)
            .field("status", &self.status)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl Registration {
    pub fn target(&self) -> Target {
        At {
            event_id: self.event_id,
            session_id: self.session_id,
        }
        .target()
    }
    pub(crate) fn at(&self) -> At {
        At {
            event_id: self.event_id,
            session_id: self.session_id,
        }
    }
}

pub(crate) fn registration(r: &AnyRow) -> Result<Registration> {
    let status: String = r.try_get("status")?;
    let ages: String = r.try_get("ages")?;
    Ok(Registration {
        id: r.try_get("id")?,
        library_id: r.try_get("library_id")?,
        event_id: r.try_get("event_id")?,
        session_id: r.try_get("session_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        seats: r.try_get::<i64, _>("seats")? as u32,
        ages: ages
            .split(',')
            .filter_map(|a| a.trim().parse().ok())
            .collect(),
        status: RegistrationStatus::parse(&status).ok_or_else(|| {
            StoreError::Unusable(format!(
                "unknown registration status {status:?} in database"
            ))
        })?,
        position: None,
        source: r.try_get("source")?,
        created_at: r.try_get("created_at")?,
        promoted_at: r.try_get("promoted_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
        anonymised: r.try_get::<Option<i64>, _>("anonymised_at")?.is_some(),
        lang: Lang::parse(&r.try_get::<String, _>("lang")?).unwrap_or_default(),
    })
}
