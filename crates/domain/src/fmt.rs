//! Dates, times, numbers and sums of money as a French (or English) reader
//! expects them: "samedi 13 janvier, 14 h – 15 h 30", "1 611", "12 %",
//! "1 611,00 €", "1 à 2". The one place for French typography: pages, the
//! review (HTML, PDF), e-mails and the text of CSV files all word numbers here.

use jiff::civil::{Date, Time};

use crate::Lang;

const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
/// The days of the week in English, Monday first (also schema.org's names).
pub const DAYS_EN: [&str; 7] = [
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
    let season = crate::calendar::season_of(today).0;
    dates
        .into_iter()
        .any(|d| crate::calendar::season_of(d).0 != season)
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

/// The span between two instants (unix seconds) in the zone `tz`, with the
/// year when `year`: what pages and e-mails print for a session. An instant
/// out of range gives an empty text rather than a wrong date.
pub fn instants(
    starts_at: i64,
    ends_at: i64,
    tz: &jiff::tz::TimeZone,
    lang: Lang,
    year: bool,
) -> String {
    let (Ok(a), Ok(b)) = (
        jiff::Timestamp::from_second(starts_at),
        jiff::Timestamp::from_second(ends_at),
    ) else {
        return String::new();
    };
    let (a, b) = (a.to_zoned(tz.clone()), b.to_zoned(tz.clone()));
    span_styled(a.date(), a.time(), b.date(), b.time(), lang, year)
}

/// A price in cents: "gratuit" / "free", "5 €", "7,50 €", "1 500 €".
pub fn price(cents: i64, lang: Lang) -> String {
    if cents == 0 {
        return match lang {
            Lang::Fr => "gratuit".into(),
            Lang::En => "free".into(),
        };
    }
    let decimals = if cents % 100 == 0 { 0 } else { 2 };
    money(
        number(cents as f64 / 100.0, decimals, lang),
        cents < 0,
        lang,
    )
}

/// No-break space: between a number and its unit, before "%" and "€",
/// around "à" in a range, so a line never breaks inside them.
pub const NBSP: char = '\u{a0}';
/// Narrow no-break space: between thousands ("1 611") and before ":", ";",
/// "!", "?" in French.
pub const NNBSP: char = '\u{202f}';

/// A number with `decimals` digits after the decimal mark, trailing zeros
/// kept so columns align: "1 611", "19,5", "−3" / "1,611", "19.5", "-3".
/// A value that rounds to zero has no sign.
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (thousands, decimal, minus) = match lang {
        Lang::Fr => (NNBSP, ',', '−'),
        Lang::En => (',', '.', '-'),
    };
    let mut out = String::new();
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push(minus);
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// A whole number: "1 611" / "1,611".
pub fn int(v: i64, lang: Lang) -> String {
    number(v as f64, 0, lang)
}

/// A change: "+12", "−3,5", "0" / "+12", "-3.5".
pub fn signed(v: f64, decimals: usize, lang: Lang) -> String {
    let n = number(v, decimals, lang);
    if v > 0.0 && n.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{n}")
    } else {
        n
    }
}

/// A share (0 to 1) as a whole percentage: "12 %" / "12%".
pub fn percent(share: f64, lang: Lang) -> String {
    let n = number(share * 100.0, 0, lang);
    match lang {
        Lang::Fr => format!("{n}{NBSP}%"),
        Lang::En => format!("{n}%"),
    }
}

/// `n`, already worded, as a sum of euros: "1 611,00 €" / "€1,611.00".
fn money(n: String, negative: bool, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{n}{NBSP}€"),
        Lang::En if negative => format!("-€{}", n.trim_start_matches('-')),
        Lang::En => format!("€{n}"),
    }
}

/// A sum of euros: "3,05 €", "1 611,50 €"; whole sums from a hundred on
/// without cents, "3 250 €" / "€3.05", "€3,250".
pub fn euros(v: f64, lang: Lang) -> String {
    let decimals = if v.fract().abs() < 0.005 && v.abs() >= 100.0 {
        0
    } else {
        2
    };
    money(number(v, decimals, lang), v < 0.0, lang)
}

/// An exact sum in cents, always with its cents: "1 611,00 €" / "€1,611.00".
pub fn cents(c: i64, lang: Lang) -> String {
    money(number(c as f64 / 100.0, 2, lang), c < 0, lang)
}

/// A change of a sum of euros: "+1 650,00 €", "−12,50 €" / "+€1,650.00".
pub fn signed_euros(v: f64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{}{NBSP}€", signed(v, 2, lang)),
        Lang::En => {
            let sign = match signed(v, 2, lang).chars().next() {
                Some(c @ ('+' | '-')) => c.to_string(),
                _ => String::new(),
            };
            format!("{sign}€{}", number(v.abs(), 2, lang))
        }
    }
}

/// From one number to another: "1 à 2" / "1 to 2", never broken across lines.
pub fn range(min: i64, max: i64, lang: Lang) -> String {
    let word = match lang {
        Lang::Fr => "à",
        Lang::En => "to",
    };
    format!("{}{NBSP}{word}{NBSP}{}", int(min, lang), int(max, lang))
}

