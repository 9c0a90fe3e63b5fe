//! Composing a message from the outbox: its subject, text and HTML bodies
//! (askama templates, in the language the person registered in) and its
//! iCalendar attachment. The private link is left as a placeholder, so
//! what is stored for retries and for staff never holds it.

use almanach_domain::i18n::Tr;
use almanach_domain::ical::{self, Calendar};
use almanach_domain::link::PublicUrl;
use almanach_domain::registration::RegistrationStatus;
use almanach_domain::{Lang, fmt};
use almanach_store::{MailFacts, MailKind, OutboxMessage};
use askama::Template;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Stands for the private link in stored bodies; replaced when sending.
pub const LINK_PLACEHOLDER: &str = "[[private-link]]";

/// A composed message, ready to be stored and sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Empty when the message carries no calendar.
    pub ics: String,
}

struct SessionLine {
    when: String,
    room: Option<String>,
    cancelled: bool,
}

/// What both templates show.
struct View {
    lang: &'static str,
    subject: String,
    hello: String,
    paragraphs: Vec<String>,
    staff_message: Option<String>,
    sessions_title: &'static str,
    sessions_heading: String,
    sessions: Vec<SessionLine>,
    cancelled_mark: &'static str,
    event_title: String,
    event_url: String,
    has_link: bool,
    link_intro: &'static str,
    link_keep: &'static str,
    has_ics: bool,
    calendar: &'static str,
    signature: String,
    footer: String,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextMail<'a> {
    v: &'a View,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlMail<'a> {
    v: &'a View,
}

/// "samedi 13 janvier, 14 h – 15 h 30" in the library's zone.
pub fn when(lang: Lang, tz: &TimeZone, starts_at: i64, ends_at: i64) -> String {
    fmt::instants(starts_at, ends_at, tz, lang, false)
}

fn seats(w: Tr, n: u32) -> String {
    w.tf("mail.seats", &[("n", &fmt::int(n.into(), w.lang))])
}

fn subject_key(kind: MailKind, restored: bool) -> &'static str {
    match kind {
        MailKind::Confirmed => "mail.subject.confirmed",
        MailKind::Waiting => "mail.subject.waiting",
        MailKind::Promoted => "mail.subject.promoted",
        MailKind::Cancelled => "mail.subject.cancelled",
        MailKind::Moved => "mail.subject.moved",
        MailKind::AlreadyRegistered => "mail.subject.already_registered",
        MailKind::SessionCancelled => "mail.subject.session_cancelled",
        MailKind::Changed if restored => "mail.subject.restored",
        MailKind::Changed => "mail.subject.changed",
        MailKind::Reminder => "mail.subject.reminder",
        MailKind::Staff => "mail.subject.staff",
        // Composed by `digest::compose_digest`, never here.
        MailKind::ItDigest => "mail.digest.subject",
        MailKind::Correction => "mail.subject.correction",
        // Composed by `account::compose_password_reset`, never here.
        MailKind::PasswordReset => "mail.reset.subject",
    }
}

