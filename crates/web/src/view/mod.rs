//! What every staff page shows around its content, and helpers templates
//! use to print dates and times in the library's zone and the reader's language.

pub(crate) mod badge;
pub(crate) mod dates;
pub(crate) mod keys;
pub(crate) mod session;

use almanach_domain::staff::{Action, Role};
use almanach_domain::{Lang, fmt};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::StaffSession;
use crate::{Tr, WebError};

/// The frame of a staff page: language, who is signed in, the CSRF token for
/// its forms, the active menu entry, and a one-line notice after a redirect.
#[derive(Debug, Clone)]
pub struct Page {
    pub tr: Tr,
    pub title: String,
    pub nav: &'static str,
    pub staff_name: String,
    pub role: Role,
    pub csrf: String,
    pub flash: Option<String>,
    pub path: String,
}

impl Page {
    pub fn new(
        s: &StaffSession,
        title: impl Into<String>,
        nav: &'static str,
        flash: &Flash,
    ) -> Page {
        let tr = Tr::new(s.lang);
        Page {
            tr,
            title: title.into(),
            nav,
            staff_name: s.staff.name.clone(),
            role: s.staff.role,
            csrf: s.csrf.clone(),
            flash: flash.0.map(|k| tr.t(k).to_string()),
            path: flash.1.clone(),
        }
    }
    pub fn can_edit_programme(&self) -> bool {
        self.role.may(Action::EditProgramme)
    }
    pub fn can_edit_setup(&self) -> bool {
        self.role.may(Action::EditSetup)
    }
    pub fn can_edit_speakers(&self) -> bool {
        self.role.may(Action::EditSpeakers)
    }
    pub fn role_label(&self) -> &str {
        self.tr.t(role_key(self.role))
    }

    /// The menu as this role sees it: the groups of `MENU` with the links it
    /// may use, a group left out when none is left.
    pub fn menu(&self) -> Vec<MenuGroup> {
        MENU.iter()
            .filter_map(|(label, links)| {
                let links: Vec<MenuLink> = links
                    .iter()
                    .filter(|l| l.right.is_none_or(|a| self.role.may(a)))
                    .map(|l| MenuLink {
                        href: l.href,
                        label: self.tr.t(l.label).to_string(),
                        current: l.nav == self.nav,
                    })
                    .collect();
                (!links.is_empty()).then(|| MenuGroup {
                    label: label.map(|k| self.tr.t(k).to_string()),
                    current: links.iter().any(|l| l.current),
                    links,
                })
            })
            .collect()
    }
}

/// A group of the staff menu (`label` None: its one link stands alone).
#[derive(Debug, Clone)]
pub struct MenuGroup {
    pub label: Option<String>,
    pub current: bool,
    pub links: Vec<MenuLink>,
}

#[derive(Debug, Clone)]
pub struct MenuLink {
    pub href: &'static str,
    pub label: String,
    /// The page shown is this link's (or one of its area, `Page::nav`).
    pub current: bool,
}

/// One link of the menu: the `Page::nav` of its area, where it goes, its
/// words, and the right it needs (None: every role), the same right its page
/// requires, so no role is shown a link that answers "forbidden".
struct Entry {
    nav: &'static str,
    href: &'static str,
    label: &'static str,
    right: Option<Action>,
}

const fn e(
    nav: &'static str,
    href: &'static str,
    label: &'static str,
    right: Option<Action>,
) -> Entry {
    Entry {
        nav,
        href,
        label,
        right,
    }
}

