//! Read queries the JSON API needs beyond the staff pages': pages of sessions
//! (a `SessionQuery`) and events with an offset, "cancelled" meaning the
//! session's or its event's.

use almanach_domain::ids::{EventId, LibraryId};
use almanach_domain::programme::EventStatus;

use crate::rows::event;
use crate::sql::{Arg, Sql};
use crate::{Event, Result, Session, SessionQuery, Store};

/// Which sessions a page holds; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct SessionPage {
    /// Library-local dates, ISO (`2025-01-18`), both inclusive.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub series_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub room_id: Option<i64>,
    pub event_id: Option<EventId>,
    /// Sessions a person of this age may attend.
    pub age: Option<u8>,
    /// The event statuses allowed; empty allows any.
    pub event_statuses: Vec<EventStatus>,
    /// `Some(true)`: only sessions cancelled themselves or through their
    /// event; `Some(false)`: only live ones; `None`: both.
    pub cancelled: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

impl SessionPage {
    /// The one session query this page is.
    pub fn query(&self, library_id: LibraryId) -> SessionQuery {
        SessionQuery::new(library_id)
            .dates(self.from_date.clone(), self.to_date.clone())
            .series(self.series_id)
            .theme(self.theme_id)
            .room(self.room_id)
            .event(self.event_id)
            .age(self.age)
            .statuses(self.event_statuses.clone())
            .cancelled(self.cancelled)
            .page(self.offset, self.limit)
    }
}

/// Which events a page holds.
#[derive(Debug, Clone, Default)]
pub struct EventPage {
    pub series_id: Option<i64>,
    /// Empty allows any.
    pub statuses: Vec<EventStatus>,
    pub limit: i64,
    pub offset: i64,
}

/// `column in (…)` for the statuses given; nothing when there are none.
fn statuses(q: &mut Sql, column: &str, statuses: &[EventStatus]) {
    if statuses.is_empty() {
        return;
    }
    q.text(&format!(" and {column} in ("));
    for (i, s) in statuses.iter().enumerate() {
        q.push(
            if i == 0 { "?" } else { ", ?" },
            Arg::S(s.slug().to_string()),
        );
    }
    q.text(")");
}

impl Store {
    /// Sessions in time order matching `p`, with their links.
    pub async fn session_page(
        &self,
        library_id: LibraryId,
        p: &SessionPage,
    ) -> Result<Vec<Session>> {
        self.session_list(&p.query(library_id)).await
    }

    /// Events, those with the latest first session first.
    pub async fn event_page(&self, library_id: LibraryId, p: &EventPage) -> Result<Vec<Event>> {
        let mut q = Sql::new(
            "select e.* from events e left join (select event_id, min(starts_at) as first_at from sessions \
             group by event_id) f on f.event_id = e.id where e.library_id = $1",
            vec![Arg::I(library_id.get())],
        );
        if let Some(v) = p.series_id {
            q.push(" and e.series_id = ?", Arg::I(v));
        }
        statuses(&mut q, "e.status", &p.statuses);
        q.text(" order by coalesce(f.first_at, e.created_at) desc, e.id desc");
        q.push(" limit ?", Arg::I(p.limit));
        q.push(" offset ?", Arg::I(p.offset));
        q.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(event)
            .collect()
    }

    /// The name its creator gave an API token, for audit labels.
    pub async fn api_token_name(&self, token_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("select name from api_tokens where id = $1")
                .bind(token_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}
