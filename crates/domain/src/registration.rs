//! Registrations: the party a person registers (name, e-mail, seats,
//! children's ages), when a session takes registrations, and the rule that
//! promotes waiting parties when seats free up. Pure: the store applies these
//! inside its locked transactions.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::calendar::{local_to_instant, parse_date, parse_time};
use crate::programme::{AgeRange, parse_name};
use crate::{Problem, Problems};

/// Where a registration stands. A waiting party keeps its arrival order until
/// promoted or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Confirmed,
    Waiting,
    Cancelled,
}

impl RegistrationStatus {
    pub fn slug(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Waiting => "waiting",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        [
            RegistrationStatus::Confirmed,
            RegistrationStatus::Waiting,
            RegistrationStatus::Cancelled,
        ]
        .into_iter()
        .find(|v| v.slug() == s.trim())
    }
}

/// An e-mail address, trimmed and lowercased so "Anne@X.fr" and "anne@x.fr"
/// are the same person on the same session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// A deliberately simple check (one `@`, a dotted domain, no spaces):
    /// the confirmation e-mail is the real proof.
    pub fn parse(field: &'static str, s: &str) -> Result<EmailAddress, Problem> {
        let s = s.trim().to_lowercase();
        let bad = || Problem::field(field, "error.email");
        if s.is_empty() {
            return Err(Problem::field(field, "error.required"));
        }
        crate::text::check_line(field, &s)?;
        if s.chars().count() > 254 {
            return Err(Problem::field(field, "error.too_long").arg("max", "254"));
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || !labels_ok
            || s.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            })
        {
            return Err(bad());
        }
        Ok(EmailAddress(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number as people type it ("06 12 34 56 78", "+33 6…"): only
/// digits and the usual separators, at least 6 digits.
pub fn parse_phone(field: &'static str, s: &str) -> Result<String, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    crate::text::check_line(field, s)?;
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '.' | '-' | '(' | ')'));
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(6..=20).contains(&digits) || s.len() > 30 {
        return Err(Problem::field(field, "error.phone"));
    }
    Ok(s.to_string())
}

/// The registration form as typed, before any parsing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawParty {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub seats: String,
    /// Children's ages, "7, 9".
    #[serde(default)]
    pub ages: String,
}

/// What a session asks of a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyRules {
    pub max_seats: u32,
    pub ages: AgeRange,
    /// The public gives an e-mail (the confirmation and the private link go
    /// there); staff registering a phone caller may give a phone instead.
    pub email_required: bool,
}

impl PartyRules {
    /// Whether the form asks for children's ages.
    pub fn asks_ages(&self) -> bool {
        self.ages.min.is_some() || self.ages.max.is_some()
    }
    /// Whether only children may take the seats (the range ends before 18
    /// and nobody is said to come with them).
    fn children_only(&self) -> bool {
        self.ages.max.is_some_and(|m| m < ADULT) && !self.ages.accompanied
    }
}

const ADULT: u8 = 18;

/// A party that passed every rule that needs no other record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: String,
    pub email: Option<EmailAddress>,
    pub phone: String,
    pub seats: u32,
    pub ages: Vec<u8>,
}

impl Party {
    /// The ages rule, kept simple on purpose. When the session has an age
    /// range, the form asks the age of each child (under 18) in the party;
    /// the other seats are adults, who give no age. So:
    /// - each age given must be within the range (0 to 120 at any rate);
    /// - there cannot be more ages than seats;
    /// - when the range excludes adults and children do not come with one
    ///   ("8 à 12 ans"), every seat is a child's: one age per seat;
    /// - when children come with an adult ("4 à 10 ans, accompagnés"), at
    ///   least one child's age is given, adults fill the other seats.
    ///
    /// With no range, ages are not asked and ignored.
    pub fn parse(raw: &RawParty, rules: &PartyRules) -> Result<Party, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &raw.name, 120));
        let email = if raw.email.trim().is_empty() && !rules.email_required {
            Some(None)
        } else {
            p.take(EmailAddress::parse("email", &raw.email).map(Some))
        };
        let phone = p.take(parse_phone("phone", &raw.phone));
        if let (Some(None), Some("")) = (&email, phone.as_deref()) {
            p.push(Problem::field("phone", "error.email_or_phone"));
        }
        let seats = p.take(parse_seats(&raw.seats, rules.max_seats));
        let ages = if rules.asks_ages() {
            p.take(parse_ages(&raw.ages))
        } else {
            Some(Vec::new())
        };
        if let (Some(seats), Some(ages)) = (seats, &ages) {
            for &age in ages {
                if let Some(min) = rules.ages.min.filter(|&m| age < m) {
                    p.push(
                        Problem::field("ages", "error.age_below")
                            .arg("age", age.to_string())
                            .arg("min", min.to_string()),
                    );
                } else if let Some(max) = rules.ages.max.filter(|&m| age > m) {
                    p.push(
                        Problem::field("ages", "error.age_above")
                            .arg("age", age.to_string())
                            .arg("max", max.to_string()),
                    );
                }
            }
            let n = ages.len() as u32;
            if n > seats {
                p.push(
                    Problem::field("ages", "error.ages_more_than_seats")
                        .arg("seats", seats.to_string()),
                );
            } else if rules.children_only() && n != seats {
                p.push(
                    Problem::field("ages", "error.ages_one_per_seat")
                        .arg("seats", seats.to_string()),
                );
            } else if rules.ages.accompanied && rules.ages.max.is_some_and(|m| m < ADULT) && n == 0
            {
                p.push(Problem::field("ages", "error.ages_needed"));
            }
        }
        p.into_result(|| Party {
            name: name.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            seats: seats.expect("checked"),
            ages: ages.expect("checked"),
        })
    }
}

