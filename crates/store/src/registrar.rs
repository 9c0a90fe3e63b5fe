//! Group commit for registrations (issue 11, docs/decisions/0024 and its
//! amendment). One writer per store gathers the registrations that arrive
//! together into one transaction: it applies `registrations::register_in`'s
//! seat and promotion rules to each in arrival order, planned in memory and
//! written in a few statements (`place_run`), commits once, then answers
//! each.
//! With `synchronous = FULL` a commit is one flush to disk, so the flush is
//! shared instead of paid by every registration, and every answer comes
//! after its registration is durable.
//!
//! The queue is bounded: when it is full for `ROOM_WAIT`, the registration
//! is refused as `StoreError::Busy` (the web answers 503 with Retry-After),
//! so a crowd larger than the server can take waits at the door instead of
//! inside the server. Events are locked in ascending id order within a
//! batch, so two servers' batches on one PostgreSQL database cannot
//! deadlock. If a batch cannot be committed, nothing of it was written and
//! each of its registrations is tried again in a transaction of its own
//! (idempotency keys make that safe even when a commit's outcome is
//! unknown).

use std::time::Duration;

use almanach_domain::ids::EventId;
use tokio::sync::{mpsc, oneshot};

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use almanach_domain::ids::{LibraryId, RegistrationId};
use almanach_domain::registration::{self, RegistrationStatus, WaitingParty, promotions};
use sqlx::Row;

use crate::audit::Actor;
use crate::registrations::{
    NewRegistration, Notice, Registered, SeatState, ages_text, at_of, email_of, event_of,
    lock_event, next_in_queue, notify_all, seat_state, source, waiting_that_fit,
};
use crate::rows::{At, Registration, Target};
use crate::select::{by_id, finish};
use crate::sql::{Arg, Sql, pieces, placeholders, value_rows};
use crate::{Result, Store, StoreError, Tx, classify, now};

/// Registrations waiting for the writer, at most.
const QUEUE: usize = 4096;
/// Registrations in one transaction, at most.
const BATCH: usize = 256;
/// How long a registration waits for room in a full queue before Busy.
const ROOM_WAIT: Duration = Duration::from_millis(500);

pub(crate) struct Job {
    actor: Actor,
    new: NewRegistration,
    reply: oneshot::Sender<Result<Registered>>,
}

pub(crate) type Queue = mpsc::Sender<Job>;

impl Store {
    /// Registers a party: confirmed when it fits, else on the waiting list
    /// (the whole party), in arrival order. The registrations arriving
    /// together are written in one transaction (group commit, see the
    /// module); this answers once that transaction is committed.
    pub async fn register(&self, actor: &Actor, new: &NewRegistration) -> Result<Registered> {
        submit(self, actor, new).await
    }
}

/// Hands the registration to the store's writer (started on first use) and
/// waits for its answer.
async fn submit(store: &Store, actor: &Actor, new: &NewRegistration) -> Result<Registered> {
    let queue = store
        .registrar
        .get_or_init(|| async {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(run(store.detached(), rx));
            tx
        })
        .await;
    let (reply, answer) = oneshot::channel();
    let job = Job {
        actor: actor.clone(),
        new: new.clone(),
        reply,
    };
    queue
        .send_timeout(job, ROOM_WAIT)
        .await
        .map_err(|_| StoreError::Busy(sqlx::Error::PoolTimedOut))?;
    answer
        .await
        .map_err(|_| StoreError::Unusable("the registration writer stopped".into()))?
}

