//! The programme: series, events, sessions, themes, rooms, and the rules a
//! session must satisfy. Types here are built by `parse` and cannot be wrong
//! afterwards; the storage and web layers only move them around.

use jiff::ToSpan;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::calendar::{ClosingDays, OpeningHours, parse_date, parse_time, public_holiday};
use crate::text::{check_line, check_multi_line};
use crate::{Problem, Problems, fmt};

/// Seasons are the calendar's (a leaf `fmt` reads too); named here as before.
pub use crate::calendar::season_of;

macro_rules! slug_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $slug:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.slug() == s)
            }
        }
    };
}
pub(crate) use slug_enum;

slug_enum!(
    /// What happens in a session. French: rencontre, atelier, rendez-vous, autre.
    SessionKind { Talk = "talk", Workshop = "workshop", Appointment = "appointment", Other = "other" }
);
slug_enum!(EventStatus { Draft = "draft", Published = "published", Cancelled = "cancelled" });
slug_enum!(
    /// A series' policy; a session resolves it to free entry or registration.
    RegistrationPolicy { FreeEntry = "free_entry", Required = "required", WorkshopsOnly = "workshops_only" }
);
slug_enum!(AttendanceMode { InPerson = "in_person", Online = "online", Hybrid = "hybrid" });

impl RegistrationPolicy {
    /// Whether a session of `kind` under this policy takes registrations.
    pub fn requires_registration(self, kind: SessionKind) -> bool {
        match self {
            RegistrationPolicy::FreeEntry => false,
            RegistrationPolicy::Required => true,
            RegistrationPolicy::WorkshopsOnly => kind == SessionKind::Workshop,
        }
    }
}

/// Theme categories (tags). A theme may carry several.
pub const THEME_CATEGORIES: &[&str] = &[
    "image",
    "texte",
    "video",
    "son",
    "code",
    "societe-ethique",
    "outils-quotidien",
    "recherche",
    "education",
];

pub fn parse_categories(values: &[String]) -> Result<Vec<String>, Problem> {
    let mut out = Vec::new();
    for v in values.iter().flat_map(|v| v.split(',')) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        if !THEME_CATEGORIES.contains(&v) {
            return Err(Problem::field("categories", "error.unknown_category").arg("value", v));
        }
        if !out.iter().any(|o: &String| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

/// A required, trimmed single-line text of bounded length.
pub fn parse_name(field: &'static str, s: &str, max: usize) -> Result<String, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Problem::field(field, "error.required"));
    }
    if s.chars().count() > max {
        return Err(Problem::field(field, "error.too_long").arg("max", max.to_string()));
    }
    check_line(field, s)?;
    Ok(s.to_string())
}

/// An optional single-line text (a town, a provider, a phone), bounded.
pub fn parse_line(field: &'static str, s: &str, max: usize) -> Result<String, Problem> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(Problem::field(field, "error.too_long").arg("max", max.to_string()));
    }
    check_line(field, s)?;
    Ok(s.to_string())
}

/// An optional free text (descriptions, notes), bounded: line breaks and
/// tabs, no other control character.
pub fn parse_text(field: &'static str, s: &str, max: usize) -> Result<String, Problem> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(Problem::field(field, "error.too_long").arg("max", max.to_string()));
    }
    check_multi_line(field, s)?;
    Ok(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// `#1a2b3c`, as the colour input sends it.
pub fn parse_colour(s: &str) -> Result<String, Problem> {
    let s = s.trim().to_ascii_lowercase();
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(s)
    } else {
        Err(Problem::field("colour", "error.colour"))
    }
}

/// A seat count: at least one, at most 100 000.
pub fn parse_capacity(field: &'static str, s: &str) -> Result<Option<u32>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(Some(n)),
        _ => Err(Problem::field(field, "error.capacity")),
    }
}

/// The longest a session lasts, in seconds, with room to spare: a session
/// is held on one date between two times of it (the forms, the API and the
/// import all ask for that), or lasts a series' default duration, 24 hours
/// at most (`parse_minutes`); the store refuses longer ones. Queries for
/// the sessions not over at an instant also ask for those begun after that
/// instant minus this, so they read the days around it, not the library's
/// whole history.
pub const LONGEST_SESSION_SECS: i64 = 2 * 86_400;

