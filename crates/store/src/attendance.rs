//! A session's attendance and cost: the head count taken on the day (or
//! imported), who counted it and when. Every change is audited.

use almanach_domain::attendance::{Headcount, Recording};
use almanach_domain::ids::{LibraryId, SessionId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, Tx, now};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    pub session_id: SessionId,
    pub headcount: Headcount,
    pub counted_by: Option<String>,
    pub counted_at: Option<i64>,
    pub cost_cents: i64,
}

fn count(r: &AnyRow, c: &str) -> Result<Option<u32>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u32))
}

pub(crate) fn attendance(r: &AnyRow) -> Result<Attendance> {
    Ok(Attendance {
        session_id: r.try_get("id")?,
        headcount: Headcount {
            participants: count(r, "participants")?,
            under_14: count(r, "under_14")?,
            registered: count(r, "registered")?,
            present: count(r, "present")?,
        },
        counted_by: r.try_get("counted_by")?,
        counted_at: r.try_get("counted_at")?,
        cost_cents: r.try_get("cost_cents")?,
    })
}

const SELECT: &str = "select id, participants, under_14, registered, present, counted_by, counted_at, cost_cents \
     from sessions where id = $1 and library_id = $2";

/// Locks the session's row for the rest of the transaction (PostgreSQL; a
/// SQLite writer holds the whole database) and reads it, so two people
/// counting at once are applied one after the other and each audit entry
/// shows the true "before".
pub(crate) async fn lock(
    tx: &mut Tx,
    library_id: LibraryId,
    session_id: SessionId,
) -> Result<Attendance> {
    let n = sqlx::query(
        "update sessions set cost_cents = cost_cents where id = $1 and library_id = $2",
    )
    .bind(session_id)
    .bind(library_id)
    .execute(&mut **tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let r = sqlx::query(SELECT)
        .bind(session_id)
        .bind(library_id)
        .fetch_one(&mut **tx)
        .await?;
    attendance(&r)
}

/// Refuses, inside the write, to record attendance of a session before it
/// opens (`Recording::allowed`: a count once begun, a tick once the doors
/// open): `Conflict` with the message's key, e.g. "error.count_before_start".
pub(crate) async fn must_be_open(
    tx: &mut Tx,
    library_id: LibraryId,
    session_id: SessionId,
    what: Recording,
    now: i64,
) -> Result<()> {
    let starts_at: i64 =
        sqlx::query_scalar("select starts_at from sessions where id = $1 and library_id = $2")
            .bind(session_id)
            .bind(library_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    what.allowed(starts_at, now)
        .map_err(|p| StoreError::Conflict(p.key.into()))
}

fn opt(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

impl Store {
    pub async fn attendance(
        &self,
        library_id: LibraryId,
        session_id: SessionId,
    ) -> Result<Attendance> {
        let r = sqlx::query(SELECT)
            .bind(session_id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        attendance(&r)
    }

    /// Replaces a session's head count (a `Headcount` with no participants
    /// marks it "not counted" again), recording who counted and when. A
    /// count is refused before the session begins (`must_be_open`).
    pub async fn set_headcount(
        &self,
        actor: &Actor,
        session_id: SessionId,
        h: &Headcount,
    ) -> Result<Attendance> {
        self.set_headcount_at(actor, session_id, h, now()).await
    }

    /// `set_headcount` as if it were `at` (unix seconds): the demo, built
    /// around another day, counts the sessions that day has seen.
    pub async fn set_headcount_at(
        &self,
        actor: &Actor,
        session_id: SessionId,
        h: &Headcount,
        at: i64,
    ) -> Result<Attendance> {
        let mut tx = self.write().await?;
        let before = lock(&mut tx, actor.library_id, session_id).await?;
        if h.is_counted() {
            must_be_open(&mut tx, actor.library_id, session_id, Recording::Count, at).await?;
        }
        sqlx::query(
            "update sessions set participants = $1, under_14 = $2, registered = $3, present = $4, \
             counted_by_staff = $5, counted_by = $6, counted_at = $7 where id = $8",
        )
        .bind(opt(h.participants))
        .bind(opt(h.under_14))
        .bind(opt(h.registered))
        .bind(opt(h.present))
        .bind(actor.staff_id)
        .bind(&actor.label)
        .bind(at)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
        let after = Attendance {
            headcount: *h,
            counted_by: Some(actor.label.clone()),
            counted_at: Some(at),
            ..before.clone()
        };
        record(
            &mut tx,
            actor,
            "attendance",
            session_id,
            "count",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What a session cost, in cents (until costs come as lines).
    pub async fn set_session_cost(
        &self,
        actor: &Actor,
        session_id: SessionId,
        cost_cents: i64,
    ) -> Result<()> {
        if cost_cents < 0 {
            return Err(StoreError::Conflict("a cost cannot be negative".into()));
        }
        let mut tx = self.write().await?;
        let before = lock(&mut tx, actor.library_id, session_id).await?;
        sqlx::query("update sessions set cost_cents = $1 where id = $2")
            .bind(cost_cents)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        let after = Attendance {
            cost_cents,
            ..before.clone()
        };
        record(
            &mut tx,
            actor,
            "attendance",
            session_id,
            "cost",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
