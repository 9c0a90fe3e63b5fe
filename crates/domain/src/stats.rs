//! Statistics: the period a report covers (season, calendar year, from–to),
//! the figures of one row (a series, or the total) built from integer sums
//! the store adds up in SQL, and the change against the previous period.
//! The JSON shape of `Report` is public and stable: see docs/report-json.md.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde::Serialize;

use crate::Problem;
use crate::calendar::parse_date;
use crate::costs::per_participant_cents;

/// How many themes a row lists as most followed.
pub const TOP_THEMES: usize = 10;

/// A span of local dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// 1 September of the year to 31 August of the next.
    Season(i16),
    Year(i16),
    Range {
        from: Date,
        to: Date,
    },
}

impl Period {
    /// "2024-2025" (also "2024-25"): the season starting in September 2024.
    pub fn parse_season(s: &str) -> Result<Period, Problem> {
        let bad = || Problem::field("season", "error.season").arg("value", s.trim());
        let (a, b) = s.trim().split_once(['-', '/']).ok_or_else(bad)?;
        let start: i16 = a.trim().parse().map_err(|_| bad())?;
        let end: i16 = b.trim().parse().map_err(|_| bad())?;
        let follows = match b.trim().len() {
            4 => end == start + 1,
            2 => end == (start + 1) % 100,
            _ => false,
        };
        if !(1900..=2999).contains(&start) || !follows {
            return Err(bad());
        }
        Ok(Period::Season(start))
    }

    pub fn year(y: i16) -> Result<Period, Problem> {
        if (1900..=2999).contains(&y) {
            Ok(Period::Year(y))
        } else {
            Err(Problem::field("year", "error.year"))
        }
    }

    /// From two dates as people write them; the end may not precede the start.
    pub fn parse_range(from: &str, to: &str) -> Result<Period, Problem> {
        let from_d = parse_date(from)
            .ok_or_else(|| Problem::field("from", "error.date").arg("value", from.trim()))?;
        let to_d = parse_date(to)
            .ok_or_else(|| Problem::field("to", "error.date").arg("value", to.trim()))?;
        if to_d < from_d {
            return Err(Problem::field("to", "error.period_order"));
        }
        Ok(Period::Range {
            from: from_d,
            to: to_d,
        })
    }

    pub fn from(&self) -> Date {
        match *self {
            Period::Season(y) => date(y, 9, 1),
            Period::Year(y) => date(y, 1, 1),
            Period::Range { from, .. } => from,
        }
    }

    pub fn to(&self) -> Date {
        match *self {
            Period::Season(y) => date(y + 1, 8, 31),
            Period::Year(y) => date(y, 12, 31),
            Period::Range { to, .. } => to,
        }
    }

    /// The period to compare with: the season or year before; for a
    /// from–to, the same dates as many whole years earlier as it takes not
    /// to overlap (January–April 2025 compares with January–April 2024),
    /// because a library's programme follows the school year, not a sliding window.
    pub fn previous(&self) -> Period {
        match *self {
            Period::Season(y) => Period::Season(y - 1),
            Period::Year(y) => Period::Year(y - 1),
            Period::Range { from, to } => {
                let mut years = 1;
                loop {
                    let back = |d: Date| {
                        d.checked_sub(years.years())
                            .expect("dates far from the limits")
                    };
                    let (f, t) = (back(from), back(to));
                    if t < from {
                        return Period::Range { from: f, to: t };
                    }
                    years += 1;
                }
            }
        }
    }

    /// What of the period has taken place by `today` when it is not over
    /// yet: its first day to today (a season in progress: 1 September to
    /// today). None once the period is over, when all of it counts. Only
    /// sessions that began before now count either way; the cut says which
    /// dates the comparison takes from the previous period.
    pub fn so_far(&self, today: Date) -> Option<Period> {
        (self.to() >= today).then(|| Period::Range {
            from: self.from(),
            to: today.max(self.from()),
        })
    }

    /// The same dates in the period `previous()` compares with: a season
    /// to date against the previous season to the same date, like with like.
    pub fn previous_to_date(&self, so_far: Period) -> Period {
        let years = i64::from(self.from().year() - self.previous().from().year());
        let back = |d: Date| {
            d.checked_sub(years.years())
                .expect("dates far from the limits")
        };
        Period::Range {
            from: back(so_far.from()),
            to: back(so_far.to()),
        }
    }