/// Minutes, for a series' default duration.
pub fn parse_minutes(field: &'static str, s: &str) -> Result<Option<u32>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if (5..=24 * 60).contains(&n) => Ok(Some(n)),
        _ => Err(Problem::field(field, "error.duration")),
    }
}

/// A price in euros as typed ("5", "7,50", "7.5") to cents; empty is free.
pub fn parse_price(s: &str) -> Result<i64, Problem> {
    let s = s.trim().trim_end_matches('€').trim().replace(',', ".");
    if s.is_empty() {
        return Ok(0);
    }
    let bad = || Problem::field("price", "error.price");
    let (e, c) = s.split_once('.').unwrap_or((&s, ""));
    if e.is_empty()
        || e.len() > 5
        || !e.chars().all(|c| c.is_ascii_digit())
        || c.len() > 2
        || !c.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let euros: i64 = e.parse().map_err(|_| bad())?;
    let cents: i64 = if c.is_empty() {
        0
    } else {
        format!("{c:0<2}").parse().map_err(|_| bad())?
    };
    Ok(euros * 100 + cents)
}

/// Who a session is for, by age. "à partir de 14 ans" is `min: 14`;
/// "4 à 10 ans" is `min: 4, max: 10`; children may have to come with an adult.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeRange {
    pub min: Option<u8>,
    pub max: Option<u8>,
    pub accompanied: bool,
}

impl AgeRange {
    pub fn parse(min: &str, max: &str, accompanied: bool) -> Result<AgeRange, Problems> {
        let mut problems = Problems::new();
        let age = |field: &'static str, s: &str| -> Result<Option<u8>, Problem> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            match s.parse::<u8>() {
                Ok(n) if n <= 120 => Ok(Some(n)),
                _ => Err(Problem::field(field, "error.age")),
            }
        };
        let min = problems.take(age("age_min", min)).flatten();
        let max = problems.take(age("age_max", max)).flatten();
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            problems.push(Problem::field("age_max", "error.age_order"));
        }
        problems.into_result(|| AgeRange {
            min,
            max,
            accompanied,
        })
    }

    /// Whether a person of `age` years may attend.
    pub fn admits(&self, age: u8) -> bool {
        self.min.is_none_or(|m| age >= m) && self.max.is_none_or(|m| age <= m)
    }

    pub fn describe(&self, lang: crate::Lang) -> String {
        use crate::Lang::*;
        let base = match (self.min, self.max, lang) {
            (None, None, Fr) => "tout public".to_string(),
            (None, None, En) => "all ages".to_string(),
            // The number and "ans" on one line, as the range (`fmt`).
            (Some(a), None, Fr) => format!("à partir de {a}\u{a0}ans"),
            (Some(a), None, En) => format!("ages {a} and up"),
            (None, Some(b), Fr) => format!("jusqu'à {b}\u{a0}ans"),
            (None, Some(b), En) => format!("up to age\u{a0}{b}"),
            (Some(a), Some(b), Fr) => {
                format!("{}\u{a0}ans", fmt::range(a.into(), b.into(), lang))
            }
            (Some(a), Some(b), En) => format!("ages {}", fmt::range(a.into(), b.into(), lang)),
        };
        match (self.accompanied, lang) {
            (true, Fr) => format!("{base}, enfants accompagnés d'un adulte"),
            (true, En) => format!("{base}, children with an adult"),
            (false, _) => base,
        }
    }
}

/// A session as typed in a form or sent to the API, before any parsing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSession {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub room_id: Option<i64>,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub age_min: String,
    #[serde(default)]
    pub age_max: String,
    #[serde(default)]
    pub accompanied: bool,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub registration: String,
    #[serde(default)]
    pub attendance: String,
    #[serde(default)]
    pub online_url: String,
}

/// A session that passed every rule that needs no other record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionDraft {
    pub kind: SessionKind,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub room_id: Option<i64>,
    pub capacity: Option<u32>,
    pub ages: AgeRange,
    pub price_cents: i64,
    /// Resolved: true when the session takes registrations.
    pub registration_required: bool,
    pub attendance: AttendanceMode,
    pub online_url: String,
}

