//! Calendar arithmetic in the library's zone: today, a day's first second,
//! days later, the week's Monday.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Today in the library's zone.
pub(crate) fn today(tz: &TimeZone) -> Date {
    Timestamp::now().to_zoned(tz.clone()).date()
}

/// The instant a library-local day begins (midnight, or the first instant
/// after it where a zone skips midnight).
pub(crate) fn day_start(tz: &TimeZone, date: Date) -> i64 {
    date.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}

pub(crate) fn add_days(date: Date, n: i64) -> Date {
    date.checked_add(n.days()).unwrap_or(date)
}

/// The Monday of `date`'s ISO week.
pub(crate) fn monday(date: Date) -> Date {
    add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))
}
