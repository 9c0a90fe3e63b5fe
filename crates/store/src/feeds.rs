//! Sessions as calendars read them: the public ones (published events, and
//! cancelled ones, which stay in feeds marked cancelled), with what iCalendar
//! needs beyond the session (its sequence, its last revision, the event's text).

use almanach_domain::ical;
use almanach_domain::ids::{EventId, LibraryId};
use almanach_domain::link::PublicUrl;
use almanach_domain::programme::LONGEST_SESSION_SECS;
use sqlx::Row;

use crate::rows::session;
use crate::select::SESSION_SELECT;
use crate::{Result, Session, Store};

/// A session with its calendar facts.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarSession {
    pub session: Session,
    pub event_description: String,
    /// Increases with every change of the session or its event.
    pub sequence: i64,
    /// The last change of the session or its event (iCalendar's DTSTAMP).
    pub revised_at: i64,
}

/// Which sessions a feed holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    /// Everything public that ends after `since`.
    All {
        since: i64,
    },
    Series {
        id: i64,
        since: i64,
    },
    Theme {
        id: i64,
        since: i64,
    },
    /// Every session of one event, whenever.
    Event(EventId),
    Session(i64),
}

pub(crate) fn calendar_select() -> String {
    SESSION_SELECT.replacen(
        "select ",
        "select e.description as event_description, e.updated_at as event_updated_at, ",
        1,
    )
}

pub(crate) fn calendar_session(r: &sqlx::any::AnyRow) -> Result<CalendarSession> {
    let s_updated: i64 = r.try_get("updated_at")?;
    let e_updated: i64 = r.try_get("event_updated_at")?;
    Ok(CalendarSession {
        session: session(r)?,
        event_description: r.try_get("event_description")?,
        sequence: r.try_get("sequence")?,
        revised_at: s_updated.max(e_updated),
    })
}

impl Store {
    /// Public sessions of `scope` in time order, cancelled ones included.
    pub async fn calendar_sessions(
        &self,
        library_id: LibraryId,
        scope: FeedScope,
    ) -> Result<Vec<CalendarSession>> {
        let (cond, id, since) = match scope {
            FeedScope::All { since } => (" and $2 = 0", 0, since),
            FeedScope::Series { id, since } => (" and e.series_id = $2", id, since),
            FeedScope::Theme { id, since } => (
                " and exists (select 1 from session_themes st where st.session_id = s.id and st.theme_id = $2)",
                id,
                since,
            ),
            FeedScope::Event(id) => (" and e.id = $2", id.get(), i64::MIN),
            FeedScope::Session(id) => (" and s.id = $2", id, i64::MIN),
        };
        let sql = format!(
            "{} where s.library_id = $1 and e.status in ('published', 'cancelled') and s.ends_at > $3 and s.starts_at > $4{cond} \
             order by s.starts_at, s.id limit 5000",
            calendar_select()
        );
        let rows = sqlx::query(&sql)
            .bind(library_id)
            .bind(id)
            .bind(since)
            // The sessions around `since` only (LONGEST_SESSION_SECS).
            .bind(since.saturating_sub(LONGEST_SESSION_SECS))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(calendar_session).collect()
    }
}

impl CalendarSession {
    /// The session as a calendar event, the same in feeds and in e-mails so
    /// calendar clients merge them: UID from the public address's host, the
    /// event page as URL, the room and the library as location.
    pub fn ical_event(&self, public_url: &PublicUrl, library_name: &str) -> ical::Event {
        let s = &self.session;
        let url = public_url.link(&format!("/events/{}", s.event_id));
        let location = match &s.room_name {
            Some(room) => format!("{room}, {library_name}"),
            None => library_name.to_string(),
        };
        let description = match self.event_description.trim() {
            "" => url.clone(),
            d => format!("{d}\n\n{url}"),
        };
        let at = |t: i64| jiff::Timestamp::from_second(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        ical::Event {
            uid: ical::session_uid(s.id.get(), public_url.authority()),
            stamp: at(self.revised_at),
            start: at(s.starts_at),
            end: at(s.ends_at),
            summary: s.event_title.clone(),
            description,
            location,
            url: Some(url),
            sequence: self.sequence,
            status: if s.is_cancelled() {
                ical::Status::Cancelled
            } else {
                ical::Status::Confirmed
            },
        }
    }
}