/// The writer: a batch of whatever is waiting, one transaction each.
async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        let batch = std::mem::take(&mut jobs);
        match commit(&store, &batch).await {
            Ok(answers) => {
                for (job, answer) in batch.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    registrations = batch.len(),
                    "a batch of registrations was not committed: each is tried alone"
                );
                for job in batch {
                    let answer = store.register_alone(&job.actor, &job.new).await;
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// Writes `batch` in one transaction: each registration's answer, in the
/// batch's order, once the transaction is committed.
async fn commit(store: &Store, batch: &[Job]) -> Result<Vec<Result<Registered>>> {
    let mut tx = store.write().await?;
    let mut answers: Vec<Option<Result<Registered>>> = (0..batch.len()).map(|_| None).collect();
    // Which event each one is for (once per target), read before any lock
    // is taken, so the events are locked in ascending order.
    let mut events: HashMap<(LibraryId, Target), Option<EventId>> = HashMap::new();
    for job in batch {
        let key = (job.actor.library_id, job.new.target);
        if let Entry::Vacant(v) = events.entry(key) {
            v.insert(match event_of(&mut tx, key.0, key.1).await {
                Ok(event) => Some(event),
                // Another library's, or deleted: that registration's answer.
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            });
        }
    }
    let mut locked: Vec<EventId> = events.values().flatten().copied().collect();
    locked.sort_unstable();
    locked.dedup();
    for &event_id in &locked {
        lock_event(&mut tx, event_id).await?;
    }
    // Under the locks: where each one goes (a course's session registers
    // for the course).
    let course = courses(&mut tx, &locked).await?;
    let mut todo = Vec::with_capacity(batch.len());
    for (i, job) in batch.iter().enumerate() {
        let event = events[&(job.actor.library_id, job.new.target)];
        match event.map(|e| at_of(e, job.new.target, course.contains(&e))) {
            Some(Ok(at)) => todo.push((i, at)),
            Some(Err(e)) => answers[i] = Some(Err(e)),
            None => answers[i] = Some(Err(StoreError::NotFound)),
        }
    }
    let mut rest = &todo[..];
    while !rest.is_empty() {
        let done = place_run(&mut tx, batch, rest, &mut answers).await?;
        rest = &rest[done..];
    }
    tx.commit().await?;
    Ok(answers.into_iter().map(|a| a.expect("answered")).collect())
}

/// The events of `ids` that are courses.
async fn courses(tx: &mut Tx, ids: &[EventId]) -> Result<HashSet<EventId>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "select id from events where course = 1 and id in ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_scalar::<_, EventId>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut **tx).await?.into_iter().collect())
}

/// One target's seats while a run is planned: what `register_in` reads
/// under the lock, then kept up to date in memory as the run's
/// registrations are placed.
struct Place {
    /// None when the session is no longer there.
    seats: Option<SeatState>,
    /// Parties waiting, in line, that could still be given a seat.
    waiting: Vec<WaitingParty>,
    /// Parties waiting, all of them.
    in_line: u32,
    /// Live registrations of the run's e-mails.
    live: HashMap<String, Registration>,
}

/// A registration of the run that joins its list.
struct Newcomer {
    job: usize,
    at: At,
    queue_order: i64,
    confirmed: bool,
    position: Option<u32>,
}

/// Registers the longest start of `todo` in which no two registrations
/// share an idempotency key or an e-mail for the same target (the next
/// run, which reads again, answers those as `register_in` would), and
/// returns its length. The rules are `register_in`'s, in the same order
/// and on the same state, applied in memory: the run's reads and writes
/// are a few statements whatever its size.
async fn place_run(
    tx: &mut Tx,
    batch: &[Job],
    todo: &[(usize, At)],
    answers: &mut [Option<Result<Registered>>],
) -> Result<usize> {
    let t = now();
    let mut keys = HashSet::new();
    let mut emails = HashSet::new();
    let length = todo
        .iter()
        .take_while(|&&(i, at)| {
            let new = &batch[i].new;
            let email = email_of(new);
            keys.insert(new.idempotency_hash.as_str())
                && (email.is_empty() || emails.insert((at, email)))
        })
        .count();
    let todo = &todo[..length];

    // What register_in reads, once for the run.
    let replays = by_keys(
        tx,
        todo.iter()
            .map(|&(i, _)| batch[i].new.idempotency_hash.as_str()),
    )
    .await?;
    let mut places: HashMap<At, Place> = HashMap::new();
    let mut queue: HashMap<EventId, i64> = HashMap::new();
    for &(_, at) in todo {
        if places.contains_key(&at) {
            continue;
        }
        let seats = match seat_state(tx, at).await {
            Ok(st) => Some(st),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let (waiting, in_line) = match &seats {
            Some(st) => (could_fit(tx, at, st, t).await?, st.waiting),
            None => (Vec::new(), 0),
        };
        let mine = todo
            .iter()
            .filter(|&&(_, a)| a == at)
            .map(|&(i, _)| email_of(&batch[i].new))
            .filter(|e| !e.is_empty());
        let live = live_by_emails(tx, at, mine).await?;
        places.insert(
            at,
            Place {
                seats,
                waiting,
                in_line,
                live,
            },
        );
        if let Entry::Vacant(v) = queue.entry(at.event_id) {
            v.insert(next_in_queue(tx, at.event_id).await?);
        }
    }

    // Each in arrival order, as register_in would.
    let mut newcomers: Vec<Newcomer> = Vec::new();
    let mut promoted: Vec<(RegistrationId, usize)> = Vec::new();
    let mut already: Vec<(usize, Registration)> = Vec::new();
    for &(i, at) in todo {
        let new = &batch[i].new;
        if let Some(r) = replays.get(&new.idempotency_hash) {
            answers[i] = Some(Ok(Registered::Replayed(r.clone())));
            continue;
        }
        let place = places.get_mut(&at).expect("read above");
        let Some(st) = place.seats.as_mut() else {
            answers[i] = Some(Err(StoreError::NotFound));
            continue;
        };
        if !st.published && !st.offer.cancelled && !new.by_staff {
            answers[i] = Some(Err(StoreError::NotFound));
            continue;
        }
        if let Some(why) =
            registration::refusal(&st.offer, &st.settings, new.party.seats, new.by_staff, t)
        {
            answers[i] = Some(Ok(Registered::Refused(why)));
            continue;
        }
        if let Some(r) = place.live.get(email_of(new)) {
            answers[i] = Some(Ok(Registered::AlreadyRegistered(r.clone())));
            already.push((i, r.clone()));
            continue;
        }
        let next = queue.get_mut(&at.event_id).expect("read above");
        let queue_order = *next;
        *next += 1;
        // It joins the end of the list, then the seats are settled (`settle`).
        let me = -1 - newcomers.len() as i64;
        place.waiting.push(WaitingParty {
            id: me,
            seats: new.party.seats,
        });
        place.in_line += 1;
        let mut confirmed = false;
        if let Some(free) = registration::seats_to_settle(&st.offer, true, t).filter(|&f| f > 0) {
            let fits: Vec<WaitingParty> = place
                .waiting
                .iter()
                .filter(|w| w.seats <= free)
                .copied()
                .collect();
            for id in promotions(free, &fits) {
                let at = place
                    .waiting
                    .iter()
                    .position(|w| w.id == id)
                    .expect("waiting");
                let w = place.waiting.remove(at);
                st.offer.taken += w.seats;
                place.in_line -= 1;
                match id {
                    _ if id == me => confirmed = true,
                    id if id > 0 => promoted.push((RegistrationId(id), i)),
                    // Seats only get fewer within a run, so a newcomer left
                    // waiting cannot fit later in it; if it ever did, the
                    // batch is written one by one instead.
                    _ => {
                        return Err(StoreError::Unusable(
                            "a run's newcomer promoted later".into(),
                        ));
                    }
                }
            }
        }
        // Who can no longer fit is not looked at again.
        let left = registration::seats_to_settle(&st.offer, true, t).unwrap_or(0);
        place.waiting.retain(|w| w.seats <= left);
        newcomers.push(Newcomer {
            job: i,
            at,
            queue_order,
            confirmed,
            position: (!confirmed).then_some(place.in_line),
        });
    }

    // The writes: the newcomers in one statement, then what they announce.
    let made = insert(tx, batch, &newcomers, t).await?;
    for (id, by) in promoted {
        let r = promote(tx, id, t).await?;
        notify_all(tx, &batch[by].actor, &[(&r, Notice::Promoted)]).await?;
    }
    let mut notices: Vec<(usize, &Registration, Notice)> = newcomers
        .iter()
        .zip(&made)
        .map(|(n, r)| {
            (
                n.job,
                r,
                if n.confirmed {
                    Notice::Confirmed
                } else {
                    Notice::Waiting
                },
            )
        })
        .collect();
    notices.extend(
        already
            .iter()
            .map(|(i, r)| (*i, r, Notice::AlreadyRegistered)),
    );
    // One statement per actor (the audit names who registered).
    notices.sort_by_key(|&(i, _, _)| i);
    for group in notices.chunk_by(|a, b| same_actor(&batch[a.0].actor, &batch[b.0].actor)) {
        let list: Vec<(&Registration, Notice)> = group.iter().map(|&(_, r, n)| (r, n)).collect();
        notify_all(tx, &batch[group[0].0].actor, &list).await?;
    }
    for (n, r) in newcomers.iter().zip(made) {
        answers[n.job] = Some(Ok(Registered::New(r)));
    }
    Ok(length)
}

fn same_actor(a: &Actor, b: &Actor) -> bool {
    a.library_id == b.library_id && a.staff_id == b.staff_id && a.label == b.label
}

/// The registrations holding these idempotency keys, by key.
async fn by_keys<'a>(
    tx: &mut Tx,
    keys: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Registration>> {
    let head = Sql::new("select * from registrations where ", vec![]);
    registrations_in(tx, &head, "idempotency_hash", &keys.collect::<Vec<_>>()).await
}

/// The live registrations of these e-mails for `at`, by e-mail
/// (`live_by_email` for many).
async fn live_by_emails<'a>(
    tx: &mut Tx,
    at: At,
    emails: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Registration>> {
    let head = Sql::new(
        // `email <> ''` repeats the unique index's condition (see `live_by_email`).
        "select * from registrations where event_id = $1 and coalesce(session_id, 0) = $2 \
         and status <> 'cancelled' and email <> '' and ",
        vec![Arg::I(at.event_id.get()), Arg::I(at.key())],
    );
    registrations_in(tx, &head, "email", &emails.collect::<Vec<_>>()).await
}

/// The rows `head` selects whose `column` is one of `values` (read in
/// pieces of `IN_LIST`), each by its `column`, with its rank when waiting.
async fn registrations_in(
    tx: &mut Tx,
    head: &Sql,
    column: &str,
    values: &[&str],
) -> Result<HashMap<String, Registration>> {
    let mut out = HashMap::new();
    for chunk in pieces(values, IN_LIST) {
        let mut sql = head.clone();
        let list: Vec<String> = chunk
            .iter()
            .map(|v| sql.arg(Arg::S(v.to_string())))
            .collect();
        sql.text(&format!("{column} in ({})", list.join(", ")));
        for row in sql.query().fetch_all(&mut **tx).await? {
            let value: String = row.try_get(column)?;
            if let Some(r) = finish(tx, Some(row)).await? {
                out.insert(value, r);
            }
        }
    }
    Ok(out)
}

/// The waiting parties of `at` that the seats free now could take, in line
/// (`settle`'s read).
async fn could_fit(tx: &mut Tx, at: At, st: &SeatState, t: i64) -> Result<Vec<WaitingParty>> {
    match registration::seats_to_settle(&st.offer, true, t).filter(|&f| f > 0) {
        Some(free) => waiting_that_fit(tx, at, free).await,
        None => Ok(Vec::new()),
    }
}

/// Parameters one registration row takes in `insert`.
const ROW_PARAMS: usize = 15;
/// Values in one `in (…)` list, at most (see `sql::pieces`).
const IN_LIST: usize = 64;
/// Registrations one insert writes, at most (see `sql::pieces`).
const ROWS_PER_STATEMENT: usize = 32;

/// Inserts the newcomers, as placed, in a few statements: their rows, in
/// the same order.
async fn insert(
    tx: &mut Tx,
    batch: &[Job],
    newcomers: &[Newcomer],
    t: i64,
) -> Result<Vec<Registration>> {
    let mut ids: HashMap<String, RegistrationId> = HashMap::with_capacity(newcomers.len());
    for chunk in pieces(newcomers, ROWS_PER_STATEMENT) {
        let values = value_rows(chunk.len(), 1, ROW_PARAMS, |p| {
            format!("({}, $1, $1)", p.join(", "))
        });
        let sql = format!(
            "insert into registrations (library_id, event_id, session_id, name, email, phone, seats, ages, status, \
             queue_order, token_hash, idempotency_hash, source, lang, link_sealed, created_at, updated_at) \
             values {values} returning id, token_hash"
        );
        let mut q = sqlx::query(&sql).bind(t);
        for n in chunk {
            let job = &batch[n.job];
            let new = &job.new;
            q = q
                .bind(job.actor.library_id)
                .bind(n.at.event_id)
                .bind(n.at.session_id)
                .bind(&new.party.name)
                .bind(email_of(new))
                .bind(&new.party.phone)
                .bind(i64::from(new.party.seats))
                .bind(ages_text(&new.party.ages))
                .bind(if n.confirmed { "confirmed" } else { "waiting" })
                .bind(n.queue_order)
                .bind(&new.token_hash)
                .bind(&new.idempotency_hash)
                .bind(source(new))
                .bind(new.lang.code())
                .bind(&new.link_sealed);
        }
        for row in q.fetch_all(&mut **tx).await.map_err(classify)? {
            ids.insert(row.try_get("token_hash")?, row.try_get("id")?);
        }
    }
    newcomers
        .iter()
        .map(|n| {
            let job = &batch[n.job];
            let new = &job.new;
            let id = *ids.get(&new.token_hash).ok_or_else(|| {
                StoreError::Unusable("an inserted registration was not returned".into())
            })?;
            Ok(Registration {
                id,
                library_id: job.actor.library_id,
                event_id: n.at.event_id,
                session_id: n.at.session_id,
                name: new.party.name.clone(),
                email: email_of(new).to_string(),
                phone: new.party.phone.clone(),
                seats: new.party.seats,
                ages: new.party.ages.clone(),
                status: if n.confirmed {
                    RegistrationStatus::Confirmed
                } else {
                    RegistrationStatus::Waiting
                },
                position: n.position,
                source: source(new).to_string(),
                created_at: t,
                promoted_at: None,
                cancelled_at: None,
                anonymised: false,
                lang: new.lang,
            })
        })
        .collect()
}

/// A waiting party given a seat by a run (`settle`'s update).
async fn promote(tx: &mut Tx, id: RegistrationId, t: i64) -> Result<Registration> {
    sqlx::query("update registrations set status = 'confirmed', updated_at = $1, promoted_at = $1 where id = $2")
        .bind(t)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    by_id(tx, id).await
}

#[cfg(feature = "testing")]
impl Store {
    /// For tests: `list` written as one batch of the group commit, in this
    /// order, as if it had arrived together; each one's answer.
    pub async fn register_together(
        &self,
        list: &[(Actor, NewRegistration)],
    ) -> Result<Vec<Result<Registered>>> {
        let jobs: Vec<Job> = list
            .iter()
            .map(|(actor, new)| Job {
                actor: actor.clone(),
                new: new.clone(),
                reply: oneshot::channel().0,
            })
            .collect();
        commit(self, &jobs).await
    }

    /// For tests: one registration by the rule written one at a time
    /// (`register_in`, in a transaction of its own), the reference the
    /// batches are held to.
    pub async fn register_one_at_a_time(
        &self,
        actor: &Actor,
        new: &NewRegistration,
    ) -> Result<Registered> {
        self.register_alone(actor, new).await
    }
}
