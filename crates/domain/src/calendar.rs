//! Calendar arithmetic: French public holidays (Easter-based ones computed),
//! a library's opening hours and closing days, and local wall-clock times
//! turned into instants without ambiguity across daylight-saving changes.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::Problem;

/// The first day of the season (1 September) containing `date`, and its
/// label "2024-2025".
pub fn season_of(date: Date) -> (i16, String) {
    let y = if date.month() >= 9 {
        date.year()
    } else {
        date.year() - 1
    };
    (y, format!("{}-{}", y, y + 1))
}

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).expect("Easter is always a valid date")
}

/// The eleven French public holidays of metropolitan France for a year,
/// with their French names.
pub fn french_public_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let d = |m: i8, day: i8| Date::new(year, m, day).expect("fixed holiday");
    let easter = easter_sunday(year);
    let shift = |days: i32| easter.checked_add(days.days()).expect("near Easter");
    let mut v = vec![
        (d(1, 1), "Jour de l'an"),
        (shift(1), "Lundi de Pâques"),
        (d(5, 1), "Fête du Travail"),
        (d(5, 8), "Victoire 1945"),
        (shift(39), "Ascension"),
        (shift(50), "Lundi de Pentecôte"),
        (d(7, 14), "Fête nationale"),
        (d(8, 15), "Assomption"),
        (d(11, 1), "Toussaint"),
        (d(11, 11), "Armistice 1918"),
        (d(12, 25), "Noël"),
    ];
    v.sort_by_key(|(date, _)| *date);
    v
}

/// The holiday's name when `date` is a French public holiday.
pub fn public_holiday(date: Date) -> Option<&'static str> {
    french_public_holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, n)| n)
}

/// Opening hours for one weekday; a day may have several ranges
/// (10 h – 12 h 30 and 14 h – 18 h).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRange {
    /// 1 = Monday … 7 = Sunday (ISO 8601).
    pub weekday: i8,
    pub open: Time,
    pub close: Time,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours(pub Vec<OpeningRange>);

impl OpeningHours {
    /// Parses one line per range: `mardi 10:00-18:00`, `sam 10h-17h30`.
    pub fn parse(text: &str) -> Result<OpeningHours, Problem> {
        let mut ranges = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let bad = || {
                Problem::field("opening_hours", "error.opening_hours_line")
                    .arg("line", (n + 1).to_string())
            };
            let (day, hours) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            let weekday = parse_weekday(day).ok_or_else(bad)?;
            let (a, b) = hours.trim().split_once('-').ok_or_else(bad)?;
            let open = parse_time(a).ok_or_else(bad)?;
            let close = parse_time(b).ok_or_else(bad)?;
            if close <= open {
                return Err(bad());
            }
            ranges.push(OpeningRange {
                weekday,
                open,
                close,
            });
        }
        ranges.sort_by_key(|r| (r.weekday, r.open));
        Ok(OpeningHours(ranges))
    }

    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|r| {
                format!(
                    "{} {}-{}",
                    WEEKDAYS_FR[(r.weekday - 1) as usize],
                    hm(r.open),
                    hm(r.close)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// True when the whole span lies inside one opening range of that day.
    /// No hours at all means "not configured": everything is inside.
    pub fn contains(&self, date: Date, start: Time, end: Time) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let wd = date.weekday().to_monday_one_offset();
        self.0
            .iter()
            .any(|r| r.weekday == wd && r.open <= start && end <= r.close)
    }

    pub fn open_on(&self, weekday: Weekday) -> bool {
        self.0.is_empty()
            || self
                .0
                .iter()
                .any(|r| r.weekday == weekday.to_monday_one_offset())
    }
}

const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

fn parse_weekday(s: &str) -> Option<i8> {
    let s = s.trim().to_lowercase();
    const EN: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    (0..7)
        .find(|&i| s.len() >= 3 && (WEEKDAYS_FR[i].starts_with(&s) || EN[i].starts_with(&s)))
        .map(|i| i as i8 + 1)
}