/// The staff menu: the dashboard, then five groups, so the bar holds on one
/// row on a desktop and behind one button on a phone (docs/decisions/0016).
const MENU: &[(Option<&str>, &[Entry])] = &[
    (None, &[e("dashboard", "/staff", "nav.dashboard", None)]),
    (
        Some("nav.group.programme"),
        &[
            e("calendar", "/staff/calendar", "nav.calendar", None),
            e("events", "/staff/events", "nav.events", None),
            e("themes", "/staff/themes", "nav.themes", None),
            e("series", "/staff/series", "nav.series", None),
            e("speakers", "/staff/speakers", "nav.speakers", None),
        ],
    ),
    (
        Some("nav.group.public"),
        &[
            // Counting is for those who run sessions; the list is empty for others.
            e("day", "/staff/day", "nav.day", Some(Action::EditProgramme)),
            e("agenda", "/agenda", "nav.agenda", None),
            e(
                "personal_data",
                "/staff/personal-data",
                "nav.personal_data",
                Some(Action::ManagePersonalData),
            ),
        ],
    ),
    (
        Some("nav.group.logistics"),
        &[
            e("it", "/staff/it", "nav.it", None),
            e("rooms", "/staff/rooms", "nav.rooms", None),
            e("tools", "/staff/tools", "nav.tools", None),
        ],
    ),
    (
        Some("nav.group.stats"),
        &[
            e(
                "stats",
                "/staff/stats",
                "nav.stats",
                Some(Action::ReadStatistics),
            ),
            e(
                "review",
                "/staff/stats/review",
                "nav.review",
                Some(Action::ReadStatistics),
            ),
            e(
                "budgets",
                "/staff/budgets",
                "nav.budgets",
                Some(Action::ReadCosts),
            ),
        ],
    ),
    (
        Some("nav.group.admin"),
        &[
            e("team", "/staff/team", "nav.team", Some(Action::ManageStaff)),
            e(
                "library",
                "/staff/library",
                "nav.library",
                Some(Action::EditSetup),
            ),
            e(
                "import",
                "/staff/import",
                "nav.import",
                Some(Action::EditSetup),
            ),
            e(
                "tokens",
                "/staff/tokens",
                "nav.tokens",
                Some(Action::ManageApiTokens),
            ),
            e(
                "audit",
                "/staff/audit",
                "nav.audit",
                Some(Action::ReadAudit),
            ),
        ],
    ),
];

pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Admin => "role.admin",
        Role::Coordinator => "role.coordinator",
        Role::Mediator => "role.mediator",
        Role::It => "role.it",
        Role::Communication => "role.communication",
        Role::Viewer => "role.viewer",
    }
}

/// The notice after a redirect (`?done=saved`), limited to known keys so a
/// link cannot make a page say anything; also the current path for the
/// language switcher.
#[derive(Debug, Clone, Default)]
pub struct Flash(pub Option<&'static str>, pub String);

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

const FLASHES: &[(&str, &str)] = &[
    ("saved", "flash.saved"),
    ("created", "flash.created"),
    ("cancelled", "flash.cancelled"),
    ("restored", "flash.restored"),
    ("duplicated", "flash.duplicated"),
    ("published", "flash.published"),
    ("revoked", "flash.revoked"),
    ("queued", "flash.queued"),
    ("erased", "flash.erased"),
];

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let q = Query::<DoneQuery>::from_request_parts(parts, state)
            .await
            .ok();
        let key = q
            .and_then(|q| q.0.done)
            .and_then(|d| FLASHES.iter().find(|(k, _)| *k == d).map(|(_, v)| *v));
        Ok(Flash(key, parts.uri.path().to_string()))
    }
}

/// A session's time in the library's zone: "samedi 13 janvier, 14 h –
/// 15 h 30", with the year when it is not in this season
/// ("samedi 13 janvier 2024, 14 h – 15 h 30").
pub fn when(lang: Lang, tz: &TimeZone, starts_at: i64, ends_at: i64) -> String {
    when_styled(lang, tz, starts_at, ends_at, year_needed(tz, [starts_at]))
}

/// `when`, with the year or without as a list decided (`year_needed`).
pub fn when_styled(lang: Lang, tz: &TimeZone, starts_at: i64, ends_at: i64, year: bool) -> String {
    fmt::instants(starts_at, ends_at, tz, lang, year)
}

/// Today in the library's zone.
pub fn today_in(tz: &TimeZone) -> Date {
    Timestamp::now().to_zoned(tz.clone()).date()
}