impl SessionDraft {
    pub fn parse(raw: &RawSession) -> Result<SessionDraft, Problems> {
        let mut p = Problems::new();
        let kind = SessionKind::parse(&raw.kind);
        if kind.is_none() {
            p.push(Problem::field("kind", "error.choose"));
        }
        let date = parse_date(&raw.date);
        if date.is_none() {
            p.push(Problem::field(
                "date",
                if raw.date.trim().is_empty() {
                    "error.required"
                } else {
                    "error.date"
                },
            ));
        }
        let start = parse_time(&raw.start);
        if start.is_none() {
            p.push(Problem::field(
                "start",
                if raw.start.trim().is_empty() {
                    "error.required"
                } else {
                    "error.time"
                },
            ));
        }
        let end = parse_time(&raw.end);
        if end.is_none() {
            p.push(Problem::field(
                "end",
                if raw.end.trim().is_empty() {
                    "error.required"
                } else {
                    "error.time"
                },
            ));
        }
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            p.push(Problem::field("end", "error.end_before_start"));
        }
        let capacity = p.take(parse_capacity("capacity", &raw.capacity)).flatten();
        let ages = match AgeRange::parse(&raw.age_min, &raw.age_max, raw.accompanied) {
            Ok(a) => Some(a),
            Err(e) => {
                p.0.extend(e.0);
                None
            }
        };
        let price_cents = p.take(parse_price(&raw.price));
        let registration_required = match raw.registration.trim() {
            "required" => Some(true),
            "free_entry" | "" => Some(false),
            _ => {
                p.push(Problem::field("registration", "error.choose"));
                None
            }
        };
        if registration_required == Some(true)
            && capacity.is_none()
            && !raw.capacity.trim().is_empty()
        {
            // already reported as a bad capacity
        } else if registration_required == Some(true) && capacity.is_none() {
            p.push(Problem::field("capacity", "error.capacity_needed"));
        }
        let attendance = if raw.attendance.trim().is_empty() {
            Some(AttendanceMode::InPerson)
        } else {
            AttendanceMode::parse(&raw.attendance)
        };
        if attendance.is_none() {
            p.push(Problem::field("attendance", "error.choose"));
        }
        let online_url = p
            .take(parse_line("online_url", &raw.online_url, 500))
            .unwrap_or_default();
        if matches!(
            attendance,
            Some(AttendanceMode::Online | AttendanceMode::Hybrid)
        ) && !online_url.is_empty()
            && !(online_url.starts_with("https://") || online_url.starts_with("http://"))
        {
            p.push(Problem::field("online_url", "error.url"));
        }
        if !p.is_empty() {
            return Err(p);
        }
        Ok(SessionDraft {
            kind: kind.expect("checked"),
            date: date.expect("checked"),
            start: start.expect("checked"),
            end: end.expect("checked"),
            room_id: raw.room_id,
            capacity,
            ages: ages.expect("checked"),
            price_cents: price_cents.expect("checked"),
            registration_required: registration_required.expect("checked"),
            attendance: attendance.expect("checked"),
            online_url,
        })
    }
}

/// What the library's calendar says about a date and time: warnings the
/// person may override (closing day, outside opening hours, public holiday).
pub fn calendar_warnings(
    hours: &OpeningHours,
    closing: &ClosingDays,
    date: Date,
    start: Time,
    end: Time,
) -> Vec<Problem> {
    let mut w = Vec::new();
    if let Some(name) = public_holiday(date) {
        w.push(Problem::field("date", "warning.public_holiday").arg("name", name));
    }
    if closing.contains(date) {
        w.push(Problem::field("date", "warning.closing_day"));
    } else if !hours.contains(date, start, end) {
        w.push(Problem::field("start", "warning.outside_opening_hours"));
    }
    w
}

/// Whether two half-open time spans overlap ([a, b) and [c, d)); sessions
/// that merely touch (one ends at 16 h, the next starts at 16 h) do not.
pub fn overlaps(a_start: i64, a_end: i64, b_start: i64, b_end: i64) -> bool {
    a_start < b_end && b_start < a_end
}

