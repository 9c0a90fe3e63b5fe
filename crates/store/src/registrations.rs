//! Registrations and their waiting lists, and the public agenda's seats.
//! Every write locks the event's row first (`events.registration_lock`;
//! SQLite's `BEGIN IMMEDIATE` already serialises writers), then counts seats
//! and applies the domain's promotion rule in the same transaction: confirmed
//! seats never exceed capacity whatever the concurrency, also with several
//! servers on one PostgreSQL database. Locks are always taken in this order:
//! a room, a session row, then events by increasing id.

use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use std::collections::HashMap;

use almanach_domain::Lang;
use almanach_domain::programme::{AgeRange, EventStatus, SessionKind};
use almanach_domain::registration::{
    self, Offer, Party, RegistrationSettings, RegistrationStatus, WaitingParty, promotions,
};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{Actor, Entry, record, record_all};
use crate::mail::MailKind;
use crate::rows::{At, Registration, Target, registration, session};
use crate::select::{SESSION_SELECT, TAKEN, WAITING, by_id, finish};
use crate::session_query::SessionQuery;
use crate::{Result, Session, Store, StoreError, Tx, classify, now};

/// A registration to make. The web layer derives both hashes from secrets
/// only the person holds (the private link's token, the form's key).
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub target: Target,
    pub party: Party,
    pub token_hash: String,
    pub idempotency_hash: String,
    /// Registered by staff for a phone caller: the registration window does
    /// not apply (the seats still do).
    pub by_staff: bool,
    /// The language of the form: the person's e-mails are written in it.
    pub lang: Lang,
    /// Through the API: the private link's token sealed with the client's
    /// key, so a repeated request is answered with the same link (see
    /// migration 0005).
    pub link_sealed: Option<String>,
}

/// Why a registration was not taken: the domain's rule (`registration::refusal`).
pub use almanach_domain::registration::Refusal;

#[derive(Debug, Clone)]
pub enum Registered {
    /// Confirmed, or on the waiting list (see its status and position).
    New(Registration),
    /// The same form sent again (a double click): the first registration.
    Replayed(Registration),
    /// This e-mail already holds a live registration for this session or course.
    AlreadyRegistered(Registration),
    Refused(Refusal),
}

#[derive(Debug, Clone)]
pub enum Moved {
    Done {
        /// Whether the party holds seats where it went (else it waits there).
        confirmed: bool,
        /// Promoted on the session left.
        promoted: Vec<Registration>,
    },
    AlreadyRegistered,
    Refused(Refusal),
}

/// The seats of a session (or a course) as the public and staff see them.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatState {
    pub target: Target,
    pub event_id: EventId,
    pub offer: Offer,
    pub settings: RegistrationSettings,
    /// Parties on the waiting list.
    pub waiting: u32,
    pub published: bool,
}

/// What the person must be told about their registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Confirmed,
    Waiting,
    Promoted,
    Cancelled,
    Moved,
    /// The same e-mail tried again: the private link is to be sent again.
    AlreadyRegistered,
    Forgotten,
}

impl Notice {
    /// The e-mail it sends; None when the person's data was erased (their
    /// pending messages go with it).
    fn mail(self) -> Option<MailKind> {
        Some(match self {
            Notice::Confirmed => MailKind::Confirmed,
            Notice::Waiting => MailKind::Waiting,
            Notice::Promoted => MailKind::Promoted,
            Notice::Cancelled => MailKind::Cancelled,
            Notice::Moved => MailKind::Moved,
            Notice::AlreadyRegistered => MailKind::AlreadyRegistered,
            Notice::Forgotten => return None,
        })
    }

    fn slug(self) -> &'static str {
        match self {
            Notice::Confirmed => "confirm",
            Notice::Waiting => "wait",
            Notice::Promoted => "promote",
            Notice::Cancelled => "cancel",
            Notice::Moved => "move",
            Notice::AlreadyRegistered => "already_registered",
            Notice::Forgotten => "forget",
        }
    }
}

/// The audit trail's view of a registration: no personal data, so erasing
/// a person's data leaves nothing of it behind.
#[derive(Serialize)]
struct Trace {
    event_id: EventId,
    session_id: Option<SessionId>,
    seats: u32,
    status: &'static str,
    position: Option<u32>,
    source: String,
}

