//! Group commit for registrations (issue 11, docs/decisions/0024). One
//! writer per store gathers the registrations that arrive together into one
//! transaction: it applies the seat and promotion rules to each in arrival
//! order (`registrations::register_in`, each inside a savepoint so one
//! refusal or error undoes only itself), commits once, then answers each.
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

use crate::audit::Actor;
use crate::registrations::{NewRegistration, Registered, event_of, register_in, replayed};
use crate::{Result, Store, StoreError, Tx};

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
    // Which event each one is for, read before any lock is taken, so the
    // events are locked in ascending order.
    // A target that is not there (another library's, deleted) is answered
    // with that error, without a savepoint.
    let mut events: Vec<(Result<EventId>, usize)> = Vec::with_capacity(batch.len());
    for (i, job) in batch.iter().enumerate() {
        let event = event_of(&mut tx, job.actor.library_id, job.new.target).await;
        events.push((event, i));
    }
    events.sort_unstable_by_key(|(event, i)| (event.as_ref().ok().copied(), *i));
    let mut answers: Vec<Option<Result<Registered>>> = (0..batch.len()).map(|_| None).collect();
    for (event, i) in events {
        answers[i] = Some(match event {
            Ok(event_id) => one(&mut tx, &batch[i], event_id).await?,
            Err(e) => Err(e),
        });
    }
    tx.commit().await?;
    Ok(answers.into_iter().map(|a| a.expect("answered")).collect())
}

/// One registration inside a savepoint: its own answer, an error only when
/// the transaction itself can no longer be used.
async fn one(tx: &mut Tx, job: &Job, event_id: EventId) -> Result<Result<Registered>> {
    sqlx::query("savepoint registration")
        .execute(&mut **tx)
        .await?;
    let answer = register_in(tx, &job.actor, &job.new, event_id).await;
    if answer.is_err() {
        sqlx::query("rollback to savepoint registration")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("release savepoint registration")
        .execute(&mut **tx)
        .await?;
    Ok(match answer {
        Err(StoreError::Conflict(why)) => replayed(tx, &job.new, why).await,
        // The transaction's own trouble (a lock not had in time): the whole
        // batch is tried again one by one.
        Err(busy @ StoreError::Busy(_)) => return Err(busy),
        other => other,
    })
}
