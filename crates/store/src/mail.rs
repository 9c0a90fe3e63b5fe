//! The e-mail outbox: messages enqueued inside the transaction of the change
//! they announce; claimed by workers (several servers may share the
//! database: a claim is one conditional UPDATE, so one wins), retried with
//! backoff, given up on after some attempts and kept for staff to see; and
//! the facts a message is composed from. Composing and sending live in
//! the jobs crate.

use almanach_domain::Lang;
use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::feeds::{CalendarSession, calendar_select, calendar_session};
use crate::rows::{Registration, Target, registration};
use crate::select::by_id;
use crate::{Actor, Event, Library, Result, Store, StoreError, Tx, classify, now};

/// What a message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MailKind {
    Confirmed,
    Waiting,
    Promoted,
    /// The registration was cancelled (by the person or by staff).
    Cancelled,
    /// Staff moved the registration to another session.
    Moved,
    /// Someone registered again with the same e-mail: the link is sent again.
    AlreadyRegistered,
    /// The session, or the whole event, was cancelled by staff.
    SessionCancelled,
    /// The session's time or room changed, or it was restored.
    Changed,
    Reminder,
    /// A message staff wrote to every registrant of a session.
    Staff,
    /// The weekly digest to the IT department: about no registration.
    ItDigest,
    /// Staff undid an action after its message went: what to disregard
    /// (`payload.undone`: the action's kind).
    Correction,
    /// A link to choose a new password, to a staff member who asked.
    PasswordReset,
}

impl MailKind {
    pub const ALL: [MailKind; 13] = [
        MailKind::Confirmed,
        MailKind::Waiting,
        MailKind::Promoted,
        MailKind::Cancelled,
        MailKind::Moved,
        MailKind::AlreadyRegistered,
        MailKind::SessionCancelled,
        MailKind::Changed,
        MailKind::Reminder,
        MailKind::Staff,
        MailKind::ItDigest,
        MailKind::Correction,
        MailKind::PasswordReset,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            MailKind::Confirmed => "confirmed",
            MailKind::Waiting => "waiting",
            MailKind::Promoted => "promoted",
            MailKind::Cancelled => "cancelled",
            MailKind::Moved => "moved",
            MailKind::AlreadyRegistered => "already_registered",
            MailKind::SessionCancelled => "session_cancelled",
            MailKind::Changed => "changed",
            MailKind::Reminder => "reminder",
            MailKind::Staff => "staff",
            MailKind::ItDigest => "it_digest",
            MailKind::Correction => "correction",
            MailKind::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.slug() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MailStatus {
    Pending,
    /// Claimed by a worker until `lease_until`.
    Sending,
    Sent,
    /// Given up on: kept for staff, with the last error.
    Failed,
}

impl MailStatus {
    pub fn slug(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<MailStatus> {
        [
            MailStatus::Pending,
            MailStatus::Sending,
            MailStatus::Sent,
            MailStatus::Failed,
        ]
        .into_iter()
        .find(|k| k.slug() == s)
    }
}

/// One message of the outbox. Its `Debug` leaves out the recipient and
/// the bodies, so it never puts personal data in a log.
#[derive(Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub library_id: LibraryId,
    pub kind: MailKind,
    pub registration_id: Option<RegistrationId>,
    pub session_id: Option<SessionId>,
    pub recipient: String,
    pub lang: Lang,
    pub payload: Value,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub ics: String,
    pub status: MailStatus,
    /// Attempts begun; while sending, the number of the current one, which
    /// is the claim: only its holder may record the outcome.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The staff action that caused it (see `actions`), if any.
    pub action_id: Option<i64>,
}

impl std::fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("registration_id", &self.registration_id)
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OutboxMessage {
    /// Whether subject and bodies were composed (at the first attempt).
    pub fn composed(&self) -> bool {
        !self.subject.is_empty()
    }
}

fn message(r: &AnyRow) -> Result<OutboxMessage> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let lang: String = r.try_get("lang")?;
    let payload: String = r.try_get("payload")?;
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        library_id: r.try_get("library_id")?,
        kind: MailKind::parse(&kind).ok_or_else(|| {
            StoreError::Unusable(format!("unknown mail kind {kind:?} in database"))
        })?,
        registration_id: r.try_get("registration_id")?,
        session_id: r.try_get("session_id")?,
        recipient: r.try_get("recipient")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        subject: r.try_get("subject")?,
        text_body: r.try_get("text_body")?,
        html_body: r.try_get("html_body")?,
        ics: r.try_get("ics")?,
        status: MailStatus::parse(&status).ok_or_else(|| {
            StoreError::Unusable(format!("unknown mail status {status:?} in database"))
        })?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        lease_until: r.try_get("lease_until")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        action_id: r.try_get("action_id")?,
    })
}

