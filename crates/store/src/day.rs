//! On the day: ticking registered parties present, the head counter's taps,
//! and "not counted" again. Every change is one SQL statement applied to the
//! values in the row (`participants = coalesce(participants, 0) + 1`), never
//! a value computed by the page, so two people counting at once both count.

use almanach_domain::attendance::Recording;
use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::registration::RegistrationStatus;
use serde::Serialize;

use crate::attendance::{Attendance, attendance, lock, must_be_open};
use crate::audit::{Actor, record};
use crate::rows::{Registration, Target};
use crate::select::by_id;
use crate::{Result, Store, StoreError, Tx, now};

/// Under-14s are children aged 0 to 13 on the day.
const CHILD_UNDER: u8 = 14;

/// One tap on the head counter: a person more (`delta` 1) or less (-1),
/// under 14 or not (an under-14 is also one of the participants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tap {
    pub delta: i8,
    pub under_14: bool,
}

/// A confirmed party of a session, and whether it was ticked present.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub registration: Registration,
    pub present: bool,
}

const RETURNING: &str = " returning id, participants, under_14, registered, present, counted_by, counted_at, cost_cents";

/// The session's `registered` (confirmed seats, a course's included) and
/// `present` (seats of the parties ticked) recomputed from the rows, in the
/// statement that changes the count.
const RECOUNT: &str = "registered = (select cast(coalesce(sum(r.seats), 0) as bigint) from registrations r \
     where r.event_id = sessions.event_id and r.status = 'confirmed' and (r.session_id = sessions.id or r.session_id is null)), \
     present = (select cast(coalesce(sum(r.seats), 0) as bigint) from check_ins c join registrations r on r.id = c.registration_id \
     where c.session_id = sessions.id)";

/// The audit entry of a tap or a tick: what was done, and the count after.
#[derive(Serialize)]
struct Trace<'a> {
    #[serde(flatten)]
    tap: Option<Tap>,
    registration_id: Option<RegistrationId>,
    #[serde(flatten)]
    attendance: &'a Attendance,
}

fn children(r: &Registration) -> i64 {
    r.ages
        .iter()
        .filter(|&&a| a < CHILD_UNDER)
        .count()
        .min(r.seats as usize) as i64
}