fn hm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Parses a wall-clock time as people write it: `14:00`, `14h`, `14 h 30`, `9h05`, `14.30`.
pub fn parse_time(s: &str) -> Option<Time> {
    let s: String = s
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (h, m) = match s.find([':', 'h', '.']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s.as_str(), ""),
    };
    let h: i8 = if h.is_empty() || h.len() > 2 {
        return None;
    } else {
        h.parse().ok()?
    };
    let m: i8 = if m.is_empty() {
        0
    } else if m.len() == 2 {
        m.parse().ok()?
    } else {
        return None;
    };
    Time::new(h, m, 0, 0).ok()
}

/// Days the library is closed: single dates or ranges (summer closure).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingDays(pub Vec<(Date, Date)>);

impl ClosingDays {
    /// One date or range per line: `2025-08-15`, `2025-08-01 2025-08-20`,
    /// `01/08/2025 - 20/08/2025`.
    pub fn parse(text: &str) -> Result<ClosingDays, Problem> {
        let mut v = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let bad = || {
                Problem::field("closing_days", "error.closing_days_line")
                    .arg("line", (n + 1).to_string())
            };
            let parts: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '–')
                .filter(|p| !p.is_empty() && *p != "-" && *p != "au")
                .collect();
            let (a, b) = match parts.as_slice() {
                [a] => (
                    parse_date(a).ok_or_else(bad)?,
                    parse_date(a).ok_or_else(bad)?,
                ),
                [a, b] => (
                    parse_date(a).ok_or_else(bad)?,
                    parse_date(b).ok_or_else(bad)?,
                ),
                _ => return Err(bad()),
            };
            if b < a {
                return Err(bad());
            }
            v.push((a, b));
        }
        v.sort();
        Ok(ClosingDays(v))
    }

    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a} {b}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn contains(&self, date: Date) -> bool {
        self.0.iter().any(|(a, b)| *a <= date && date <= *b)
    }
}

/// Parses a date as French spreadsheets and forms write it:
/// `2025-01-18`, `18/01/2025`, `18/01/25`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let mut it = s.split(['/', '.', '-']);
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let day: i8 = d.parse().ok()?;
    let month: i8 = m.parse().ok()?;
    let year: i16 = match y.len() {
        2 => 2000 + y.parse::<i16>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    Date::new(year, month, day).ok()
}

/// Turns a local date and wall-clock time into an instant. A time that does
/// not exist (the hour skipped when clocks go forward) is refused; a time that
/// happens twice (clocks going back) takes the first, as people expect.
pub fn local_to_instant(tz: &TimeZone, date: Date, time: Time) -> Result<Timestamp, Problem> {
    let dt = DateTime::from_parts(date, time);
    let ambiguous = tz.to_ambiguous_zoned(dt);
    if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
        return Err(Problem::field("start", "error.time_does_not_exist"));
    }
    ambiguous
        .earlier()
        .map(|z| z.timestamp())
        .map_err(|_| Problem::field("start", "error.time_does_not_exist"))
}