/// Composes `m` from `facts`. `has_link`: whether the private link can be
/// given (registrations made before links were derived cannot). `now`
/// stamps the attachment.
pub fn compose(
    m: &OutboxMessage,
    facts: &MailFacts,
    public_url: &PublicUrl,
    has_link: bool,
    now: Timestamp,
) -> Composed {
    let w = Tr::new(m.lang);
    let r = &facts.registration;
    let p = &m.payload;
    let tz = facts.library.tz();
    let title = facts.event.title.as_str();
    let library = facts.library.name.as_str();
    let of_library = facts.library.of_name();
    let n_seats = seats(w, r.seats);
    let position = p["position"]
        .as_i64()
        .map(|n| fmt::int(n, m.lang))
        .unwrap_or_else(|| "?".into());
    let confirmed_then = p["status"].as_str() == Some(RegistrationStatus::Confirmed.slug());
    let state_line = match p["status"].as_str() {
        Some("confirmed") => Some(w.tf("mail.state.confirmed", &[("seats", &n_seats)])),
        Some("waiting") => Some(w.tf("mail.state.waiting", &[("position", &position)])),
        _ => None,
    };
    let restored = p["restored"].as_bool() == Some(true);
    let tt = [("title", title)];
    let mut paragraphs = match m.kind {
        MailKind::Confirmed => {
            vec![w.tf("mail.confirmed", &[("title", title), ("seats", &n_seats)])]
        }
        MailKind::Waiting => {
            vec![w.tf("mail.waiting", &[("title", title), ("position", &position)])]
        }
        MailKind::Promoted => vec![w.tf("mail.promoted", &[("title", title), ("seats", &n_seats)])],
        MailKind::Cancelled => vec![w.tf("mail.cancelled", &tt)],
        MailKind::Moved => vec![w.tf("mail.moved", &tt)],
        MailKind::AlreadyRegistered => vec![w.tf("mail.already_registered", &tt)],
        MailKind::SessionCancelled => vec![w.tf("mail.session_cancelled", &tt)],
        MailKind::Changed if restored => vec![w.tf("mail.restored", &tt)],
        MailKind::Changed => {
            let b = &p["before"];
            let mut before = when(
                m.lang,
                &tz,
                b["starts_at"].as_i64().unwrap_or(0),
                b["ends_at"].as_i64().unwrap_or(0),
            );
            if let Some(room) = b["room"].as_str() {
                before = format!("{before}, {room}");
            }
            vec![
                w.tf("mail.changed", &tt),
                w.tf("mail.changed_before", &[("before", &before)]),
            ]
        }
        MailKind::Reminder => vec![
            w.tf("mail.reminder", &tt),
            w.t("mail.reminder_cancel").to_string(),
        ],
        MailKind::Staff => vec![w.tf("mail.staff", &tt)],
        MailKind::ItDigest | MailKind::PasswordReset => Vec::new(),
        // Staff undid an action whose message had reached the person.
        MailKind::Correction => match p["undone"].as_str() {
            Some("message") => vec![w.tf(
                "mail.correction.message",
                &[
                    ("title", title),
                    ("subject", p["subject"].as_str().unwrap_or_default()),
                ],
            )],
            _ => vec![w.tf("mail.correction.registration", &tt)],
        },
    };
    if matches!(
        m.kind,
        MailKind::Moved | MailKind::AlreadyRegistered | MailKind::Correction
    ) && p["undone"].as_str() != Some("message")
    {
        paragraphs.extend(state_line);
    }
    // Staff's message, or the words they added to the action that caused this one.
    let staff_message = if m.kind == MailKind::Staff {
        Some(p["message"].as_str().unwrap_or_default().to_string())
    } else if facts.note.trim().is_empty() {
        None
    } else {
        paragraphs.push(w.t("mail.note").to_string());
        Some(facts.note.trim().to_string())
    };
    let subject = match m.kind {
        MailKind::Staff => w.tf(
            subject_key(m.kind, false),
            &[
                ("subject", p["subject"].as_str().unwrap_or_default()),
                ("title", title),
            ],
        ),
        kind => w.tf(subject_key(kind, restored), &tt),
    };
    // A calendar entry for those who are going; for a cancelled session,
    // one that takes it out of their calendar.
    let has_ics = match m.kind {
        MailKind::Confirmed
        | MailKind::Promoted
        | MailKind::SessionCancelled
        | MailKind::Changed
        | MailKind::Reminder => true,
        MailKind::Moved | MailKind::AlreadyRegistered | MailKind::Staff => confirmed_then,
        MailKind::Correction => confirmed_then && p["undone"].as_str() != Some("message"),
        MailKind::Waiting | MailKind::Cancelled | MailKind::ItDigest | MailKind::PasswordReset => {
            false
        }
    } && !facts.sessions.is_empty();
    let cancels = m.kind == MailKind::SessionCancelled;
    let ics = if has_ics {
        // An attachment is a new object each time: stamped now (RFC 5545,
        // DTSTAMP with METHOD), its SEQUENCE telling clients what is newer.
        // A cancellation is iTIP's CANCEL of the same UIDs (RFC 5546), each
        // event CANCELLED whatever happened since: it never adds a session.
        let events: Vec<ical::Event> = facts
            .sessions
            .iter()
            .map(|c| {
                let e = c.ical_event(public_url, library);
                ical::Event {
                    stamp: now,
                    status: if cancels {
                        ical::Status::Cancelled
                    } else {
                        e.status
                    },
                    ..e
                }
            })
            .collect();
        Calendar {
            name: None,
            method: Some(if cancels { "CANCEL" } else { "PUBLISH" }),
            events,
        }
        .write(&tz)
    } else {
        String::new()
    };
    let many = facts.sessions.len() > 1;
    let sessions_title = w.t(if many {
        "mail.sessions_many"
    } else {
        "mail.sessions"
    });
    let view = View {
        lang: m.lang.code(),
        hello: if r.name.trim().is_empty() {
            w.t("mail.hello_anonymous").into()
        } else {
            w.tf("mail.hello", &[("name", r.name.trim())])
        },
        paragraphs,
        staff_message,
        sessions_title,
        sessions_heading: format!(
            "{sessions_title}{}",
            if m.lang == Lang::Fr { " :" } else { ":" }
        ),
        sessions: facts
            .sessions
            .iter()
            .map(|c| SessionLine {
                when: when(m.lang, &tz, c.session.starts_at, c.session.ends_at),
                room: c.session.room_name.clone(),
                cancelled: c.session.is_cancelled(),
            })
            .collect(),
        cancelled_mark: w.t("mail.cancelled_mark"),
        event_title: title.to_string(),
        event_url: public_url.link(&format!("/events/{}", facts.event.id)),
        has_link,
        link_intro: w.t("mail.link"),
        link_keep: w.t("mail.link_keep"),
        has_ics,
        calendar: w.t(if cancels {
            "mail.calendar_cancel"
        } else {
            "mail.calendar"
        }),
        signature: w.tf(
            "mail.signature",
            &[("library", library), ("of_library", &of_library)],
        ),
        footer: w.tf(
            "mail.footer",
            &[("library", library), ("of_library", &of_library)],
        ),
        subject: subject.clone(),
    };
    // Both templates are checked at compile time and write into a String:
    // rendering cannot fail on this input.
    let text = TextMail { v: &view }
        .render()
        .expect("text template renders");
    let html = HtmlMail { v: &view }
        .render()
        .expect("HTML template renders");
    Composed {
        subject,
        text,
        html,
        ics,
    }
}

/// Fills the private link into a stored body (`html`: escaped for HTML).
pub fn with_link(body: &str, link: Option<&str>, html: bool) -> String {
    let Some(link) = link else {
        return body.replace(LINK_PLACEHOLDER, "");
    };
    let link = if html {
        link.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    } else {
        link.to_string()
    };
    body.replace(LINK_PLACEHOLDER, &link)
}
