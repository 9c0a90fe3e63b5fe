//! A session's head count: how many came, of whom under 14, and for
//! sessions on registration how many had registered and how many of them
//! came. "Not counted" (None) is kept apart from zero everywhere.

use serde::{Deserialize, Serialize};

use crate::{Problem, Problems};

/// The most people one session can hold, as for capacities.
pub const MAX_HEADCOUNT: u32 = 100_000;

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