    /// "2024-2025", "2024", or "2025-01-01 – 2025-04-30".
    pub fn label(&self) -> String {
        match *self {
            Period::Season(y) => format!("{}-{}", y, y + 1),
            Period::Year(y) => y.to_string(),
            Period::Range { from, to } => format!("{from} – {to}"),
        }
    }

    pub fn dates(&self) -> PeriodDates {
        PeriodDates {
            from: self.from().to_string(),
            to: self.to().to_string(),
        }
    }
}

/// The period as the JSON gives it: ISO dates, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodDates {
    pub from: String,
    pub to: String,
}

/// What SQL adds up for one group of sessions (cancelled ones left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: i64,
    pub sessions: i64,
    pub talks: i64,
    pub workshops: i64,
    pub appointments: i64,
    /// Sum over counted sessions.
    pub participants: i64,
    pub under_14: i64,
    pub uncounted_sessions: i64,
    pub counted_talks: i64,
    pub talk_participants: i64,
    pub counted_workshops: i64,
    pub workshop_participants: i64,
    pub cost_cents: i64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.events += o.events;
        self.sessions += o.sessions;
        self.talks += o.talks;
        self.workshops += o.workshops;
        self.appointments += o.appointments;
        self.participants += o.participants;
        self.under_14 += o.under_14;
        self.uncounted_sessions += o.uncounted_sessions;
        self.counted_talks += o.counted_talks;
        self.talk_participants += o.talk_participants;
        self.counted_workshops += o.counted_workshops;
        self.workshop_participants += o.workshop_participants;
        self.cost_cents += o.cost_cents;
    }
}

/// One theme within a group: its sessions and their participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeFigures {
    pub theme: String,
    pub sessions: i64,
    pub participants: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MinMax {
    pub min: i64,
    pub max: i64,
}

/// One row of a report: a series, or the total (`series` absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    pub events: i64,
    pub sessions: i64,
    pub talks: i64,
    pub workshops: i64,
    pub appointments: i64,
    pub participants: i64,
    pub under_14: i64,
    pub uncounted_sessions: i64,
    /// Participants per counted talk; null without any counted talk.
    pub avg_per_talk: Option<f64>,
    pub avg_per_workshop: Option<f64>,
    pub themes: i64,
    /// Sessions per theme; null without any theme.
    pub sessions_per_theme: Option<MinMax>,
    pub cost_eur: f64,
    /// Null when nobody was counted.
    pub cost_per_participant_eur: Option<f64>,
    /// `cost_eur` in cents, exact.
    pub cost_cents: i64,
    /// The cost per participant rounded to the cent by the one rule every
    /// page shows (`costs::per_participant_cents`); null when nobody was counted.
    pub cost_per_participant_cents: Option<i64>,
    pub top_themes: Vec<ThemeFigures>,
    /// Against the previous period, when asked for and the row existed then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

impl StatsRow {
    /// A row from its sums and its themes (each theme once).
    pub fn build(series: Option<String>, t: &Tally, themes: &[ThemeFigures]) -> StatsRow {
        let mut top: Vec<ThemeFigures> = themes.to_vec();
        top.sort_by(|a, b| {
            b.participants
                .cmp(&a.participants)
                .then(b.sessions.cmp(&a.sessions))
                .then_with(|| crate::collate::compare(&a.theme, &b.theme))
        });
        top.truncate(TOP_THEMES);
        let per_theme = themes.iter().map(|t| t.sessions);
        let sessions_per_theme = match (per_theme.clone().min(), per_theme.max()) {
            (Some(min), Some(max)) => Some(MinMax { min, max }),
            _ => None,
        };
        StatsRow {
            series,
            events: t.events,
            sessions: t.sessions,
            talks: t.talks,
            workshops: t.workshops,
            appointments: t.appointments,
            participants: t.participants,
            under_14: t.under_14,
            uncounted_sessions: t.uncounted_sessions,
            avg_per_talk: ratio(t.talk_participants, t.counted_talks),
            avg_per_workshop: ratio(t.workshop_participants, t.counted_workshops),
            themes: themes.len() as i64,
            sessions_per_theme,
            cost_eur: t.cost_cents as f64 / 100.0,
            cost_per_participant_eur: ratio(t.cost_cents, t.participants).map(|v| v / 100.0),
            cost_cents: t.cost_cents,
            cost_per_participant_cents: per_participant_cents(t.cost_cents, t.participants),
            top_themes: top,
            change: None,
        }
    }

