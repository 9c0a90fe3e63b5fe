//! A session's head count: how many came, of whom under 14, and for
//! sessions on registration how many had registered and how many of them
//! came. "Not counted" (None) is kept apart from zero everywhere.

use serde::{Deserialize, Serialize};

use crate::{Problem, Problems};

/// The most people one session can hold, as for capacities.
pub const MAX_HEADCOUNT: u32 = 100_000;

/// Doors open an hour before a session: registered parties are ticked as
/// they arrive (docs/decisions/0014).
pub const DOORS_OPEN_SECONDS: i64 = 3600;

/// What is recorded of a session's attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// How many came: the counter's taps, walk-ins, a count typed or imported.
    Count,
    /// A registered party ticked present (or not) at the door.
    CheckIn,
}

impl Recording {
    /// The first instant (unix seconds) it may be recorded for a session
    /// starting at `starts_at`: a count once the session has begun (walk-ins
    /// take the seats no-shows leave, known at the start), a tick once the
    /// doors open.
    pub fn opens_at(self, starts_at: i64) -> i64 {
        match self {
            Recording::Count => starts_at,
            Recording::CheckIn => starts_at - DOORS_OPEN_SECONDS,
        }
    }

    /// Attendance is never recorded ahead of a session (six weeks before
    /// is a mistake, not a count); once open, corrections are accepted at any
    /// time after. The problem names the key of the message; the caller adds
    /// `opens`, the opening time in words.
    pub fn allowed(self, starts_at: i64, now: i64) -> Result<(), Problem> {
        if now >= self.opens_at(starts_at) {
            return Ok(());
        }
        Err(match self {
            Recording::Count => Problem::field("participants", "error.count_before_start"),
            Recording::CheckIn => Problem::field("present", "error.check_in_before_doors"),
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headcount {
    pub participants: Option<u32>,
    pub under_14: Option<u32>,
    pub registered: Option<u32>,
    /// Of the registered, how many came.
    pub present: Option<u32>,
}

impl Headcount {
    /// A head count that holds together: under-14s and registered-present
    /// need a head count and cannot exceed it; present cannot exceed registered.
    pub fn new(
        participants: Option<u32>,
        under_14: Option<u32>,
        registered: Option<u32>,
        present: Option<u32>,
    ) -> Result<Headcount, Problems> {
        let mut p = Problems::new();
        for (field, v) in [
            ("participants", participants),
            ("under_14", under_14),
            ("registered", registered),
            ("present", present),
        ] {
            if v.is_some_and(|v| v > MAX_HEADCOUNT) {
                p.push(Problem::field(field, "error.headcount"));
            }
        }
        match (participants, under_14) {
            (None, Some(_)) => p.push(Problem::field(
                "under_14",
                "error.under_14_without_participants",
            )),
            (Some(n), Some(u)) if u > n => p.push(Problem::field(
                "under_14",
                "error.under_14_over_participants",
            )),
            _ => {}
        }
        match (participants, present) {
            (None, Some(_)) => p.push(Problem::field(
                "present",
                "error.present_without_participants",
            )),
            (Some(n), Some(k)) if k > n => {
                p.push(Problem::field("present", "error.present_over_participants"))
            }
            _ => {}
        }
        if let (Some(r), Some(k)) = (registered, present)
            && k > r
        {
            p.push(Problem::field("present", "error.present_over_registered"));
        }
        p.into_result(|| Headcount {
            participants,
            under_14,
            registered,
            present,
        })
    }

    /// From form or file text: empty means not counted.
    pub fn parse(
        participants: &str,
        under_14: &str,
        registered: &str,
        present: &str,
    ) -> Result<Headcount, Problems> {
        let mut p = Problems::new();
        let mut num = |field: &'static str, s: &str| p.take(parse_count(field, s)).flatten();
        let (a, b, c, d) = (
            num("participants", participants),
            num("under_14", under_14),
            num("registered", registered),
            num("present", present),
        );
        if !p.is_empty() {
            return Err(p);
        }
        Headcount::new(a, b, c, d)
    }

    pub fn is_counted(&self) -> bool {
        self.participants.is_some()
    }

    /// Registered people who did not come, when both are known.
    pub fn no_shows(&self) -> Option<u32> {
        Some(self.registered?.saturating_sub(self.present?))
    }
}

/// A whole number of people; empty is None. Spreadsheets may write "12,0".
pub fn parse_count(field: &'static str, s: &str) -> Result<Option<u32>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let whole = s
        .strip_suffix(",0")
        .or_else(|| s.strip_suffix(".0"))
        .unwrap_or(s);
    match whole.parse::<u32>() {
        Ok(n) if n <= MAX_HEADCOUNT => Ok(Some(n)),
        _ => Err(Problem::field(field, "error.headcount")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_open_at_the_start_and_ticks_when_the_doors_open() {
        let start = 1_800_000_000;
        let six_weeks = 42 * 86_400;
        for what in [Recording::Count, Recording::CheckIn] {
            assert!(what.allowed(start, start - six_weeks).is_err(), "{what:?}");
            assert!(what.allowed(start, start).is_ok(), "{what:?} at the start");
            assert!(
                what.allowed(start, start + 30 * 86_400).is_ok(),
                "{what:?}: a correction after"
            );
        }
        assert_eq!(
            Recording::Count.allowed(start, start - 1).unwrap_err().key,
            "error.count_before_start"
        );
        assert!(Recording::CheckIn.allowed(start, start - 3600).is_ok());
        assert_eq!(
            Recording::CheckIn
                .allowed(start, start - 3601)
                .unwrap_err()
                .key,
            "error.check_in_before_doors"
        );
    }

    #[test]
    fn not_counted_differs_from_zero() {
        let none = Headcount::parse("", "", "", "").unwrap();
        assert!(!none.is_counted());
        let zero = Headcount::parse("0", "0", "", "").unwrap();
        assert!(zero.is_counted());
        assert_eq!(zero.participants, Some(0));
    }

    #[test]
    fn under_14_and_present_stay_within_the_count() {
        let key = |r: Result<Headcount, Problems>| r.unwrap_err().0[0].key;
        assert_eq!(
            key(Headcount::parse("10", "11", "", "")),
            "error.under_14_over_participants"
        );
        assert_eq!(
            key(Headcount::parse("", "3", "", "")),
            "error.under_14_without_participants"
        );
        assert_eq!(
            key(Headcount::parse("10", "", "8", "9")),
            "error.present_over_registered"
        );
        assert_eq!(
            key(Headcount::parse("5", "", "8", "6")),
            "error.present_over_participants"
        );
        assert_eq!(key(Headcount::parse("-1", "", "", "")), "error.headcount");
        assert_eq!(key(Headcount::parse("3,5", "", "", "")), "error.headcount");
        let h = Headcount::parse("12,0", "4", "10", "8").unwrap();
        assert_eq!(h.participants, Some(12));
        assert_eq!(h.no_shows(), Some(2));
    }
}
