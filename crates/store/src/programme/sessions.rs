//! Sessions: one date of an event, in a room. Saving one checks its room
//! for clashes inside the same transaction; what follows a change (seats,
//! notices, technical needs) is `follow`'s.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::programme::{AttendanceMode, EventStatus, LONGEST_SESSION_SECS, SessionKind};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::follow::{Change, follow};
use crate::programme::owned::{check_owned, dedup};
use crate::rows::Session;
use crate::select::session_in;
use crate::session_query::SessionQuery;
use crate::{Result, Store, StoreError, Tx, classify, now};

/// What a session write carries: the parsed draft and its instants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionWrite {
    pub event_id: EventId,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub ends_at: i64,
    pub local_date: String,
    pub room_id: Option<i64>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub accompanied: bool,
    pub price_cents: i64,
    pub registration_required: bool,
    pub attendance_mode: AttendanceMode,
    pub online_url: String,
    pub theme_ids: Vec<i64>,
    pub speaker_ids: Vec<i64>,
    pub lead_ids: Vec<i64>,
}

impl From<&Session> for SessionWrite {
    /// The write that would leave the session as it is.
    fn from(s: &Session) -> SessionWrite {
        SessionWrite {
            event_id: s.event_id,
            kind: s.kind,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            local_date: s.local_date.clone(),
            room_id: s.room_id,
            capacity: s.capacity,
            age_min: s.age_min,
            age_max: s.age_max,
            accompanied: s.accompanied,
            price_cents: s.price_cents,
            registration_required: s.registration_required,
            attendance_mode: s.attendance_mode,
            online_url: s.online_url.clone(),
            theme_ids: s.theme_ids.clone(),
            speaker_ids: s.speaker_ids.clone(),
            lead_ids: s.lead_ids.clone(),
        }
    }
}

/// The other session a room is already taken by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomClash {
    pub session_id: SessionId,
    pub event_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Filters for listing sessions; every field optional.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub series_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub room_id: Option<i64>,
    pub event_id: Option<EventId>,
    /// Sessions a person of this age may attend.
    pub age: Option<u8>,
    pub event_status: Option<EventStatus>,
    pub include_cancelled: bool,
    pub limit: Option<i64>,
}

impl SessionFilter {
    /// The one session query this filter is.
    pub fn query(&self, library_id: LibraryId) -> SessionQuery {
        SessionQuery::new(library_id)
            .ends_after(self.from)
            .starts_before(self.to)
            .series(self.series_id)
            .room(self.room_id)
            .event(self.event_id)
            .theme(self.theme_id)
            .age(self.age)
            .statuses(self.event_status.into_iter().collect())
            .cancelled((!self.include_cancelled).then_some(false))
            .limit(self.limit)
    }
}

impl Store {
    pub async fn session(&self, library_id: LibraryId, id: SessionId) -> Result<Session> {
        session_in(&mut *self.pool().acquire().await?, library_id, id).await
    }

    /// Sessions in time order matching `f`, each with its themes, speakers
    /// and leads.
    pub async fn list_sessions(
        &self,
        library_id: LibraryId,
        f: &SessionFilter,
    ) -> Result<Vec<Session>> {
        self.session_list(&f.query(library_id)).await
    }

