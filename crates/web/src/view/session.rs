//! A session as the programme pages list it (`SessionRow`), enum labels,
//! day headings and the room-clash problem.

use almanach_domain::logistics::Readiness;
use almanach_domain::programme::EventStatus;
use almanach_domain::{Problem, fmt};
use almanach_store::{RoomClash, Session};
use jiff::tz::TimeZone;

use crate::Tr;
use crate::view::{clock, when, when_styled, year_needed};

/// The label of an enum value from the locale files: `kind.talk`, `status.draft`…
pub(crate) fn label(tr: &Tr, prefix: &str, slug: &str) -> String {
    tr.t(&format!("{prefix}.{slug}")).to_string()
}

/// A session as the programme pages list it, every text ready to print.
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
    pub id: i64,
    pub title: String,
    /// The library-local date, ISO, to group by day.
    pub local_date: String,
    /// "samedi 13 janvier, 14 h – 15 h 30"
    pub when: String,
    /// "14 h – 15 h 30"
    pub hours: String,
    /// "14 h"
    pub start: String,
    pub kind: String,
    pub room: String,
    pub series: String,
    /// The series' colour, empty without a series (the stylesheet's accent then).
    pub colour: String,
    /// "sur inscription, 12 places" or "entrée libre".
    pub seats: String,
    pub cancelled: bool,
    pub draft: bool,
    /// Its technical preparation, when the page asked (`needs::mark_readiness`).
    pub readiness: Option<Badge>,
}

impl SessionRow {
    /// One session: its date with the year when not in this season.
    pub fn new(tr: &Tr, tz: &TimeZone, s: &Session) -> SessionRow {
        SessionRow::styled(tr, tz, s, year_needed(tz, [s.starts_at]))
    }

    fn styled(tr: &Tr, tz: &TimeZone, s: &Session, year: bool) -> SessionRow {
        let seats = match (s.registration_required, s.capacity) {
            (true, Some(n)) => tr.tf("session.seats_registration", &[("n", n.to_string())]),
            (true, None) => tr.t("registration.required").to_string(),
            (false, Some(n)) => tr.tf("session.seats_free", &[("n", n.to_string())]),
            (false, None) => tr.t("registration.free_entry").to_string(),
        };
        SessionRow {
            id: s.id.get(),
            title: s.event_title.clone(),
            local_date: s.local_date.clone(),
            when: when_styled(tr.lang, tz, s.starts_at, s.ends_at, year),
            hours: format!(
                "{} – {}",
                clock(tr.lang, tz, s.starts_at),
                clock(tr.lang, tz, s.ends_at)
            ),
            start: clock(tr.lang, tz, s.starts_at),
            kind: label(tr, "kind", s.kind.slug()),
            room: s.room_name.clone().unwrap_or_default(),
            series: s.series_name.clone().unwrap_or_default(),
            colour: s.series_colour.clone().unwrap_or_default(),
            seats,
            cancelled: s.is_cancelled(),
            draft: s.event_status == EventStatus::Draft,
            readiness: None,
        }
    }

    /// A list: every date with the year as soon as one needs it.
    pub fn all(tr: &Tr, tz: &TimeZone, sessions: &[Session]) -> Vec<SessionRow> {
        let year = year_needed(tz, sessions.iter().map(|s| s.starts_at));
        sessions
            .iter()
            .map(|s| SessionRow::styled(tr, tz, s, year))
            .collect()
    }
}

/// Day labels for grouping: "samedi 13 janvier", with the year when `year`.
pub(crate) fn day_label(tr: &Tr, iso: &str, year: bool) -> String {
    iso.parse::<jiff::civil::Date>()
        .map(|d| fmt::day_styled(d, tr.lang, year))
        .unwrap_or_else(|_| iso.to_string())
}

/// The room clash as a message on the room field, naming the other session.
pub(crate) fn clash_problem(tr: &Tr, tz: &TimeZone, field: &'static str, c: &RoomClash) -> Problem {
    Problem::field(field, "error.room_clash")
        .arg("title", c.event_title.clone())
        .arg("when", when(tr.lang, tz, c.starts_at, c.ends_at))
}

/// A readiness as a badge: its slug for the style, its words for everyone.
#[derive(Debug, Clone)]
pub(crate) struct Badge {
    pub slug: &'static str,
    pub label: String,
    /// A sign for tight places (a calendar cell); the label says it in words.
    pub mark: &'static str,
}

impl Badge {
    pub fn new(tr: &Tr, r: Readiness) -> Badge {
        let mark = match r {
            Readiness::Ready => "✓",
            Readiness::OnTrack => "…",
            Readiness::AtRisk => "!",
            Readiness::Late => "!!",
        };
        Badge {
            slug: r.slug(),
            label: label(tr, "readiness", r.slug()),
            mark,
        }
    }
}

/// How a session takes its public, as forms and the API spell it:
/// `required` (registration) or `free_entry`.
pub(crate) fn registration_slug(required: bool) -> &'static str {
    if required { "required" } else { "free_entry" }
}
