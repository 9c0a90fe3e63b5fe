//! iCalendar (RFC 5545) writing for feeds and e-mail attachments: the
//! VCALENDAR frame, the Europe/Paris VTIMEZONE, one VEVENT per session, text
//! escaping, and line folding at 75 octets that never splits a character.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Europe/Paris since 1996: the EU rule (last Sunday of March and of
/// October, at 01:00 UTC). Calendar clients read the rules, not the name,
/// so they must be right; the DTSTARTs are the conventional 1970 anchors.
const PARIS_VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

pub const PARIS: &str = "Europe/Paris";

/// Whether the event takes place or was called off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Cancelled,
}

/// One session as a calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across fetches and e-mails: `session-{id}@{host}`.
    pub uid: String,
    /// When this information was last revised.
    pub stamp: Timestamp,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub url: Option<String>,
    /// Increases with every change, so clients replace their copy.
    pub sequence: i64,
    pub status: Status,
}

/// A calendar: a feed, or the attachment of an e-mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// The feed's name shown by clients (`X-WR-CALNAME`), if any.
    pub name: Option<String>,
    /// `PUBLISH` for an attachment; feeds leave it out.
    pub method: Option<&'static str>,
    pub events: Vec<Event>,
}

pub fn session_uid(session_id: i64, host: &str) -> String {
    format!("session-{session_id}@{host}")
}

/// The host (and port) of a URL, for UIDs: `https://agenda.example.fr/x` →
/// `agenda.example.fr`.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

impl Calendar {
    /// The whole object, CRLF line ends, folded. Times are written in
    /// `tz` with its VTIMEZONE when it is Europe/Paris, and in UTC otherwise
    /// (always valid, if less readable).
    pub fn write(&self, tz: &TimeZone) -> String {
        let paris = tz.iana_name() == Some(PARIS);
        let mut out = String::new();
        let mut line = |s: &str| push_folded(&mut out, s);
        line("BEGIN:VCALENDAR");
        line("VERSION:2.0");
        line("PRODID:-//Almanach//Almanach//FR");
        line("CALSCALE:GREGORIAN");
        if let Some(m) = self.method {
            line(&format!("METHOD:{m}"));
        }
        if let Some(name) = &self.name {
            line(&format!("X-WR-CALNAME:{}", escape(name)));
            if paris {
                line(&format!("X-WR-TIMEZONE:{PARIS}"));
            }
        }
        if paris && !self.events.is_empty() {
            for l in PARIS_VTIMEZONE {
                line(l);
            }
        }
        for e in &self.events {
            line("BEGIN:VEVENT");
            line(&format!("UID:{}", e.uid));
            line(&format!("DTSTAMP:{}", utc(e.stamp)));
            line(&format!("DTSTART{}", local(e.start, tz, paris)));
            line(&format!("DTEND{}", local(e.end, tz, paris)));
            line(&format!("SEQUENCE:{}", e.sequence.max(0)));
            line(&format!("SUMMARY:{}", escape(&e.summary)));
            if !e.description.is_empty() {
                line(&format!("DESCRIPTION:{}", escape(&e.description)));
            }
            if !e.location.is_empty() {
                line(&format!("LOCATION:{}", escape(&e.location)));
            }
            if let Some(u) = &e.url {
                // A URI is not TEXT: no escaping, but no line break either.
                line(&format!("URL:{}", u.replace(['\r', '\n'], "")));
            }
            line(match e.status {
                Status::Confirmed => "STATUS:CONFIRMED",
                Status::Cancelled => "STATUS:CANCELLED",
            });
            line("TRANSP:OPAQUE");
            line("END:VEVENT");
        }
        line("END:VCALENDAR");
        out
    }
}

/// `20300115T130000Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `;TZID=Europe/Paris:20300115T140000`, or `:20300115T130000Z`.
fn local(t: Timestamp, tz: &TimeZone, paris: bool) -> String {
    if paris {
        format!(
            ";TZID={PARIS}:{}",
            t.to_zoned(tz.clone()).strftime("%Y%m%dT%H%M%S")
        )
    } else {
        format!(":{}", utc(t))
    }
}

/// Escapes a TEXT value: backslash, semicolon, comma, and line breaks as
/// `\n`. Other control characters are not allowed in a value: dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no physical line exceeds 75 octets
/// (the continuation's leading space included), each ended by CRLF. A
/// multi-byte character is never cut: the break moves before it.
pub fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = 75;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space counts towards the next line's 75 octets.
        limit = 74;
    }
}

/// Undoes folding: a CRLF followed by a space or tab joins the lines. For
/// tests and for reading attachments back.
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split("\r\n") {
        if let Some(cont) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = lines.last_mut()
        {
            last.push_str(cont);
            continue;
        }
        if !raw.is_empty() {
            lines.push(raw.to_string());
        }
    }
    lines
}

