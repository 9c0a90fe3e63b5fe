//! Dates and times as a French (or English) reader expects them:
//! "samedi 13 janvier, 14 h – 15 h 30", "Saturday 13 January, 2 pm – 3:30 pm".

use jiff::civil::{Date, Time};

use crate::Lang;

const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn weekday_name(date: Date, lang: Lang) -> &'static str {
    let i = (date.weekday().to_monday_zero_offset()) as usize;
    match lang {
        Lang::Fr => DAYS_FR[i],
        Lang::En => DAYS_EN[i],
    }
}

pub fn month_name(month: i8, lang: Lang) -> &'static str {
    let i = (month - 1) as usize;
    match lang {
        Lang::Fr => MONTHS_FR[i],
        Lang::En => MONTHS_EN[i],
    }
}

/// "samedi 13 janvier" / "Saturday 13 January"; "1er" for the first of the month in French.
pub fn day(date: Date, lang: Lang) -> String {
    let d = date.day();
    let dn = match (lang, d) {
        (Lang::Fr, 1) => "1er".to_string(),
        _ => d.to_string(),
    };
    format!(
        "{} {} {}",
        weekday_name(date, lang),
        dn,
        month_name(date.month(), lang)
    )
}

/// `day` with the year: "samedi 13 janvier 2024".
pub fn day_with_year(date: Date, lang: Lang) -> String {
    format!("{} {}", day(date, lang), date.year())
}

/// Whether dates shown on `today` need their year: once one of them falls
/// outside today's season (1 September – 31 August), all of them do, so a
/// list spanning seasons reads alike (« samedi 13 janvier 2024 »).
pub fn needs_year(dates: impl IntoIterator<Item = Date>, today: Date) -> bool {
    let season = crate::programme::season_of(today).0;
    dates
        .into_iter()
        .any(|d| crate::programme::season_of(d).0 != season)
}

/// `day`, or `day_with_year` when `year`.
pub fn day_styled(date: Date, lang: Lang, year: bool) -> String {
    if year {
        day_with_year(date, lang)
    } else {
        day(date, lang)
    }
}

/// `day` beside `today`: the year shown only outside today's season.
pub fn day_near(date: Date, today: Date, lang: Lang) -> String {
    day_styled(date, lang, needs_year([date], today))
}

/// "14 h", "15 h 30", "9 h 05" / "2 pm", "3:30 pm", "12 noon" kept simple: "12 pm".
pub fn time(t: Time, lang: Lang) -> String {
    match lang {
        Lang::Fr if t.minute() == 0 => format!("{} h", t.hour()),
        Lang::Fr => format!("{} h {:02}", t.hour(), t.minute()),
        Lang::En => {
            let (h, suffix) = match t.hour() {
                0 => (12, "am"),
                h @ 1..=11 => (h, "am"),
                12 => (12, "pm"),
                h => (h - 12, "pm"),
            };
            if t.minute() == 0 {
                format!("{h} {suffix}")
            } else {
                format!("{h}:{:02} {suffix}", t.minute())
            }
        }
    }
}

/// "samedi 13 janvier, 14 h – 15 h 30". A span over midnight names both days.
pub fn span(start_date: Date, start: Time, end_date: Date, end: Time, lang: Lang) -> String {
    if start_date == end_date {
        format!(
            "{}, {} – {}",
            day(start_date, lang),
            time(start, lang),
            time(end, lang)
        )
    } else {
        format!(
            "{}, {} – {}, {}",
            day(start_date, lang),
            time(start, lang),
            day(end_date, lang),
            time(end, lang)
        )
    }
}

/// `span` with the year after the first day when `year`:
/// "samedi 13 janvier 2024, 14 h – 15 h 30".
pub fn span_styled(
    start_date: Date,
    start: Time,
    end_date: Date,
    end: Time,
    lang: Lang,
    year: bool,
) -> String {
    if !year {
        return span(start_date, start, end_date, end, lang);
    }
    let first = day_with_year(start_date, lang);
    if start_date == end_date {
        format!("{first}, {} – {}", time(start, lang), time(end, lang))
    } else {
        format!(
            "{first}, {} – {}, {}",
            time(start, lang),
            day_styled(end_date, lang, end_date.year() != start_date.year()),
            time(end, lang)
        )
    }
}

/// A price in cents: "gratuit" / "free", "5 €", "7,50 €".
pub fn price(cents: i64, lang: Lang) -> String {
    if cents == 0 {
        return match lang {
            Lang::Fr => "gratuit".into(),
            Lang::En => "free".into(),
        };
    }
    let (e, c) = (cents / 100, cents % 100);
    match (lang, c) {
        (Lang::Fr, 0) => format!("{e} €"),
        (Lang::Fr, c) => format!("{e},{c:02} €"),
        (Lang::En, 0) => format!("€{e}"),
        (Lang::En, c) => format!("€{e}.{c:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn french_span_like_the_posters() {
        let d = date(2024, 1, 13);
        assert_eq!(
            span(
                d,
                Time::constant(14, 0, 0, 0),
                d,
                Time::constant(15, 30, 0, 0),
                Lang::Fr
            ),
            "samedi 13 janvier, 14 h – 15 h 30"
        );
        let d = date(2024, 2, 18);
        assert_eq!(
            span(
                d,
                Time::constant(14, 0, 0, 0),
                d,
                Time::constant(18, 0, 0, 0),
                Lang::Fr
            ),
            "dimanche 18 février, 14 h – 18 h"
        );
        assert_eq!(day(date(2024, 6, 1), Lang::Fr), "samedi 1er juin");
    }

    #[test]
    fn english_span() {
        let d = date(2024, 1, 13);
        assert_eq!(
            span(
                d,
                Time::constant(14, 0, 0, 0),
                d,
                Time::constant(15, 30, 0, 0),
                Lang::En
            ),
            "Saturday 13 January, 2 pm – 3:30 pm"
        );
        assert_eq!(time(Time::constant(9, 5, 0, 0), Lang::Fr), "9 h 05");
        assert_eq!(time(Time::constant(0, 30, 0, 0), Lang::En), "12:30 am");
    }

    #[test]
    fn the_year_shows_outside_the_season_of_today() {
        let today = date(2026, 12, 1);
        // The season 2026-2027 runs from 1 September 2026 to 31 August 2027.
        assert_eq!(
            day_near(date(2027, 1, 9), today, Lang::Fr),
            "samedi 9 janvier"
        );
        assert_eq!(
            day_near(date(2026, 12, 25), date(2025, 12, 1), Lang::Fr),
            "vendredi 25 décembre 2026"
        );
        assert_eq!(
            day_near(date(2026, 12, 25), date(2025, 12, 1), Lang::En),
            "Friday 25 December 2026"
        );
        assert!(!needs_year([date(2026, 9, 1), date(2027, 8, 31)], today));
        assert!(needs_year([date(2026, 9, 1), date(2026, 8, 31)], today));
        let (d, t) = (date(2024, 1, 13), Time::constant(14, 0, 0, 0));
        assert_eq!(
            span_styled(d, t, d, Time::constant(15, 30, 0, 0), Lang::Fr, true),
            "samedi 13 janvier 2024, 14 h – 15 h 30"
        );
    }

    #[test]
    fn prices() {
        assert_eq!(price(0, Lang::Fr), "gratuit");
        assert_eq!(price(750, Lang::Fr), "7,50 €");
        assert_eq!(price(500, Lang::En), "€5");
    }
}
