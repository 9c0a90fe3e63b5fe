//! Events: what the public sees as one entry of the programme, with the
//! staff list's filters and paging; cancelling or restoring one is followed
//! by `follow` (its registrants told).

use almanach_domain::collate::search_fold;
use almanach_domain::ids::{EventId, LibraryId};
use almanach_domain::programme::EventStatus;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::follow::{Change, follow};
use crate::programme::owned::check_owned;
use crate::programme::sessions::{RoomClash, SessionWrite, write_session};
use crate::rows::{Event, event};
use crate::sql::{Arg, Sql, like_escape, search_folded};
use crate::{Result, Store, Tx, classify, now};

/// An event with what the events list shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub event: Event,
    pub series_name: Option<String>,
    pub series_colour: Option<String>,
    /// The first session's start; None while the event has no session.
    pub first_at: Option<i64>,
    pub sessions: i64,
}

/// Which events the staff list shows, by the dates of their sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventPeriod {
    /// Not over yet, or without a session: the soonest first, those
    /// without a session last.
    #[default]
    Upcoming,
    /// Every session over: the latest first.
    Past,
    /// The first session starting in [from, to): in date order.
    Between(i64, i64),
    /// Everything: the coming ones as `Upcoming`, then the past ones.
    All,
}

/// The staff list's filters and page.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub series_id: Option<i64>,
    pub status: Option<EventStatus>,
    pub period: EventPeriod,
    /// Words that must all appear in the title; accents and case aside.
    pub words: Vec<String>,
    /// The instant "coming" and "past" are measured from.
    pub now: i64,
    pub offset: i64,
    pub limit: i64,
}

/// Each event's first start, last end and number of sessions (cancelled
/// ones included: they still date the event), kept by migration 0018's
/// triggers, joined as `f`: the list is read through its indexes, so it
/// costs what it shows, not the library's history.
const EVENT_FIRSTS: &str = "join event_spans f on f.event_id = e.id";

/// `head` (a select ending in `where`) with the staff list's conditions:
/// `$1` is the library and, unless the period is `Between`, `$2` is now.
fn event_query(head: &str, library_id: LibraryId, q: &EventQuery) -> Sql {
    let mut args = vec![Arg::I(library_id.get())];
    if !matches!(q.period, EventPeriod::Between(..)) {
        args.push(Arg::I(q.now));
    }
    let mut sql = Sql::new(&format!("{head} f.library_id = $1"), args);
    match q.period {
        EventPeriod::Upcoming => {
            sql.text(" and (f.last_end is null or f.last_end > $2)");
        }
        EventPeriod::Past => {
            sql.text(" and f.last_end <= $2");
        }
        EventPeriod::Between(from, to) => {
            sql.push(" and f.first_at >= ?", Arg::I(from));
            sql.push(" and f.first_at < ?", Arg::I(to));
        }
        EventPeriod::All => {}
    }
    if let Some(v) = q.series_id {
        sql.push(" and e.series_id = ?", Arg::I(v));
    }
    if let Some(v) = q.status {
        sql.push(" and e.status = ?", Arg::S(v.slug().to_string()));
    }
    let title = search_folded("e.title");
    for w in q.words.iter().filter(|w| !w.is_empty()) {
        let pattern = format!("%{}%", like_escape(&search_fold(w)));
        sql.push(&format!(" and {title} like ? escape '\\'"), Arg::S(pattern));
    }
    sql
}

impl Store {
    pub async fn event(&self, library_id: LibraryId, id: EventId) -> Result<Event> {
        let r = self.owned_row("events", library_id, id).await?;
        event(&r)
    }

