//! Composing the weekly digest to the IT department from what the store
//! says of the week (`Store::it_digest`): what is late, what is due, what
//! has a problem, the sessions IT will not attend. Staff pages hold the
//! details; the message gives each need's link to its page.

use almanach_domain::i18n::Tr;
use almanach_domain::link::PublicUrl;
use almanach_domain::logistics::NeedStatus;
use almanach_domain::{Lang, fmt};
use almanach_store::{Digest, Need};
use askama::Template;
use jiff::tz::TimeZone;

use crate::compose::{Composed, when};

/// One need, as both templates show it.
struct Item {
    name: String,
    details: String,
    session: String,
    due: String,
    status: &'static str,
    url: String,
}

struct Section {
    title: String,
    items: Vec<Item>,
}

struct Away {
    line: String,
}

struct View {
    lang: &'static str,
    subject: String,
    hello: &'static str,
    intro: String,
    sections: Vec<Section>,
    away_title: &'static str,
    away: Vec<Away>,
    nothing: Option<&'static str>,
    board_intro: &'static str,
    board_url: String,
    signature: String,
    footer: String,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct TextDigest<'a> {
    v: &'a View,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct HtmlDigest<'a> {
    v: &'a View,
}

fn status_key(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Requested => "mail.digest.status.requested",
        NeedStatus::Acknowledged => "mail.digest.status.acknowledged",
        NeedStatus::Ready => "mail.digest.status.ready",
        NeedStatus::Checked => "mail.digest.status.checked",
        NeedStatus::Problem => "mail.digest.status.problem",
    }
}

fn item(w: Tr, lang: Lang, tz: &TimeZone, base: &PublicUrl, n: &Need) -> Item {
    let mut session = w.tf(
        "mail.digest.for",
        &[
            ("title", &n.event_title),
            ("when", &when(lang, tz, n.starts_at, n.ends_at)),
        ],
    );
    if let Some(room) = &n.room_name {
        session = format!("{session}, {room}");
    }
    Item {
        name: if n.quantity > 1 {
            format!("{} × {}", n.type_name, n.quantity)
        } else {
            n.type_name.clone()
        },
        details: n.details.clone(),
        session,
        due: w.tf("mail.digest.due", &[("date", &fmt::day(n.due, lang))]),
        status: w.t(status_key(n.status)),
        url: base.link(&format!("/staff/needs/{}", n.id)),
    }
}

/// The digest as a message, in `lang`; `public_url` starts its links.
pub fn compose_digest(d: &Digest, lang: Lang, tz: &TimeZone, public_url: &PublicUrl) -> Composed {
    let w = Tr::new(lang);
    let base = public_url;
    let library = d.library_name.as_str();
    let of_library = d.library_of_name.as_str();
    let (from, to) = (fmt::day(d.from, lang), fmt::day(d.to, lang));
    let subject = w.tf(
        "mail.digest.subject",
        &[("library", library), ("from", &from), ("to", &to)],
    );
    let section = |key: &'static str, needs: &[Need]| Section {
        title: w.tf(key, &[("n", fmt::int(needs.len() as i64, lang))]),
        items: needs.iter().map(|n| item(w, lang, tz, base, n)).collect(),
    };
    let sections: Vec<Section> = [
        ("mail.digest.late", d.late.as_slice()),
        ("mail.digest.due_week", d.due.as_slice()),
        ("mail.digest.problems", d.problems.as_slice()),
    ]
    .into_iter()
    .filter(|(_, needs)| !needs.is_empty())
    .map(|(key, needs)| section(key, needs))
    .collect();
    let away = d
        .without_it
        .iter()
        .map(|s| Away {
            line: w.tf(
                "mail.digest.away_line",
                &[
                    ("title", &s.event_title),
                    ("when", &when(lang, tz, s.starts_at, s.ends_at)),
                    ("day", &fmt::day(s.last_it_day, lang)),
                ],
            ),
        })
        .collect();
    let view = View {
        lang: lang.code(),
        hello: w.t("mail.hello_anonymous"),
        intro: w.tf(
            "mail.digest.intro",
            &[
                ("library", library),
                ("of_library", of_library),
                ("from", &from),
                ("to", &to),
            ],
        ),
        sections,
        away_title: w.t("mail.digest.away"),
        away,
        nothing: d.is_empty().then(|| w.t("mail.digest.nothing")),
        board_intro: w.t("mail.digest.board"),
        board_url: base.link("/staff/it"),
        signature: w.tf(
            "mail.signature",
            &[("library", library), ("of_library", of_library)],
        ),
        footer: w.tf(
            "mail.digest.footer",
            &[("library", library), ("of_library", of_library)],
        ),
        subject: subject.clone(),
    };
    // Checked at compile time, written into a String: cannot fail here.
    let text = TextDigest { v: &view }
        .render()
        .expect("text template renders");
    let html = HtmlDigest { v: &view }
        .render()
        .expect("HTML template renders");
    Composed {
        subject,
        text,
        html,
        ics: String::new(),
    }
}