    /// Share of participants under 14, 0–1; None when nobody was counted.
    pub fn under_14_share(&self) -> Option<f64> {
        ratio(self.under_14, self.participants)
    }
}

/// Adds the figures of one theme met in several groups (a theme given in
/// two series counts its sessions in both).
pub fn merge_themes<'a>(groups: impl IntoIterator<Item = &'a ThemeFigures>) -> Vec<ThemeFigures> {
    let mut by: HashMap<&str, (i64, i64)> = HashMap::new();
    for t in groups {
        let e = by.entry(t.theme.as_str()).or_default();
        e.0 += t.sessions;
        e.1 += t.participants;
    }
    let mut v: Vec<ThemeFigures> = by
        .into_iter()
        .map(|(theme, (sessions, participants))| ThemeFigures {
            theme: theme.into(),
            sessions,
            participants,
        })
        .collect();
    crate::collate::sort_by_name(&mut v, |t| &t.theme);
    v
}

/// A figure now, then, and the difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta<T> {
    pub previous: T,
    pub delta: T,
    /// Relative change in percent; null when the previous value was 0.
    pub percent: Option<f64>,
}

fn delta_i(now: i64, before: i64) -> Delta<i64> {
    Delta {
        previous: before,
        delta: now - before,
        percent: ratio((now - before) * 100, before),
    }
}

fn delta_f(now: Option<f64>, before: Option<f64>) -> Option<Delta<f64>> {
    let (n, b) = (now?, before?);
    Some(Delta {
        previous: b,
        delta: n - b,
        percent: (b != 0.0).then(|| (n - b) * 100.0 / b),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub events: Delta<i64>,
    pub sessions: Delta<i64>,
    pub participants: Delta<i64>,
    pub under_14: Delta<i64>,
    pub avg_per_talk: Option<Delta<f64>>,
    pub avg_per_workshop: Option<Delta<f64>>,
    pub cost_eur: Option<Delta<f64>>,
}

impl Change {
    pub fn between(now: &StatsRow, before: &StatsRow) -> Change {
        Change {
            events: delta_i(now.events, before.events),
            sessions: delta_i(now.sessions, before.sessions),
            participants: delta_i(now.participants, before.participants),
            under_14: delta_i(now.under_14, before.under_14),
            avg_per_talk: delta_f(now.avg_per_talk, before.avg_per_talk),
            avg_per_workshop: delta_f(now.avg_per_workshop, before.avg_per_workshop),
            cost_eur: delta_f(Some(now.cost_eur), Some(before.cost_eur)),
        }
    }
}

/// A whole report: one row per series (by name), the total, and when
/// compared the previous period's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The period asked for (a whole season, year or from–to).
    pub period: PeriodDates,
    /// When the period is not over: the dates whose sessions count, its
    /// first day to today, only sessions that had begun (see `Period::so_far`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_date: Option<PeriodDates>,
    /// "2024-2025", "2024" or "2025-01-01 – 2025-04-30", for titles.
    #[serde(skip)]
    pub label: String,
    pub series: Vec<StatsRow>,
    pub total: StatsRow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<Report>>,
}

impl Report {
    /// Sets each row's change against the row of the same series (and the
    /// total against the total), and keeps the previous report.
    pub fn compare_with(&mut self, previous: Report) {
        self.total.change = Some(Change::between(&self.total, &previous.total));
        for row in &mut self.series {
            if let Some(before) = previous.series.iter().find(|p| p.series == row.series) {
                row.change = Some(Change::between(row, before));
            }
        }
        self.previous = Some(Box::new(previous));
    }
}

/// What a breakdown groups sessions by. A session with two themes (or
/// speakers, leads, categories) counts in each, so sessions and people may
/// add up to more than the total; its cost is split between them
/// (`costs::split_among`), so costs add up to the total exactly. Sessions
/// without any are a line of their own (key None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Series,
    Kind,
    Theme,
    Category,
    Room,
    Speaker,
    Lead,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Series,
        Dimension::Kind,
        Dimension::Theme,
        Dimension::Category,
        Dimension::Room,
        Dimension::Speaker,
        Dimension::Lead,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Dimension::Series => "series",
            Dimension::Kind => "kind",
            Dimension::Theme => "theme",
            Dimension::Category => "category",
            Dimension::Room => "room",
            Dimension::Speaker => "speaker",
            Dimension::Lead => "lead",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.slug() == s.trim())
    }
}