/// Whether dates of these instants are printed with their year: when one
/// of them is outside this season, all are, so a list reads alike
/// (`fmt::needs_year`).
pub fn year_needed(tz: &TimeZone, instants: impl IntoIterator<Item = i64>) -> bool {
    let days = instants
        .into_iter()
        .filter_map(|at| Timestamp::from_second(at).ok())
        .map(|t| t.to_zoned(tz.clone()).date());
    fmt::needs_year(days, today_in(tz))
}

/// "14 h" or "2 pm" in the library's zone.
pub fn clock(lang: Lang, tz: &TimeZone, at: i64) -> String {
    Timestamp::from_second(at)
        .map(|t| fmt::time(t.to_zoned(tz.clone()).time(), lang))
        .unwrap_or_default()
}

/// "2025-01-18 14:00" for inputs and tables.
pub fn local_iso(tz: &TimeZone, at: i64) -> (String, String) {
    match Timestamp::from_second(at) {
        Ok(t) => {
            let z = t.to_zoned(tz.clone());
            (
                z.date().to_string(),
                format!("{:02}:{:02}", z.hour(), z.minute()),
            )
        }
        Err(_) => (String::new(), String::new()),
    }
}

/// "29/11/2026 à 23 h 31", for audit entries and "last used".
pub fn stamp(lang: Lang, tz: &TimeZone, at: i64) -> String {
    match Timestamp::from_second(at) {
        Ok(t) => {
            let z = t.to_zoned(tz.clone());
            let time = fmt::time(z.time(), lang);
            match lang {
                Lang::Fr => format!("{:02}/{:02}/{} à {time}", z.day(), z.month(), z.year()),
                Lang::En => format!("{:02}/{:02}/{} at {time}", z.day(), z.month(), z.year()),
            }
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The menu's words are looked up from a table the locale test cannot see.
    #[test]
    fn every_menu_word_is_translated() {
        for (group, links) in MENU {
            for key in group.iter().copied().chain(links.iter().map(|l| l.label)) {
                assert!(crate::i18n::has_key(key), "{key} missing");
                assert_ne!(Tr::new(Lang::En).t(key), key, "{key} missing in English");
            }
        }
    }
}

/// The class that gives an element a series' colour (`c-1a2b3c`, from
/// `/static/colours.css`); empty for anything but `#rrggbb`. Pages carry
/// no `style` attribute: the Content-Security-Policy forbids them.
pub fn colour_class(colour: impl AsRef<str>) -> String {
    match colour.as_ref().strip_prefix('#') {
        Some(hex) if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("c-{}", hex.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

/// `class` and, when `colour` is one, its colour's class: the value of a
/// `class` attribute, `"session c-1a2b3c"` or `"session"`.
pub fn with_colour(class: &str, colour: impl AsRef<str>) -> String {
    match colour_class(colour) {
        c if c.is_empty() => class.to_string(),
        c => format!("{class} {c}"),
    }
}

/// The stylesheet behind `colour_class`: one rule per colour in use.
pub fn colours_css(colours: &[String]) -> String {
    let mut css = String::from("/* Series colours, made from the database. */\n");
    let mut seen = std::collections::BTreeSet::new();
    for c in colours {
        let class = colour_class(c);
        if !class.is_empty() && seen.insert(class.clone()) {
            css.push_str(&format!(".{class} {{ --c: #{}; }}\n", &class[2..]));
        }
    }
    css
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn colours_become_classes_and_nothing_else() {
        assert_eq!(colour_class("#1A2b3c"), "c-1a2b3c");
        assert_eq!(with_colour("session", "#1A2b3c"), "session c-1a2b3c");
        assert_eq!(with_colour("session", ""), "session");
        for bad in [
            "",
            "1a2b3c",
            "#12345",
            "#1a2b3g",
            "red; } body { x",
            "#1a2b3c;",
        ] {
            assert_eq!(colour_class(bad), "", "{bad}");
        }
        let css = colours_css(&["#3A6EA5".into(), "#3a6ea5".into(), "url(evil)".into()]);
        assert_eq!(
            css.lines().skip(1).collect::<Vec<_>>(),
            [".c-3a6ea5 { --c: #3a6ea5; }"]
        );
    }
}
