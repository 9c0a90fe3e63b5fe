//! Staff actions that tell the public: cancelling or restoring a session,
//! cancelling an event, moving a session's time or room, writing to its
//! registrants, removing or moving a registrant. Each is one row of
//! `staff_actions` written in the change's transaction; the e-mails (and
//! audit entries) that transaction writes carry its id, and the e-mails wait
//! until `hold_until`. Undoing the action while they wait reverts the change
//! and deletes them in one transaction: nothing is sent. Once some went,
//! undoing sends a correction to the people told, when staff confirm it.
//! See docs/decisions/0015-undoable-actions.md.

use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::programme::EventStatus;
use almanach_domain::registration::{RegistrationStatus, WaitingParty, promotions};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::mail::{MailKind, Plan};
use crate::programme::{set_cancelled_in, write_event, write_session};
use crate::registrations::{locked, move_in, seat_state, settle};
use crate::rows::{At, event};
use crate::select::{by_id, session_in};
use crate::{
    Event, Moved, Registration, Result, RoomClash, SessionWrite, Store, StoreError, Target, Tx, now,
};

/// How long an action's e-mails wait: the time to notice a mistake and undo
/// it with nothing sent.
pub const HOLD_SECONDS: i64 = 5 * 60;

/// How long an action can be undone at all (with corrections once its
/// e-mails went). Later, staff use the ordinary actions.
pub const UNDO_SECONDS: i64 = 24 * 3600;

/// What staff did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionKind {
    SessionCancel,
    SessionRestore,
    EventCancel,
    SessionChange,
    Message,
    RegistrationCancel,
    RegistrationMove,
    /// The corrections sent by undoing another action.
    Undo,
}