/// A seat count from 1 to the session's maximum per registration; empty is 1.
pub fn parse_seats(s: &str, max: u32) -> Result<u32, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(1);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(Problem::field("seats", "error.seats").arg("max", max.to_string())),
    }
}

/// Room for a large family's ages, written out.
pub const AGES_MAX_LEN: usize = 60;

/// "7, 9", "7 et 9 ans", "7;9" → [7, 9].
pub fn parse_ages(s: &str) -> Result<Vec<u8>, Problem> {
    if s.chars().count() > AGES_MAX_LEN {
        return Err(Problem::field("ages", "error.too_long").arg("max", AGES_MAX_LEN.to_string()));
    }
    let mut out = Vec::new();
    for token in s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '+')) {
        let t = token.trim().to_lowercase();
        if t.is_empty() || matches!(t.as_str(), "ans" | "an" | "et" | "and" | "years" | "year") {
            continue;
        }
        let t = t.trim_end_matches("ans").trim_end_matches("an");
        match t.parse::<u8>() {
            Ok(a) if a <= 120 => out.push(a),
            _ => return Err(Problem::field("ages", "error.ages_format")),
        }
    }
    Ok(out)
}

/// A party waiting for seats, in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingParty {
    pub id: i64,
    pub seats: u32,
}

/// The waiting-list rule: the first party in line that fits the free seats
/// is promoted, and again with what is left, until none fits. A party too
/// large for the seats keeps its rank (it is not skipped for good: it comes
/// first next time seats free up). One pass in order does exactly this: a
/// party that did not fit earlier cannot fit once fewer seats are left.
pub fn promotions(free: u32, waiting: &[WaitingParty]) -> Vec<i64> {
    let mut left = free;
    let mut out = Vec::new();
    for w in waiting {
        if w.seats <= left {
            left -= w.seats;
            out.push(w.id);
        }
    }
    out
}

/// Why a registration was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Free entry: no registration needed.
    NoRegistration,
    Cancelled,
    NotYetOpen {
        opens_at: i64,
    },
    Closed,
    TooManySeats {
        max: u32,
    },
    /// The party is larger than the whole session: it could never get in.
    MoreThanCapacity {
        capacity: u32,
    },
}

/// Why a party of `seats` cannot register now, if it cannot. Staff may
/// register before the window opens and after it closes (a phone call, a
/// latecomer at the desk), never on a cancelled session nor beyond the
/// seats one registration may take or the whole session holds. A full
/// session is no refusal: the party waits.
pub fn refusal(
    offer: &Offer,
    settings: &RegistrationSettings,
    seats: u32,
    by_staff: bool,
    now: i64,
) -> Option<Refusal> {
    if !offer.registration_required {
        return Some(Refusal::NoRegistration);
    }
    match offer.availability(now) {
        Availability::Cancelled => return Some(Refusal::Cancelled),
        Availability::NotYetOpen { opens_at } if !by_staff => {
            return Some(Refusal::NotYetOpen { opens_at });
        }
        Availability::Closed | Availability::Past if !by_staff => return Some(Refusal::Closed),
        _ => {}
    }
    if seats > settings.max_seats {
        return Some(Refusal::TooManySeats {
            max: settings.max_seats,
        });
    }
    match offer.capacity {
        Some(capacity) if seats > capacity => Some(Refusal::MoreThanCapacity { capacity }),
        _ => None,
    }
}