/// THE place where a registration's change is announced, inside the
/// transaction that makes it: an audit entry (which records who was
/// promoted, and when) and the outbox message, so a message exists if and
/// only if the change was committed.
async fn notify(tx: &mut Tx, actor: &Actor, r: &Registration, notice: Notice) -> Result<()> {
    notify_all(tx, actor, &[(r, notice)]).await
}

/// `notify` for many changes, in a few statements (the registrar's batch).
pub(crate) async fn notify_all(
    tx: &mut Tx,
    actor: &Actor,
    notices: &[(&Registration, Notice)],
) -> Result<()> {
    let traces: Vec<String> = notices
        .iter()
        .map(|(r, _)| {
            let trace = Trace {
                event_id: r.event_id,
                session_id: r.session_id,
                seats: r.seats,
                status: r.status.slug(),
                position: r.position,
                source: r.source.clone(),
            };
            serde_json::to_string(&trace).expect("traces serialise")
        })
        .collect();
    let entries: Vec<Entry> = notices
        .iter()
        .zip(traces)
        .map(|((r, notice), trace)| Entry {
            entity: "registration",
            entity_id: r.id.get(),
            action: notice.slug(),
            before: None,
            after: Some(trace),
        })
        .collect();
    record_all(tx, actor, &entries).await?;
    let mut mails = Vec::with_capacity(notices.len());
    for &(r, notice) in notices {
        match notice.mail() {
            Some(kind) => mails.push((r, kind)),
            None => crate::mail::on_registration(tx, r, None).await?,
        }
    }
    crate::mail::on_registrations(tx, &mails).await
}

/// What anonymising a registration sets: every personal field emptied
/// (`anonymised_at` is the marker the pages show); seats and status stay.
pub(crate) const ANONYMISED: &str =
    "name = '', email = '', phone = '', ages = '', link_sealed = null";

/// Filters of the public agenda; every field optional.
#[derive(Debug, Clone, Default)]
pub struct AgendaFilter {
    /// The archive (past sessions, newest first) instead of coming ones.
    pub past: bool,
    pub now: i64,
    pub series_id: Option<i64>,
    /// A theme category slug.
    pub category: Option<String>,
    pub kind: Option<SessionKind>,
    /// Sessions a person of this age may attend.
    pub age: Option<u8>,
    /// Library-local dates, ISO, inclusive.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub room_id: Option<i64>,
    /// Words that must all appear in the event's title or description or
    /// the series' name, case and accents aside.
    pub search: String,
    /// Only sessions open for registration with a seat left at `now`.
    pub seats_left: bool,
    /// The page: `limit` sessions (all when None) after the first `offset`.
    pub offset: i64,
    pub limit: Option<i64>,
}

impl AgendaFilter {
    /// The one session query this filter is: published, live sessions, the
    /// coming ones soonest first or the past ones latest first.
    pub fn query(&self, library_id: LibraryId) -> SessionQuery {
        let q = SessionQuery::new(library_id)
            .statuses(vec![EventStatus::Published])
            .cancelled(Some(false))
            .series(self.series_id)
            .category(self.category.clone())
            .kind(self.kind)
            .age(self.age)
            .dates(self.from_date.clone(), self.to_date.clone())
            .room(self.room_id)
            .search(&self.search)
            .seats_left(self.seats_left.then_some(self.now));
        let q = if self.past {
            q.past(self.now)
        } else {
            q.upcoming(self.now)
        };
        match (self.offset, self.limit) {
            (0, limit) => q.limit(limit),
            (offset, limit) => q.page(offset, limit.unwrap_or(i64::MAX)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub session: Session,
    pub description: String,
    pub seats: SeatState,
}

/// `SESSION_SELECT` with the seats and the event's fields the agenda needs.
fn with_seats(select: &str) -> String {
    select.replacen(
        "select ",
        &format!("select {TAKEN} as taken, {WAITING} as waiting, e.description as event_description, e.course as event_course, "),
        1,
    )
}

fn opt_u32(r: &AnyRow, c: &str) -> Result<Option<u32>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u32))
}

fn settings_of(r: &AnyRow) -> Result<RegistrationSettings> {
    Ok(RegistrationSettings {
        opens_at: r.try_get("registration_opens_at")?,
        closes_at: r.try_get("registration_closes_at")?,
        max_seats: r.try_get::<i64, _>("max_seats_per_registration")?.max(1) as u32,
    })
}