impl Store {
    /// Applies one tap of the head counter. `None` when it would take a
    /// count below zero, below the under-14s, or below the registered
    /// present (who are among the participants): nothing changes then.
    /// Before the session begins: `Conflict("error.count_before_start")`.
    pub async fn count_tap(
        &self,
        actor: &Actor,
        session_id: SessionId,
        tap: Tap,
    ) -> Result<Option<Attendance>> {
        let d = i64::from(tap.delta.signum());
        let du = if tap.under_14 { d } else { 0 };
        let mut tx = self.write().await?;
        must_be_open(
            &mut tx,
            actor.library_id,
            session_id,
            Recording::Count,
            now(),
        )
        .await?;
        let sql = format!(
            "update sessions set participants = coalesce(participants, 0) + $1, under_14 = coalesce(under_14, 0) + $2, \
             counted_by_staff = $3, counted_by = $4, counted_at = $5 \
             where id = $6 and library_id = $7 and coalesce(participants, 0) + $1 >= coalesce(under_14, 0) + $2 \
             and coalesce(under_14, 0) + $2 >= 0 and coalesce(participants, 0) + $1 >= coalesce(present, 0){RETURNING}"
        );
        let row = sqlx::query(&sql)
            .bind(d)
            .bind(du)
            .bind(actor.staff_id)
            .bind(&actor.label)
            .bind(now())
            .bind(session_id)
            .bind(actor.library_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            // Refused by the guards, or no such session here.
            drop(tx);
            self.attendance(actor.library_id, session_id).await?;
            return Ok(None);
        };
        let after = attendance(&row)?;
        let trace = Trace {
            tap: Some(tap),
            registration_id: None,
            attendance: &after,
        };
        record(
            &mut tx,
            actor,
            "attendance",
            session_id,
            "tap",
            None,
            Some(&trace),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Ticks a confirmed party present (or not): its seats join the
    /// participants (its children the under-14s) and the registered
    /// present. Ticking twice counts once: the tick is a row, and only the
    /// statement that creates (or deletes) it changes the count. Ticking
    /// opens with the doors, an hour before the start
    /// (`Conflict("error.check_in_before_doors")` earlier); unticking is a
    /// correction, always accepted.
    pub async fn check_in(
        &self,
        actor: &Actor,
        session_id: SessionId,
        registration_id: RegistrationId,
        present: bool,
    ) -> Result<Attendance> {
        let mut tx = self.write().await?;
        let r = self
            .arrival_of(&mut tx, actor.library_id, session_id, registration_id)
            .await?;
        if present {
            must_be_open(
                &mut tx,
                actor.library_id,
                session_id,
                Recording::CheckIn,
                now(),
            )
            .await?;
        }
        let changed = if present {
            sqlx::query(
                "insert into check_ins (registration_id, session_id, checked_at, checked_by) values ($1, $2, $3, $4) \
                 on conflict (registration_id, session_id) do nothing",
            )
            .bind(registration_id)
            .bind(session_id)
            .bind(now())
            .bind(&actor.label)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query("delete from check_ins where registration_id = $1 and session_id = $2")
                .bind(registration_id)
                .bind(session_id)
                .execute(&mut *tx)
                .await?
        }
        .rows_affected();
        let (seats, kids) = if changed == 0 {
            (0, 0)
        } else if present {
            (i64::from(r.seats), children(&r))
        } else {
            (-i64::from(r.seats), -children(&r))
        };
        // Unticking never takes a count below zero (someone may have
        // corrected the counter by hand meanwhile).
        let sql = format!(
            "update sessions set \
             participants = case when coalesce(participants, 0) + $1 < 0 then 0 else coalesce(participants, 0) + $1 end, \
             under_14 = case when coalesce(under_14, 0) + $2 < 0 then 0 else coalesce(under_14, 0) + $2 end, \
             {RECOUNT}, counted_by_staff = $3, counted_by = $4, counted_at = $5 where id = $6{RETURNING}"
        );
        let row = sqlx::query(&sql)
            .bind(seats)
            .bind(kids)
            .bind(actor.staff_id)
            .bind(&actor.label)
            .bind(now())
            .bind(session_id)
            .fetch_one(&mut *tx)
            .await?;
        let after = attendance(&row)?;
        if changed != 0 {
            let action = if present { "check_in" } else { "check_out" };
            let trace = Trace {
                tap: None,
                registration_id: Some(registration_id),
                attendance: &after,
            };
            record(
                &mut tx,
                actor,
                "attendance",
                session_id,
                action,
                None,
                Some(&trace),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Back to "not counted": the head count, the under-14s and the ticks go.
    pub async fn reset_count(&self, actor: &Actor, session_id: SessionId) -> Result<Attendance> {
        let mut tx = self.write().await?;
        let before = lock(&mut tx, actor.library_id, session_id).await?;
        sqlx::query("delete from check_ins where session_id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "update sessions set participants = null, under_14 = null, registered = null, present = null, \
             counted_by_staff = $1, counted_by = $2, counted_at = $3 where id = $4{RETURNING}"
        );
        let row = sqlx::query(&sql)
            .bind(actor.staff_id)
            .bind(&actor.label)
            .bind(now())
            .bind(session_id)
            .fetch_one(&mut *tx)
            .await?;
        let after = attendance(&row)?;
        record(
            &mut tx,
            actor,
            "attendance",
            session_id,
            "reset",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The confirmed parties of a session (a course's included), in the
    /// order they registered, each with its tick.
    pub async fn arrivals(
        &self,
        library_id: LibraryId,
        session_id: SessionId,
    ) -> Result<Vec<Arrival>> {
        let ticked: Vec<RegistrationId> =
            sqlx::query_scalar("select registration_id from check_ins where session_id = $1")
                .bind(session_id)
                .fetch_all(self.pool())
                .await?;
        let all = self
            .list_registrations(library_id, Target::Session(session_id))
            .await?;
        Ok(all
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Confirmed)
            .map(|r| Arrival {
                present: ticked.contains(&r.id),
                registration: r,
            })
            .collect())
    }

    /// The registration, if it is a confirmed party of this session.
    async fn arrival_of(
        &self,
        tx: &mut Tx,
        library_id: LibraryId,
        session_id: SessionId,
        registration_id: RegistrationId,
    ) -> Result<Registration> {
        // Ticks of one session queue on its row (PostgreSQL; SQLite has one writer).
        lock(tx, library_id, session_id).await?;
        let r = by_id(tx, registration_id).await?;
        let event_id: EventId = sqlx::query_scalar("select event_id from sessions where id = $1")
            .bind(session_id)
            .fetch_one(&mut **tx)
            .await?;
        let for_session = r.library_id == library_id
            && r.event_id == event_id
            && r.session_id.is_none_or(|s| s == session_id);
        if !for_session {
            return Err(StoreError::NotFound);
        }
        if r.status != RegistrationStatus::Confirmed {
            return Err(StoreError::Conflict(
                "only confirmed registrations are checked in".into(),
            ));
        }
        Ok(r)
    }
}
