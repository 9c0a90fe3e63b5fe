//! When the reminder of a session goes: the day before, at the configured
//! hour of the library's clock. Pure time arithmetic, tested with fixed
//! instants; the worker asks the store for candidates and enqueues the due.

use almanach_store::ReminderCandidate;
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

/// The instant of the reminder for a session starting at `starts_at`: the
/// day before at `hour`:00, library time. An hour that does not exist that
/// day (clocks going forward) is read as the same wall-clock time after the
/// change, as jiff's "compatible" rule does.
pub fn reminder_at(starts_at: i64, tz: &TimeZone, hour: i8) -> i64 {
    let start = Timestamp::from_second(starts_at)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone());
    let day_before = start.date().yesterday().unwrap_or(start.date());
    let at =
        day_before.to_datetime(Time::new(hour.clamp(0, 23), 0, 0, 0).unwrap_or(Time::midnight()));
    tz.to_ambiguous_zoned(at)
        .compatible()
        .map_or(starts_at - 24 * 3600, |z| z.timestamp().as_second())
}

/// Whether the candidate's reminder is due at `now`: its time has come and
/// the session has not started. A party confirmed after the reminder's
/// time has just been told everything by its confirmation: none for it.
pub fn is_due(c: &ReminderCandidate, now: i64, hour: i8) -> bool {
    let tz = TimeZone::get(&c.timezone).unwrap_or_else(|_| almanach_domain::calendar::paris());
    let at = reminder_at(c.starts_at, &tz, hour);
    now >= at && now < c.starts_at && c.confirmed_at < at
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::calendar::paris;
    use almanach_domain::ids::{RegistrationId, SessionId};

    fn paris_instant(s: &str) -> i64 {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(paris())
            .unwrap()
            .timestamp()
            .as_second()
    }

    fn candidate(starts: &str, confirmed: &str) -> ReminderCandidate {
        ReminderCandidate {
            registration_id: RegistrationId(1),
            session_id: SessionId(1),
            starts_at: paris_instant(starts),
            confirmed_at: paris_instant(confirmed),
            timezone: "Europe/Paris".into(),
        }
    }

    #[test]
    fn the_day_before_at_the_hour_in_winter_and_summer() {
        assert_eq!(
            reminder_at(paris_instant("2030-01-15T14:00"), &paris(), 18),
            paris_instant("2030-01-14T18:00")
        );
        assert_eq!(
            reminder_at(paris_instant("2030-07-15T09:30"), &paris(), 18),
            paris_instant("2030-07-14T18:00")
        );
        // A session just after midnight: still the evening before.
        assert_eq!(
            reminder_at(paris_instant("2030-07-15T00:30"), &paris(), 18),
            paris_instant("2030-07-14T18:00")
        );
        // The first of the month: the last day of the previous one.
        assert_eq!(
            reminder_at(paris_instant("2030-03-01T10:00"), &paris(), 9),
            paris_instant("2030-02-28T09:00")
        );
    }

    #[test]
    fn across_daylight_saving_changes() {
        // Clocks go forward on Sunday 30 March 2031, the day before: 18:00 is CEST.
        let at = reminder_at(paris_instant("2031-03-31T14:00"), &paris(), 18);
        assert_eq!(at, paris_instant("2031-03-30T18:00"));
        assert_eq!(
            at,
            "2031-03-30T16:00:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .as_second(),
            "CEST, two hours ahead"
        );
        // 2 h does not exist on 30 March 2031: read as 3 h CEST.
        let gap = reminder_at(paris_instant("2031-03-31T14:00"), &paris(), 2);
        assert_eq!(
            gap,
            "2031-03-30T01:00:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .as_second()
        );
    }

    #[test]
    fn due_from_the_hour_until_the_session() {
        let c = candidate("2030-01-15T14:00", "2030-01-02T10:00");
        assert!(!is_due(&c, paris_instant("2030-01-14T17:59:59"), 18));
        assert!(is_due(&c, paris_instant("2030-01-14T18:00"), 18));
        assert!(
            is_due(&c, paris_instant("2030-01-15T13:59"), 18),
            "late (the server was down) but before the session"
        );
        assert!(!is_due(&c, paris_instant("2030-01-15T14:00"), 18));
        assert!(
            !is_due(&c, paris_instant("2030-01-14T19:00"), 20),
            "the hour is the configured one"
        );
        let late = candidate("2030-01-15T14:00", "2030-01-14T19:00");
        assert!(
            !is_due(&late, paris_instant("2030-01-14T20:00"), 18),
            "confirmed after the reminder's time"
        );
    }
}
