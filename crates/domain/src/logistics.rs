//! Logistics with the IT department: who provides a technical need, the
//! statuses a need goes through and who may move it, IT's working days and
//! the deadline rule, and a session's readiness computed from its needs.

use jiff::ToSpan;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::calendar::{ClosingDays, OpeningHours, public_holiday};
use crate::programme::slug_enum;
use crate::staff::Role;

slug_enum!(
    /// Who brings a need: the IT department (the deadline rule applies), the
    /// library's team, the speaker, or a rental company.
    Provider { It = "it", Team = "team", Speaker = "speaker", Rental = "rental" }
);

slug_enum!(
    /// requested → acknowledged → ready → checked on the day, or problem.
    NeedStatus {
        Requested = "requested",
        Acknowledged = "acknowledged",
        Ready = "ready",
        Checked = "checked",
        Problem = "problem",
    }
);

impl NeedStatus {
    /// The statuses a need may move to from this one. IT may go straight
    /// to "ready" when nothing needs acknowledging; a problem, once solved,
    /// goes back to acknowledged or ready; a need checked on the day is done.
    pub fn next(self) -> &'static [NeedStatus] {
        use NeedStatus::*;
        match self {
            Requested => &[Acknowledged, Ready, Problem],
            Acknowledged => &[Ready, Problem],
            Ready => &[Checked, Problem],
            Problem => &[Acknowledged, Ready],
            Checked => &[],
        }
    }

    pub fn may_become(self, to: NeedStatus) -> bool {
        self.next().contains(&to)
    }

    /// Ready or already checked: nothing left to do before the session.
    pub fn is_done(self) -> bool {
        matches!(self, NeedStatus::Ready | NeedStatus::Checked)
    }
}

/// The one next step a board offers for a need, for `role`, or None: a
/// request is acknowledged, an acknowledged need or a solved problem is made
/// ready, a ready need is checked on the day of its session (not before:
/// "checked on the day" weeks ahead would be untrue). Reporting a problem or
/// skipping a step is done on the need's own page, with a comment.
pub fn next_step(
    status: NeedStatus,
    role: Role,
    session_day: Date,
    today: Date,
) -> Option<NeedStatus> {
    use NeedStatus::*;
    let to = match status {
        Requested => Acknowledged,
        Acknowledged | Problem => Ready,
        Ready if today >= session_day => Checked,
        Ready | Checked => return None,
    };
    (status.may_become(to) && may_set_status(role, to)).then_some(to)
}

/// Who may set a status. IT acknowledges, readies and reports problems;
/// checking on the day is the team's, who run the session; communication
/// and viewers only read.
pub fn may_set_status(role: Role, to: NeedStatus) -> bool {
    match role {
        Role::Admin | Role::Coordinator | Role::Mediator => true,
        Role::It => matches!(
            to,
            NeedStatus::Acknowledged | NeedStatus::Ready | NeedStatus::Problem
        ),
        Role::Communication | Role::Viewer => false,
    }
}

/// A quantity of a need: 1 to 1000 (laptops × 12).
pub fn parse_quantity(s: &str) -> Result<u32, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(1);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(Problem::field("quantity", "error.quantity")),
    }
}

/// IT needs are due this many IT working days before the session unless
/// the library says otherwise.
pub const DEFAULT_LEAD_DAYS: u32 = 5;
pub const MAX_LEAD_DAYS: u32 = 30;

/// At least one day: IT needs the day before to prepare, and the due date
/// must fall before the session's day.
pub fn parse_lead_days(s: &str) -> Result<u32, Problem> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_LEAD_DAYS).contains(&n) => Ok(n),
        _ => {
            Err(Problem::field("it_lead_days", "error.lead_days")
                .arg("max", MAX_LEAD_DAYS.to_string()))
        }
    }
}

/// How far back the rule looks for an IT working day; a closing period
/// longer than this is a typing slip, and the rule then falls back on the
/// naive date rather than searching forever.
const SEARCH_DAYS: i32 = 3 * 366;

/// What the deadline rule says about one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// When needs provided by IT are due: an IT working day before the session's day.
    pub due: Date,
    /// The session is on a weekend, a public holiday, a closing day or
    /// outside IT's hours: nobody from IT is there if something fails, so
    /// the team tests it without IT.
    pub without_it: bool,
    /// The last IT working day on which IT is there before the session
    /// starts; the team's test without IT is due by then, while IT can
    /// still fix what fails.
    pub last_it_day: Date,
}

/// IT's calendar: the hours IT works (Monday to Friday), the library's
/// closing days, French public holidays, and the lead time of IT needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItCalendar {
    pub hours: OpeningHours,
    pub closing: ClosingDays,
    pub lead_days: u32,
}