    /// Events, newest first, optionally of one series.
    pub async fn list_events(
        &self,
        library_id: LibraryId,
        series_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "select e.* from events e join event_spans f on f.event_id = e.id \
             where f.library_id = $1 and ($2 is null or e.series_id = $2) \
             order by coalesce(f.first_at, e.created_at) desc limit $3",
        )
        .bind(library_id)
        .bind(series_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event).collect()
    }

    pub async fn save_event(&self, actor: &Actor, new: &Event) -> Result<EventId> {
        let before = if new.id.get() == 0 {
            None
        } else {
            Some(self.event(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id = write_event(&mut tx, actor, before.as_ref(), new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many events the staff list holds for `q` (paging aside).
    pub async fn count_event_rows(&self, library_id: LibraryId, q: &EventQuery) -> Result<i64> {
        let sql = event_query(
            &format!("select count(*) from events e {EVENT_FIRSTS} where"),
            library_id,
            q,
        );
        Ok(sql.scalar().fetch_one(self.pool()).await?)
    }

    /// One page of the staff list for `q`, with each event's series and the
    /// start of its first session; paging, filters and order all in SQL.
    pub async fn list_event_rows(
        &self,
        library_id: LibraryId,
        q: &EventQuery,
    ) -> Result<Vec<EventRow>> {
        let order = match q.period {
            EventPeriod::Upcoming => {
                "case when f.first_at is null then 1 else 0 end, f.first_at, e.id"
            }
            EventPeriod::Past => "f.first_at desc, e.id desc",
            EventPeriod::Between(..) => "f.first_at, e.id",
            // Coming events soonest first (those without a session after
            // them), then past ones latest first: `now` is the last argument.
            EventPeriod::All => {
                "case when f.last_end is null or f.last_end > $2 then 0 else 1 end, \
                 case when f.first_at is null then 1 else 0 end, \
                 case when f.last_end is null or f.last_end > $2 then f.first_at else -f.first_at end, e.id"
            }
        };
        let mut sql = event_query(
            &format!(
                "select e.*, se.name as series_name, se.colour as series_colour, f.first_at, \
                 f.sessions as n from events e left join series se on se.id = e.series_id \
                 {EVENT_FIRSTS} where"
            ),
            library_id,
            q,
        );
        sql.text(&format!(" order by {order}"));
        sql.push(" limit ?", Arg::I(q.limit.max(0)));
        sql.push(" offset ?", Arg::I(q.offset.max(0)));
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(EventRow {
                    event: event(r)?,
                    series_name: r.try_get("series_name")?,
                    series_colour: r.try_get("series_colour")?,
                    first_at: r.try_get("first_at")?,
                    sessions: r.try_get("n")?,
                })
            })
            .collect()
    }

    pub async fn count_events(&self, library_id: LibraryId, status: EventStatus) -> Result<i64> {
        Ok(
            sqlx::query_scalar("select count(*) from events where library_id = $1 and status = $2")
                .bind(library_id)
                .bind(status.slug())
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Creates an event and its sessions in one transaction, as duplicating
    /// an event needs: if one session's room is taken, nothing is created
    /// and the clash is returned. Each session's `event_id` is replaced.
    pub async fn create_event_with_sessions(
        &self,
        actor: &Actor,
        new: &Event,
        sessions: &[SessionWrite],
    ) -> Result<Result<EventId, RoomClash>> {
        let mut tx = self.write().await?;
        let id = write_event(
            &mut tx,
            actor,
            None,
            &Event {
                id: EventId(0),
                ..new.clone()
            },
        )
        .await?;
        for s in sessions {
            if let Err(clash) = write_session(
                &mut tx,
                actor,
                None,
                &SessionWrite {
                    event_id: id,
                    ..s.clone()
                },
            )
            .await?
            {
                // Dropping the transaction rolls the event back too.
                return Ok(Err(clash));
            }
        }
        tx.commit().await?;
        Ok(Ok(id))
    }
}

/// Inserts (`before` None) or updates an event inside `tx`, with its audit
/// entry: "publish" and "cancel" are named so the trail reads as a history.
pub(crate) async fn write_event(
    tx: &mut Tx,
    actor: &Actor,
    before: Option<&Event>,
    new: &Event,
) -> Result<EventId> {
    if let Some(series_id) = new.series_id {
        check_owned(tx, "series", series_id, actor.library_id).await?;
    }
    let t = now();
    let id: EventId = if let Some(b) = before {
        sqlx::query(
            "update events set series_id = $1, title = $2, description = $3, picture_url = $4, status = $5, \
             updated_at = $6 where id = $7",
        )
        .bind(new.series_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.picture_url)
        .bind(new.status.slug())
        .bind(t)
        .bind(b.id)
        .execute(&mut **tx)
        .await
        .map_err(classify)?;
        // The event's title and status are in each session's calendar entry.
        sqlx::query("update sessions set sequence = sequence + 1 where event_id = $1")
            .bind(b.id)
            .execute(&mut **tx)
            .await?;
        if new.status == EventStatus::Cancelled && b.status != EventStatus::Cancelled {
            follow(tx, actor, Change::EventCancelled { event_id: b.id }).await?;
        }
        if b.status == EventStatus::Cancelled && new.status != EventStatus::Cancelled {
            follow(tx, actor, Change::EventRestored { event_id: b.id }).await?;
        }
        b.id
    } else {
        sqlx::query_scalar(
            "insert into events (library_id, series_id, title, description, picture_url, status, created_at, \
             updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
        )
        .bind(actor.library_id)
        .bind(new.series_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.picture_url)
        .bind(new.status.slug())
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?
    };
    let after = Event { id, ..new.clone() };
    let action = match (before, new.status) {
        (None, _) => "create",
        (Some(b), EventStatus::Cancelled) if b.status != EventStatus::Cancelled => "cancel",
        (Some(b), EventStatus::Published) if b.status != EventStatus::Published => "publish",
        _ => "update",
    };
    record(tx, actor, "event", id, action, before, Some(&after)).await?;
    Ok(id)
}