/// The seats waiting parties may be given now, by `promotions`, after a
/// change that may have freed some; None when nobody is to be placed. A
/// cancelled session places nobody. Once it has started nobody waiting is
/// promoted (they would be told too late), but a `newcomer` who just joined
/// the end of the list (staff registering a latecomer, a party moved here)
/// is still placed when it fits. Unlimited seats are `u32::MAX`.
pub fn seats_to_settle(offer: &Offer, newcomer: bool, now: i64) -> Option<u32> {
    if offer.cancelled || (!newcomer && now >= offer.starts_at) {
        return None;
    }
    Some(offer.free().unwrap_or(u32::MAX))
}

/// When a session (or a course) takes registrations, and how full it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offer {
    pub registration_required: bool,
    pub cancelled: bool,
    /// The first session's start for a course.
    pub starts_at: i64,
    /// None: open as soon as published.
    pub opens_at: Option<i64>,
    /// None: open until the session starts.
    pub closes_at: Option<i64>,
    /// None: no limit (for a course, the smallest of its sessions').
    pub capacity: Option<u32>,
    /// Seats held by confirmed registrations.
    pub taken: u32,
}

/// What a person can do about a session now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Cancelled,
    /// Started or over.
    Past,
    /// No registration: come along.
    FreeEntry,
    NotYetOpen {
        opens_at: i64,
    },
    Closed,
    Open {
        seats_left: Option<u32>,
    },
    /// Every seat is taken: a new party joins the waiting list.
    WaitingList,
}

impl Offer {
    /// Seats still free; None when there is no limit.
    pub fn free(&self) -> Option<u32> {
        self.capacity.map(|c| c.saturating_sub(self.taken))
    }

    pub fn closes_at(&self) -> i64 {
        self.closes_at.unwrap_or(self.starts_at).min(self.starts_at)
    }

    pub fn availability(&self, now: i64) -> Availability {
        if self.cancelled {
            return Availability::Cancelled;
        }
        if now >= self.starts_at {
            return Availability::Past;
        }
        if !self.registration_required {
            return Availability::FreeEntry;
        }
        if let Some(at) = self.opens_at.filter(|&at| now < at) {
            return Availability::NotYetOpen { opens_at: at };
        }
        if now >= self.closes_at() {
            return Availability::Closed;
        }
        match self.free() {
            Some(0) => Availability::WaitingList,
            seats_left => Availability::Open { seats_left },
        }
    }

    /// Whether a party of `seats` is confirmed now (else it waits). The
    /// waiting list keeps its order: while anyone waits, newcomers wait too.
    pub fn confirms(&self, seats: u32, anyone_waiting: bool) -> bool {
        !anyone_waiting && self.free().is_none_or(|f| seats <= f)
    }
}

/// A session's registration settings: the window and the seats one
/// registration may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationSettings {
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub max_seats: u32,
}