impl ItCalendar {
    pub fn new(hours: OpeningHours, closing: ClosingDays, lead_days: u32) -> ItCalendar {
        let hours = if hours.0.is_empty() {
            default_it_hours()
        } else {
            hours
        };
        ItCalendar {
            hours,
            closing,
            lead_days: lead_days.clamp(1, MAX_LEAD_DAYS),
        }
    }

    /// A weekday IT works that is neither a public holiday nor a day the
    /// library is closed.
    pub fn is_working_day(&self, d: Date) -> bool {
        let wd = d.weekday().to_monday_one_offset();
        wd <= 5
            && self.hours.0.iter().any(|r| r.weekday == wd)
            && public_holiday(d).is_none()
            && !self.closing.contains(d)
    }

    /// IT is there for the whole session: an IT working day, inside one of
    /// its ranges.
    pub fn covers(&self, d: Date, start: Time, end: Time) -> bool {
        self.is_working_day(d) && self.hours.contains(d, start, end)
    }

    /// The closest IT working day strictly before `d`.
    fn working_day_before(&self, d: Date) -> Option<Date> {
        let mut day = d;
        for _ in 0..SEARCH_DAYS {
            day = day.checked_sub(1.day()).ok()?;
            if self.is_working_day(day) {
                return Some(day);
            }
        }
        None
    }

    /// The rule. IT needs are due `lead_days` IT working days before the
    /// last day IT can act for the session: the session's day when IT works
    /// then and arrives before it starts, otherwise the last IT working day
    /// before it. A Sunday session is thus prepared as if it were on the
    /// Friday before, and a session IT does not cover gets the team's
    /// "tested without IT" check.
    pub fn deadline(&self, d: Date, start: Time, end: Time) -> Deadline {
        let naive = d.checked_sub(i64::from(self.lead_days).days()).unwrap_or(d);
        let wd = d.weekday().to_monday_one_offset();
        let it_there_before = self.is_working_day(d)
            && self
                .hours
                .0
                .iter()
                .any(|r| r.weekday == wd && r.open < start);
        let last_it_day = if it_there_before {
            Some(d)
        } else {
            self.working_day_before(d)
        };
        let mut due = last_it_day;
        for _ in 0..self.lead_days {
            due = due.and_then(|x| self.working_day_before(x));
        }
        Deadline {
            due: due.unwrap_or(naive),
            without_it: !self.covers(d, start, end),
            last_it_day: last_it_day.unwrap_or(naive),
        }
    }
}

/// Monday to Friday, 9 h – 17 h: what IT departments of a town usually work.
pub fn default_it_hours() -> OpeningHours {
    let (open, close) = (Time::constant(9, 0, 0, 0), Time::constant(17, 0, 0, 0));
    OpeningHours(
        (1..=5)
            .map(|weekday| crate::calendar::OpeningRange {
                weekday,
                open,
                close,
            })
            .collect(),
    )
}

/// IT's hours as typed ("lundi 9h-17h", one range per line); empty means
/// the default. Weekends are refused: IT working days skip them.
pub fn parse_it_hours(text: &str) -> Result<OpeningHours, Problem> {
    if text.trim().is_empty() {
        return Ok(default_it_hours());
    }
    let hours = OpeningHours::parse(text).map_err(|p| Problem {
        field: Some("it_hours"),
        ..p
    })?;
    if hours.0.iter().any(|r| r.weekday > 5) {
        return Err(Problem::field("it_hours", "error.it_hours_weekend"));
    }
    Ok(hours)
}

slug_enum!(
    /// How ready a session is, from its needs and today. Sessions without
    /// needs have none.
    Readiness { Ready = "ready", OnTrack = "on_track", AtRisk = "at_risk", Late = "late" }
);

/// A need not done within this many days of its due date puts its session at risk.
pub const RISK_DAYS: i64 = 3;

impl Readiness {
    fn severity(self) -> u8 {
        match self {
            Readiness::Ready => 0,
            Readiness::OnTrack => 1,
            Readiness::AtRisk => 2,
            Readiness::Late => 3,
        }
    }

    /// One need: done, late (due before today), at risk (a problem, or due
    /// within `RISK_DAYS`), or on track.
    pub fn of_need(status: NeedStatus, due: Date, today: Date) -> Readiness {
        if status.is_done() {
            Readiness::Ready
        } else if due < today {
            Readiness::Late
        } else if status == NeedStatus::Problem
            || due <= today.checked_add(RISK_DAYS.days()).unwrap_or(today)
        {
            Readiness::AtRisk
        } else {
            Readiness::OnTrack
        }
    }