/// The same weekday in the same week of the following month: the 3rd
/// Sunday of February gives the 3rd Sunday of March, so a monthly series
/// ("Dimanches de l'innovation") is copied forward in one step. When the next
/// month has no such occurrence (a 5th Saturday), the last one is taken.
pub fn same_weekday_next_month(date: Date) -> Date {
    let nth = i32::from((date.day() - 1) / 7);
    let first = date
        .first_of_month()
        .checked_add(1.month())
        .expect("dates stay in range");
    let offset = (date.weekday().to_monday_zero_offset() - first.weekday().to_monday_zero_offset())
        .rem_euclid(7);
    let wanted = first
        .checked_add((i32::from(offset) + 7 * nth).days())
        .expect("dates stay in range");
    if wanted.month() == first.month() {
        wanted
    } else {
        wanted.checked_sub(1.week()).expect("dates stay in range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn raw() -> RawSession {
        RawSession {
            kind: "workshop".into(),
            date: "2024-05-19".into(),
            start: "14:00".into(),
            end: "16:00".into(),
            capacity: "12".into(),
            registration: "required".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_session_parses() {
        let s = SessionDraft::parse(&raw()).unwrap();
        assert_eq!(s.kind, SessionKind::Workshop);
        assert_eq!(s.capacity, Some(12));
        assert!(s.registration_required);
        assert_eq!(s.price_cents, 0);
    }

    #[test]
    fn end_must_follow_start() {
        let mut r = raw();
        r.end = "13:00".into();
        let e = SessionDraft::parse(&r).unwrap_err();
        assert_eq!(
            e.for_field("end").next().unwrap().key,
            "error.end_before_start"
        );
        r.end = "14:00".into();
        assert!(SessionDraft::parse(&r).is_err());
    }

    #[test]
    fn registration_needs_a_capacity() {
        let mut r = raw();
        r.capacity = "".into();
        let e = SessionDraft::parse(&r).unwrap_err();
        assert_eq!(
            e.for_field("capacity").next().unwrap().key,
            "error.capacity_needed"
        );
        r.capacity = "0".into();
        let e = SessionDraft::parse(&r).unwrap_err();
        assert_eq!(
            e.for_field("capacity").next().unwrap().key,
            "error.capacity"
        );
        r.registration = "free_entry".into();
        r.capacity = "".into();
        assert!(SessionDraft::parse(&r).is_ok());
    }

    #[test]
    fn ages_in_order_and_described() {
        let mut r = raw();
        r.age_min = "10".into();
        r.age_max = "4".into();
        let e = SessionDraft::parse(&r).unwrap_err();
        assert_eq!(
            e.for_field("age_max").next().unwrap().key,
            "error.age_order"
        );
        let a = AgeRange::parse("4", "10", false).unwrap();
        assert_eq!(a.describe(crate::Lang::Fr), "4\u{a0}à\u{a0}10\u{a0}ans");
        assert!(a.admits(8) && !a.admits(11) && !a.admits(3));
        assert_eq!(
            AgeRange::parse("14", "", false)
                .unwrap()
                .describe(crate::Lang::Fr),
            "à partir de 14\u{a0}ans"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let r = RawSession {
            kind: "party".into(),
            date: "32/13/2024".into(),
            ..Default::default()
        };
        let e = SessionDraft::parse(&r).unwrap_err();
        let fields: Vec<_> = e.0.iter().filter_map(|p| p.field).collect();
        for f in ["kind", "date", "start", "end"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn prices_in_euros() {
        assert_eq!(parse_price("").unwrap(), 0);
        assert_eq!(parse_price("7,50").unwrap(), 750);
        assert_eq!(parse_price("7.5 €").unwrap(), 750);
        assert_eq!(parse_price("12").unwrap(), 1200);
        assert!(parse_price("-3").is_err());
        assert!(parse_price("1,234").is_err());
        assert!(parse_price("abc").is_err());
    }

    #[test]
    fn warnings_for_holidays_closures_and_hours() {
        let hours =
            OpeningHours::parse("mardi 10:00-18:00\nsamedi 10:00-18:00\ndimanche 14:00-18:00")
                .unwrap();
        let closing = ClosingDays::parse("2025-08-01 2025-08-20").unwrap();
        let t = |h| Time::constant(h, 0, 0, 0);
        // Easter Monday 2025.
        let w = calendar_warnings(&hours, &closing, date(2025, 4, 21), t(14), t(15));
        assert!(w.iter().any(|p| p.key == "warning.public_holiday"));
        let w = calendar_warnings(&hours, &closing, date(2025, 8, 2), t(14), t(15));
        assert_eq!(w[0].key, "warning.closing_day");
        let w = calendar_warnings(&hours, &closing, date(2025, 5, 17), t(18), t(19));
        assert_eq!(w[0].key, "warning.outside_opening_hours");
        assert!(calendar_warnings(&hours, &closing, date(2025, 5, 17), t(14), t(16)).is_empty());
    }

    #[test]
    fn seasons_start_in_september() {
        assert_eq!(season_of(date(2024, 9, 1)).1, "2024-2025");
        assert_eq!(season_of(date(2025, 8, 31)).1, "2024-2025");
    }

    #[test]
    fn the_same_weekday_of_the_month_one_month_later() {
        // 3rd Sunday of February 2025 -> 3rd Sunday of March 2025.
        assert_eq!(
            same_weekday_next_month(date(2025, 2, 16)),
            date(2025, 3, 16)
        );
        // 1st Saturday of January 2025 (the 4th) -> 1st Saturday of February (the 1st).
        assert_eq!(same_weekday_next_month(date(2025, 1, 4)), date(2025, 2, 1));
        // 2nd Tuesday of December -> 2nd Tuesday of January, across the year.
        assert_eq!(
            same_weekday_next_month(date(2024, 12, 10)),
            date(2025, 1, 14)
        );
        // 5th Saturday of March 2025 (the 29th): April has four, the last is the 26th.
        assert_eq!(
            same_weekday_next_month(date(2025, 3, 29)),
            date(2025, 4, 26)
        );
        // 5th Friday of January 2025 (the 31st): February 2025 has four, the last is the 28th.
        assert_eq!(
            same_weekday_next_month(date(2025, 1, 31)),
            date(2025, 2, 28)
        );
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_touching_is_free(a in 0i64..1000, la in 1i64..100, b in 0i64..1000, lb in 1i64..100) {
            prop_assert_eq!(overlaps(a, a + la, b, b + lb), overlaps(b, b + lb, a, a + la));
            prop_assert!(!overlaps(a, a + la, a + la, a + la + lb));
        }

        #[test]
        fn any_text_never_panics_the_parser(kind in ".{0,12}", d in ".{0,12}", s in ".{0,8}", e in ".{0,8}", c in ".{0,6}", p in ".{0,8}") {
            let r = RawSession { kind, date: d, start: s, end: e, capacity: c, price: p, ..Default::default() };
            let _ = SessionDraft::parse(&r);
        }

        #[test]
        fn parsed_prices_round_trip(cents in 0i64..10_000_000) {
            let text = format!("{},{:02}", cents / 100, cents % 100);
            prop_assert_eq!(parse_price(&text).unwrap(), cents);
        }

        #[test]
        fn next_month_keeps_the_weekday_and_the_week_when_it_can(y in 2000i16..2100, m in 1i8..=12, d in 1i8..=31) {
            let from = Date::new(y, m, d);
            prop_assume!(from.is_ok());
            let from = from.unwrap();
            let to = same_weekday_next_month(from);
            prop_assert_eq!(to.weekday(), from.weekday());
            let next = from.first_of_month().checked_add(1.month()).unwrap();
            prop_assert_eq!((to.year(), to.month()), (next.year(), next.month()));
            let (nth_from, nth_to) = ((from.day() - 1) / 7, (to.day() - 1) / 7);
            // Same week of the month, or the last occurrence when that week does not exist.
            prop_assert!(nth_to == nth_from || (nth_to < nth_from && to.day() + 7 > to.last_of_month().day()));
        }
    }
}