/// A message to enqueue about a registration.
struct Enqueue<'a> {
    kind: MailKind,
    registration: &'a Registration,
    session_id: Option<SessionId>,
    payload: Value,
}

async fn enqueue(tx: &mut Tx, e: Enqueue<'_>) -> Result<()> {
    enqueue_all(tx, std::slice::from_ref(&e)).await
}

/// Messages in one statement, at most (see `sql::pieces`).
const MESSAGES_PER_STATEMENT: usize = 32;

/// Enqueues `messages` in as few statements as their number allows (the
/// registrar writes a batch's in one). A party without an e-mail (a phone
/// caller, an anonymised party) gets none.
async fn enqueue_all(tx: &mut Tx, messages: &[Enqueue<'_>]) -> Result<()> {
    let messages: Vec<&Enqueue> = messages
        .iter()
        .filter(|e| !e.registration.email.is_empty())
        .collect();
    let t = now();
    for chunk in crate::sql::pieces(&messages, MESSAGES_PER_STATEMENT) {
        // A message of a staff action belongs to it and waits out its hold
        // (`select::OPEN_ACTION`: the open action of this transaction, if any).
        let values = crate::sql::value_rows(chunk.len(), 1, 7, |p| {
            format!(
                "({}, {}, {}, {}, {}, {}, {}, coalesce((select max(hold_until) {open}), $1), $1, \
                 (select max(id) {open}))",
                p[0],
                p[1],
                p[2],
                p[3],
                p[4],
                p[5],
                p[6],
                open = crate::select::OPEN_ACTION
            )
        });
        let sql = format!(
            "insert into outbox (library_id, kind, registration_id, session_id, recipient, lang, payload, \
             next_attempt_at, created_at, action_id) values {values}"
        );
        let mut q = sqlx::query(&sql).bind(t);
        for e in chunk {
            let r = e.registration;
            q = q
                .bind(r.library_id)
                .bind(e.kind.slug())
                .bind(r.id)
                .bind(e.session_id)
                .bind(&r.email)
                .bind(r.lang.code())
                .bind(e.payload.to_string());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The registration's state when the message was enqueued: the composer
/// tells what was true then, whatever happens before it runs.
fn state_of(r: &Registration) -> Value {
    json!({ "status": r.status.slug(), "position": r.position })
}

/// From `registrations::notify`, in the change's transaction.
pub(crate) async fn on_registration(
    tx: &mut Tx,
    r: &Registration,
    kind: Option<MailKind>,
) -> Result<()> {
    match kind {
        Some(kind) => {
            enqueue(
                tx,
                Enqueue {
                    kind,
                    registration: r,
                    session_id: r.session_id,
                    payload: state_of(r),
                },
            )
            .await
        }
        None => {
            // The person's data is erased: so are the messages to them.
            sqlx::query("delete from outbox where registration_id = $1")
                .bind(r.id)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    }
}

/// `on_registration` for many changes at once, none of them an erasure.
pub(crate) async fn on_registrations(
    tx: &mut Tx,
    changes: &[(&Registration, MailKind)],
) -> Result<()> {
    let messages: Vec<Enqueue> = changes
        .iter()
        .map(|&(r, kind)| Enqueue {
            kind,
            registration: r,
            session_id: r.session_id,
            payload: state_of(r),
        })
        .collect();
    enqueue_all(tx, &messages).await
}

/// A correction to one person after staff undid an action whose message
/// had reached them: `extra` says what (`undone`, the message's `subject`).
pub(crate) async fn correction(tx: &mut Tx, r: &Registration, extra: Value) -> Result<()> {
    let mut payload = state_of(r);
    if let (Value::Object(p), Value::Object(extra)) = (&mut payload, extra) {
        p.extend(extra);
    }
    enqueue(
        tx,
        Enqueue {
            kind: MailKind::Correction,
            registration: r,
            session_id: r.session_id,
            payload,
        },
    )
    .await
}

/// Live registrations (confirmed or waiting) concerned by a session, or by
/// every session of an event when `session_id` is None.
async fn live_registrations(
    c: &mut AnyConnection,
    event_id: EventId,
    session_id: Option<SessionId>,
) -> Result<Vec<Registration>> {
    let rows = sqlx::query(
        "select * from registrations where event_id = $1 and status <> 'cancelled' and email <> '' \
         and ($2 = 0 or session_id = $2 or session_id is null) order by id",
    )
    .bind(event_id)
    .bind(session_id.map_or(0, SessionId::get))
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(registration).collect()
}

/// Deletes the cancellation notices of an event's registrants that were
/// not sent yet: the event is no longer cancelled, and whoever was not told
/// need not be.
pub(crate) async fn withdraw_unsent_cancellations(tx: &mut Tx, event_id: EventId) -> Result<()> {
    sqlx::query(
        "delete from outbox where kind = 'session_cancelled' and status = 'pending' \
         and registration_id in (select id from registrations where event_id = $1)",
    )
    .bind(event_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What becomes of one registrant's notice about a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    Send,
    /// Their last word about the session says the opposite and was never
    /// sent: that message is deleted (its id) and neither goes.
    Withdraw(i64),
    /// Their last word says the opposite and was given up on: they were
    /// never told, so there is nothing to take back.
    Skip,
}

/// Whether a notice is "cancelled" or "maintained" (restored): the two that
/// take each other back.
fn cancel_or_restore(kind: &str, payload: &str) -> Option<bool> {
    match kind {
        "session_cancelled" => Some(true),
        "changed" => serde_json::from_str::<Value>(payload)
            .ok()
            .filter(|p| p["restored"].as_bool() == Some(true))
            .map(|_| false),
        _ => None,
    }
}

/// Who gets a notice of `kind` about a session (or a whole event), and
/// what becomes of each one's earlier notice: a cancellation not yet sent
/// is withdrawn by the restoring, instead of two messages crossing.
pub(crate) async fn plan(
    c: &mut AnyConnection,
    event_id: EventId,
    session_id: Option<SessionId>,
    kind: MailKind,
    payload: &Value,
) -> Result<Vec<(Registration, Plan)>> {
    let cancels = match kind {
        MailKind::SessionCancelled => Some(true),
        MailKind::Changed if payload["restored"].as_bool() == Some(true) => Some(false),
        _ => None,
    };
    let mut out = Vec::new();
    for r in live_registrations(c, event_id, session_id).await? {
        let mut plan = Plan::Send;
        if let Some(cancels) = cancels {
            let last = sqlx::query(
                "select id, kind, status, payload from outbox where registration_id = $1 \
                 and coalesce(session_id, 0) = $2 and kind in ('session_cancelled', 'changed') order by id desc limit 1",
            )
            .bind(r.id)
            .bind(session_id.or(r.session_id).map_or(0, SessionId::get))
            .fetch_optional(&mut *c)
            .await?;
            if let Some(last) = last {
                let (k, status, p): (String, String, String) = (
                    last.try_get("kind")?,
                    last.try_get("status")?,
                    last.try_get("payload")?,
                );
                if cancel_or_restore(&k, &p) == Some(!cancels) {
                    plan = match status.as_str() {
                        "pending" => Plan::Withdraw(last.try_get("id")?),
                        "failed" => Plan::Skip,
                        _ => Plan::Send,
                    };
                }
            }
        }
        out.push((r, plan));
    }
    Ok(out)
}

/// Tells every live registrant of a session (or of a whole event, when
/// `session_id` is None) about a change staff made; see `plan`.
pub(crate) async fn on_session(
    tx: &mut Tx,
    event_id: EventId,
    session_id: Option<SessionId>,
    kind: MailKind,
    payload: Value,
) -> Result<()> {
    for (r, plan) in plan(tx, event_id, session_id, kind, &payload).await? {
        match plan {
            Plan::Send => {}
            Plan::Skip => continue,
            Plan::Withdraw(id) => {
                sqlx::query("delete from outbox where id = $1 and status = 'pending'")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                continue;
            }
        }
        let mut p = state_of(&r);
        if let (Value::Object(p), Value::Object(extra)) = (&mut p, &payload) {
            p.extend(extra.clone());
        }
        enqueue(
            tx,
            Enqueue {
                kind,
                registration: &r,
                session_id: session_id.or(r.session_id),
                payload: p,
            },
        )
        .await?;
    }
    Ok(())
}

/// What to look for in the outbox; every field optional.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub registration_id: Option<RegistrationId>,
    /// About this session: sent for it, or to a registration for it (or
    /// for its course).
    pub session_id: Option<SessionId>,
    pub kind: Option<MailKind>,
    pub status: Option<MailStatus>,
}

/// A confirmed party's coming session, for the reminder job.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderCandidate {
    pub registration_id: RegistrationId,
    pub session_id: SessionId,
    pub starts_at: i64,
    /// When the party got its seats (registered confirmed, or promoted).
    pub confirmed_at: i64,
    pub timezone: String,
}

/// What composing a message needs.
#[derive(Debug, Clone)]
pub struct MailFacts {
    pub library: Library,
    pub registration: Registration,
    /// The private link's token derives from it (see `domain::link`).
    pub link_seed: String,
    pub token_hash: String,
    pub event: Event,
    /// The sessions the message is about, in time order.
    pub sessions: Vec<CalendarSession>,
    /// Staff's own words about the action that caused the message, if any.
    pub note: String,
}

impl Store {
    /// Claims up to `limit` messages due at `now` (pending and due, or
    /// claimed by a worker whose lease lapsed), each until `now + lease`.
    /// Each claim is one conditional UPDATE: of two workers, one wins.
    pub async fn claim_due(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<OutboxMessage>> {
        const DUE: &str = "((status = 'pending' and next_attempt_at <= $1) or (status = 'sending' and lease_until <= $1))";
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "select id from outbox where {DUE} order by next_attempt_at, id limit $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for id in ids {
            let mut tx = self.write().await?;
            let row = sqlx::query(&format!(
                "update outbox set status = 'sending', attempts = attempts + 1, lease_until = $2 \
                 where id = $3 and {DUE} returning *"
            ))
            .bind(now)
            .bind(now + lease)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            if let Some(row) = row {
                claimed.push(message(&row)?);
            }
        }
        Ok(claimed)
    }

    /// Gives back a claim not yet tried (a worker stopping mid-batch): the
    /// message is pending again, due as before, and the attempt it was
    /// charged is returned. Only the claim's holder writes.
    pub async fn release_claim(&self, m: &OutboxMessage) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update outbox set status = 'pending', lease_until = null, attempts = attempts - 1 \
             where id = $1 and attempts = $2 and status = 'sending'",
        )
        .bind(m.id)
        .bind(m.attempts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n.rows_affected() == 1)
    }

    /// Keeps what was composed at the first attempt, so retries send the
    /// same message. Only the claim's holder writes.
    pub async fn save_composed(&self, m: &OutboxMessage) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "update outbox set subject = $1, text_body = $2, html_body = $3, ics = $4 \
             where id = $5 and attempts = $6 and status = 'sending'",
        )
        .bind(&m.subject)
        .bind(&m.text_body)
        .bind(&m.html_body)
        .bind(&m.ics)
        .bind(m.id)
        .bind(m.attempts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a delivery. False when the claim was lost meanwhile (its
    /// lease lapsed and another worker took it): the message may then go
    /// twice, never zero times.
    pub async fn mark_sent(&self, m: &OutboxMessage, at: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update outbox set status = 'sent', sent_at = $1, lease_until = null, last_error = '' \
             where id = $2 and attempts = $3 and status = 'sending'",
        )
        .bind(at)
        .bind(m.id)
        .bind(m.attempts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n.rows_affected() == 1)
    }

    /// Records a failed attempt: retried from `retry_at`, or given up on
    /// (`None`) and kept, with the error, for staff to see.
    pub async fn mark_failed(
        &self,
        m: &OutboxMessage,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        let error: String = error.chars().take(500).collect();
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update outbox set status = $1, next_attempt_at = coalesce($2, next_attempt_at), lease_until = null, \
             last_error = $3 where id = $4 and attempts = $5 and status = 'sending'",
        )
        .bind(if retry_at.is_some() { "pending" } else { "failed" })
        .bind(retry_at)
        .bind(error)
        .bind(m.id)
        .bind(m.attempts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n.rows_affected() == 1)
    }

    /// Messages of a library, newest first.
    pub async fn outbox(
        &self,
        library_id: LibraryId,
        f: &OutboxFilter,
    ) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query(
            "select * from outbox where library_id = $1 and ($2 = 0 or registration_id = $2) \
             and ($3 = 0 or session_id = $3 or registration_id in (select r.id from registrations r \
             join sessions s on s.event_id = r.event_id where s.id = $3 and (r.session_id = s.id or r.session_id is null))) \
             and ($4 = '' or kind = $4) and ($5 = '' or status = $5) order by id desc limit 500",
        )
        .bind(library_id)
        .bind(f.registration_id.map_or(0, RegistrationId::get))
        .bind(f.session_id.map_or(0, SessionId::get))
        .bind(f.kind.map_or("", MailKind::slug))
        .bind(f.status.map_or("", MailStatus::slug))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message).collect()
    }

    /// Deletes sent and given-up messages created before `before`: they hold
    /// names and addresses, kept only as long as staff may need them.
    pub async fn purge_outbox(&self, before: i64) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "delete from outbox where status in ('sent', 'failed') and created_at < $1",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n.rows_affected())
    }

    /// Counts of messages by status, for the start-up line and staff.
    pub async fn outbox_counts(&self) -> Result<Vec<(MailStatus, i64)>> {
        let rows =
            sqlx::query("select status, count(*) as n from outbox group by status order by status")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .filter_map(|r| {
                let s: String = r.try_get("status").ok()?;
                Some(Ok((MailStatus::parse(&s)?, r.try_get("n").ok()?)))
            })
            .collect()
    }

    /// The registration, event, sessions and library a message speaks of.
    pub async fn mail_facts(&self, m: &OutboxMessage) -> Result<MailFacts> {
        let registration_id = m.registration_id.ok_or(StoreError::NotFound)?;
        let mut c = self.pool().acquire().await?;
        let row =
            sqlx::query("select token_hash, idempotency_hash from registrations where id = $1")
                .bind(registration_id)
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound)?;
        drop(c);
        let registration = self.registration(m.library_id, registration_id).await?;
        let event = self.event(m.library_id, registration.event_id).await?;
        let only = m.session_id.or(registration.session_id);
        let rows = sqlx::query(&format!(
            "{} where s.event_id = $1 and ($2 = 0 or s.id = $2) order by s.starts_at, s.id",
            calendar_select()
        ))
        .bind(registration.event_id)
        .bind(only.map_or(0, SessionId::get))
        .fetch_all(self.pool())
        .await?;
        let note: Option<String> = match m.action_id {
            Some(id) => {
                sqlx::query_scalar("select note from staff_actions where id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            None => None,
        };
        Ok(MailFacts {
            note: note.unwrap_or_default(),
            library: self.library(m.library_id).await?,
            link_seed: row.try_get("idempotency_hash")?,
            token_hash: row.try_get("token_hash")?,
            event,
            sessions: rows.iter().map(calendar_session).collect::<Result<_>>()?,
            registration,
        })
    }

    /// Confirmed parties of public, live sessions starting in (from, to]
    /// that have no reminder yet for that session.
    pub async fn reminder_candidates(&self, from: i64, to: i64) -> Result<Vec<ReminderCandidate>> {
        let rows = sqlx::query(
            "select r.id as registration_id, s.id as session_id, s.starts_at, \
             coalesce(r.promoted_at, r.created_at) as confirmed_at, l.timezone \
             from registrations r join sessions s on s.event_id = r.event_id and (r.session_id = s.id or r.session_id is null) \
             join events e on e.id = s.event_id join libraries l on l.id = r.library_id \
             where r.status = 'confirmed' and r.email <> '' and s.cancelled = 0 and e.status = 'published' \
             and s.starts_at > $1 and s.starts_at <= $2 \
             and not exists (select 1 from outbox o where o.kind = 'reminder' and o.registration_id = r.id \
             and o.session_id = s.id) order by s.starts_at, r.id limit 5000",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReminderCandidate {
                    registration_id: r.try_get("registration_id")?,
                    session_id: r.try_get("session_id")?,
                    starts_at: r.try_get("starts_at")?,
                    confirmed_at: r.try_get("confirmed_at")?,
                    timezone: r.try_get("timezone")?,
                })
            })
            .collect()
    }

    /// Enqueues the reminder of one party for one session, unless one
    /// exists (another server may have been first): true when enqueued.
    pub async fn enqueue_reminder(&self, c: &ReminderCandidate) -> Result<bool> {
        let mut tx = self.write().await?;
        let r = by_id(&mut tx, c.registration_id).await?;
        if r.status != almanach_domain::registration::RegistrationStatus::Confirmed
            || r.email.is_empty()
        {
            return Ok(false);
        }
        let t = now();
        let n = sqlx::query(
            "insert into outbox (library_id, kind, registration_id, session_id, recipient, lang, payload, \
             next_attempt_at, created_at) values ($1, 'reminder', $2, $3, $4, $5, $6, $7, $7) on conflict do nothing",
        )
        .bind(r.library_id)
        .bind(r.id)
        .bind(c.session_id)
        .bind(&r.email)
        .bind(r.lang.code())
        .bind(state_of(&r).to_string())
        .bind(t)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await?;
        Ok(n.rows_affected() == 1)
    }

    /// Staff's message to every confirmed party of a session (or course),
    /// through the outbox; returns how many will be written to.
    pub async fn email_registrants(
        &self,
        actor: &Actor,
        target: Target,
        subject: &str,
        text: &str,
    ) -> Result<usize> {
        let list = self.list_registrations(actor.library_id, target).await?;
        let mut tx = self.write().await?;
        let n = email_registrants_in(&mut tx, actor, target, &list, subject, text).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Records the fingerprint of the key private links derive from, or
    /// compares it with the one recorded: `Err(Conflict)` when another key
    /// was used with this database.
    pub async fn check_link_key(&self, fingerprint: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("insert into installation (name, value) values ('link_key_fingerprint', $1) on conflict do nothing")
            .bind(fingerprint)
            .execute(&mut *tx)
            .await?;
        let recorded: String = sqlx::query_scalar(
            "select value from installation where name = 'link_key_fingerprint'",
        )
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        if recorded == fingerprint {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "this database's private links were made with another key (fingerprint {recorded}, this server's is \
                 {fingerprint})"
            )))
        }
    }
}

