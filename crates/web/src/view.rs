//! What every staff page shows around its content, and helpers templates
//! use to print dates and times in the library's zone and the reader's language.

use almanach_domain::staff::{Action, Role};
use almanach_domain::{Lang, fmt};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use jiff::Timestamp;
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
    pub fn can_manage_staff(&self) -> bool {
        self.role.may(Action::ManageStaff)
    }
    pub fn can_read_audit(&self) -> bool {
        self.role.may(Action::ReadAudit)
    }
    pub fn can_read_statistics(&self) -> bool {
        self.role.may(Action::ReadStatistics)
    }
    pub fn can_manage_personal_data(&self) -> bool {
        self.role.may(Action::ManagePersonalData)
    }
    pub fn role_label(&self) -> &str {
        self.tr.t(role_key(self.role))
    }
}

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

/// A session's time in the library's zone: "samedi 13 janvier, 14 h – 15 h 30".
pub fn when(lang: Lang, tz: &TimeZone, starts_at: i64, ends_at: i64) -> String {
    let (Ok(a), Ok(b)) = (
        Timestamp::from_second(starts_at),
        Timestamp::from_second(ends_at),
    ) else {
        return String::new();
    };
    let (a, b) = (a.to_zoned(tz.clone()), b.to_zoned(tz.clone()));
    fmt::span(a.date(), a.time(), b.date(), b.time(), lang)
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
        let css = colours_css(&["#3A6EA5".into(), "#3a6ea5".into(), "url(x)".into()]);
        assert_eq!(
            css.lines().skip(1).collect::<Vec<_>>(),
            [".c-3a6ea5 { --c: #3a6ea5; }"]
        );
    }
}
