//! Read queries the JSON API needs beyond the staff pages': pages of sessions
//! and events with an offset, "cancelled" meaning the session's or its
//! event's, and each page's themes, speakers and leads loaded in three
//! queries rather than three per session.

use std::collections::HashMap;

use almanach_domain::programme::EventStatus;

use crate::rows::{event, session};
use crate::select::SESSION_SELECT;
use crate::sql::{Arg, Sql};
use crate::{Event, Result, Session, Store};

/// Which sessions a page holds; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct SessionPage {
    /// Library-local dates, ISO (`2025-01-18`), both inclusive.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub series_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub room_id: Option<i64>,
    pub event_id: Option<i64>,
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
    pub async fn session_page(&self, library_id: i64, p: &SessionPage) -> Result<Vec<Session>> {
        let mut q = Sql::new(
            &format!("{SESSION_SELECT} where s.library_id = $1"),
            vec![Arg::I(library_id)],
        );
        if let Some(v) = &p.from_date {
            q.push(" and s.local_date >= ?", Arg::S(v.clone()));
        }
        if let Some(v) = &p.to_date {
            q.push(" and s.local_date <= ?", Arg::S(v.clone()));
        }
        for (cond, v) in [
            (" and e.series_id = ?", p.series_id),
            (" and s.room_id = ?", p.room_id),
            (" and s.event_id = ?", p.event_id),
            (
                " and exists (select 1 from session_themes st where st.session_id = s.id and st.theme_id = ?)",
                p.theme_id,
            ),
        ] {
            if let Some(v) = v {
                q.push(cond, Arg::I(v));
            }
        }
        if let Some(age) = p.age {
            q.push(
                " and (s.age_min is null or s.age_min <= ?)",
                Arg::I(i64::from(age)),
            );
            q.push(
                " and (s.age_max is null or s.age_max >= ?)",
                Arg::I(i64::from(age)),
            );
        }
        statuses(&mut q, "e.status", &p.event_statuses);
        match p.cancelled {
            Some(true) => {
                q.text(" and (s.cancelled = 1 or e.status = 'cancelled')");
            }
            Some(false) => {
                q.text(" and s.cancelled = 0 and e.status <> 'cancelled'");
            }
            None => {}
        }
        q.text(" order by s.starts_at, s.id");
        q.push(" limit ?", Arg::I(p.limit));
        q.push(" offset ?", Arg::I(p.offset));
        let rows = q.query().fetch_all(self.pool()).await?;
        let mut out = rows.iter().map(session).collect::<Result<Vec<_>>>()?;
        self.load_links(&mut out).await?;
        Ok(out)
    }

    /// Events, those with the latest first session first.
    pub async fn event_page(&self, library_id: i64, p: &EventPage) -> Result<Vec<Event>> {
        let mut q = Sql::new(
            "select e.* from events e left join (select event_id, min(starts_at) as first_at from sessions \
             group by event_id) f on f.event_id = e.id where e.library_id = $1",
            vec![Arg::I(library_id)],
        );
        if let Some(v) = p.series_id {
            q.push(" and e.series_id = ?", Arg::I(v));
        }
        statuses(&mut q, "e.status", &p.statuses);
        q.text(" order by coalesce(f.first_at, e.created_at) desc, e.id desc");
        q.push(" limit ?", Arg::I(p.limit));
        q.push(" offset ?", Arg::I(p.offset));
        q.query().fetch_all(self.pool()).await?.iter().map(event).collect()
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

    async fn load_links(&self, sessions: &mut [Session]) -> Result<()> {
        if sessions.is_empty() {
            return Ok(());
        }
        let placeholders = (1..=sessions.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        for (table, col) in [
            ("session_themes", "theme_id"),
            ("session_speakers", "speaker_id"),
            ("session_leads", "staff_id"),
        ] {
            let sql = format!(
                "select session_id, {col} from {table} where session_id in ({placeholders}) order by session_id, {col}"
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
            for s in sessions.iter() {
                q = q.bind(s.id);
            }
            let mut by_session: HashMap<i64, Vec<i64>> = HashMap::new();
            for (sid, other) in q.fetch_all(self.pool()).await? {
                by_session.entry(sid).or_default().push(other);
            }
            for s in sessions.iter_mut() {
                let ids = by_session.remove(&s.id).unwrap_or_default();
                match col {
                    "theme_id" => s.theme_ids = ids,
                    "speaker_id" => s.speaker_ids = ids,
                    _ => s.lead_ids = ids,
                }
            }
        }
        Ok(())
    }
}
