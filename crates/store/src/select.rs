//! The shared reads: the session select and one session or registration
//! by id, the seat counts, a library's own rows. A leaf beside `rows`.

use almanach_domain::ids::{LibraryId, RegistrationId, SessionId};
use almanach_domain::registration::RegistrationStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::rows::{Registration, Session, registration, session};
use crate::{Result, Store, StoreError};

pub(crate) const SESSION_SELECT: &str = "select s.*, e.title as event_title, e.status as event_status, e.series_id, \
     se.name as series_name, se.colour as series_colour, r.name as room_name \
     from sessions s join events e on e.id = s.event_id \
     left join series se on se.id = e.series_id left join rooms r on r.id = s.room_id";

/// A session of the library with its themes, speakers and leads, read on
/// `c` (inside a transaction, as it is there).
pub(crate) async fn session_in(
    c: &mut AnyConnection,
    library_id: LibraryId,
    id: SessionId,
) -> Result<Session> {
    let r = sqlx::query(&format!(
        "{SESSION_SELECT} where s.id = $1 and s.library_id = $2"
    ))
    .bind(id)
    .bind(library_id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut s = session(&r)?;
    session_links(c, &mut s).await?;
    Ok(s)
}

async fn session_links(c: &mut AnyConnection, s: &mut Session) -> Result<()> {
    s.theme_ids = sqlx::query_scalar(
        "select theme_id from session_themes where session_id = $1 order by theme_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    s.speaker_ids = sqlx::query_scalar(
        "select speaker_id from session_speakers where session_id = $1 order by speaker_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    s.lead_ids = sqlx::query_scalar(
        "select staff_id from session_leads where session_id = $1 order by staff_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    Ok(())
}

/// The open action of the current transaction, as SQL: `select max(id)
/// {OPEN_ACTION}`. A transaction sees its own uncommitted row and nobody
/// else's, and every action is closed (`in_progress = 0`) before it
/// commits, so this names the action being made here, or nothing.
pub(crate) const OPEN_ACTION: &str = "from staff_actions where in_progress = 1";

/// Confirmed seats of the session `s` (a course's registrations hold a
/// seat at each of its sessions), then its parties waiting.
/// A session's seats taken and parties waiting, its own and its course's
/// (`session_key` 0), from the tallies the triggers of migration 0015 keep.
pub(crate) const TAKEN: &str = "(select cast(coalesce(sum(t.confirmed_seats), 0) as bigint) from seat_tallies t \
     where t.event_id = s.event_id and t.session_key in (s.id, 0))";
pub(crate) const WAITING: &str = "(select cast(coalesce(sum(t.waiting), 0) as bigint) from seat_tallies t \
     where t.event_id = s.event_id and t.session_key in (s.id, 0))";

/// A registration row with its waiting-list position.
pub(crate) async fn finish(
    c: &mut AnyConnection,
    row: Option<AnyRow>,
) -> Result<Option<Registration>> {
    let Some(row) = row else { return Ok(None) };
    let mut r = registration(&row)?;
    if r.status == RegistrationStatus::Waiting {
        let order: i64 = row.try_get("queue_order")?;
        // The list's length less those behind: a newcomer, at the end,
        // costs one index probe however long the list.
        let ahead: i64 = sqlx::query_scalar(
            "select (select cast(coalesce(sum(waiting), 0) as bigint) from seat_tallies \
             where event_id = $1 and session_key = $2) - 1 - \
             (select count(*) from registrations where event_id = $1 and coalesce(session_id, 0) = $2 \
             and status = 'waiting' and queue_order >= $3 and (queue_order > $3 or id > $4))",
        )
        .bind(r.event_id)
        .bind(r.at().key())
        .bind(order)
        .bind(r.id)
        .fetch_one(&mut *c)
        .await?;
        r.position = Some(ahead as u32 + 1);
    }
    Ok(Some(r))
}

pub(crate) async fn by_id(c: &mut AnyConnection, id: RegistrationId) -> Result<Registration> {
    let row = sqlx::query("select * from registrations where id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    finish(c, row).await?.ok_or(StoreError::NotFound)
}

impl Store {
    /// One row of `table` by id, only within the library: another library's
    /// record is as absent as a missing one.
    pub(crate) async fn owned_row(
        &self,
        table: &str,
        library_id: LibraryId,
        id: impl Into<i64>,
    ) -> Result<AnyRow> {
        sqlx::query(&format!(
            "select * from {table} where id = $1 and library_id = $2"
        ))
        .bind(id.into())
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Every row of `table` in the library, ordered by `order`.
    pub(crate) async fn owned_rows(
        &self,
        table: &str,
        library_id: LibraryId,
        order: &str,
    ) -> Result<Vec<AnyRow>> {
        Ok(sqlx::query(&format!(
            "select * from {table} where library_id = $1 order by {order}"
        ))
        .bind(library_id)
        .fetch_all(self.pool())
        .await?)
    }
}