    /// Live sessions (neither they nor their event cancelled) starting in [from, to).
    pub async fn count_sessions(&self, library_id: LibraryId, from: i64, to: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from sessions s join events e on e.id = s.event_id where s.library_id = $1 \
             and s.starts_at >= $2 and s.starts_at < $3 and s.cancelled = 0 and e.status <> 'cancelled'",
        )
        .bind(library_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?)
    }

    /// The sessions that already happened on a theme before `starts_at`
    /// (a session on such a theme is a replay).
    pub async fn earlier_sessions_on_theme(&self, theme_id: i64, starts_at: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from session_themes st join sessions s on s.id = st.session_id \
             join events e on e.id = s.event_id \
             where st.theme_id = $1 and s.starts_at < $2 and s.cancelled = 0 and e.status <> 'cancelled'",
        )
        .bind(theme_id)
        .bind(starts_at)
        .fetch_one(self.pool())
        .await?)
    }

    /// Creates (`id == None`) or updates a session. Inside the transaction
    /// the room is locked and checked for overlapping sessions: the outer
    /// `Err` is a storage failure, the inner one the clash to show the person.
    pub async fn save_session(
        &self,
        actor: &Actor,
        id: Option<SessionId>,
        w: &SessionWrite,
    ) -> Result<Result<SessionId, RoomClash>> {
        let before = match id {
            Some(id) => Some(self.session(actor.library_id, id).await?),
            None => None,
        };
        let mut tx = self.write().await?;
        let saved = write_session(&mut tx, actor, before.as_ref(), w).await?;
        if saved.is_ok() {
            tx.commit().await?;
        }
        Ok(saved)
    }

    /// Cancels or restores a session; its registrants are told at once
    /// (the API's way: its caller asked). Pages go through `actions`.
    pub async fn set_session_cancelled(
        &self,
        actor: &Actor,
        id: SessionId,
        cancelled: bool,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        set_cancelled_in(&mut tx, actor, id, cancelled).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Cancels or restores a session inside `tx` and tells its registrants (a
/// restoring withdraws the cancellations not sent yet: see `mail::plan`).
/// The session as it was, back.
pub(crate) async fn set_cancelled_in(
    tx: &mut Tx,
    actor: &Actor,
    id: SessionId,
    cancelled: bool,
) -> Result<Session> {
    let before = session_in(tx, actor.library_id, id).await?;
    sqlx::query("update sessions set cancelled = $1, updated_at = $2, sequence = sequence + 1 where id = $3")
        .bind(i64::from(cancelled))
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if before.cancelled != cancelled {
        let change = Change::SessionCancelled {
            event_id: before.event_id,
            session_id: id,
            cancelled,
        };
        follow(tx, actor, change).await?;
    }
    let after = Session {
        cancelled,
        ..before.clone()
    };
    record(
        tx,
        actor,
        "session",
        id,
        if cancelled { "cancel" } else { "restore" },
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(before)
}

/// Refuses a session longer than `LONGEST_SESSION_SECS`, which the
/// session queries count on (no form, API or import makes one).
pub(crate) fn longest(starts_at: i64, ends_at: i64) -> Result<()> {
    if ends_at.saturating_sub(starts_at) > LONGEST_SESSION_SECS {
        return Err(StoreError::Conflict(
            "sessions.ends_at: a session lasts two days at most".into(),
        ));
    }
    Ok(())
}

/// Inserts (`before` None) or updates a session inside `tx`: the room is
/// locked and checked for overlaps first, then the row, its links and the
/// audit entry are written. A clash writes nothing and is returned inside.
pub(crate) async fn write_session(
    tx: &mut Tx,
    actor: &Actor,
    before: Option<&Session>,
    w: &SessionWrite,
) -> Result<Result<SessionId, RoomClash>> {
    check_owned(tx, "events", w.event_id, actor.library_id).await?;
    longest(w.starts_at, w.ends_at)?;
    if let Some(room_id) = w.room_id
        && let Some(clash) = lock_room_and_find_clash(
            tx,
            actor.library_id,
            room_id,
            w.starts_at,
            w.ends_at,
            before.map(|b| b.id),
        )
        .await?
    {
        return Ok(Err(clash));
    }
    let t = now();
    let id: SessionId = sqlx::query_scalar(if before.is_some() {
        "update sessions set event_id = $1, kind = $2, starts_at = $3, ends_at = $4, local_date = $5, room_id = $6, \
         capacity = $7, age_min = $8, age_max = $9, accompanied = $10, price_cents = $11, \
         registration_required = $12, attendance_mode = $13, online_url = $14, updated_at = $15, \
         sequence = sequence + 1 where id = $16 and library_id = $17 returning id"
    } else {
        "insert into sessions (event_id, kind, starts_at, ends_at, local_date, room_id, capacity, age_min, age_max, \
         accompanied, price_cents, registration_required, attendance_mode, online_url, updated_at, created_at, \
         library_id) select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $17 \
         where $16 = 0 returning id"
    })
    .bind(w.event_id)
    .bind(w.kind.slug())
    .bind(w.starts_at)
    .bind(w.ends_at)
    .bind(&w.local_date)
    .bind(w.room_id)
    .bind(w.capacity.map(i64::from))
    .bind(w.age_min.map(i64::from))
    .bind(w.age_max.map(i64::from))
    .bind(i64::from(w.accompanied))
    .bind(w.price_cents)
    .bind(i64::from(w.registration_required))
    .bind(w.attendance_mode.slug())
    .bind(&w.online_url)
    .bind(t)
    .bind(before.map_or(0, |b| b.id.get()))
    .bind(actor.library_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    for (table, col, ids, owner) in [
        ("session_themes", "theme_id", &w.theme_ids, "themes"),
        ("session_speakers", "speaker_id", &w.speaker_ids, "speakers"),
        ("session_leads", "staff_id", &w.lead_ids, "staff"),
    ] {
        sqlx::query(&format!("delete from {table} where session_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for other in dedup(ids) {
            let n = sqlx::query(&format!(
                "insert into {table} (session_id, {col}) select $1, id from {owner} where id = $2 and library_id = $3"
            ))
            .bind(id)
            .bind(other)
            .bind(actor.library_id)
            .execute(&mut **tx)
            .await
            .map_err(classify)?;
            if n.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "{col} {other} does not exist"
                )));
            }
        }
    }
    if let Some(b) =
        before.filter(|b| b.starts_at != w.starts_at && b.event_status == EventStatus::Published)
    {
        // The public saw the first start: keep it (schema.org's
        // previousStartDate) until the session moves back to it.
        sqlx::query(
            "update sessions set previous_starts_at = case when coalesce(previous_starts_at, $1) = $2 then null \
             else coalesce(previous_starts_at, $1) end where id = $3",
        )
        .bind(b.starts_at)
        .bind(w.starts_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let change = match before {
        Some(b) => Change::SessionSaved {
            event_id: w.event_id,
            session_id: id,
            moved: ((b.starts_at, b.ends_at, b.room_id) != (w.starts_at, w.ends_at, w.room_id)
                && !b.is_cancelled())
            .then(|| {
                serde_json::json!({ "before": { "starts_at": b.starts_at, "ends_at": b.ends_at, "room": b.room_name } })
            }),
        },
        None => Change::SessionCreated { session_id: id },
    };
    follow(tx, actor, change).await?;
    let before_json = before.map(|b| serde_json::to_value(b).expect("serialises"));
    let after_json = serde_json::to_value(w).expect("serialises");
    let action = if before.is_some() { "update" } else { "create" };
    record(
        tx,
        actor,
        "session",
        id,
        action,
        before_json.as_ref(),
        Some(&after_json),
    )
    .await?;
    Ok(Ok(id))
}

/// Takes the room's row lock (PostgreSQL) — SQLite already holds the whole
/// write lock — then looks for a live session overlapping [start, end).
async fn lock_room_and_find_clash(
    tx: &mut Tx,
    library_id: LibraryId,
    room_id: i64,
    start: i64,
    end: i64,
    except: Option<SessionId>,
) -> Result<Option<RoomClash>> {
    let n = sqlx::query(
        "update rooms set lock_version = lock_version + 1 where id = $1 and library_id = $2",
    )
    .bind(room_id)
    .bind(library_id)
    .execute(&mut **tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "room {room_id} does not exist"
        )));
    }
    let r = sqlx::query(
        "select s.id, e.title, s.starts_at, s.ends_at from sessions s join events e on e.id = s.event_id \
         where s.room_id = $1 and s.cancelled = 0 and e.status <> 'cancelled' and s.starts_at < $2 and s.ends_at > $3 \
         and s.starts_at > $5 and s.id <> $4 order by s.starts_at limit 1",
    )
    .bind(room_id)
    .bind(end)
    .bind(start)
    .bind(except.map_or(0, SessionId::get))
    // The room's sessions around this one only (LONGEST_SESSION_SECS).
    .bind(start.saturating_sub(LONGEST_SESSION_SECS))
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| {
        Ok(RoomClash {
            session_id: r.try_get("id")?,
            event_title: r.try_get("title")?,
            starts_at: r.try_get("starts_at")?,
            ends_at: r.try_get("ends_at")?,
        })
    })
    .transpose()
}