/// Undoes `escape` (for tests and readers).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value of the first `NAME` or `NAME;params` line, unfolded.
pub fn property<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| {
        let (head, value) = l.split_once(':')?;
        let prop = head.split(';').next()?;
        prop.eq_ignore_ascii_case(name).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::paris;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn event(summary: &str) -> Event {
        Event {
            uid: session_uid(7, "agenda.mediatheque.fr"),
            stamp: at("2030-01-01T10:00:00Z"),
            start: at("2030-01-15T13:00:00Z"),
            end: at("2030-01-15T14:30:00Z"),
            summary: summary.into(),
            description: "Ligne 1\nLigne 2, avec virgule; et point-virgule \\ fin".into(),
            location: "Salle Jules Verne, Médiathèque".into(),
            url: Some("https://agenda.mediatheque.fr/events/3".into()),
            sequence: 2,
            status: Status::Confirmed,
        }
    }

    #[test]
    fn escaping_covers_the_special_characters() {
        assert_eq!(escape("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(
            escape("un\r\ndeux\ntrois\rquatre"),
            "un\\ndeux\\ntrois\\nquatre"
        );
        assert_eq!(escape("bip\u{7}"), "bip", "control characters are dropped");
        assert_eq!(unescape(&escape("a,b;c\\d\nè")), "a,b;c\\d\nè");
    }

    #[test]
    fn short_lines_are_not_folded() {
        let mut out = String::new();
        push_folded(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
    }

    #[test]
    fn folding_at_75_octets_then_74_after_the_space() {
        let mut out = String::new();
        push_folded(&mut out, &"a".repeat(200));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' '));
        assert_eq!(
            lines.iter().map(|l| l.trim_start().len()).sum::<usize>(),
            200
        );
    }

    #[test]
    fn folding_never_splits_a_character() {
        // "é" is two octets: put one across the 75th octet.
        let line = format!("{}é{}", "a".repeat(74), "b".repeat(10));
        let mut out = String::new();
        push_folded(&mut out, &line);
        let first = out.split("\r\n").next().unwrap();
        assert_eq!(first, "a".repeat(74), "the break moves before the é");
        assert_eq!(unfold(&out), vec![line.clone()]);
        // Four-octet characters all along.
        let emoji = "📅".repeat(40);
        let mut out = String::new();
        push_folded(&mut out, &emoji);
        for l in out.split("\r\n") {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        assert_eq!(unfold(&out), vec![emoji]);
    }

    #[test]
    fn a_session_in_paris_is_written_in_local_time_with_its_zone() {
        let cal = Calendar {
            name: Some("Agenda".into()),
            method: None,
            events: vec![event("Atelier")],
        };
        let text = cal.write(&paris());
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "only CRLF line ends"
        );
        let lines = unfold(&text);
        assert_eq!(property(&lines, "VERSION"), Some("2.0"));
        assert!(property(&lines, "PRODID").is_some());
        assert!(
            lines
                .iter()
                .any(|l| l == "DTSTART;TZID=Europe/Paris:20300115T140000"),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "DTEND;TZID=Europe/Paris:20300115T153000")
        );
        assert_eq!(property(&lines, "DTSTAMP"), Some("20300101T100000Z"));
        assert_eq!(
            property(&lines, "UID"),
            Some("session-7@agenda.mediatheque.fr")
        );
        assert_eq!(property(&lines, "SEQUENCE"), Some("2"));
        assert_eq!(property(&lines, "STATUS"), Some("CONFIRMED"));
        assert_eq!(
            property(&lines, "LOCATION"),
            Some("Salle Jules Verne\\, Médiathèque")
        );
        assert_eq!(
            unescape(property(&lines, "DESCRIPTION").unwrap()),
            "Ligne 1\nLigne 2, avec virgule; et point-virgule \\ fin"
        );
        assert_eq!(property(&lines, "TZID"), Some("Europe/Paris"));
        assert!(
            lines
                .iter()
                .any(|l| l == "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
        );
    }

    #[test]
    fn summer_sessions_are_two_hours_ahead_of_utc() {
        let mut e = event("Été");
        e.start = at("2030-07-15T12:00:00Z");
        e.end = at("2030-07-15T13:00:00Z");
        e.status = Status::Cancelled;
        let text = Calendar {
            name: None,
            method: Some("PUBLISH"),
            events: vec![e],
        }
        .write(&paris());
        let lines = unfold(&text);
        assert!(
            lines
                .iter()
                .any(|l| l == "DTSTART;TZID=Europe/Paris:20300715T140000"),
            "{lines:?}"
        );
        assert_eq!(property(&lines, "METHOD"), Some("PUBLISH"));
        assert_eq!(property(&lines, "STATUS"), Some("CANCELLED"));
    }

    #[test]
    fn other_zones_are_written_in_utc_without_a_vtimezone() {
        let text = Calendar {
            name: None,
            method: None,
            events: vec![event("x")],
        }
        .write(&TimeZone::UTC);
        let lines = unfold(&text);
        assert!(lines.iter().any(|l| l == "DTSTART:20300115T130000Z"));
        assert!(property(&lines, "TZID").is_none());
    }

    #[test]
    fn hosts_are_taken_from_urls() {
        assert_eq!(
            host_of("https://agenda.example.fr/events/3"),
            "agenda.example.fr"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(host_of("http://u:p@h.fr?x"), "h.fr");
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let text = Calendar {
            name: Some("Vide".into()),
            method: None,
            events: vec![],
        }
        .write(&paris());
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(
            !text.contains("VTIMEZONE"),
            "no zone without an event that uses it"
        );
    }

    proptest! {
        #[test]
        fn any_text_folds_and_unfolds_back(s in "[\\s\\S]{0,300}") {
            let line = format!("SUMMARY:{}", escape(&s));
            let mut out = String::new();
            push_folded(&mut out, &line);
            for l in out.trim_end_matches("\r\n").split("\r\n") {
                prop_assert!(l.len() <= 75);
            }
            prop_assert_eq!(unfold(&out), vec![line]);
            prop_assert_eq!(unescape(&escape(&s)), s.replace("\r\n", "\n").replace('\r', "\n")
                .chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect::<String>());
        }
    }
}