pub fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("the bundled time zone database holds Europe/Paris")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_dates_known() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    /// Every century's own constants of the algorithm (the century terms
    /// `b`, `d`, `f`, `g` change with it), against python-dateutil's
    /// `easter`: six years in each century from the 17th to the 25th.
    #[test]
    fn easter_in_every_century() {
        const KNOWN: [(i16, i8, i8); 54] = [
            (1600, 4, 2),
            (1613, 4, 7),
            (1637, 4, 12),
            (1658, 4, 21),
            (1681, 4, 6),
            (1699, 4, 19),
            (1700, 4, 11),
            (1713, 4, 16),
            (1737, 4, 21),
            (1758, 3, 26),
            (1781, 4, 15),
            (1799, 3, 24),
            (1800, 4, 13),
            (1813, 4, 18),
            (1837, 3, 26),
            (1858, 4, 4),
            (1881, 4, 17),
            (1899, 4, 2),
            (1900, 4, 15),
            (1913, 3, 23),
            (1937, 3, 28),
            (1958, 4, 6),
            (1981, 4, 19),
            (1999, 4, 4),
            (2000, 4, 23),
            (2013, 3, 31),
            (2037, 4, 5),
            (2058, 4, 14),
            (2081, 3, 30),
            (2099, 4, 12),
            (2100, 3, 28),
            (2113, 4, 2),
            (2137, 4, 7),
            (2158, 4, 16),
            (2181, 4, 1),
            (2199, 4, 14),
            (2200, 4, 6),
            (2213, 4, 11),
            (2237, 4, 16),
            (2258, 4, 25),
            (2281, 4, 10),
            (2299, 4, 16),
            (2300, 4, 8),
            (2313, 4, 13),
            (2337, 4, 18),
            (2358, 3, 30),
            (2381, 4, 12),
            (2399, 3, 28),
            (2400, 4, 16),
            (2413, 4, 21),
            (2437, 3, 22),
            (2458, 3, 31),
            (2481, 4, 20),
            (2499, 3, 29),
        ];
        for (y, m, d) in KNOWN {
            assert_eq!(easter_sunday(y), date(y, m, d), "{y}");
        }
    }

    /// Checked against python-dateutil's `easter` (Western, Gregorian):
    /// years where one wrong constant of the algorithm moves the date.
    #[test]
    fn easter_and_the_holidays_it_moves_in_known_years() {
        for (year, easter, ascension, whit_monday) in [
            (2021, date(2021, 4, 4), date(2021, 5, 13), date(2021, 5, 24)),
            (2029, date(2029, 4, 1), date(2029, 5, 10), date(2029, 5, 21)),
            (2033, date(2033, 4, 17), date(2033, 5, 26), date(2033, 6, 6)),
            (2049, date(2049, 4, 18), date(2049, 5, 27), date(2049, 6, 7)),
            (2076, date(2076, 4, 19), date(2076, 5, 28), date(2076, 6, 8)),
            (
                2285,
                date(2285, 3, 22),
                date(2285, 4, 30),
                date(2285, 5, 11),
            ),
        ] {
            assert_eq!(easter_sunday(year), easter, "{year}");
            let h = french_public_holidays(year);
            assert_eq!(h.len(), 11);
            assert!(h.windows(2).all(|w| w[0].0 < w[1].0), "{year} sorted");
            assert_eq!(public_holiday(ascension), Some("Ascension"), "{year}");
            assert_eq!(
                public_holiday(whit_monday),
                Some("Lundi de Pentecôte"),
                "{year}"
            );
            assert_eq!(
                public_holiday(easter.tomorrow().unwrap()),
                Some("Lundi de Pâques")
            );
            assert_eq!(public_holiday(easter), None, "Easter Sunday is a Sunday");
        }
        let fixed: Vec<_> = french_public_holidays(2030)
            .into_iter()
            .filter(|(d, _)| d.month() != 4 && d.month() != 5 && d.month() != 6)
            .map(|(d, n)| (d.month(), d.day(), n))
            .collect();
        assert_eq!(
            fixed,
            [
                (1, 1, "Jour de l'an"),
                (7, 14, "Fête nationale"),
                (8, 15, "Assomption"),
                (11, 1, "Toussaint"),
                (11, 11, "Armistice 1918"),
                (12, 25, "Noël"),
            ]
        );
        assert_eq!(public_holiday(date(2030, 5, 1)), Some("Fête du Travail"));
        assert_eq!(public_holiday(date(2030, 5, 8)), Some("Victoire 1945"));
    }

    #[test]
    fn a_span_fits_its_opening_range_up_to_both_ends() {
        let h = OpeningHours::parse("mar 10:00-12:30\nmardi 14h-18h").unwrap();
        let tuesday = date(2024, 2, 20);
        let t = |h, m| Time::constant(h, m, 0, 0);
        assert!(h.contains(tuesday, t(10, 0), t(12, 30)));
        assert!(h.contains(tuesday, t(14, 0), t(18, 0)));
        assert!(!h.contains(tuesday, t(9, 59), t(12, 0)));
        assert!(!h.contains(tuesday, t(10, 0), t(12, 31)));
        // Across the lunch break is in no single range.
        assert!(!h.contains(tuesday, t(12, 0), t(14, 30)));
        assert!(h.open_on(Weekday::Tuesday));
        assert!(!h.open_on(Weekday::Wednesday));
        let none = OpeningHours::default();
        assert!(none.contains(tuesday, t(3, 0), t(4, 0)));
        assert!(none.open_on(Weekday::Sunday));
        assert_eq!(h.to_text(), "mardi 10:00-12:30\nmardi 14:00-18:00");
        // Day names: French or English, three letters at least.
        let days = OpeningHours::parse("lun 9h-10h\nTuesday 9h-10h\nsunday 9h-10h").unwrap();
        let weekdays: Vec<i8> = days.0.iter().map(|r| r.weekday).collect();
        assert_eq!(weekdays, [1, 2, 7]);
        assert!(OpeningHours::parse("ma 9h-10h").is_err());
        assert!(OpeningHours::parse("mardi 10h-10h").is_err());
        assert!(OpeningHours::parse("mardi 10h").is_err());
        assert!(OpeningHours::parse("mardi").is_err());
        assert_eq!(
            OpeningHours::parse("\nmardi 9h-10h\nmardi 10h")
                .unwrap_err()
                .args,
            vec![("line", "3".to_string())]
        );
    }

    #[test]
    fn times_and_dates_at_their_bounds() {
        assert_eq!(parse_time("14.30"), Some(Time::constant(14, 30, 0, 0)));
        assert_eq!(parse_time("7"), Some(Time::constant(7, 0, 0, 0)));
        assert_eq!(parse_time("23:59"), Some(Time::constant(23, 59, 0, 0)));
        assert_eq!(parse_time("0h"), Some(Time::MIN));
        assert_eq!(parse_time("123:00"), None);
        // At most two digits of hours, even when the number would fit.
        assert_eq!(parse_time("014:30"), None);
        assert_eq!(parse_time("007"), None);
        assert_eq!(parse_time("h30"), None);
        assert_eq!(parse_time("12:345"), None);
        assert_eq!(parse_time("12:60"), None);
        assert_eq!(parse_date("1.2.2025"), Some(date(2025, 2, 1)));
        assert_eq!(parse_date("01-02-2025"), Some(date(2025, 2, 1)));
        assert_eq!(parse_date("1/2/3/2025"), None);
        assert_eq!(parse_date("1/2/025"), None);
        assert_eq!(parse_date("1/2"), None);
        assert_eq!(parse_date(" 29/02/2024 "), Some(date(2024, 2, 29)));
    }

    #[test]
    fn closing_days_at_their_bounds() {
        let c =
            ClosingDays::parse("01/08/2025 au 20/08/2025\n\n2025-12-25\n2025-05-01 – 2025-05-02")
                .unwrap();
        assert_eq!(c.0.len(), 3);
        assert_eq!(c.0[0], (date(2025, 5, 1), date(2025, 5, 2)), "sorted");
        assert!(c.contains(date(2025, 8, 1)) && c.contains(date(2025, 8, 20)));
        assert!(!c.contains(date(2025, 7, 31)) && !c.contains(date(2025, 12, 24)));
        assert_eq!(
            c.to_text(),
            "2025-05-01 2025-05-02\n2025-08-01 2025-08-20\n2025-12-25"
        );
        assert!(ClosingDays::parse("2025-08-20 2025-08-01").is_err());
        assert!(ClosingDays::parse("2025-08-01 2025-08-02 2025-08-03").is_err());
        assert_eq!(
            ClosingDays::parse("2025-08-01\nnoël").unwrap_err().args,
            vec![("line", "2".to_string())]
        );
        assert!(ClosingDays::parse("2025-08-01 demain").is_err());
        assert!(ClosingDays::parse("").unwrap().0.is_empty());
    }

    #[test]
    fn a_season_runs_from_the_first_of_september() {
        assert_eq!(season_of(date(2024, 9, 1)), (2024, "2024-2025".to_string()));
        assert_eq!(
            season_of(date(2024, 8, 31)),
            (2023, "2023-2024".to_string())
        );
        assert_eq!(
            season_of(date(2025, 1, 15)),
            (2024, "2024-2025".to_string())
        );
        assert_eq!(
            season_of(date(2025, 12, 31)),
            (2025, "2025-2026".to_string())
        );
    }

    #[test]
    fn weekdays_by_three_letters_or_more_in_french_or_english() {
        assert_eq!(parse_weekday(" Lun "), Some(1));
        assert_eq!(parse_weekday("mon"), Some(1));
        assert_eq!(parse_weekday("MERC"), Some(3));
        assert_eq!(parse_weekday("thu"), Some(4));
        assert_eq!(parse_weekday("dimanche"), Some(7));
        assert_eq!(parse_weekday("sunday"), Some(7));
        assert_eq!(parse_weekday("di"), None);
        assert_eq!(parse_weekday("lundis"), None);
        assert_eq!(parse_weekday(""), None);
    }

    #[test]
    fn holidays_2025() {
        let h = french_public_holidays(2025);
        assert_eq!(h.len(), 11);
        assert_eq!(public_holiday(date(2025, 4, 21)), Some("Lundi de Pâques"));
        assert_eq!(public_holiday(date(2025, 5, 29)), Some("Ascension"));
        assert_eq!(public_holiday(date(2025, 6, 9)), Some("Lundi de Pentecôte"));
        assert_eq!(public_holiday(date(2025, 7, 14)), Some("Fête nationale"));
        assert_eq!(public_holiday(date(2025, 4, 22)), None);
    }

    #[test]
    fn times_as_people_write_them() {
        assert_eq!(parse_time("14:00"), Some(Time::constant(14, 0, 0, 0)));
        assert_eq!(parse_time("14h"), Some(Time::constant(14, 0, 0, 0)));
        assert_eq!(parse_time("14h30"), Some(Time::constant(14, 30, 0, 0)));
        assert_eq!(parse_time("14 h 30"), Some(Time::constant(14, 30, 0, 0)));
        assert_eq!(parse_time("9h05"), Some(Time::constant(9, 5, 0, 0)));
        assert_eq!(parse_time("25h"), None);
        assert_eq!(parse_time("14h3"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn dates_as_people_write_them() {
        assert_eq!(parse_date("18/02/2024"), Some(date(2024, 2, 18)));
        assert_eq!(parse_date("18/02/24"), Some(date(2024, 2, 18)));
        assert_eq!(parse_date("2024-02-18"), Some(date(2024, 2, 18)));
        assert_eq!(parse_date("31/02/2024"), None);
    }

    #[test]
    fn opening_hours_round_trip_and_containment() {
        let h = OpeningHours::parse("mardi 10:00-18:00\nsam 10h-17h30\ndimanche 14h-18h").unwrap();
        assert_eq!(h.0.len(), 3);
        assert_eq!(OpeningHours::parse(&h.to_text()).unwrap(), h);
        let sunday = date(2024, 2, 18);
        assert!(h.contains(
            sunday,
            Time::constant(14, 0, 0, 0),
            Time::constant(18, 0, 0, 0)
        ));
        assert!(!h.contains(
            sunday,
            Time::constant(13, 0, 0, 0),
            Time::constant(15, 0, 0, 0)
        ));
        assert!(!h.contains(
            date(2024, 2, 19),
            Time::constant(14, 0, 0, 0),
            Time::constant(15, 0, 0, 0)
        ));
        assert!(OpeningHours::parse("mardi 18:00-10:00").is_err());
        assert!(OpeningHours::parse("funday 10:00-12:00").is_err());
    }

    #[test]
    fn closing_days_ranges() {
        let c = ClosingDays::parse("2025-08-01 2025-08-20\n25/12/2025").unwrap();
        assert!(c.contains(date(2025, 8, 10)));
        assert!(c.contains(date(2025, 12, 25)));
        assert!(!c.contains(date(2025, 8, 21)));
        assert_eq!(ClosingDays::parse(&c.to_text()).unwrap(), c);
    }

    #[test]
    fn daylight_saving_is_handled() {
        let tz = paris();
        // 30 March 2025: clocks jump from 02:00 to 03:00.
        assert!(local_to_instant(&tz, date(2025, 3, 30), Time::constant(2, 30, 0, 0)).is_err());
        // 14 h is UTC+2 in summer, UTC+1 in winter.
        let summer = local_to_instant(&tz, date(2025, 6, 15), Time::constant(14, 0, 0, 0)).unwrap();
        assert_eq!(summer.to_string(), "2025-06-15T12:00:00Z");
        let winter = local_to_instant(&tz, date(2025, 1, 18), Time::constant(14, 0, 0, 0)).unwrap();
        assert_eq!(winter.to_string(), "2025-01-18T13:00:00Z");
        // 26 October 2025: 02:30 happens twice; the first is UTC+2.
        let twice = local_to_instant(&tz, date(2025, 10, 26), Time::constant(2, 30, 0, 0)).unwrap();
        assert_eq!(twice.to_string(), "2025-10-26T00:30:00Z");
    }
}