impl Default for RegistrationSettings {
    fn default() -> Self {
        RegistrationSettings {
            opens_at: None,
            closes_at: None,
            max_seats: 1,
        }
    }
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSettings {
    #[serde(default)]
    pub opens_date: String,
    #[serde(default)]
    pub opens_time: String,
    #[serde(default)]
    pub closes_date: String,
    #[serde(default)]
    pub closes_time: String,
    #[serde(default)]
    pub max_seats: String,
}

/// Most families fit in 8 seats; a larger group calls the library.
pub const MAX_SEATS_LIMIT: u32 = 8;

impl RegistrationSettings {
    pub fn parse(raw: &RawSettings, tz: &TimeZone) -> Result<RegistrationSettings, Problems> {
        let mut p = Problems::new();
        let mut instant =
            |dfield: &'static str, tfield: &'static str, d: &str, t: &str| -> Option<i64> {
                if d.trim().is_empty() && t.trim().is_empty() {
                    return None;
                }
                let date = parse_date(d);
                if date.is_none() {
                    p.push(Problem::field(
                        dfield,
                        if d.trim().is_empty() {
                            "error.required"
                        } else {
                            "error.date"
                        },
                    ));
                }
                let time = parse_time(t);
                if time.is_none() {
                    p.push(Problem::field(
                        tfield,
                        if t.trim().is_empty() {
                            "error.required"
                        } else {
                            "error.time"
                        },
                    ));
                }
                let at = local_to_instant(tz, date?, time?).map_err(|e| Problem {
                    field: Some(tfield),
                    ..e
                });
                p.take(at).map(|a| a.as_second())
            };
        let opens_at = instant("opens_date", "opens_time", &raw.opens_date, &raw.opens_time);
        let closes_at = instant(
            "closes_date",
            "closes_time",
            &raw.closes_date,
            &raw.closes_time,
        );
        if let (Some(a), Some(b)) = (opens_at, closes_at)
            && b <= a
        {
            p.push(Problem::field("closes_date", "error.closes_before_opens"));
        }
        let max_seats = match raw.max_seats.trim() {
            "" => Some(1),
            s => match s.parse::<u32>() {
                Ok(n) if (1..=MAX_SEATS_LIMIT).contains(&n) => Some(n),
                _ => {
                    p.push(
                        Problem::field("max_seats", "error.max_seats")
                            .arg("max", MAX_SEATS_LIMIT.to_string()),
                    );
                    None
                }
            },
        };
        p.into_result(|| RegistrationSettings {
            opens_at,
            closes_at,
            max_seats: max_seats.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules(min: Option<u8>, max: Option<u8>, accompanied: bool, max_seats: u32) -> PartyRules {
        PartyRules {
            max_seats,
            ages: AgeRange {
                min,
                max,
                accompanied,
            },
            email_required: true,
        }
    }

    fn raw(seats: &str, ages: &str) -> RawParty {
        RawParty {
            name: "Anne Dupont".into(),
            email: "Anne.Dupont@Example.FR ".into(),
            seats: seats.into(),
            ages: ages.into(),
            ..Default::default()
        }
    }

    fn keys(e: &Problems, field: &str) -> Vec<&'static str> {
        e.for_field(field).map(|p| p.key).collect()
    }

    #[test]
    fn a_simple_party_parses_and_the_email_is_normalised() {
        let p = Party::parse(&raw("", ""), &rules(None, None, false, 1)).unwrap();
        assert_eq!(p.seats, 1);
        assert_eq!(p.email.unwrap().as_str(), "anne.dupont@example.fr");
        assert!(p.ages.is_empty());
    }

    #[test]
    fn staff_may_leave_the_email_out_but_keep_one_given() {
        let desk = PartyRules {
            email_required: false,
            ..rules(None, None, false, 1)
        };
        let p = Party::parse(&raw("", ""), &desk).unwrap();
        assert_eq!(p.email.unwrap().as_str(), "anne.dupont@example.fr", "kept");
        let by_phone = RawParty {
            email: " ".into(),
            phone: "06 12 34 56 78".into(),
            ..raw("", "")
        };
        assert_eq!(Party::parse(&by_phone, &desk).unwrap().email, None);
        let e = Party::parse(&by_phone, &rules(None, None, false, 1)).unwrap_err();
        assert_eq!(
            keys(&e, "email"),
            ["error.required"],
            "the public gives one"
        );
        let bad = RawParty {
            email: "anne@".into(),
            ..raw("", "")
        };
        assert!(Party::parse(&bad, &desk).is_err(), "one given is checked");
    }

    #[test]
    fn emails_and_phones() {
        for bad in [
            "anne",
            "anne@",
            "@x.fr",
            "anne@x",
            "an ne@x.fr",
            "a@b@c.fr",
            "a@x..fr",
            "a@-x.fr",
        ] {
            assert!(EmailAddress::parse("email", bad).is_err(), "{bad}");
        }
        assert_eq!(
            EmailAddress::parse("email", "").unwrap_err().key,
            "error.required"
        );
        assert!(
            EmailAddress::parse("email", "jean-luc.o'neil+atelier@mediatheque.example").is_ok()
        );
        assert_eq!(
            parse_phone("phone", " 06 12 34 56 78 ").unwrap(),
            "06 12 34 56 78"
        );
        assert!(parse_phone("phone", "+33 (0)6.12.34.56.78").is_ok());
        assert!(parse_phone("phone", "appelez-moi").is_err());
        assert!(parse_phone("phone", "123").is_err());
    }

    #[test]
    fn each_email_and_phone_rule_on_its_own_and_at_its_bound() {
        let email = |s: &str| EmailAddress::parse("email", s).map_err(|p| p.key);
        // 254 characters at most, whatever the parts.
        let longest = format!("{}@x.fr", "a".repeat(249));
        assert_eq!(email(&longest).unwrap().as_str(), longest);
        assert_eq!(email(&format!("a{longest}")), Err("error.too_long"));
        // Each flaw alone is refused; the same address without it is not.
        assert!(email("a.b@x-y.example").is_ok());
        for bad in [
            "a@x-.fr",
            "a@.x.fr",
            "a@x.fr.",
            "a@x.-fr",
            "a\"b@x.fr",
            "a<b@x.fr",
            "a>b@x.fr",
            "a,b@x.fr",
            "a;b@x.fr",
            "a\u{a0}b@x.fr",
        ] {
            assert_eq!(email(bad), Err("error.email"), "{bad}");
        }
        let phone = |s: &str| parse_phone("phone", s).map_err(|p| p.key);
        assert_eq!(phone("   "), Ok(String::new()));
        // 6 to 20 digits, 30 characters at most.
        assert_eq!(phone("123456"), Ok("123456".to_string()));
        assert_eq!(phone("12345"), Err("error.phone"));
        assert!(phone("12345678901234567890").is_ok());
        assert_eq!(phone("123456789012345678901"), Err("error.phone"));
        let thirty = "+12 34 56 78 90 12 34 56 78 90";
        assert_eq!(thirty.len(), 30);
        assert!(phone(thirty).is_ok());
        assert_eq!(phone(&thirty.replacen(' ', "  ", 1)), Err("error.phone"));
        assert_eq!(phone("06 12 34 56 7x"), Err("error.phone"));
    }

    #[test]
    fn ages_as_people_write_them() {
        assert_eq!(
            parse_ages("7ans et 9 an/10+11;12"),
            Ok(vec![7, 9, 10, 11, 12])
        );
        assert_eq!(parse_ages("0, 120"), Ok(vec![0, 120]));
        assert_eq!(parse_ages("121").unwrap_err().key, "error.ages_format");
        assert_eq!(parse_ages("sept").unwrap_err().key, "error.ages_format");
        let sixty = "7, ".repeat(20);
        assert_eq!(sixty.chars().count(), AGES_MAX_LEN);
        assert_eq!(parse_ages(&sixty).unwrap().len(), 20);
        assert_eq!(
            parse_ages(&format!("{sixty}7")).unwrap_err().key,
            "error.too_long"
        );
        assert_eq!(parse_seats(" ", 3), Ok(1));
        assert_eq!(parse_seats("1", 1), Ok(1));
    }

    #[test]
    fn seats_between_one_and_the_maximum() {
        let r = rules(None, None, false, 4);
        assert_eq!(Party::parse(&raw("4", ""), &r).unwrap().seats, 4);
        for bad in ["0", "5", "-1", "deux"] {
            let e = Party::parse(&raw(bad, ""), &r).unwrap_err();
            assert_eq!(keys(&e, "seats"), ["error.seats"], "{bad}");
            assert_eq!(e.0[0].args, vec![("max", "4".to_string())]);
        }
    }

    #[test]
    fn children_ages_are_checked_against_the_range() {
        // "8 à 12 ans": one age per seat, each within the range.
        let r = rules(Some(8), Some(12), false, 4);
        assert_eq!(
            Party::parse(&raw("2", "8 et 11 ans"), &r).unwrap().ages,
            vec![8, 11]
        );
        let e = Party::parse(&raw("2", "7, 11"), &r).unwrap_err();
        assert_eq!(keys(&e, "ages"), ["error.age_below"]);
        assert_eq!(
            e.0[0].args,
            vec![("age", "7".to_string()), ("min", "8".to_string())]
        );
        assert_eq!(
            keys(&Party::parse(&raw("1", "13"), &r).unwrap_err(), "ages"),
            ["error.age_above"]
        );
        assert_eq!(
            keys(&Party::parse(&raw("2", "9"), &r).unwrap_err(), "ages"),
            ["error.ages_one_per_seat"]
        );
        assert_eq!(
            keys(&Party::parse(&raw("1", "9, 10"), &r).unwrap_err(), "ages"),
            ["error.ages_more_than_seats"]
        );
        assert_eq!(
            keys(&Party::parse(&raw("1", "neuf"), &r).unwrap_err(), "ages"),
            ["error.ages_format"]
        );
        // "4 à 10 ans, accompagnés": at least one child, adults fill the rest.
        let fam = rules(Some(4), Some(10), true, 4);
        assert_eq!(
            Party::parse(&raw("3", "5, 7"), &fam).unwrap().ages,
            vec![5, 7]
        );
        assert_eq!(
            keys(&Party::parse(&raw("2", ""), &fam).unwrap_err(), "ages"),
            ["error.ages_needed"]
        );
        // "à partir de 14 ans": adults give no age, a child must be old enough.
        let teen = rules(Some(14), None, false, 2);
        assert!(Party::parse(&raw("2", ""), &teen).is_ok());
        assert!(Party::parse(&raw("2", "12"), &teen).is_err());
        // No range: ages are not asked, whatever was typed.
        assert!(Party::parse(&raw("1", "n'importe"), &rules(None, None, false, 1)).is_ok());
    }

    #[test]
    fn the_age_range_s_upper_bound_and_adults() {
        // The oldest age of the range is in it.
        let r = rules(Some(8), Some(12), false, 2);
        assert!(Party::parse(&raw("1", "12"), &r).is_ok());
        assert!(Party::parse(&raw("1", "8"), &r).is_ok());
        // Up to 17 every seat is a child's; from 18 adults come too.
        let teens = rules(None, Some(17), false, 2);
        assert!(teens.children_only() && teens.asks_ages());
        assert_eq!(
            keys(&Party::parse(&raw("2", "15"), &teens).unwrap_err(), "ages"),
            ["error.ages_one_per_seat"]
        );
        let up_to_adults = rules(None, Some(18), false, 2);
        assert!(!up_to_adults.children_only());
        assert!(Party::parse(&raw("2", "15"), &up_to_adults).is_ok());
        assert!(!rules(None, Some(10), true, 2).children_only());
        assert!(!rules(None, None, false, 2).asks_ages());
        assert!(rules(Some(3), None, false, 2).asks_ages());
        // Accompanied children from 18 on: no age is needed.
        assert!(Party::parse(&raw("2", ""), &rules(Some(4), Some(18), true, 4)).is_ok());
        assert_eq!(parse_ages("120"), Ok(vec![120]));
        assert!(parse_ages("121").is_err());
        assert_eq!(parse_ages("7ans/9 an+10"), Ok(vec![7, 9, 10]));
    }

    #[test]
    fn every_status_reads_back_from_its_text() {
        for (s, slug) in [
            (RegistrationStatus::Confirmed, "confirmed"),
            (RegistrationStatus::Waiting, "waiting"),
            (RegistrationStatus::Cancelled, "cancelled"),
        ] {
            assert_eq!(s.slug(), slug);
            assert_eq!(RegistrationStatus::parse(&format!(" {slug} ")), Some(s));
        }
        assert_eq!(RegistrationStatus::parse("promoted"), None);
    }

    #[test]
    fn every_problem_at_once_and_staff_may_give_a_phone_instead() {
        let e = Party::parse(
            &RawParty {
                email: "x".into(),
                seats: "9".into(),
                ..Default::default()
            },
            &rules(None, None, false, 2),
        )
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().filter_map(|p| p.field).collect();
        assert_eq!(fields, ["name", "email", "seats"]);
        let mut staff = rules(None, None, false, 1);
        staff.email_required = false;
        let caller = RawParty {
            name: "M. Girard".into(),
            phone: "04 78 00 00 00".into(),
            ..Default::default()
        };
        assert_eq!(Party::parse(&caller, &staff).unwrap().email, None);
        let nothing = RawParty {
            name: "M. Girard".into(),
            ..Default::default()
        };
        assert_eq!(
            keys(&Party::parse(&nothing, &staff).unwrap_err(), "phone"),
            ["error.email_or_phone"]
        );
    }

    #[test]
    fn availability_follows_the_window_and_the_seats() {
        let o = Offer {
            registration_required: true,
            starts_at: 1000,
            opens_at: Some(100),
            closes_at: Some(900),
            capacity: Some(10),
            taken: 4,
            ..Default::default()
        };
        assert_eq!(
            o.availability(50),
            Availability::NotYetOpen { opens_at: 100 }
        );
        assert_eq!(
            o.availability(100),
            Availability::Open {
                seats_left: Some(6)
            }
        );
        assert_eq!(o.availability(900), Availability::Closed);
        assert_eq!(o.availability(1000), Availability::Past);
        assert_eq!(
            Offer { taken: 10, ..o }.availability(500),
            Availability::WaitingList
        );
        assert_eq!(
            Offer {
                registration_required: false,
                ..o
            }
            .availability(50),
            Availability::FreeEntry
        );
        assert_eq!(
            Offer {
                cancelled: true,
                ..o
            }
            .availability(500),
            Availability::Cancelled
        );
        // Without a closing time, registration closes when the session starts.
        assert_eq!(
            Offer {
                closes_at: None,
                ..o
            }
            .availability(999),
            Availability::Open {
                seats_left: Some(6)
            }
        );
        assert!(o.confirms(6, false) && !o.confirms(7, false) && !o.confirms(1, true));
    }

    fn offer() -> Offer {
        Offer {
            registration_required: true,
            starts_at: 1000,
            opens_at: Some(100),
            closes_at: Some(900),
            capacity: Some(10),
            taken: 4,
            ..Default::default()
        }
    }

    fn settings(max_seats: u32) -> RegistrationSettings {
        RegistrationSettings {
            max_seats,
            ..Default::default()
        }
    }

    #[test]
    fn the_public_registers_only_inside_the_window() {
        let (o, s) = (offer(), settings(4));
        assert_eq!(
            refusal(&o, &s, 1, false, 99),
            Some(Refusal::NotYetOpen { opens_at: 100 })
        );
        assert_eq!(refusal(&o, &s, 1, false, 100), None);
        assert_eq!(refusal(&o, &s, 1, false, 899), None);
        assert_eq!(refusal(&o, &s, 1, false, 900), Some(Refusal::Closed));
        assert_eq!(refusal(&o, &s, 1, false, 1000), Some(Refusal::Closed));
        // A full session is no refusal: the party waits.
        assert_eq!(refusal(&Offer { taken: 10, ..o }, &s, 1, false, 500), None);
    }

    #[test]
    fn staff_register_outside_the_window_but_never_beyond_the_seats() {
        let (o, s) = (offer(), settings(4));
        for now in [50, 950, 2000] {
            assert_eq!(refusal(&o, &s, 1, true, now), None, "{now}");
        }
        assert_eq!(
            refusal(&o, &s, 5, true, 500),
            Some(Refusal::TooManySeats { max: 4 })
        );
        assert_eq!(refusal(&o, &s, 4, true, 500), None);
        let small = Offer {
            capacity: Some(3),
            taken: 0,
            ..o
        };
        assert_eq!(
            refusal(&small, &s, 4, false, 500),
            Some(Refusal::MoreThanCapacity { capacity: 3 })
        );
        assert_eq!(refusal(&small, &s, 3, false, 500), None);
        let unlimited = Offer {
            capacity: None,
            ..o
        };
        assert_eq!(refusal(&unlimited, &s, 4, false, 500), None);
        let cancelled = Offer {
            cancelled: true,
            ..o
        };
        assert_eq!(
            refusal(&cancelled, &s, 1, true, 500),
            Some(Refusal::Cancelled)
        );
        let free = Offer {
            registration_required: false,
            ..o
        };
        assert_eq!(
            refusal(&free, &s, 1, true, 500),
            Some(Refusal::NoRegistration)
        );
        // The window is checked before the seats.
        assert_eq!(
            refusal(&o, &s, 9, false, 50),
            Some(Refusal::NotYetOpen { opens_at: 100 })
        );
    }

    #[test]
    fn seats_are_settled_until_the_session_starts_and_newcomers_after() {
        let o = offer();
        assert_eq!(seats_to_settle(&o, false, 999), Some(6));
        assert_eq!(seats_to_settle(&o, false, 1000), None);
        assert_eq!(seats_to_settle(&o, true, 1000), Some(6));
        assert_eq!(
            seats_to_settle(&Offer { taken: 12, ..o }, false, 0),
            Some(0)
        );
        assert_eq!(
            seats_to_settle(
                &Offer {
                    capacity: None,
                    ..o
                },
                false,
                0
            ),
            Some(u32::MAX)
        );
        let cancelled = Offer {
            cancelled: true,
            ..o
        };
        assert_eq!(seats_to_settle(&cancelled, true, 0), None);
        assert_eq!(seats_to_settle(&cancelled, false, 0), None);
    }

    #[test]
    fn settings_bounds_and_each_problem_at_its_field() {
        let tz = crate::calendar::paris();
        let parse = |od: &str, ot: &str, cd: &str, ct: &str, seats: &str| {
            let raw = RawSettings {
                opens_date: od.into(),
                opens_time: ot.into(),
                closes_date: cd.into(),
                closes_time: ct.into(),
                max_seats: seats.into(),
            };
            RegistrationSettings::parse(&raw, &tz).map_err(|e| {
                e.0.iter()
                    .map(|p| (p.field.unwrap(), p.key))
                    .collect::<Vec<_>>()
            })
        };
        // The window must last: closing when it opens is refused, a minute
        // later is fine.
        assert_eq!(
            parse("02/05/2026", "10:00", "02/05/2026", "10:00", ""),
            Err(vec![("closes_date", "error.closes_before_opens")])
        );
        let s = parse("02/05/2026", "10:00", "02/05/2026", "10:01", "").unwrap();
        assert_eq!(s.closes_at, Some(1_777_708_860));
        assert_eq!(s.max_seats, 1);
        // Seats per registration: 1 to 8.
        assert_eq!(parse("", "", "", "", "8").unwrap().max_seats, 8);
        assert_eq!(parse("", "", "", "", " 1 ").unwrap().max_seats, 1);
        for bad in ["0", "9", "deux"] {
            assert_eq!(
                parse("", "", "", "", bad),
                Err(vec![("max_seats", "error.max_seats")]),
                "{bad}"
            );
        }
        // A time without its date, unreadable text, and the hour skipped
        // when clocks go forward, each at its own field.
        assert_eq!(
            parse("", "10:00", "31/02/2026", "25h", ""),
            Err(vec![
                ("opens_date", "error.required"),
                ("closes_date", "error.date"),
                ("closes_time", "error.time"),
            ])
        );
        assert_eq!(
            parse("", "", "29/03/2026", "02:30", ""),
            Err(vec![("closes_time", "error.time_does_not_exist")])
        );
    }

    #[test]
    fn settings_parse_the_window_in_local_time() {
        let tz = crate::calendar::paris();
        let raw = RawSettings {
            opens_date: "02/05/2026".into(),
            opens_time: "10 h".into(),
            max_seats: "4".into(),
            ..Default::default()
        };
        let s = RegistrationSettings::parse(&raw, &tz).unwrap();
        assert_eq!(s.opens_at, Some(1_777_708_800)); // 2026-05-02 08:00 UTC
        assert_eq!((s.closes_at, s.max_seats), (None, 4));
        let bad = RawSettings {
            opens_date: "02/05/2026".into(),
            closes_date: "01/05/2026".into(),
            closes_time: "10:00".into(),
            max_seats: "30".into(),
            ..Default::default()
        };
        let e = RegistrationSettings::parse(&bad, &tz).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|p| (p.field.unwrap(), p.key)).collect();
        assert_eq!(
            fields,
            [
                ("opens_time", "error.required"),
                ("max_seats", "error.max_seats")
            ]
        );
        let order = RawSettings {
            opens_date: "02/05/2026".into(),
            opens_time: "10:00".into(),
            closes_date: "01/05/2026".into(),
            closes_time: "10:00".into(),
            ..Default::default()
        };
        assert_eq!(
            RegistrationSettings::parse(&order, &tz).unwrap_err().0[0].key,
            "error.closes_before_opens"
        );
    }

    fn parties() -> impl Strategy<Value = Vec<WaitingParty>> {
        prop::collection::vec(1u32..6, 0..30).prop_map(|seats| {
            seats
                .into_iter()
                .enumerate()
                .map(|(i, s)| WaitingParty {
                    id: i as i64,
                    seats: s,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn never_promotes_more_seats_than_free(free in 0u32..40, waiting in parties()) {
            let promoted = promotions(free, &waiting);
            let seats: u32 = waiting.iter().filter(|w| promoted.contains(&w.id)).map(|w| w.seats).sum();
            prop_assert!(seats <= free);
        }

        #[test]
        fn promoted_and_remaining_keep_their_order(free in 0u32..40, waiting in parties()) {
            let promoted = promotions(free, &waiting);
            let rest: Vec<i64> = waiting.iter().map(|w| w.id).filter(|id| !promoted.contains(id)).collect();
            prop_assert!(promoted.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(rest.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(promoted.len() + rest.len(), waiting.len());
        }

        #[test]
        fn the_first_fitting_party_is_promoted_and_nobody_left_fits(free in 0u32..40, waiting in parties()) {
            let promoted = promotions(free, &waiting);
            if let Some(first) = waiting.iter().find(|w| w.seats <= free) {
                prop_assert_eq!(promoted.first(), Some(&first.id));
            } else {
                prop_assert!(promoted.is_empty());
            }
            let used: u32 = waiting.iter().filter(|w| promoted.contains(&w.id)).map(|w| w.seats).sum();
            let left = free - used;
            prop_assert!(waiting.iter().filter(|w| !promoted.contains(&w.id)).all(|w| w.seats > left));
        }

        #[test]
        fn any_text_never_panics_the_party_parser(name in ".{0,130}", email in ".{0,30}", seats in ".{0,4}", ages in ".{0,12}") {
            let _ = Party::parse(&RawParty { name, email, seats, ages, ..Default::default() }, &rules(Some(6), Some(12), true, 4));
        }
    }
}