/// A number and its unit, kept on one line: "19 pers. / atelier", "12 séances".
pub fn with_unit(n: &str, unit: &str) -> String {
    format!("{n}{NBSP}{unit}")
}

/// "7 décembre 2026", "1er juin 2025" / "7 December 2026": a date of issue.
pub fn date_long(date: Date, lang: Lang) -> String {
    let d = match (lang, date.day()) {
        (Lang::Fr, 1) => "1er".to_string(),
        (_, d) => d.to_string(),
    };
    format!("{d} {} {}", month_name(date.month(), lang), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn instants_are_read_in_the_library_zone() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        // 2024-01-13 13:00 UTC is 14 h in Paris (winter, UTC+1);
        // 2024-07-06 12:00 UTC is 14 h in Paris (summer, UTC+2).
        let winter = 1_705_150_800;
        assert_eq!(
            instants(winter, winter + 5400, &paris, Lang::Fr, false),
            "samedi 13 janvier, 14 h – 15 h 30"
        );
        assert_eq!(
            instants(winter, winter + 5400, &paris, Lang::Fr, true),
            "samedi 13 janvier 2024, 14 h – 15 h 30"
        );
        let summer = 1_720_267_200;
        assert_eq!(
            instants(summer, summer + 3600, &paris, Lang::Fr, false),
            "samedi 6 juillet, 14 h – 15 h"
        );
        assert_eq!(
            instants(
                summer,
                summer + 3600,
                &jiff::tz::TimeZone::UTC,
                Lang::Fr,
                false
            ),
            "samedi 6 juillet, 12 h – 13 h"
        );
        assert_eq!(instants(i64::MAX, i64::MAX, &paris, Lang::Fr, false), "");
    }

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
        assert_eq!(price(750, Lang::Fr), "7,50\u{a0}€");
        assert_eq!(price(150_000, Lang::Fr), "1\u{202f}500\u{a0}€");
        assert_eq!(price(500, Lang::En), "€5");
    }

    /// French typography: thin no-break space between thousands, no-break
    /// space before % and €, and inside ranges; decimal comma; real minus.
    #[test]
    fn numbers_the_french_way() {
        let fr = Lang::Fr;
        assert_eq!(int(1611, fr), "1\u{202f}611");
        assert_eq!(int(1_234_567, fr), "1\u{202f}234\u{202f}567");
        assert_eq!(int(999, fr), "999");
        assert_eq!(number(19.333, 1, fr), "19,3");
        assert_eq!(number(-1234.5, 2, fr), "−1\u{202f}234,50");
        assert_eq!(number(-0.001, 1, fr), "0,0");
        assert_eq!(percent(0.12, fr), "12\u{a0}%");
        assert_eq!(percent(0.0, fr), "0\u{a0}%");
        assert_eq!(cents(161_100, fr), "1\u{202f}611,00\u{a0}€");
        assert_eq!(cents(-1250, fr), "−12,50\u{a0}€");
        assert_eq!(euros(1611.0, fr), "1\u{202f}611\u{a0}€");
        assert_eq!(euros(3.05, fr), "3,05\u{a0}€");
        assert_eq!(range(1, 2, fr), "1\u{a0}à\u{a0}2");
        assert_eq!(signed(26.0, 0, fr), "+26");
        assert_eq!(signed(-4.8, 1, fr), "−4,8");
        assert_eq!(signed(0.01, 1, fr), "0,0");
        assert_eq!(signed_euros(-1650.0, fr), "−1\u{202f}650,00\u{a0}€");
        assert_eq!(date_long(date(2026, 12, 7), fr), "7 décembre 2026");
        assert_eq!(date_long(date(2025, 6, 1), fr), "1er juin 2025");
        for s in [
            int(1611, fr),
            percent(0.5, fr),
            cents(161_100, fr),
            range(1, 2, fr),
        ] {
            assert!(!s.contains(' '), "no breakable space in {s:?}");
        }
    }

    #[test]
    fn numbers_the_english_way() {
        let en = Lang::En;
        assert_eq!(int(1611, en), "1,611");
        assert_eq!(number(-1234.5, 2, en), "-1,234.50");
        assert_eq!(percent(0.12, en), "12%");
        assert_eq!(cents(161_100, en), "€1,611.00");
        assert_eq!(cents(-1250, en), "-€12.50");
        assert_eq!(euros(3250.0, en), "€3,250");
        assert_eq!(signed_euros(-1650.0, en), "-€1,650.00");
        assert_eq!(signed_euros(12.5, en), "+€12.50");
        assert_eq!(range(1, 6, en), "1\u{a0}to\u{a0}6");
        assert_eq!(date_long(date(2026, 12, 7), en), "7 December 2026");
    }

    /// Moved from `stats` with `fr_number` and `fr_int`, which it replaces.
    #[test]
    fn french_numbers() {
        let int = |v| int(v, Lang::Fr);
        assert_eq!(int(1234), "1\u{202f}234");
        assert_eq!(int(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(int(999), "999");
        assert_eq!(number(19.333, 1, Lang::Fr), "19,3");
        assert_eq!(number(-1234.5, 2, Lang::Fr), "−1\u{202f}234,50");
        assert_eq!(number(-0.001, 1, Lang::Fr), "0,0");
    }
}