/// One session's seats, from a row holding the session's columns and the
/// `taken` and `waiting` counts.
pub(crate) fn session_seats(r: &AnyRow, cancelled: bool) -> Result<(Offer, RegistrationSettings)> {
    let offer = Offer {
        registration_required: r.try_get::<i64, _>("registration_required")? != 0,
        cancelled,
        starts_at: r.try_get("starts_at")?,
        opens_at: r.try_get("registration_opens_at")?,
        closes_at: r.try_get("registration_closes_at")?,
        capacity: opt_u32(r, "capacity")?,
        taken: r.try_get::<i64, _>("taken")? as u32,
    };
    Ok((offer, settings_of(r)?))
}

/// The event a target belongs to, checked against the library.
pub(crate) async fn event_of(
    c: &mut AnyConnection,
    library_id: LibraryId,
    target: Target,
) -> Result<EventId> {
    let q = match target {
        Target::Session(_) => "select event_id from sessions where id = $1 and library_id = $2",
        Target::Course(_) => {
            "select id from events where id = $1 and library_id = $2 and course = 1"
        }
    };
    sqlx::query_scalar(q)
        .bind(target.raw())
        .bind(library_id)
        .fetch_optional(&mut *c)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Where registrations for `target` go: a session of a course registers for
/// the whole course. Read after the event's lock, as the course flag may change.
pub(crate) async fn resolve(
    c: &mut AnyConnection,
    event_id: EventId,
    target: Target,
) -> Result<At> {
    let course: i64 = sqlx::query_scalar("select course from events where id = $1")
        .bind(event_id)
        .fetch_one(&mut *c)
        .await?;
    at_of(event_id, target, course != 0)
}

/// Where registrations for `target` of `event_id` go, knowing whether the
/// event is a course (see `resolve`).
pub(crate) fn at_of(event_id: EventId, target: Target, course: bool) -> Result<At> {
    Ok(match target {
        _ if course => At {
            event_id,
            session_id: None,
        },
        Target::Session(id) => At {
            event_id,
            session_id: Some(id),
        },
        Target::Course(_) => return Err(StoreError::NotFound),
    })
}

/// Takes the event's row lock (PostgreSQL); see the module comment.
pub(crate) async fn lock_event(tx: &mut Tx, event_id: EventId) -> Result<()> {
    let n =
        sqlx::query("update events set registration_lock = registration_lock + 1 where id = $1")
            .bind(event_id)
            .execute(&mut **tx)
            .await?;
    if n.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The seats of a target now. A course opens and closes with its first
/// session and holds as many as its smallest one; its registrations hold a
/// seat on every session, so `taken` is the same on each.
pub(crate) async fn seat_state(c: &mut AnyConnection, at: At) -> Result<SeatState> {
    Ok(seats_and_ages(c, at).await?.0)
}

/// `seat_state`, and the age range of the first live session (who may
/// come), in one statement.
pub(crate) async fn seats_and_ages(c: &mut AnyConnection, at: At) -> Result<(SeatState, AgeRange)> {
    let rows = sqlx::query(&format!(
        "select s.*, e.status as event_status, {TAKEN} as taken, \
         (select cast(coalesce(sum(t.waiting), 0) as bigint) from seat_tallies t \
         where t.event_id = $1 and t.session_key = $2) as in_line \
         from sessions s join events e on e.id = s.event_id \
         where s.event_id = $1 and ($2 = 0 or s.id = $2) order by s.starts_at, s.id"
    ))
    .bind(at.event_id)
    .bind(at.key())
    .fetch_all(&mut *c)
    .await?;
    let first = rows.first().ok_or(StoreError::NotFound)?;
    let status: String = first.try_get("event_status")?;
    let live: Vec<&AnyRow> = rows
        .iter()
        .filter(|r| r.try_get::<i64, _>("cancelled").unwrap_or(1) == 0)
        .collect();
    let event_cancelled = status == "cancelled";
    let shown = live.first().copied().unwrap_or(first);
    let (mut offer, settings) = session_seats(shown, event_cancelled || live.is_empty())?;
    for r in live.iter().skip(1) {
        let (o, _) = session_seats(r, false)?;
        offer.registration_required |= o.registration_required;
        offer.taken = offer.taken.max(o.taken);
        offer.capacity = match (offer.capacity, o.capacity) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let waiting: i64 = first.try_get("in_line")?;
    let seats = SeatState {
        target: at.target(),
        event_id: at.event_id,
        offer,
        settings,
        waiting: waiting as u32,
        published: status == "published",
    };
    Ok((seats, crate::rows::age_range(shown)?))
}

/// Where registrations for `target` go (`event_of` and `resolve` in one
/// statement), for reads outside a registration's transaction.
pub(crate) async fn at_now(
    c: &mut AnyConnection,
    library_id: LibraryId,
    target: Target,
) -> Result<At> {
    let q = match target {
        Target::Session(_) => {
            "select s.event_id, e.course from sessions s join events e on e.id = s.event_id \
             where s.id = $1 and s.library_id = $2"
        }
        Target::Course(_) => {
            "select id as event_id, course from events where id = $1 and library_id = $2 and course = 1"
        }
    };
    let row = sqlx::query(q)
        .bind(target.raw())
        .bind(library_id)
        .fetch_optional(&mut *c)
        .await?
        .ok_or(StoreError::NotFound)?;
    at_of(
        row.try_get("event_id")?,
        target,
        row.try_get::<i64, _>("course")? != 0,
    )
}

/// Why a party of `seats` cannot register now, if it cannot: the domain's
/// rule on the seats read under the lock.
fn refusal(st: &SeatState, seats: u32, by_staff: bool, now: i64) -> Option<Refusal> {
    registration::refusal(&st.offer, &st.settings, seats, by_staff, now)
}

/// By `token_hash` or `idempotency_hash`.
pub(crate) async fn by_hash(
    c: &mut AnyConnection,
    column: &str,
    hash: &str,
) -> Result<Option<Registration>> {
    let row = sqlx::query(&format!("select * from registrations where {column} = $1"))
        .bind(hash)
        .fetch_optional(&mut *c)
        .await?;
    finish(c, row).await
}

/// The live registration of `email` for this target, if any.
async fn live_by_email(c: &mut AnyConnection, at: At, email: &str) -> Result<Option<Registration>> {
    let row = sqlx::query(
        // `email <> ''` repeats the unique index's condition so both
        // databases use it (one probe, however long the list).
        "select * from registrations where event_id = $1 and coalesce(session_id, 0) = $2 and email = $3 \
         and status <> 'cancelled' and email <> ''",
    )
    .bind(at.event_id)
    .bind(at.key())
    .bind(email)
    .fetch_optional(&mut *c)
    .await?;
    finish(c, row).await
}

/// The next arrival number on the event's waiting lists.
pub(crate) async fn next_in_queue(tx: &mut Tx, event_id: EventId) -> Result<i64> {
    let max: Option<i64> =
        sqlx::query_scalar("select max(queue_order) from registrations where event_id = $1")
            .bind(event_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// Gives free seats to waiting parties by the domain's rule, after any
/// change that may free seats. `newcomer` just joined the end of the list
/// (registering, or moved here): it is confirmed, not "promoted", when it fits.
pub(crate) async fn settle(
    tx: &mut Tx,
    actor: &Actor,
    at: At,
    newcomer: Option<RegistrationId>,
) -> Result<Vec<Registration>> {
    let st = seat_state(tx, at).await?;
    let Some(free) = registration::seats_to_settle(&st.offer, newcomer.is_some(), now()) else {
        return Ok(Vec::new());
    };
    if free == 0 {
        return Ok(Vec::new());
    }
    let waiting = waiting_that_fit(tx, at, free).await?;
    let t = now();
    let mut promoted = Vec::new();
    for id in promotions(free, &waiting).into_iter().map(RegistrationId) {
        let is_new = Some(id) == newcomer;
        sqlx::query(
            "update registrations set status = 'confirmed', updated_at = $1, \
             promoted_at = case when $2 = 1 then $1 else null end where id = $3",
        )
        .bind(t)
        .bind(i64::from(!is_new))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        if !is_new {
            let r = by_id(tx, id).await?;
            notify(tx, actor, &r, Notice::Promoted).await?;
            promoted.push(r);
        }
    }
    Ok(promoted)
}

/// The parties waiting for `at` that `free` seats could take, in line. Only
/// those: the rule skips the others anyway, and a long list of those who
/// cannot fit is not read at every change.
pub(crate) async fn waiting_that_fit(tx: &mut Tx, at: At, free: u32) -> Result<Vec<WaitingParty>> {
    let rows = sqlx::query(
        "select id, seats from registrations where event_id = $1 and coalesce(session_id, 0) = $2 \
         and status = 'waiting' and seats <= $3 order by queue_order, id",
    )
    .bind(at.event_id)
    .bind(at.key())
    .bind(i64::from(free))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WaitingParty {
                id: r.try_get("id")?,
                seats: r.try_get::<i64, _>("seats")? as u32,
            })
        })
        .collect()
}

/// For `save_session`: after a session changed (its capacity may have
/// grown), waiting parties that now fit are promoted in the same transaction.
pub(crate) async fn after_session_saved(
    tx: &mut Tx,
    actor: &Actor,
    session_id: SessionId,
) -> Result<()> {
    let event_id = event_of(tx, actor.library_id, Target::Session(session_id)).await?;
    lock_event(tx, event_id).await?;
    let at = resolve(tx, event_id, Target::Session(session_id)).await?;
    settle(tx, actor, at, None).await?;
    Ok(())
}

impl Store {
    /// Registers in a transaction of its own: for the registrar, when the
    /// batch a registration was in could not be committed.
    pub(crate) async fn register_alone(
        &self,
        actor: &Actor,
        new: &NewRegistration,
    ) -> Result<Registered> {
        let mut tx = self.write().await?;
        let event_id = event_of(&mut tx, actor.library_id, new.target).await?;
        let answer = register_in(&mut tx, actor, new, event_id).await;
        match answer {
            Ok(registered) => {
                tx.commit().await?;
                Ok(registered)
            }
            Err(StoreError::Conflict(why)) => {
                drop(tx);
                let mut c = self.pool().acquire().await?;
                replayed(&mut c, new, why).await
            }
            Err(e) => Err(e),
        }
    }
}

/// After a uniqueness refusal: two registrations raced past the checks with
/// the same key or e-mail (only the unique indexes saw it). The first one
/// is the answer when it holds this key.
pub(crate) async fn replayed(
    c: &mut AnyConnection,
    new: &NewRegistration,
    why: String,
) -> Result<Registered> {
    match by_hash(c, "idempotency_hash", &new.idempotency_hash).await? {
        Some(r) => Ok(Registered::Replayed(r)),
        None => Err(StoreError::Conflict(why)),
    }
}

/// One registration for `event_id` (`event_of` its target), inside `tx`,
/// which the caller commits (whatever the answer: an "already registered"
/// notice is written too).
pub(crate) async fn register_in(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewRegistration,
    event_id: EventId,
) -> Result<Registered> {
    lock_event(tx, event_id).await?;
    if let Some(r) = by_hash(tx, "idempotency_hash", &new.idempotency_hash).await? {
        return Ok(Registered::Replayed(r));
    }
    let at = resolve(tx, event_id, new.target).await?;
    let st = seat_state(tx, at).await?;
    // A draft is not public yet (a cancelled event is refused below).
    if !st.published && !st.offer.cancelled && !new.by_staff {
        return Err(StoreError::NotFound);
    }
    if let Some(why) = refusal(&st, new.party.seats, new.by_staff, now()) {
        return Ok(Registered::Refused(why));
    }
    let email = email_of(new);
    if !email.is_empty()
        && let Some(r) = live_by_email(tx, at, email).await?
    {
        notify(tx, actor, &r, Notice::AlreadyRegistered).await?;
        return Ok(Registered::AlreadyRegistered(r));
    }
    let t = now();
    let queue = next_in_queue(tx, event_id).await?;
    let ages = ages_text(&new.party.ages);
    let id: RegistrationId = sqlx::query_scalar(
        "insert into registrations (library_id, event_id, session_id, name, email, phone, seats, ages, status, \
         queue_order, token_hash, idempotency_hash, source, created_at, updated_at, lang, link_sealed) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $10, $11, $12, $13, $13, $14, $15) returning id",
    )
    .bind(actor.library_id)
    .bind(at.event_id)
    .bind(at.session_id)
    .bind(&new.party.name)
    .bind(email)
    .bind(&new.party.phone)
    .bind(i64::from(new.party.seats))
    .bind(ages)
    .bind(queue)
    .bind(&new.token_hash)
    .bind(&new.idempotency_hash)
    .bind(source(new))
    .bind(t)
    .bind(new.lang.code())
    .bind(&new.link_sealed)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    settle(tx, actor, at, Some(id)).await?;
    let r = by_id(tx, id).await?;
    let notice = if r.status == RegistrationStatus::Confirmed {
        Notice::Confirmed
    } else {
        Notice::Waiting
    };
    notify(tx, actor, &r, notice).await?;
    Ok(Registered::New(r))
}

/// Children's ages as stored: "8,11".
pub(crate) fn ages_text(ages: &[u8]) -> String {
    ages.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// The party's e-mail as stored ("" for a phone caller).
pub(crate) fn email_of(new: &NewRegistration) -> &str {
    new.party.email.as_ref().map_or("", |e| e.as_str())
}

/// Who made a registration, as stored.
pub(crate) fn source(new: &NewRegistration) -> &'static str {
    if new.by_staff { "staff" } else { "public" }
}

impl Store {
    /// The registration behind a private link.
    pub async fn registration_by_token(&self, token_hash: &str) -> Result<Option<Registration>> {
        let mut c = self.pool().acquire().await?;
        by_hash(&mut c, "token_hash", token_hash).await
    }

    pub async fn registration(
        &self,
        library_id: LibraryId,
        id: RegistrationId,
    ) -> Result<Registration> {
        let mut c = self.pool().acquire().await?;
        let r = by_id(&mut c, id).await?;
        if r.library_id != library_id {
            return Err(StoreError::NotFound);
        }
        Ok(r)
    }

    /// Cancels a registration and promotes who now fits; returns them.
    pub async fn cancel_registration(
        &self,
        actor: &Actor,
        id: RegistrationId,
    ) -> Result<Vec<Registration>> {
        let mut tx = self.write().await?;
        let r = locked(&mut tx, actor, id, &[]).await?;
        let promoted = cancel_locked(&mut tx, actor, &r).await?;
        tx.commit().await?;
        Ok(promoted)
    }

    /// Erases the person's name, e-mail, phone and children's ages, keeping
    /// the seats for statistics. A registration for a session yet to come is cancelled
    /// first (nobody could be told or checked in any more).
    pub async fn forget_registration(
        &self,
        actor: &Actor,
        id: RegistrationId,
    ) -> Result<Vec<Registration>> {
        let mut tx = self.write().await?;
        let r = locked(&mut tx, actor, id, &[]).await?;
        let st = seat_state(&mut tx, r.at()).await?;
        let promoted = if now() < st.offer.starts_at {
            cancel_locked(&mut tx, actor, &r).await?
        } else {
            Vec::new()
        };
        sqlx::query(&format!("update registrations set {ANONYMISED}, anonymised_at = $1, updated_at = $1 where id = $2"))
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let r = by_id(&mut tx, id).await?;
        notify(&mut tx, actor, &r, Notice::Forgotten).await?;
        tx.commit().await?;
        Ok(promoted)
    }

    /// Moves a party to another session (or course) in one transaction: it
    /// leaves its place, joins the end of the other waiting list and is
    /// confirmed if it fits there; who now fits on the session left is promoted.
    pub async fn move_registration(
        &self,
        actor: &Actor,
        id: RegistrationId,
        to: Target,
    ) -> Result<Moved> {
        let mut tx = self.write().await?;
        let moved = move_in(&mut tx, actor, id, to).await?;
        if matches!(moved, Moved::Done { .. }) {
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// Every registration of a target: confirmed, then waiting in line, then cancelled.
    pub async fn list_registrations(
        &self,
        library_id: LibraryId,
        target: Target,
    ) -> Result<Vec<Registration>> {
        let mut c = self.pool().acquire().await?;
        let at = at_now(&mut c, library_id, target).await?;
        let rows = sqlx::query(
            "select * from registrations where event_id = $1 and coalesce(session_id, 0) = $2 \
             order by case status when 'confirmed' then 0 when 'waiting' then 1 else 2 end, queue_order, id",
        )
        .bind(at.event_id)
        .bind(at.key())
        .fetch_all(&mut *c)
        .await?;
        let mut out = rows.iter().map(registration).collect::<Result<Vec<_>>>()?;
        let mut position = 0;
        for r in out
            .iter_mut()
            .filter(|r| r.status == RegistrationStatus::Waiting)
        {
            position += 1;
            r.position = Some(position);
        }
        Ok(out)
    }

    /// The seats of a session, or of its course when the event is one.
    pub async fn seat_state(&self, library_id: LibraryId, target: Target) -> Result<SeatState> {
        let mut c = self.pool().acquire().await?;
        let at = at_now(&mut c, library_id, target).await?;
        seat_state(&mut c, at).await
    }

    /// Sets a session's registration window and seats per registration.
    pub async fn set_registration_settings(
        &self,
        actor: &Actor,
        session_id: SessionId,
        s: &RegistrationSettings,
    ) -> Result<()> {
        let before = self
            .seat_state(actor.library_id, Target::Session(session_id))
            .await;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update sessions set registration_opens_at = $1, registration_closes_at = $2, \
             max_seats_per_registration = $3, updated_at = $4 where id = $5 and library_id = $6",
        )
        .bind(s.opens_at)
        .bind(s.closes_at)
        .bind(i64::from(s.max_seats))
        .bind(now())
        .bind(session_id)
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let before = before.ok().map(|b| b.settings);
        record(
            &mut tx,
            actor,
            "session",
            session_id,
            "registration_settings",
            before.as_ref(),
            Some(s),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an event a course (one registration for all its sessions) or
    /// not; refused (`Conflict`) while it holds live registrations, which
    /// would otherwise be for the wrong thing.
    pub async fn set_course(&self, actor: &Actor, event_id: EventId, course: bool) -> Result<()> {
        let mut tx = self.write().await?;
        let before: i64 =
            sqlx::query_scalar("select course from events where id = $1 and library_id = $2")
                .bind(event_id)
                .bind(actor.library_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        if (before != 0) == course {
            return Ok(());
        }
        lock_event(&mut tx, event_id).await?;
        let live: i64 = sqlx::query_scalar(
            "select count(*) from registrations where event_id = $1 and status <> 'cancelled'",
        )
        .bind(event_id)
        .fetch_one(&mut *tx)
        .await?;
        if live > 0 {
            return Err(StoreError::Conflict("the event holds registrations".into()));
        }
        sqlx::query("update events set course = $1, updated_at = $2 where id = $3")
            .bind(i64::from(course))
            .bind(now())
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "event",
            event_id,
            "course",
            Some(&(before != 0)),
            Some(&course),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an event is a course.
    pub async fn is_course(&self, library_id: LibraryId, event_id: EventId) -> Result<bool> {
        let v: i64 =
            sqlx::query_scalar("select course from events where id = $1 and library_id = $2")
                .bind(event_id)
                .bind(library_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(v != 0)
    }

    /// How many sessions the public agenda (or its archive) lists for `f`,
    /// paging aside.
    pub async fn count_agenda(&self, library_id: LibraryId, f: &AgendaFilter) -> Result<i64> {
        self.session_count(&f.query(library_id)).await
    }

    /// `count_agenda`, counting no further than `upto`.
    pub async fn count_agenda_upto(
        &self,
        library_id: LibraryId,
        f: &AgendaFilter,
        upto: i64,
    ) -> Result<i64> {
        self.session_count_upto(&f.query(library_id), upto).await
    }

    /// Published, live sessions for the public agenda (or its archive), in
    /// time order, each with its seats: one page of what `f` selects, its
    /// search and "seats left" included.
    pub async fn agenda(&self, library_id: LibraryId, f: &AgendaFilter) -> Result<Vec<AgendaItem>> {
        let sql = f.query(library_id).sql(&with_seats(SESSION_SELECT), true);
        let mut c = self.pool().acquire().await?;
        let rows = sql.query().fetch_all(&mut *c).await?;
        let mut courses: HashMap<EventId, SeatState> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let s = session(r)?;
            let seats = if r.try_get::<i64, _>("event_course")? != 0 {
                match courses.get(&s.event_id) {
                    Some(st) => st.clone(),
                    None => {
                        let st = seat_state(
                            &mut c,
                            At {
                                event_id: s.event_id,
                                session_id: None,
                            },
                        )
                        .await?;
                        courses.insert(s.event_id, st.clone());
                        st
                    }
                }
            } else {
                let (offer, settings) = session_seats(r, false)?;
                SeatState {
                    target: Target::Session(s.id),
                    event_id: s.event_id,
                    offer,
                    settings,
                    waiting: r.try_get::<i64, _>("waiting")? as u32,
                    published: true,
                }
            };
            out.push(AgendaItem {
                description: r.try_get("event_description")?,
                session: s,
                seats,
            });
        }
        Ok(out)
    }

    /// Sessions a registration may be moved to: coming sessions on
    /// registration, with whether their event is a course.
    pub async fn registration_targets(
        &self,
        library_id: LibraryId,
        from: i64,
    ) -> Result<Vec<(Session, bool)>> {
        let rows = sqlx::query(&format!(
            "{} where s.library_id = $1 and s.starts_at > $2 and s.registration_required = 1 and s.cancelled = 0 \
             and e.status <> 'cancelled' order by s.starts_at, s.id limit 300",
            with_seats(SESSION_SELECT)
        ))
        .bind(library_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((session(r)?, r.try_get::<i64, _>("event_course")? != 0)))
            .collect()
    }
}

/// Cancels `r` (its event locked) and promotes who now fits.
pub(crate) async fn cancel_locked(
    tx: &mut Tx,
    actor: &Actor,
    r: &Registration,
) -> Result<Vec<Registration>> {
    if r.status == RegistrationStatus::Cancelled {
        return Ok(Vec::new());
    }
    let t = now();
    sqlx::query("update registrations set status = 'cancelled', cancelled_at = $1, updated_at = $1 where id = $2")
        .bind(t)
        .bind(r.id)
        .execute(&mut **tx)
        .await?;
    let cancelled = by_id(tx, r.id).await?;
    notify(tx, actor, &cancelled, Notice::Cancelled).await?;
    settle(tx, actor, r.at(), None).await
}

/// Moves a party inside `tx` (see `Store::move_registration`); a refusal
/// has written nothing.
pub(crate) async fn move_in(
    tx: &mut Tx,
    actor: &Actor,
    id: RegistrationId,
    to: Target,
) -> Result<Moved> {
    let to_event = event_of(tx, actor.library_id, to).await?;
    let r = locked(tx, actor, id, &[to_event]).await?;
    let dest = resolve(tx, to_event, to).await?;

    if r.status == RegistrationStatus::Cancelled {
        return Ok(Moved::Refused(Refusal::Cancelled));
    }
    if dest == r.at() {
        return Ok(Moved::Done {
            confirmed: r.status == RegistrationStatus::Confirmed,
            promoted: Vec::new(),
        });
    }
    let st = seat_state(tx, dest).await?;
    if let Some(why) = refusal(&st, r.seats, true, now()) {
        return Ok(Moved::Refused(why));
    }
    if !r.email.is_empty() && live_by_email(tx, dest, &r.email).await?.is_some() {
        return Ok(Moved::AlreadyRegistered);
    }
    let queue = next_in_queue(tx, dest.event_id).await?;
    sqlx::query(
        "update registrations set event_id = $1, session_id = $2, status = 'waiting', queue_order = $3, \
         promoted_at = null, updated_at = $4 where id = $5",
    )
    .bind(dest.event_id)
    .bind(dest.session_id)
    .bind(queue)
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(classify)?;
    settle(tx, actor, dest, Some(id)).await?;
    let promoted = settle(tx, actor, r.at(), None).await?;
    let moved = by_id(tx, id).await?;
    notify(tx, actor, &moved, Notice::Moved).await?;
    Ok(Moved::Done {
        confirmed: moved.status == RegistrationStatus::Confirmed,
        promoted,
    })
}

/// Loads a registration of the actor's library, locks its event (and
/// `others`, by increasing id), and reads it again under the lock.
pub(crate) async fn locked(
    tx: &mut Tx,
    actor: &Actor,
    id: RegistrationId,
    others: &[EventId],
) -> Result<Registration> {
    let r = by_id(tx, id).await?;
    if r.library_id != actor.library_id {
        return Err(StoreError::NotFound);
    }
    let mut events: Vec<EventId> = others.iter().copied().chain([r.event_id]).collect();
    events.sort_unstable();
    events.dedup();
    for e in events {
        lock_event(tx, e).await?;
    }
    by_id(tx, id).await
}
