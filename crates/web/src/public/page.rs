//! What public pages share: the frame of a page (`PublicPage`), who reads it
//! (`Visit`), the seats badge, dates in words, the same-origin check.

use almanach_domain::ids::EventId;
use almanach_domain::link::PublicUrl;
use almanach_domain::programme::EventStatus;
use almanach_domain::registration::Availability;
use almanach_domain::{Lang, fmt};
use almanach_store::{Event, Library, SeatState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::auth::lang_of;
use crate::error::urlencode;
use crate::{AppState, Tr, WebError};

/// The frame of a public page: language, library, where the language
/// switcher comes back to.
#[derive(Debug, Clone)]
pub struct PublicPage {
    pub tr: Tr,
    pub title: String,
    pub library: String,
    /// This page's path and query, URL-encoded for `?next=`.
    pub next: String,
    /// The canonical address, for pages worth sharing.
    pub canonical: Option<String>,
    /// Private pages (the registration link) stay out of search engines.
    pub private: bool,
}

/// What every public handler starts from: who reads (language), for which
/// library, at which address.
#[derive(Debug, Clone)]
pub struct Visit {
    pub lang: Lang,
    pub library: Library,
    path_and_query: String,
    /// Where absolute links start (`AppState::public_url`).
    pub public_url: PublicUrl,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // One installation serves its first library publicly; a network's
        // per-library public addresses come with the networks issue.
        let library = state.store.default_library().await?;
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/agenda".into());
        Ok(Visit {
            lang: lang_of(&parts.headers),
            library,
            path_and_query,
            public_url: state.public_url(&parts.headers),
        })
    }
}

impl Visit {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }
    pub fn tz(&self) -> TimeZone {
        self.library.tz()
    }
    /// The absolute address of `path` on this site.
    pub fn link(&self, path: &str) -> String {
        self.public_url.link(path)
    }
    pub fn page(&self, title: impl Into<String>) -> PublicPage {
        PublicPage {
            tr: self.tr(),
            title: title.into(),
            library: self.library.name.clone(),
            next: urlencode(&self.path_and_query),
            canonical: None,
            private: false,
        }
    }
}

/// Public forms carry no CSRF cookie (their key and honeypot, and later
/// rate limits, protect them), but a browser posting from another site's
/// page says so in `Origin`: refuse that.
pub(crate) fn same_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    let ok = ["x-forwarded-host", "host"]
        .iter()
        .filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .any(|h| !origin_host.is_empty() && h.eq_ignore_ascii_case(origin_host));
    if ok { Ok(()) } else { Err(WebError::Forbidden) }
}

/// "samedi 2 mai à 10 h" in the library's zone.
pub(crate) fn moment(tr: Tr, tz: &TimeZone, at: i64) -> String {
    let Ok(t) = Timestamp::from_second(at) else {
        return String::new();
    };
    let z = t.to_zoned(tz.clone());
    tr.tf(
        "public.day_at_time",
        &[
            ("day", fmt::day(z.date(), tr.lang)),
            ("time", fmt::time(z.time(), tr.lang)),
        ],
    )
}

/// "14 h – 15 h 30".
pub(crate) fn hours(tr: Tr, tz: &TimeZone, starts_at: i64, ends_at: i64) -> String {
    format!(
        "{} – {}",
        crate::view::clock(tr.lang, tz, starts_at),
        crate::view::clock(tr.lang, tz, ends_at)
    )
}

/// What a session's seats mean for a visitor, as a short label and a style.
#[derive(Debug, Clone)]
pub struct Badge {
    pub class: &'static str,
    pub text: String,
    /// Whether a registration form is open (seats, or the waiting list).
    pub can_register: bool,
    pub full: bool,
}

pub(crate) fn badge(tr: Tr, tz: &TimeZone, st: &SeatState, now: i64) -> Badge {
    let b = |class, text: String| Badge {
        class,
        text,
        can_register: false,
        full: false,
    };
    match st.offer.availability(now) {
        Availability::Cancelled => b("off", tr.t("public.state.cancelled").into()),
        Availability::Past => b("off", tr.t("public.state.past").into()),
        Availability::FreeEntry => b("free", tr.t("public.state.free_entry").into()),
        Availability::NotYetOpen { opens_at } => b(
            "soon",
            tr.tf("public.state.opens", &[("when", moment(tr, tz, opens_at))]),
        ),
        Availability::Closed => b("off", tr.t("public.state.closed").into()),
        Availability::Open { seats_left } => {
            let text = match seats_left {
                Some(1) => tr.t("public.state.one_seat").to_string(),
                Some(n) => tr.tf("public.state.seats", &[("n", n.to_string())]),
                None => tr.t("public.state.open").to_string(),
            };
            Badge {
                class: "open",
                text,
                can_register: true,
                full: false,
            }
        }
        Availability::WaitingList => Badge {
            class: "full",
            text: tr.tf("public.state.full", &[("n", st.waiting.to_string())]),
            can_register: true,
            full: true,
        },
    }
}

/// A published event of the public library, or 404.
pub(crate) async fn published_event(
    state: &AppState,
    visit: &Visit,
    id: EventId,
) -> Result<Event, WebError> {
    let event = state.store.event(visit.library.id, id).await?;
    if event.status == EventStatus::Draft {
        Err(WebError::NotFound)
    } else {
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_with_the_host() {
        let mut h = HeaderMap::new();
        assert!(
            same_origin(&h).is_ok(),
            "no Origin: a form posted without one (older browsers, curl)"
        );
        h.insert(header::HOST, "agenda.mediatheque.fr".parse().unwrap());
        h.insert(
            header::ORIGIN,
            "https://agenda.mediatheque.fr".parse().unwrap(),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(same_origin(&h).is_err());
    }
}