    /// A session is as ready as its least ready need; None without needs.
    pub fn of_session(
        needs: impl IntoIterator<Item = (NeedStatus, Date)>,
        today: Date,
    ) -> Option<Readiness> {
        needs
            .into_iter()
            .map(|(s, due)| Readiness::of_need(s, due, today))
            .max_by_key(|r| r.severity())
    }

    pub fn is_worrying(self) -> bool {
        matches!(self, Readiness::AtRisk | Readiness::Late)
    }
}

// ---------------------------------------------------------------- the weekly digest

/// When the weekly digest to IT goes: an ISO weekday (1 = Monday) and an
/// hour, library time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DigestSchedule {
    pub weekday: i8,
    pub hour: i8,
}

impl DigestSchedule {
    /// Monday at 8 h: IT plans its week with it.
    pub const DEFAULT: DigestSchedule = DigestSchedule {
        weekday: 1,
        hour: 8,
    };

    /// The Monday of `now`'s week (library time) when this week's digest is
    /// due at `now`: its moment has come, and the week is not over. A
    /// server that was stopped at that moment sends it when it starts again
    /// in the same week; an hour that does not exist on the day (the
    /// change to summer time) is taken as the next one that does.
    pub fn due_week(self, now: &jiff::Zoned) -> Option<Date> {
        let today = now.date();
        let monday = today
            .checked_sub(i64::from(today.weekday().to_monday_one_offset() - 1).days())
            .ok()?;
        let day = monday
            .checked_add(i64::from(self.weekday.clamp(1, 7) - 1).days())
            .ok()?;
        let at = day
            .at(self.hour.clamp(0, 23), 0, 0, 0)
            .to_zoned(now.time_zone().clone())
            .ok()?;
        (now.timestamp() >= at.timestamp()).then_some(monday)
    }
}

pub fn parse_digest_weekday(s: &str) -> Result<i8, Problem> {
    match s.trim().parse::<i8>() {
        Ok(n) if (1..=7).contains(&n) => Ok(n),
        _ => Err(Problem::field("digest_weekday", "error.digest_weekday")),
    }
}

/// An hour of the day, "8", "08", "8 h" or "8:00".
pub fn parse_digest_hour(s: &str) -> Result<i8, Problem> {
    let t = s.trim().to_lowercase();
    let t = t
        .strip_suffix(":00")
        .or_else(|| t.strip_suffix("h00"))
        .or_else(|| t.strip_suffix('h'))
        .unwrap_or(&t)
        .trim();
    match t.parse::<i8>() {
        Ok(n) if (0..=23).contains(&n) => Ok(n),
        _ => Err(Problem::field("digest_hour", "error.digest_hour")),
    }
}