/// Figures beyond the report's rows: seats filled, registered against
/// present, and replays. Sums over the sessions where each is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Extras {
    /// Participants of counted sessions that have a capacity…
    pub filled: i64,
    /// …and those sessions' seats.
    pub seats: i64,
    /// Registered, over sessions whose list was ticked…
    pub registered: i64,
    /// …and of them, present.
    pub present: i64,
    /// Sessions on a theme already given before the period.
    pub replays: i64,
    /// Themes given again in the period after an earlier period.
    pub replayed_themes: i64,
}

impl Extras {
    /// Share of the seats taken, 0–1 (above 1 when people stood).
    pub fn fill_rate(&self) -> Option<f64> {
        ratio(self.filled, self.seats)
    }

    /// Share of the registered who did not come, 0–1.
    pub fn no_show_rate(&self) -> Option<f64> {
        ratio(self.registered - self.present, self.registered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons_years_and_ranges() {
        let s = Period::parse_season("2024-2025").unwrap();
        assert_eq!((s.from(), s.to()), (date(2024, 9, 1), date(2025, 8, 31)));
        assert_eq!(Period::parse_season("2024-25").unwrap(), s);
        assert!(Period::parse_season("2024-2026").is_err());
        assert!(Period::parse_season("2024").is_err());
        assert_eq!(s.previous(), Period::Season(2023));
        assert_eq!(s.label(), "2024-2025");
        let y = Period::year(2024).unwrap();
        assert_eq!((y.from(), y.to()), (date(2024, 1, 1), date(2024, 12, 31)));
        assert_eq!(y.previous(), Period::Year(2023));
        let r = Period::parse_range("01/01/2025", "2025-04-30").unwrap();
        assert_eq!(
            r.previous(),
            Period::Range {
                from: date(2024, 1, 1),
                to: date(2024, 4, 30)
            }
        );
        let long = Period::parse_range("2023-06-01", "2024-09-30").unwrap();
        assert_eq!(
            long.previous(),
            Period::Range {
                from: date(2021, 6, 1),
                to: date(2022, 9, 30)
            }
        );
        assert_eq!(
            Period::parse_range("2025-05-01", "2025-04-30")
                .unwrap_err()
                .key,
            "error.period_order"
        );
    }

    #[test]
    fn a_period_in_progress_compares_with_the_same_dates_before() {
        let season = Period::Season(2026);
        let today = date(2026, 12, 7);
        let so_far = season.so_far(today).unwrap();
        assert_eq!(
            so_far,
            Period::Range {
                from: date(2026, 9, 1),
                to: today
            }
        );
        assert_eq!(
            season.previous_to_date(so_far),
            Period::Range {
                from: date(2025, 9, 1),
                to: date(2025, 12, 7)
            }
        );
        assert_eq!(Period::Season(2025).so_far(today), None, "over");
        assert_eq!(
            Period::Season(2026).so_far(date(2027, 8, 31)).unwrap().to(),
            date(2027, 8, 31),
            "the last day is not over until it ends"
        );
        let year = Period::Year(2024);
        let leap = year.so_far(date(2024, 2, 29)).unwrap();
        assert_eq!(
            year.previous_to_date(leap),
            Period::Range {
                from: date(2023, 1, 1),
                to: date(2023, 2, 28)
            }
        );
        // A from–to compares as many years back as its whole span needs.
        let long = Period::parse_range("2026-06-01", "2027-09-30").unwrap();
        let cut = long.so_far(today).unwrap();
        assert_eq!(
            long.previous_to_date(cut),
            Period::Range {
                from: date(2024, 6, 1),
                to: date(2024, 12, 7)
            }
        );
        // Not begun: nothing has taken place yet.
        assert_eq!(
            Period::Season(2027).so_far(today),
            Some(Period::Range {
                from: date(2027, 9, 1),
                to: date(2027, 9, 1)
            })
        );
    }

    #[test]
    fn averages_over_counted_sessions_in_full_precision() {
        let t = Tally {
            events: 3,
            sessions: 5,
            talks: 2,
            workshops: 3,
            participants: 100,
            under_14: 10,
            uncounted_sessions: 1,
            counted_talks: 2,
            talk_participants: 80,
            counted_workshops: 3,
            workshop_participants: 20,
            cost_cents: 12_345,
            ..Tally::default()
        };
        let themes = [
            ThemeFigures {
                theme: "b".into(),
                sessions: 2,
                participants: 30,
            },
            ThemeFigures {
                theme: "a".into(),
                sessions: 4,
                participants: 30,
            },
            ThemeFigures {
                theme: "c".into(),
                sessions: 1,
                participants: 40,
            },
        ];
        let r = StatsRow::build(Some("S".into()), &t, &themes);
        assert_eq!(r.avg_per_talk, Some(40.0));
        assert_eq!(r.avg_per_workshop, Some(20.0 / 3.0));
        assert_eq!(r.sessions_per_theme, Some(MinMax { min: 1, max: 4 }));
        assert_eq!(r.themes, 3);
        let order: Vec<_> = r.top_themes.iter().map(|t| t.theme.as_str()).collect();
        assert_eq!(
            order,
            ["c", "a", "b"],
            "most participants, then most sessions"
        );
        assert_eq!(r.cost_eur, 123.45);
        assert_eq!(r.cost_per_participant_eur, Some(1.2345));
        assert_eq!(
            (r.cost_cents, r.cost_per_participant_cents),
            (12_345, Some(123))
        );
        assert_eq!(r.under_14_share(), Some(0.1));
        let empty = StatsRow::build(None, &Tally::default(), &[]);
        assert_eq!(
            (
                empty.avg_per_talk,
                empty.sessions_per_theme,
                empty.cost_per_participant_eur
            ),
            (None, None, None)
        );
    }

    #[test]
    fn change_against_the_previous_period() {
        let row = |p: i64| {
            StatsRow::build(
                None,
                &Tally {
                    participants: p,
                    ..Tally::default()
                },
                &[],
            )
        };
        let c = Change::between(&row(150), &row(100));
        assert_eq!(
            c.participants,
            Delta {
                previous: 100,
                delta: 50,
                percent: Some(50.0)
            }
        );
        assert_eq!(Change::between(&row(5), &row(0)).participants.percent, None);
    }

    #[test]
    fn rates_need_something_to_divide_by() {
        let e = Extras {
            filled: 45,
            seats: 60,
            registered: 40,
            present: 30,
            ..Extras::default()
        };
        assert_eq!((e.fill_rate(), e.no_show_rate()), (Some(0.75), Some(0.25)));
        assert_eq!(
            (
                Extras::default().fill_rate(),
                Extras::default().no_show_rate()
            ),
            (None, None)
        );
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.slug()), Some(d));
        }
    }

    /// Every field different, so a sum that forgets or swaps one shows.
    fn tally(k: i64) -> Tally {
        Tally {
            events: k,
            sessions: 2 * k,
            talks: 3 * k,
            workshops: 4 * k,
            appointments: 5 * k,
            participants: 6 * k,
            under_14: 7 * k,
            uncounted_sessions: 8 * k,
            counted_talks: 9 * k,
            talk_participants: 10 * k,
            counted_workshops: 11 * k,
            workshop_participants: 12 * k,
            cost_cents: 13 * k,
        }
    }

    #[test]
    fn tallies_add_up_field_by_field() {
        let mut t = tally(1);
        t += tally(10);
        assert_eq!(t, tally(11));
        let mut z = Tally::default();
        z += tally(3);
        assert_eq!(z, tally(3));
        let r = StatsRow::build(None, &tally(2), &[]);
        assert_eq!(
            (
                r.events,
                r.sessions,
                r.talks,
                r.workshops,
                r.appointments,
                r.participants,
                r.under_14,
                r.uncounted_sessions,
                r.cost_cents
            ),
            (2, 4, 6, 8, 10, 12, 14, 16, 26)
        );
        assert_eq!(r.avg_per_talk, Some(20.0 / 18.0));
        assert_eq!(r.avg_per_workshop, Some(24.0 / 22.0));
        assert_eq!(r.under_14_share(), Some(14.0 / 12.0));
        assert_eq!((r.themes, r.series, r.change), (0, None, None));
    }

    fn row(series: Option<&str>, k: i64, cost_cents: i64) -> StatsRow {
        StatsRow::build(
            series.map(String::from),
            &Tally {
                cost_cents,
                ..tally(k)
            },
            &[],
        )
    }

    fn report(rows: Vec<StatsRow>, total: StatsRow) -> Report {
        Report {
            period: Period::Year(2025).dates(),
            to_date: None,
            label: "2025".into(),
            series: rows,
            total,
            previous: None,
        }
    }

    #[test]
    fn every_figure_compares_with_the_previous_period() {
        let c = Change::between(&row(None, 4, 30_000), &row(None, 2, 20_000));
        let d = |previous, delta, percent| Delta {
            previous,
            delta,
            percent,
        };
        assert_eq!(c.events, d(2, 2, Some(100.0)));
        assert_eq!(c.sessions, d(4, 4, Some(100.0)));
        assert_eq!(c.participants, d(12, 12, Some(100.0)));
        assert_eq!(c.under_14, d(14, 14, Some(100.0)));
        assert_eq!(
            c.cost_eur,
            Some(Delta {
                previous: 200.0,
                delta: 100.0,
                percent: Some(50.0)
            })
        );
        // Averages are the same ratio both years: no change.
        let avg = c.avg_per_talk.unwrap();
        assert_eq!((avg.delta, avg.percent), (0.0, Some(0.0)));
        assert!(c.avg_per_workshop.is_some());
        // A fall is negative; nothing before gives no percentage.
        let down = Change::between(&row(None, 1, 0), &row(None, 4, 100));
        assert_eq!(down.events, d(4, -3, Some(-75.0)));
        assert_eq!(
            down.cost_eur,
            Some(Delta {
                previous: 1.0,
                delta: -1.0,
                percent: Some(-100.0)
            })
        );
        let from_zero = Change::between(&row(None, 1, 100), &row(None, 0, 0));
        assert_eq!(from_zero.sessions.percent, None);
        assert_eq!(from_zero.cost_eur.unwrap().percent, None);
        assert_eq!(from_zero.avg_per_talk, None, "no counted talk before");
    }

    #[test]
    fn a_report_compares_each_series_with_the_same_series() {
        let mut now = report(
            vec![row(Some("Contes"), 4, 0), row(Some("Nouveau"), 1, 0)],
            row(None, 5, 0),
        );
        let before = report(
            vec![row(Some("Ateliers"), 9, 0), row(Some("Contes"), 2, 0)],
            row(None, 11, 0),
        );
        now.compare_with(before.clone());
        assert_eq!(now.total.change.as_ref().unwrap().events.previous, 11);
        assert_eq!(now.series[0].change.as_ref().unwrap().events.previous, 2);
        assert_eq!(now.series[1].change, None, "no such series before");
        assert_eq!(now.previous.as_deref(), Some(&before));
    }

    #[test]
    fn themes_met_in_several_groups_add_up() {
        let t = |theme: &str, sessions, participants| ThemeFigures {
            theme: theme.into(),
            sessions,
            participants,
        };
        let merged = merge_themes(&[
            t("Numérique", 2, 30),
            t("Contes", 1, 5),
            t("Numérique", 3, 12),
        ]);
        assert_eq!(merged, vec![t("Contes", 1, 5), t("Numérique", 5, 42)]);
        // Ties on participants go to the theme with more sessions, then by name.
        let r = StatsRow::build(
            None,
            &Tally::default(),
            &[t("b", 1, 10), t("c", 2, 10), t("a", 1, 10)],
        );
        let order: Vec<_> = r.top_themes.iter().map(|t| t.theme.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
        let many: Vec<ThemeFigures> = (0..12).map(|i| t(&format!("t{i:02}"), 1, i)).collect();
        let r = StatsRow::build(None, &Tally::default(), &many);
        assert_eq!(r.top_themes.len(), TOP_THEMES);
        assert_eq!(r.top_themes[0].theme, "t11");
        assert_eq!(r.themes, 12);
        assert_eq!(r.sessions_per_theme, Some(MinMax { min: 1, max: 1 }));
    }

    #[test]
    fn periods_at_their_bounds() {
        assert_eq!(Period::parse_season("1900-1901"), Ok(Period::Season(1900)));
        assert_eq!(Period::parse_season("2999-3000"), Ok(Period::Season(2999)));
        assert_eq!(Period::parse_season("1999/00"), Ok(Period::Season(1999)));
        assert_eq!(
            Period::parse_season(" 2024 - 2025 "),
            Ok(Period::Season(2024))
        );
        for bad in [
            "1899-1900",
            "3000-3001",
            "2024-2024",
            "2024-24",
            "2024-202",
            "x-2025",
        ] {
            let e = Period::parse_season(bad).unwrap_err();
            assert_eq!((e.field, e.key), (Some("season"), "error.season"), "{bad}");
        }
        assert_eq!(Period::year(1900), Ok(Period::Year(1900)));
        assert_eq!(Period::year(2999), Ok(Period::Year(2999)));
        assert!(Period::year(1899).is_err() && Period::year(3000).is_err());
        assert_eq!(
            Period::parse_range("x", "2025-01-01").unwrap_err().field,
            Some("from")
        );
        assert_eq!(
            Period::parse_range("2025-01-01", "x").unwrap_err().field,
            Some("to")
        );
        let one_day = Period::parse_range("2025-03-01", "2025-03-01").unwrap();
        assert_eq!(one_day.label(), "2025-03-01 – 2025-03-01");
        assert_eq!(
            one_day.previous(),
            Period::Range {
                from: date(2024, 3, 1),
                to: date(2024, 3, 1)
            }
        );
        // A whole year back just fits when the span is under a year.
        let almost_a_year = Period::parse_range("2025-01-02", "2026-01-01").unwrap();
        assert_eq!(almost_a_year.previous().from(), date(2024, 1, 2));
        let a_year = Period::parse_range("2025-01-01", "2026-01-01").unwrap();
        assert_eq!(a_year.previous().from(), date(2023, 1, 1));
        assert_eq!(Period::Year(2024).label(), "2024");
        assert_eq!(
            Period::Season(2024).dates(),
            PeriodDates {
                from: "2024-09-01".into(),
                to: "2025-08-31".into()
            }
        );
        // The season's last day is still in progress; the next day it is over.
        assert!(Period::Season(2024).so_far(date(2025, 8, 31)).is_some());
        assert_eq!(Period::Season(2024).so_far(date(2025, 9, 1)), None);
        assert_eq!(
            Period::Season(2024).previous_to_date(Period::Season(2024)),
            Period::Range {
                from: date(2023, 9, 1),
                to: date(2024, 8, 31)
            }
        );
    }

    #[test]
    fn every_dimension_reads_back_from_its_text_and_rates_divide_right() {
        let slugs: Vec<_> = Dimension::ALL.iter().map(|d| d.slug()).collect();
        assert_eq!(
            slugs,
            [
                "series", "kind", "theme", "category", "room", "speaker", "lead"
            ]
        );
        assert_eq!(Dimension::parse(" room "), Some(Dimension::Room));
        assert_eq!(Dimension::parse("weather"), None);
        let e = Extras {
            filled: 30,
            seats: 20,
            registered: 10,
            present: 12,
            ..Extras::default()
        };
        assert_eq!(e.fill_rate(), Some(1.5), "people stood");
        assert_eq!(e.no_show_rate(), Some(-0.2));
        assert_eq!(
            StatsRow::build(None, &Tally::default(), &[]).under_14_share(),
            None
        );
    }
}