/// Staff's message to every confirmed party of `list` (the target's
/// registrations), inside `tx`; how many will be written to.
pub(crate) async fn email_registrants_in(
    tx: &mut Tx,
    actor: &Actor,
    target: Target,
    list: &[Registration],
    subject: &str,
    text: &str,
) -> Result<usize> {
    let mut n = 0;

    let session_id = match target {
        Target::Session(id) => Some(id),
        Target::Course(_) => None,
    };
    for r in list
        .iter()
        .filter(|r| r.status == almanach_domain::registration::RegistrationStatus::Confirmed)
    {
        if r.email.is_empty() {
            continue;
        }
        let payload = json!({ "subject": subject, "message": text, "from": actor.label });
        enqueue(
            tx,
            Enqueue {
                kind: MailKind::Staff,
                registration: r,
                session_id: session_id.or(r.session_id),
                payload,
            },
        )
        .await?;
        n += 1;
    }
    #[derive(Serialize)]
    struct Sent<'a> {
        subject: &'a str,
        recipients: usize,
    }
    let entity_id = target.raw();
    let entity = if session_id.is_some() {
        "session"
    } else {
        "event"
    };
    crate::audit::record(
        tx,
        actor,
        entity,
        entity_id,
        "email_registrants",
        None,
        Some(&Sent {
            subject,
            recipients: n,
        }),
    )
    .await?;
    Ok(n)
}