/// The digest's extra recipients, one address per line (commas and
/// semicolons also separate them, as people paste them from a mail
/// client); each line that is not an address is a problem naming it.
/// Duplicates are dropped, the first spelling kept.
pub fn parse_recipients(
    field: &'static str,
    text: &str,
) -> Result<Vec<crate::registration::EmailAddress>, Vec<Problem>> {
    crate::text::check_multi_line(field, text).map_err(|p| vec![p])?;
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for part in line.split([',', ';']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            // "Service informatique <dsi@ville.fr>" as a mail client copies it.
            let address = match (part.rfind('<'), part.ends_with('>')) {
                (Some(open), true) => &part[open + 1..part.len() - 1],
                _ => part,
            };
            match crate::registration::EmailAddress::parse(field, address) {
                Ok(a) if found.contains(&a) => {}
                Ok(a) => found.push(a),
                Err(_) => problems.push(
                    Problem::field(field, "error.recipient_line")
                        .arg("line", (i + 1).to_string())
                        .arg("value", part.chars().take(80).collect::<String>()),
                ),
            }
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};
    use proptest::prelude::*;

    fn t(h: i8) -> Time {
        Time::constant(h, 0, 0, 0)
    }

    fn cal(closing: &str) -> ItCalendar {
        ItCalendar::new(
            OpeningHours::default(),
            ClosingDays::parse(closing).unwrap(),
            DEFAULT_LEAD_DAYS,
        )
    }

    #[test]
    fn a_sunday_session_is_prepared_as_if_on_the_friday_before() {
        // Sunday 16 March 2025, 14 h: IT's last day is Friday 14 March; five
        // IT working days before it is Friday 7 March.
        let d = cal("").deadline(date(2025, 3, 16), t(14), t(16));
        assert_eq!(d.last_it_day, date(2025, 3, 14));
        assert_eq!(d.due, date(2025, 3, 7));
        assert!(d.without_it);
        // A Saturday session falls on the same days.
        assert_eq!(cal("").deadline(date(2025, 3, 15), t(10), t(12)), d);
    }

    #[test]
    fn the_tuesday_after_easter_monday_skips_the_holiday() {
        // Easter Monday 2025 is 21 April: five IT working days before
        // Tuesday 22 April are 18, 17, 16, 15 and 14 April.
        let d = cal("").deadline(date(2025, 4, 22), t(14), t(16));
        assert_eq!(d.due, date(2025, 4, 14));
        assert!(!d.without_it);
        assert_eq!(d.last_it_day, date(2025, 4, 22));
        // On Easter Monday itself IT is away: the team tests without IT,
        // by the Friday before.
        let m = cal("").deadline(date(2025, 4, 21), t(14), t(16));
        assert!(m.without_it);
        assert_eq!(m.last_it_day, date(2025, 4, 18));
        assert_eq!(m.due, date(2025, 4, 11));
    }

    #[test]
    fn a_friday_evening_session_after_it_leaves() {
        // Friday 14 March 2025 at 18 h; IT leaves at 17 h. IT is there that
        // morning, so the due date is that of a Friday afternoon session,
        // but the team tests without IT.
        let evening = cal("").deadline(date(2025, 3, 14), t(18), t(20));
        let afternoon = cal("").deadline(date(2025, 3, 14), t(14), t(16));
        assert!(evening.without_it);
        assert!(!afternoon.without_it);
        assert_eq!(evening.due, date(2025, 3, 7));
        assert_eq!(evening.due, afternoon.due);
        assert_eq!(evening.last_it_day, date(2025, 3, 14));
        // A session running past 17 h is not covered either.
        assert!(cal("").deadline(date(2025, 3, 14), t(16), t(18)).without_it);
        // One starting before IT arrives has the day before as IT's last.
        let early = cal("").deadline(date(2025, 3, 14), Time::constant(8, 30, 0, 0), t(10));
        assert_eq!(early.last_it_day, date(2025, 3, 13));
        assert_eq!(early.due, date(2025, 3, 6));
    }

    #[test]
    fn a_week_with_a_closing_day() {
        // The library closes Wednesday 12 March 2025 (staff training): IT
        // needs of Monday 17 March are due 14, 13, 11, 10, then Friday 7.
        let d = cal("2025-03-12").deadline(date(2025, 3, 17), t(14), t(16));
        assert_eq!(d.due, date(2025, 3, 7));
        let open = cal("").deadline(date(2025, 3, 17), t(14), t(16));
        assert_eq!(open.due, date(2025, 3, 10));
    }

    #[test]
    fn it_hours_per_library() {
        // IT works Monday to Thursday only: a Friday session is without IT
        // and counts from Thursday.
        let hours = parse_it_hours("lun 8h-12h\nmar 8h-12h\nmer 8h-12h\njeu 8h-12h").unwrap();
        let c = ItCalendar::new(hours, ClosingDays::default(), 2);
        let d = c.deadline(date(2025, 3, 14), t(11), t(13));
        assert!(d.without_it);
        assert_eq!(d.last_it_day, date(2025, 3, 13));
        assert_eq!(d.due, date(2025, 3, 11));
        assert!(!c.is_working_day(date(2025, 3, 14)));
        assert!(c.covers(date(2025, 3, 13), t(9), t(11)));
        assert!(!c.covers(date(2025, 3, 13), t(11), t(13)));
    }

    #[test]
    fn it_arrives_later_on_some_days() {
        // IT works Monday 9 h – 17 h and Tuesday from 14 h: a Tuesday
        // session at 10 h is before IT arrives that day, so IT's last day
        // is Monday, and one IT working day before it is the Tuesday before.
        let hours = parse_it_hours("lundi 9h-17h\nmardi 14h-17h").unwrap();
        let c = ItCalendar::new(hours, ClosingDays::default(), 1);
        let d = c.deadline(date(2025, 3, 11), t(10), t(11));
        assert_eq!(
            (d.last_it_day, d.due, d.without_it),
            (date(2025, 3, 10), date(2025, 3, 4), true)
        );
        // At 15 h IT is there: the session's day is IT's last.
        let d = c.deadline(date(2025, 3, 11), t(15), t(16));
        assert_eq!(
            (d.last_it_day, d.due, d.without_it),
            (date(2025, 3, 11), date(2025, 3, 10), false)
        );
    }

    #[test]
    fn it_hours_are_parsed_and_weekends_refused() {
        assert_eq!(parse_it_hours("").unwrap(), default_it_hours());
        assert_eq!(parse_it_hours("vendredi 9h-17h").unwrap().0.len(), 1);
        assert_eq!(
            parse_it_hours("samedi 9h-12h").unwrap_err().key,
            "error.it_hours_weekend"
        );
        let e = parse_it_hours("lundi neuf heures").unwrap_err();
        assert_eq!(
            (e.field, e.key),
            (Some("it_hours"), "error.opening_hours_line")
        );
        assert_eq!(parse_lead_days("5").unwrap(), 5);
        for bad in ["0", "31", "-1", "cinq", ""] {
            assert_eq!(
                parse_lead_days(bad).unwrap_err().key,
                "error.lead_days",
                "{bad}"
            );
        }
    }

    #[test]
    fn need_statuses_move_forward_or_to_a_problem() {
        use NeedStatus::*;
        let allowed = [
            (Requested, Acknowledged),
            (Requested, Ready),
            (Requested, Problem),
            (Acknowledged, Ready),
            (Acknowledged, Problem),
            (Ready, Checked),
            (Ready, Problem),
            (Problem, Acknowledged),
            (Problem, Ready),
        ];
        for &from in NeedStatus::ALL {
            for &to in NeedStatus::ALL {
                assert_eq!(
                    from.may_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn it_readies_and_the_team_checks() {
        assert!(may_set_status(Role::It, NeedStatus::Ready));
        assert!(may_set_status(Role::It, NeedStatus::Problem));
        assert!(!may_set_status(Role::It, NeedStatus::Checked));
        assert!(may_set_status(Role::Mediator, NeedStatus::Checked));
        for &to in NeedStatus::ALL {
            assert!(!may_set_status(Role::Communication, to));
            assert!(!may_set_status(Role::Viewer, to));
        }
    }

    #[test]
    fn a_board_offers_one_step_forward_and_checking_only_on_the_day() {
        use NeedStatus::*;
        let (before, on, after) = (date(2025, 3, 14), date(2025, 3, 15), date(2025, 3, 16));
        let step = |s, r, today| next_step(s, r, on, today);
        assert_eq!(step(Requested, Role::It, before), Some(Acknowledged));
        assert_eq!(step(Acknowledged, Role::It, before), Some(Ready));
        assert_eq!(step(Problem, Role::Mediator, before), Some(Ready));
        assert_eq!(
            step(Ready, Role::Mediator, before),
            None,
            "not checked weeks ahead"
        );
        assert_eq!(step(Ready, Role::Mediator, on), Some(Checked));
        assert_eq!(step(Ready, Role::Coordinator, after), Some(Checked));
        assert_eq!(step(Ready, Role::It, on), None, "checking is the team's");
        assert_eq!(step(Checked, Role::Admin, after), None);
        for &s in NeedStatus::ALL {
            assert_eq!(step(s, Role::Viewer, on), None);
            assert_eq!(step(s, Role::Communication, on), None);
            if let Some(to) = step(s, Role::Admin, on) {
                assert!(s.may_become(to), "{s:?} → {to:?}");
            }
        }
    }

    #[test]
    fn a_session_starting_exactly_when_it_opens_is_prepared_the_day_before() {
        let c = ItCalendar::new(OpeningHours::default(), ClosingDays::default(), 1);
        let tuesday = date(2025, 3, 11);
        let at_nine = c.deadline(tuesday, t(9), t(10));
        assert_eq!(
            at_nine.last_it_day,
            date(2025, 3, 10),
            "IT arrives as it starts"
        );
        assert_eq!(at_nine.due, date(2025, 3, 7));
        assert!(!at_nine.without_it, "IT is there for the whole session");
        let later = c.deadline(tuesday, Time::constant(9, 1, 0, 0), t(10));
        assert_eq!((later.last_it_day, later.due), (tuesday, date(2025, 3, 10)));
        // Up to the minute IT leaves is covered; a minute more is not.
        assert!(!c.deadline(tuesday, t(16), t(17)).without_it);
        assert!(
            c.deadline(tuesday, t(16), Time::constant(17, 1, 0, 0))
                .without_it
        );
        assert!(c.covers(tuesday, t(9), t(17)));
        assert!(!c.covers(date(2025, 3, 15), t(10), t(11)), "a Saturday");
    }

    #[test]
    fn the_calendar_keeps_its_lead_time_within_bounds_and_weekends_off() {
        let none = ItCalendar::new(OpeningHours::default(), ClosingDays::default(), 0);
        assert_eq!(
            (none.lead_days, none.hours.clone()),
            (1, default_it_hours())
        );
        let many = ItCalendar::new(OpeningHours::default(), ClosingDays::default(), 99);
        assert_eq!(many.lead_days, MAX_LEAD_DAYS);
        assert_eq!(
            ItCalendar::new(OpeningHours::default(), ClosingDays::default(), 7).lead_days,
            7
        );
        // Hours typed for a Saturday never make it an IT working day.
        let hours = OpeningHours::parse("samedi 9h-17h\nvendredi 9h-12h").unwrap();
        let c = ItCalendar::new(hours.clone(), ClosingDays::default(), 1);
        assert_eq!(c.hours, hours);
        assert!(!c.is_working_day(date(2025, 3, 15)));
        assert!(c.is_working_day(date(2025, 3, 14)));
        assert!(
            !c.is_working_day(date(2025, 3, 13)),
            "IT does not work Thursdays"
        );
        assert!(!c.is_working_day(date(2025, 5, 1)), "a holiday");
        let d = c.deadline(date(2025, 3, 14), t(11), t(13));
        assert_eq!(
            (d.last_it_day, d.due),
            (date(2025, 3, 14), date(2025, 3, 7))
        );
        assert!(d.without_it, "IT leaves at noon");
        // A closing longer than the search falls back on the naive date.
        let closed = cal("2020-01-01 2030-12-31");
        let far = closed.deadline(date(2025, 3, 11), t(10), t(11));
        assert_eq!(far.due, date(2025, 3, 6));
        assert_eq!(far.last_it_day, date(2025, 3, 6));
        assert!(far.without_it);
        // Two years closed is within the search (three years): the due date
        // is found before the closing, five IT working days before it.
        let long = cal("2023-01-01 2024-12-31").deadline(date(2025, 1, 2), t(10), t(11));
        assert_eq!(
            (long.last_it_day, long.due),
            (date(2025, 1, 2), date(2022, 12, 26))
        );
    }

    #[test]
    fn the_worst_need_decides_whatever_its_place() {
        let today = date(2025, 3, 10);
        let r = |needs: &[(NeedStatus, Date)]| Readiness::of_session(needs.iter().copied(), today);
        let late = (NeedStatus::Requested, date(2025, 3, 9));
        let risk = (NeedStatus::Acknowledged, date(2025, 3, 13));
        let on_track = (NeedStatus::Requested, date(2025, 3, 14));
        let ready = (NeedStatus::Checked, date(2025, 3, 1));
        assert_eq!(r(&[late, ready]), Some(Readiness::Late));
        assert_eq!(r(&[ready, late, on_track]), Some(Readiness::Late));
        assert_eq!(r(&[risk, on_track]), Some(Readiness::AtRisk));
        assert_eq!(r(&[on_track, ready]), Some(Readiness::OnTrack));
        assert_eq!(r(&[ready, ready]), Some(Readiness::Ready));
        // RISK_DAYS ahead is at risk, one more day is on track.
        assert_eq!(
            Readiness::of_need(NeedStatus::Requested, date(2025, 3, 13), today),
            Readiness::AtRisk
        );
        assert_eq!(
            Readiness::of_need(NeedStatus::Requested, date(2025, 3, 14), today),
            Readiness::OnTrack
        );
        assert_eq!(
            Readiness::of_need(NeedStatus::Ready, date(2025, 3, 1), today),
            Readiness::Ready
        );
        let worrying: Vec<_> = Readiness::ALL.iter().map(|r| r.is_worrying()).collect();
        assert_eq!(worrying, [false, false, true, true]);
    }

    #[test]
    fn every_status_provider_and_readiness_reads_back_from_its_text() {
        let slugs = |v: Vec<&'static str>| v.join(" ");
        assert_eq!(
            slugs(Provider::ALL.iter().map(|p| p.slug()).collect()),
            "it team speaker rental"
        );
        assert_eq!(
            slugs(NeedStatus::ALL.iter().map(|p| p.slug()).collect()),
            "requested acknowledged ready checked problem"
        );
        assert_eq!(
            slugs(Readiness::ALL.iter().map(|p| p.slug()).collect()),
            "ready on_track at_risk late"
        );
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.slug()), Some(*p));
        }
        for s in NeedStatus::ALL {
            assert_eq!(NeedStatus::parse(&format!(" {} ", s.slug())), Some(*s));
        }
        for r in Readiness::ALL {
            assert_eq!(Readiness::parse(r.slug()), Some(*r));
        }
        assert_eq!(NeedStatus::parse("done"), None);
        let done: Vec<_> = NeedStatus::ALL.iter().map(|s| s.is_done()).collect();
        assert_eq!(done, [false, false, true, true, false]);
    }

    #[test]
    fn who_may_set_what_and_bounds_of_the_numbers() {
        use NeedStatus::*;
        for role in [Role::Admin, Role::Coordinator, Role::Mediator] {
            assert!(NeedStatus::ALL.iter().all(|&s| may_set_status(role, s)));
        }
        let it: Vec<_> = NeedStatus::ALL
            .iter()
            .map(|&s| may_set_status(Role::It, s))
            .collect();
        assert_eq!(it, [false, true, true, false, true]);
        for role in [Role::Communication, Role::Viewer] {
            assert!(!NeedStatus::ALL.iter().any(|&s| may_set_status(role, s)));
        }
        assert!(Problem.may_become(Ready) && !Problem.may_become(Checked));
        assert!(Checked.next().is_empty());
        let day = date(2025, 3, 11);
        assert_eq!(next_step(Requested, Role::It, day, day), Some(Acknowledged));
        assert_eq!(next_step(Problem, Role::It, day, day), Some(Ready));
        assert_eq!(next_step(Ready, Role::It, day, day), None);
        assert_eq!(next_step(Ready, Role::Mediator, day, day), Some(Checked));
        assert_eq!(
            next_step(Ready, Role::Mediator, day, date(2025, 3, 12)),
            Some(Checked)
        );
        assert_eq!(
            next_step(Ready, Role::Mediator, day, date(2025, 3, 10)),
            None
        );
        assert_eq!(next_step(Checked, Role::Admin, day, day), None);
        assert_eq!(next_step(Requested, Role::Viewer, day, day), None);
        assert_eq!(parse_quantity(""), Ok(1));
        assert_eq!(parse_quantity(" 1000 "), Ok(1000));
        assert!(parse_quantity("0").is_err() && parse_quantity("1001").is_err());
        assert_eq!(parse_lead_days("1"), Ok(1));
        assert_eq!(parse_lead_days("30"), Ok(30));
        for bad in ["0", "31", "", "x"] {
            let e = parse_lead_days(bad).unwrap_err();
            assert_eq!(e.args, vec![("max", "30".to_string())], "{bad}");
        }
        assert_eq!(parse_digest_weekday("1"), Ok(1));
        assert_eq!(parse_digest_weekday("7"), Ok(7));
        assert!(parse_digest_weekday("0").is_err() && parse_digest_weekday("8").is_err());
        for (typed, hour) in [
            ("8", 8),
            ("08", 8),
            ("8 h", 8),
            ("8:00", 8),
            ("8H00", 8),
            ("0", 0),
            ("23", 23),
        ] {
            assert_eq!(parse_digest_hour(typed), Ok(hour), "{typed}");
        }
        assert!(parse_digest_hour("24").is_err() && parse_digest_hour("8:30").is_err());
    }

    #[test]
    fn readiness_is_the_least_ready_need() {
        let today = date(2025, 3, 10);
        let r = |needs: &[(NeedStatus, Date)]| Readiness::of_session(needs.iter().copied(), today);
        assert_eq!(r(&[]), None);
        assert_eq!(
            r(&[(NeedStatus::Ready, date(2025, 3, 1))]),
            Some(Readiness::Ready)
        );
        assert_eq!(
            r(&[(NeedStatus::Requested, date(2025, 3, 20))]),
            Some(Readiness::OnTrack)
        );
        assert_eq!(
            r(&[(NeedStatus::Requested, date(2025, 3, 13))]),
            Some(Readiness::AtRisk)
        );
        assert_eq!(
            r(&[(NeedStatus::Problem, date(2025, 3, 20))]),
            Some(Readiness::AtRisk)
        );
        assert_eq!(
            r(&[
                (NeedStatus::Ready, date(2025, 3, 1)),
                (NeedStatus::Acknowledged, date(2025, 3, 9))
            ]),
            Some(Readiness::Late)
        );
        // Due today is not late yet.
        assert_eq!(
            r(&[(NeedStatus::Acknowledged, today)]),
            Some(Readiness::AtRisk)
        );
    }

    #[test]
    fn the_digest_is_due_from_its_moment_to_the_end_of_the_week() {
        let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let at = |y, m, d, h, min| date(y, m, d).at(h, min, 0, 0).to_zoned(tz.clone()).unwrap();
        let monday_8 = DigestSchedule::DEFAULT;
        // Monday 7 December 2026: not before 8 h, then all week long.
        assert_eq!(monday_8.due_week(&at(2026, 12, 7, 7, 59)), None);
        assert_eq!(
            monday_8.due_week(&at(2026, 12, 7, 8, 0)),
            Some(date(2026, 12, 7))
        );
        assert_eq!(
            monday_8.due_week(&at(2026, 12, 13, 23, 59)),
            Some(date(2026, 12, 7))
        );
        // The next Monday before 8 h: the new week's is not due yet.
        assert_eq!(monday_8.due_week(&at(2026, 12, 14, 7, 0)), None);
        // Friday 16 h: due on Friday afternoon and the weekend, not on Thursday.
        let friday_16 = DigestSchedule {
            weekday: 5,
            hour: 16,
        };
        assert_eq!(friday_16.due_week(&at(2026, 12, 10, 18, 0)), None);
        assert_eq!(friday_16.due_week(&at(2026, 12, 11, 15, 59)), None);
        assert_eq!(
            friday_16.due_week(&at(2026, 12, 12, 9, 0)),
            Some(date(2026, 12, 7))
        );
        // Sunday 29 March 2026 at 2 h does not exist in Paris: 3 h does.
        let sunday_2 = DigestSchedule {
            weekday: 7,
            hour: 2,
        };
        assert_eq!(sunday_2.due_week(&at(2026, 3, 29, 1, 59)), None);
        assert_eq!(
            sunday_2.due_week(&at(2026, 3, 29, 3, 0)),
            Some(date(2026, 3, 23))
        );
        // A week across New Year: its Monday is in the old year.
        assert_eq!(
            monday_8.due_week(&at(2027, 1, 1, 10, 0)),
            Some(date(2026, 12, 28))
        );
    }

    #[test]
    fn digest_hours_weekdays_and_recipients() {
        assert_eq!(parse_digest_hour("8").unwrap(), 8);
        assert_eq!(parse_digest_hour(" 08 h ").unwrap(), 8);
        assert_eq!(parse_digest_hour("17:00").unwrap(), 17);
        assert_eq!(parse_digest_hour("0").unwrap(), 0);
        assert!(parse_digest_hour("24").is_err() && parse_digest_hour("huit").is_err());
        assert_eq!(parse_digest_weekday("7").unwrap(), 7);
        assert!(parse_digest_weekday("0").is_err() && parse_digest_weekday("").is_err());

        let ok = parse_recipients(
            "digest_to",
            "dsi@ville.fr\n\n Support <Support@Ville.fr>; dsi@ville.fr, helpdesk@ville.fr",
        )
        .unwrap();
        let ok: Vec<&str> = ok.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            ok,
            ["dsi@ville.fr", "support@ville.fr", "helpdesk@ville.fr"]
        );
        assert!(parse_recipients("digest_to", "").unwrap().is_empty());

        let bad = parse_recipients(
            "digest_to",
            "dsi@ville.fr\ndsi.ville.fr\nx@y.fr; pas une adresse",
        )
        .unwrap_err();
        let lines: Vec<(&str, &str)> = bad
            .iter()
            .map(|p| (p.args[0].1.as_str(), p.args[1].1.as_str()))
            .collect();
        assert_eq!(lines, [("2", "dsi.ville.fr"), ("3", "pas une adresse")]);
        assert!(bad.iter().all(|p| p.field == Some("digest_to")));
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("").unwrap(), 1);
        assert_eq!(parse_quantity(" 12 ").unwrap(), 12);
        assert!(
            parse_quantity("0").is_err()
                && parse_quantity("1001").is_err()
                && parse_quantity("douze").is_err()
        );
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (2020i16..2035, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
    }

    proptest! {
        #[test]
        fn the_due_date_is_an_it_working_day_before_the_session_and_never_later_than_naive(
            day in any_date(),
            start_h in 6i8..22,
            len in 1i8..3,
            lead in 1u32..=10,
            closed_from in 0i64..40,
            closed_len in 0i64..10,
        ) {
            let from = day.checked_sub(closed_from.days()).unwrap();
            let to = from.checked_add(closed_len.days()).unwrap();
            let c = ItCalendar::new(OpeningHours::default(), ClosingDays(vec![(from, to)]), lead);
            let end = Time::new((start_h + len).min(23), 0, 0, 0).unwrap();
            let d = c.deadline(day, t(start_h), end);
            prop_assert!(c.is_working_day(d.due), "{:?} is not an IT working day", d.due);
            prop_assert!(d.due < day);
            prop_assert!(d.due <= day.checked_sub(i64::from(lead).days()).unwrap());
            prop_assert!(d.due < d.last_it_day && d.last_it_day <= day);
            prop_assert!(c.is_working_day(d.last_it_day));
            // Weekend sessions are always without IT.
            if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                prop_assert!(d.without_it);
            }
        }

        #[test]
        fn exactly_lead_days_working_days_lie_from_due_to_last_it_day(day in any_date(), lead in 1u32..=10) {
            let c = ItCalendar::new(OpeningHours::default(), ClosingDays::default(), lead);
            let d = c.deadline(day, t(14), t(15));
            let mut n = 0;
            let mut x = d.due;
            while x < d.last_it_day {
                x = x.checked_add(1.day()).unwrap();
                if c.is_working_day(x) { n += 1; }
            }
            prop_assert_eq!(n, lead);
        }
    }
}