impl ActionKind {
    pub const ALL: [ActionKind; 8] = [
        ActionKind::SessionCancel,
        ActionKind::SessionRestore,
        ActionKind::EventCancel,
        ActionKind::SessionChange,
        ActionKind::Message,
        ActionKind::RegistrationCancel,
        ActionKind::RegistrationMove,
        ActionKind::Undo,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ActionKind::SessionCancel => "session_cancel",
            ActionKind::SessionRestore => "session_restore",
            ActionKind::EventCancel => "event_cancel",
            ActionKind::SessionChange => "session_change",
            ActionKind::Message => "message",
            ActionKind::RegistrationCancel => "registration_cancel",
            ActionKind::RegistrationMove => "registration_move",
            ActionKind::Undo => "undo",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// One action, with where its e-mails are.
#[derive(Debug, Clone)]
pub struct StaffAction {
    pub id: i64,
    pub library_id: LibraryId,
    pub kind: ActionKind,
    pub event_id: Option<EventId>,
    pub session_id: Option<SessionId>,
    pub registration_id: Option<RegistrationId>,
    /// Staff's own words, added to every e-mail of the action.
    pub note: String,
    /// The subject of a message to registrants.
    pub subject: String,
    pub actor: String,
    pub created_at: i64,
    pub hold_until: i64,
    pub undone_at: Option<i64>,
    pub undone_by: String,
    /// Its e-mails not sent yet (held, or to be retried).
    pub waiting: i64,
    /// Its e-mails sent, or being sent: people told.
    pub told: i64,
    /// Its e-mails given up on.
    pub failed: i64,
    /// Once undone: the corrections sent to the people told.
    pub corrections: i64,
    undo: Value,
}

impl StaffAction {
    /// Whether undoing is still offered at `now`.
    pub fn undoable(&self, now: i64) -> bool {
        self.kind != ActionKind::Undo
            && self.undone_at.is_none()
            && now < self.created_at + UNDO_SECONDS
    }
}

fn staff_action(r: &AnyRow) -> Result<StaffAction> {
    let kind: String = r.try_get("kind")?;
    let undo: String = r.try_get("undo")?;
    let undo: Value = serde_json::from_str(&undo).unwrap_or(Value::Null);
    Ok(StaffAction {
        id: r.try_get("id")?,
        library_id: r.try_get("library_id")?,
        kind: ActionKind::parse(&kind).ok_or_else(|| {
            StoreError::Unusable(format!("unknown staff action {kind:?} in database"))
        })?,
        event_id: r.try_get("event_id")?,
        session_id: r.try_get("session_id")?,
        registration_id: r.try_get("registration_id")?,
        note: r.try_get("note")?,
        subject: undo["subject"].as_str().unwrap_or_default().to_string(),
        actor: r.try_get("actor")?,
        created_at: r.try_get("created_at")?,
        hold_until: r.try_get("hold_until")?,
        undone_at: r.try_get("undone_at")?,
        undone_by: r.try_get("undone_by")?,
        waiting: r.try_get("waiting")?,
        told: r.try_get("told")?,
        failed: r.try_get("failed")?,
        corrections: r.try_get("corrections")?,
        undo,
    })
}

const ACTION_SELECT: &str = "select a.*, \
     (select count(*) from outbox o where o.action_id = a.id and o.status = 'pending') as waiting, \
     (select count(*) from outbox o where o.action_id = a.id and o.status in ('sent', 'sending')) as told, \
     (select count(*) from outbox o where o.action_id = a.id and o.status = 'failed') as failed, \
     (select count(*) from outbox o join staff_actions u on u.id = o.action_id where u.undo_of = a.id) \
     as corrections from staff_actions a";

/// What undoing did, or why it did not.
#[derive(Debug, Clone, PartialEq)]
pub enum Undone {
    /// Reverted; `corrections` e-mails go to the people already told.
    Done {
        corrections: usize,
    },
    /// Some e-mails already went to `told` people: undoing would send them
    /// a correction. Nothing was changed; ask staff, then undo `confirmed`.
    Confirm {
        told: usize,
    },
    Refused(UndoRefusal),
}

#[derive(Debug, Clone, PartialEq)]
pub enum UndoRefusal {
    AlreadyUndone,
    TooLate,
    /// What the action changed was changed again since.
    ChangedSince,
    /// The former room is now taken by this session.
    RoomTaken(RoomClash),
    /// The seats given back were taken since.
    SeatsTaken,
    /// Someone was told a seat freed up for them: it cannot be taken back.
    PromotionTold,
}

/// An action staff are about to confirm, to count who it will tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    SessionCancel(SessionId),
    SessionRestore(SessionId),
    /// A change of the session's time or room.
    SessionChange(SessionId),
    EventCancel(EventId),
    Message(Target),
    RegistrationCancel(RegistrationId),
    RegistrationMove(RegistrationId),
}

/// What an action is about.
#[derive(Debug, Clone, Copy, Default)]
struct About {
    event_id: Option<EventId>,
    session_id: Option<SessionId>,
    registration_id: Option<RegistrationId>,
}

/// Opens an action inside `tx`: from here until `close`, what `tx` enqueues
/// belongs to it and waits until its hold ends. An undo (`undo_of`) is not
/// held: its corrections were confirmed.
async fn open(
    tx: &mut Tx,
    actor: &Actor,
    kind: ActionKind,
    about: About,
    note: &str,
    undo_of: Option<i64>,
) -> Result<i64> {
    let t = now();
    let held = undo_of.is_none();
    let id = sqlx::query_scalar(
        "insert into staff_actions (library_id, kind, event_id, session_id, registration_id, note, staff_id, \
         actor, created_at, hold_until, undo_of) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
    )
    .bind(actor.library_id)
    .bind(kind.slug())
    .bind(about.event_id)
    .bind(about.session_id)
    .bind(about.registration_id)
    .bind(note)
    .bind(actor.staff_id)
    .bind(&actor.label)
    .bind(t)
    .bind(if held { t + HOLD_SECONDS } else { t })
    .bind(undo_of)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Closes the action before its transaction commits, with what undoing it
/// will need; the caller commits.
async fn close(tx: &mut Tx, id: i64, undo: &Value) -> Result<()> {
    sqlx::query("update staff_actions set in_progress = 0, undo = $1 where id = $2")
        .bind(undo.to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A registration's place, as undoing puts it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Place {
    event_id: EventId,
    session_id: Option<SessionId>,
    status: String,
    queue_order: i64,
    promoted_at: Option<i64>,
    cancelled_at: Option<i64>,
}

impl Place {
    fn at(&self) -> At {
        At {
            event_id: self.event_id,
            session_id: self.session_id,
        }
    }
}

async fn place(c: &mut AnyConnection, id: RegistrationId) -> Result<Place> {
    let r = sqlx::query(
        "select event_id, session_id, status, queue_order, promoted_at, cancelled_at from registrations where id = $1",
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await?;
    Ok(Place {
        event_id: r.try_get("event_id")?,
        session_id: r.try_get("session_id")?,
        status: r.try_get("status")?,
        queue_order: r.try_get("queue_order")?,
        promoted_at: r.try_get("promoted_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
    })
}

async fn put_back(tx: &mut Tx, id: RegistrationId, p: &Place) -> Result<()> {
    sqlx::query(
        "update registrations set event_id = $1, session_id = $2, status = $3, queue_order = $4, promoted_at = $5, \
         cancelled_at = $6, updated_at = $7 where id = $8",
    )
    .bind(p.event_id)
    .bind(p.session_id)
    .bind(&p.status)
    .bind(p.queue_order)
    .bind(p.promoted_at)
    .bind(p.cancelled_at)
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn event_in(c: &mut AnyConnection, library_id: LibraryId, id: EventId) -> Result<Event> {
    let r = sqlx::query("select * from events where id = $1 and library_id = $2")
        .bind(id)
        .bind(library_id)
        .fetch_optional(&mut *c)
        .await?
        .ok_or(StoreError::NotFound)?;
    event(&r)
}

/// More seats confirmed than the session (or course) holds.
async fn overbooked(c: &mut AnyConnection, at: At) -> Result<bool> {
    let st = seat_state(c, at).await?;
    Ok(st.offer.capacity.is_some_and(|cap| st.offer.taken > cap))
}

/// How many waiting parties with an e-mail would be promoted if `freed`
/// seats were given back at `at`, `leaving` out of the list (the same rule
/// as `registrations::settle`).
async fn would_promote(
    c: &mut AnyConnection,
    at: At,
    leaving: RegistrationId,
    freed: u32,
) -> Result<usize> {
    let st = seat_state(c, at).await?;
    if st.offer.cancelled || now() >= st.offer.starts_at || freed == 0 {
        return Ok(0);
    }
    let free = st
        .offer
        .free()
        .map_or(u32::MAX, |f| f.saturating_add(freed));
    let rows = sqlx::query(
        "select id, seats, email from registrations where event_id = $1 and coalesce(session_id, 0) = $2 \
         and status = 'waiting' and id <> $3 order by queue_order, id",
    )
    .bind(at.event_id)
    .bind(at.key())
    .bind(leaving)
    .fetch_all(&mut *c)
    .await?;
    let mut waiting = Vec::new();
    let mut with_email = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        waiting.push(WaitingParty {
            id,
            seats: r.try_get::<i64, _>("seats")? as u32,
        });
        if !r.try_get::<String, _>("email")?.is_empty() {
            with_email.push(id);
        }
    }
    Ok(promotions(free, &waiting)
        .iter()
        .filter(|id| with_email.contains(id))
        .count())
}

impl Store {
    /// How many people the action will write to, for the page that asks
    /// staff to confirm it.
    pub async fn audience(&self, library_id: LibraryId, p: Planned) -> Result<usize> {
        let mut c = self.pool().acquire().await?;
        let c = &mut *c;
        let sends = |plans: Vec<(Registration, Plan)>| {
            plans.iter().filter(|(_, p)| *p == Plan::Send).count()
        };
        Ok(match p {
            Planned::SessionCancel(id)
            | Planned::SessionRestore(id)
            | Planned::SessionChange(id) => {
                let s = session_in(c, library_id, id).await?;
                let (kind, payload) = match p {
                    Planned::SessionCancel(_) if !s.cancelled => {
                        (MailKind::SessionCancelled, json!({}))
                    }
                    Planned::SessionRestore(_) if s.cancelled => {
                        (MailKind::Changed, json!({ "restored": true }))
                    }
                    Planned::SessionChange(_) if !s.is_cancelled() => {
                        (MailKind::Changed, json!({}))
                    }
                    _ => return Ok(0),
                };
                sends(crate::mail::plan(c, s.event_id, Some(id), kind, &payload).await?)
            }
            Planned::EventCancel(id) => {
                let e = event_in(c, library_id, id).await?;
                if e.status == EventStatus::Cancelled {
                    return Ok(0);
                }
                sends(crate::mail::plan(c, id, None, MailKind::SessionCancelled, &json!({})).await?)
            }
            Planned::Message(target) => self
                .list_registrations(library_id, target)
                .await?
                .iter()
                .filter(|r| r.status == RegistrationStatus::Confirmed && !r.email.is_empty())
                .count(),
            Planned::RegistrationCancel(id) | Planned::RegistrationMove(id) => {
                let r = by_id(c, id).await?;
                if r.library_id != library_id {
                    return Err(StoreError::NotFound);
                }
                if r.status == RegistrationStatus::Cancelled {
                    return Ok(0);
                }
                let freed = if r.status == RegistrationStatus::Confirmed {
                    r.seats
                } else {
                    0
                };
                usize::from(!r.email.is_empty()) + would_promote(c, r.at(), r.id, freed).await?
            }
        })
    }

    pub async fn staff_action(&self, library_id: LibraryId, id: i64) -> Result<StaffAction> {
        let r = sqlx::query(&format!(
            "{ACTION_SELECT} where a.id = $1 and a.library_id = $2"
        ))
        .bind(id)
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        staff_action(&r)
    }

    /// An event's actions that can still be undone, newest first.
    pub async fn undoable_actions(
        &self,
        library_id: LibraryId,
        event_id: EventId,
    ) -> Result<Vec<StaffAction>> {
        let rows = sqlx::query(&format!(
            "{ACTION_SELECT} where a.library_id = $1 and a.event_id = $2 and a.undone_at is null \
             and a.kind <> 'undo' and a.created_at > $3 order by a.id desc limit 20"
        ))
        .bind(library_id)
        .bind(event_id)
        .bind(now() - UNDO_SECONDS)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(staff_action).collect()
    }

    /// Cancels (or restores) a session as staff confirmed it, `note` added
    /// to the e-mails, which wait out the hold. None when it already was.
    pub async fn cancel_session_held(
        &self,
        actor: &Actor,
        id: SessionId,
        cancelled: bool,
        note: &str,
    ) -> Result<Option<i64>> {
        let mut tx = self.write().await?;
        let s = session_in(&mut tx, actor.library_id, id).await?;
        if s.cancelled == cancelled {
            return Ok(None);
        }
        let kind = if cancelled {
            ActionKind::SessionCancel
        } else {
            ActionKind::SessionRestore
        };
        let about = About {
            event_id: Some(s.event_id),
            session_id: Some(id),
            registration_id: None,
        };
        let a = open(&mut tx, actor, kind, about, note, None).await?;
        set_cancelled_in(&mut tx, actor, id, cancelled).await?;
        close(&mut tx, a, &json!({})).await?;
        tx.commit().await?;
        Ok(Some(a))
    }

    /// Cancels a whole event as staff confirmed it. None when it already was.
    pub async fn cancel_event_held(
        &self,
        actor: &Actor,
        id: EventId,
        note: &str,
    ) -> Result<Option<i64>> {
        let mut tx = self.write().await?;
        let before = event_in(&mut tx, actor.library_id, id).await?;
        if before.status == EventStatus::Cancelled {
            return Ok(None);
        }
        let about = About {
            event_id: Some(id),
            ..About::default()
        };
        let a = open(&mut tx, actor, ActionKind::EventCancel, about, note, None).await?;
        let cancelled = Event {
            status: EventStatus::Cancelled,
            ..before.clone()
        };
        write_event(&mut tx, actor, Some(&before), &cancelled).await?;
        close(&mut tx, a, &json!({ "status": before.status.slug() })).await?;
        tx.commit().await?;
        Ok(Some(a))
    }

    /// Saves a session whose time or room change is announced to its
    /// registrants, as staff confirmed it.
    pub async fn save_session_held(
        &self,
        actor: &Actor,
        id: SessionId,
        w: &SessionWrite,
        note: &str,
    ) -> Result<Result<i64, RoomClash>> {
        let mut tx = self.write().await?;
        let before = session_in(&mut tx, actor.library_id, id).await?;
        let about = About {
            event_id: Some(before.event_id),
            session_id: Some(id),
            registration_id: None,
        };
        let a = open(&mut tx, actor, ActionKind::SessionChange, about, note, None).await?;
        if let Err(clash) = write_session(&mut tx, actor, Some(&before), w).await? {
            return Ok(Err(clash));
        }
        let after = session_in(&mut tx, actor.library_id, id).await?;
        let undo = json!({
            "before": SessionWrite::from(&before),
            "after": SessionWrite::from(&after),
        });
        close(&mut tx, a, &undo).await?;
        tx.commit().await?;
        Ok(Ok(a))
    }

    /// Staff's message to the confirmed parties of `target`, held like the
    /// others; the action and how many it writes to.
    pub async fn email_registrants_held(
        &self,
        actor: &Actor,
        target: Target,
        subject: &str,
        text: &str,
    ) -> Result<(i64, usize)> {
        let list = self.list_registrations(actor.library_id, target).await?;
        let mut tx = self.write().await?;
        let about = match target {
            Target::Session(id) => About {
                event_id: Some(session_in(&mut tx, actor.library_id, id).await?.event_id),
                session_id: Some(id),
                registration_id: None,
            },
            Target::Course(event_id) => About {
                event_id: Some(event_id),
                ..About::default()
            },
        };
        let a = open(&mut tx, actor, ActionKind::Message, about, "", None).await?;
        let n =
            crate::mail::email_registrants_in(&mut tx, actor, target, &list, subject, text).await?;
        close(&mut tx, a, &json!({ "subject": subject })).await?;
        tx.commit().await?;
        Ok((a, n))
    }

    /// Cancels a registration as staff confirmed it; who now fits is
    /// promoted. None when it already was cancelled.
    pub async fn cancel_registration_held(
        &self,
        actor: &Actor,
        id: RegistrationId,
        note: &str,
    ) -> Result<Option<i64>> {
        let mut tx = self.write().await?;
        let r = locked(&mut tx, actor, id, &[]).await?;
        if r.status == RegistrationStatus::Cancelled {
            return Ok(None);
        }
        let before = place(&mut tx, id).await?;
        let about = About {
            event_id: Some(r.event_id),
            session_id: r.session_id,
            registration_id: Some(id),
        };
        let a = open(
            &mut tx,
            actor,
            ActionKind::RegistrationCancel,
            about,
            note,
            None,
        )
        .await?;
        crate::registrations::cancel_locked(&mut tx, actor, &r).await?;
        let after = place(&mut tx, id).await?;
        close(&mut tx, a, &json!({ "before": before, "after": after })).await?;
        tx.commit().await?;
        Ok(Some(a))
    }

    /// Moves a registration as staff confirmed it: what happened, and the
    /// action when it moved.
    pub async fn move_registration_held(
        &self,
        actor: &Actor,
        id: RegistrationId,
        to: Target,
        note: &str,
    ) -> Result<(Moved, Option<i64>)> {
        let mut tx = self.write().await?;
        let to_event = crate::registrations::event_of(&mut tx, actor.library_id, to).await?;
        let r = locked(&mut tx, actor, id, &[to_event]).await?;
        let before = place(&mut tx, id).await?;
        let about = About {
            event_id: Some(r.event_id),
            session_id: r.session_id,
            registration_id: Some(id),
        };
        let a = open(
            &mut tx,
            actor,
            ActionKind::RegistrationMove,
            about,
            note,
            None,
        )
        .await?;
        let moved = move_in(&mut tx, actor, id, to).await?;
        let after = place(&mut tx, id).await?;
        if !matches!(moved, Moved::Done { .. }) || after == before {
            return Ok((moved, None));
        }
        close(&mut tx, a, &json!({ "before": before, "after": after })).await?;
        tx.commit().await?;
        Ok((moved, Some(a)))
    }

    /// Undoes an action in one transaction: the change reverted, its
    /// e-mails not sent yet deleted. When some went, nothing happens unless
    /// `confirmed`: then the people told get a correction.
    pub async fn undo_action(&self, actor: &Actor, id: i64, confirmed: bool) -> Result<Undone> {
        let a = self.staff_action(actor.library_id, id).await?;
        if a.kind == ActionKind::Undo || a.undone_at.is_some() {
            return Ok(Undone::Refused(UndoRefusal::AlreadyUndone));
        }
        if !a.undoable(now()) {
            return Ok(Undone::Refused(UndoRefusal::TooLate));
        }
        let mut tx = self.write().await?;
        // Of two clicks, one undoes.
        let claimed = sqlx::query(
            "update staff_actions set undone_at = $1, undone_by = $2 where id = $3 and undone_at is null",
        )
        .bind(now())
        .bind(&actor.label)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(Undone::Refused(UndoRefusal::AlreadyUndone));
        }
        // Deleted before looking at who was told: a worker that claims one
        // meanwhile makes it "told" (PostgreSQL re-checks the status when
        // the delete waits on the claim's row lock; SQLite has one writer).
        sqlx::query("delete from outbox where action_id = $1 and status = 'pending'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let told: Vec<RegistrationId> = sqlx::query_scalar(
            "select distinct registration_id from outbox where action_id = $1 \
             and status in ('sent', 'sending') and registration_id is not null",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let about = About {
            event_id: a.event_id,
            session_id: a.session_id,
            registration_id: a.registration_id,
        };
        let undo = open(&mut tx, actor, ActionKind::Undo, about, "", Some(id)).await?;
        if let Some(why) = revert(&mut tx, actor, &a, undo, &told).await? {
            return Ok(Undone::Refused(why));
        }
        keep_corrections_for_told(&mut tx, undo, id).await?;
        if !told.is_empty() && !confirmed {
            return Ok(Undone::Confirm { told: told.len() });
        }
        let corrections: i64 =
            sqlx::query_scalar("select count(*) from outbox where action_id = $1")
                .bind(undo)
                .fetch_one(&mut *tx)
                .await?;
        record(
            &mut tx,
            actor,
            "staff_action",
            id,
            "undo",
            None,
            Some(&json!({ "kind": a.kind.slug(), "corrections": corrections })),
        )
        .await?;
        close(&mut tx, undo, &json!({ "of": id })).await?;
        tx.commit().await?;
        Ok(Undone::Done {
            corrections: corrections as usize,
        })
    }
}

/// The corrections an undo wrote go only to people the action's e-mails
/// reached; others were never told and hear nothing. Promotions the undo
/// caused are news, not corrections: they stay.
async fn keep_corrections_for_told(tx: &mut Tx, undo: i64, of: i64) -> Result<()> {
    sqlx::query(
        "delete from outbox where action_id = $1 and status = 'pending' \
         and kind in ('session_cancelled', 'changed', 'moved', 'correction') \
         and (registration_id is null or registration_id not in (select registration_id from outbox \
         where action_id = $2 and status in ('sent', 'sending') and registration_id is not null))",
    )
    .bind(undo)
    .bind(of)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts back the parties the action promoted on the waiting list (their
/// rank is their arrival, kept): refused when one was told.
async fn demote_promoted(
    tx: &mut Tx,
    actor: &Actor,
    action: i64,
    told: &[RegistrationId],
) -> Result<Option<UndoRefusal>> {
    let ids: Vec<RegistrationId> = sqlx::query_scalar(
        "select distinct entity_id from audit_log where action_id = $1 and entity = 'registration' \
         and action = 'promote' order by entity_id",
    )
    .bind(action)
    .fetch_all(&mut **tx)
    .await?;
    for id in ids {
        if told.contains(&id) {
            return Ok(Some(UndoRefusal::PromotionTold));
        }
        if place(tx, id).await?.status != RegistrationStatus::Confirmed.slug() {
            return Ok(Some(UndoRefusal::ChangedSince));
        }
        sqlx::query(
            "update registrations set status = 'waiting', promoted_at = null, updated_at = $1 where id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        record(
            tx,
            actor,
            "registration",
            id,
            "unpromote",
            None,
            Some(&json!({ "action": action })),
        )
        .await?;
    }
    Ok(None)
}

/// Reverts what `a` changed, inside the undo's transaction; `Some` why not.
async fn revert(
    tx: &mut Tx,
    actor: &Actor,
    a: &StaffAction,
    undo: i64,
    told: &[RegistrationId],
) -> Result<Option<UndoRefusal>> {
    let lib = actor.library_id;
    let changed = Ok(Some(UndoRefusal::ChangedSince));
    match a.kind {
        ActionKind::SessionCancel | ActionKind::SessionRestore => {
            let Some(sid) = a.session_id else {
                return changed;
            };
            let was_cancelled = a.kind == ActionKind::SessionCancel;
            if session_in(tx, lib, sid).await?.cancelled != was_cancelled {
                return changed;
            }
            // Tells the people who were told (the others are filtered out).
            set_cancelled_in(tx, actor, sid, !was_cancelled).await?;
        }
        ActionKind::EventCancel => {
            let Some(eid) = a.event_id else {
                return changed;
            };
            let current = event_in(tx, lib, eid).await?;
            let before = a.undo["status"]
                .as_str()
                .and_then(EventStatus::parse)
                .unwrap_or(EventStatus::Published);
            if current.status != EventStatus::Cancelled {
                return changed;
            }
            let back = Event {
                status: before,
                ..current.clone()
            };
            write_event(tx, actor, Some(&current), &back).await?;
            if before == EventStatus::Published {
                crate::mail::on_session(
                    tx,
                    eid,
                    None,
                    MailKind::Changed,
                    json!({ "restored": true }),
                )
                .await?;
            }
        }
        ActionKind::SessionChange => {
            let (Some(sid), Ok(before), Ok(after)) = (
                a.session_id,
                serde_json::from_value::<SessionWrite>(a.undo["before"].clone()),
                serde_json::from_value::<SessionWrite>(a.undo["after"].clone()),
            ) else {
                return changed;
            };
            let current = session_in(tx, lib, sid).await?;
            if SessionWrite::from(&current) != after {
                return changed;
            }
            if let Some(why) = demote_promoted(tx, actor, a.id, told).await? {
                return Ok(Some(why));
            }
            if let Err(clash) = write_session(tx, actor, Some(&current), &before).await? {
                return Ok(Some(UndoRefusal::RoomTaken(clash)));
            }
            let at =
                crate::registrations::resolve(tx, current.event_id, Target::Session(sid)).await?;
            if overbooked(tx, at).await? {
                return Ok(Some(UndoRefusal::SeatsTaken));
            }
        }
        ActionKind::Message => {
            for id in told {
                let r = by_id(tx, *id).await?;
                if r.status != RegistrationStatus::Cancelled && !r.email.is_empty() {
                    crate::mail::correction(
                        tx,
                        &r,
                        json!({ "undone": a.kind.slug(), "subject": a.subject }),
                    )
                    .await?;
                }
            }
        }
        ActionKind::RegistrationCancel | ActionKind::RegistrationMove => {
            let (Some(rid), Ok(before), Ok(after)) = (
                a.registration_id,
                serde_json::from_value::<Place>(a.undo["before"].clone()),
                serde_json::from_value::<Place>(a.undo["after"].clone()),
            ) else {
                return changed;
            };
            locked(tx, actor, rid, &[before.event_id, after.event_id]).await?;
            if place(tx, rid).await? != after {
                return changed;
            }
            if let Some(why) = demote_promoted(tx, actor, a.id, told).await? {
                return Ok(Some(why));
            }
            put_back(tx, rid, &before).await?;
            record(
                tx,
                actor,
                "registration",
                rid,
                "reinstate",
                None,
                Some(&json!({ "action": a.id, "status": before.status })),
            )
            .await?;
            if before.status == RegistrationStatus::Confirmed.slug()
                && overbooked(tx, before.at()).await?
            {
                return Ok(Some(UndoRefusal::SeatsTaken));
            }
            let r = by_id(tx, rid).await?;
            if told.contains(&rid) {
                if a.kind == ActionKind::RegistrationMove {
                    crate::mail::on_registration(tx, &r, Some(MailKind::Moved)).await?;
                } else {
                    crate::mail::correction(tx, &r, json!({ "undone": a.kind.slug() })).await?;
                }
            }
            if a.kind == ActionKind::RegistrationMove {
                // Seats it held where it went are free again.
                keep_corrections_for_told(tx, undo, a.id).await?;
                settle(tx, actor, after.at(), None).await?;
            }
        }
        ActionKind::Undo => return Ok(Some(UndoRefusal::AlreadyUndone)),
    }
    Ok(None)
}
