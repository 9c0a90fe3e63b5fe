//! Overload is `StoreError::Busy`, never `Other`: no free connection in
//! time, SQLite's "database is locked", PostgreSQL's lock and statement
//! timeouts; and a registration refused for it writes nothing.

use std::time::Duration;

use almanach_store::testing::{
    dispose, exec, fresh_store_with, party, published_event, registration, saved_session,
    workshop_write,
};
use almanach_store::*;

/// A pool of one connection that gives up after 200 ms.
const TINY: PoolOptions = PoolOptions {
    max_connections: Some(1),
    acquire_timeout: Duration::from_millis(200),
};

async fn pool_exhausted(backend: Backend) {
    let store = fresh_store_with(backend, TINY).await.expect("store");
    let lib = store.default_library().await.unwrap().id;
    let actor = Actor::system(lib, "test");
    let e = published_event(&store, lib, "Atelier robotique").await;
    let s = saved_session(
        &store,
        lib,
        &workshop_write(e, Some(10), now() + 7 * 86_400),
    )
    .await;
    let new = registration(Target::Session(s), party("anne@example.org", 1), "a");

    let held = store.pool().acquire().await.unwrap();
    // A read (a plain `?` on the query) and a write (the transaction's begin).
    let read = store.default_library().await;
    assert!(matches!(read, Err(StoreError::Busy(_))), "{read:?}");
    let write = store.register(&actor, &new).await;
    assert!(matches!(write, Err(StoreError::Busy(_))), "{write:?}");

    drop(held);
    let list = store
        .list_registrations(lib, Target::Session(s))
        .await
        .unwrap();
    assert!(list.is_empty(), "the refused registration left nothing");
    let again = store.register(&actor, &new).await.unwrap();
    assert!(matches!(again, Registered::New(_)), "{again:?}");
    let list = store
        .list_registrations(lib, Target::Session(s))
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    dispose(store).await;
}

almanach_store::on_each_backend!(
    no_free_connection_is_busy_and_writes_nothing,
    super::pool_exhausted
);

/// What the database itself answers when a lock is not had in time.
async fn locks_not_had_in_time(backend: Backend) {
    let pool = PoolOptions {
        max_connections: Some(2),
        ..PoolOptions::default()
    };
    let store = fresh_store_with(backend, pool).await.expect("store");
    let mut holder = store.pool().acquire().await.unwrap();
    let mut waiter = store.pool().acquire().await.unwrap();
    let busy = |r: Result<sqlx::any::AnyQueryResult, sqlx::Error>| {
        let e = StoreError::from(r.expect_err("the lock was not free"));
        assert!(matches!(e, StoreError::Busy(_)), "{e:?}");
    };
    match backend {
        Backend::Sqlite => {
            exec(&mut holder, "begin immediate").await;
            // Without waiting: SQLITE_BUSY at once instead of after 10 s.
            exec(&mut waiter, "pragma busy_timeout = 0").await;
            busy(sqlx::query("begin immediate").execute(&mut *waiter).await);
            exec(&mut holder, "rollback").await;
            exec(&mut waiter, "pragma busy_timeout = 10000").await;
        }
        Backend::Postgres => {
            exec(&mut holder, "begin").await;
            exec(&mut holder, "lock table events in access exclusive mode").await;
            // 55P03 lock_not_available.
            exec(&mut waiter, "set lock_timeout = '100ms'").await;
            busy(
                sqlx::query("select count(*) from events")
                    .execute(&mut *waiter)
                    .await,
            );
            exec(&mut holder, "rollback").await;
            exec(&mut waiter, "set lock_timeout = 0").await;
            // 57014 query_canceled, by statement_timeout.
            exec(&mut waiter, "set statement_timeout = '50ms'").await;
            busy(
                sqlx::query("select pg_sleep(2)")
                    .execute(&mut *waiter)
                    .await,
            );
            exec(&mut waiter, "set statement_timeout = 0").await;
        }
    }
    drop((holder, waiter));
    dispose(store).await;
}

almanach_store::on_each_backend!(a_lock_not_had_in_time_is_busy, super::locks_not_had_in_time);

/// The registrar's queue full (a crowd larger than the server can take):
/// who finds no room within half a second is refused as Busy (the web
/// answers 503 with Retry-After) and nothing of theirs is written; every
/// registration answered is stored, none twice.
async fn queue_full(backend: Backend) {
    use std::collections::BTreeSet;
    let store = almanach_store::testing::fresh_store(backend)
        .await
        .expect("store");
    let lib = store.default_library().await.unwrap().id;
    let actor = Actor::system(lib, "test");
    let e = published_event(&store, lib, "Atelier très demandé").await;
    let s = saved_session(
        &store,
        lib,
        &workshop_write(e, Some(10), now() + 7 * 86_400),
    )
    .await;
    // The writer held: SQLite's write lock, or the event's row.
    let mut holder = store.pool().acquire().await.unwrap();
    match backend {
        Backend::Sqlite => exec(&mut holder, "begin immediate").await,
        Backend::Postgres => {
            exec(&mut holder, "begin").await;
            exec(
                &mut holder,
                &format!("select id from events where id = {e} for update"),
            )
            .await;
        }
    }
    // More than the queue (4,096) and a batch (256) hold.
    let crowd = 4096 + 256 + 300;
    let mut asked = Vec::new();
    for i in 0..crowd {
        let (store, actor) = (store.clone(), actor.clone());
        asked.push(tokio::spawn(async move {
            let email = format!("p{i}@example.org");
            let new = registration(Target::Session(s), party(&email, 1), &format!("k{i}"));
            (email, store.register(&actor, &new).await)
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    exec(&mut holder, "rollback").await;
    drop(holder);
    let (mut answered, mut busy) = (BTreeSet::new(), 0);
    for a in asked {
        match a.await.unwrap() {
            (email, Ok(Registered::New(_))) => {
                answered.insert(email);
            }
            (_, Err(StoreError::Busy(_))) => busy += 1,
            (email, other) => panic!("{email}: {other:?}"),
        }
    }
    assert!(busy > 0, "the queue was full: some were refused");
    assert!(
        answered.len() >= 4096,
        "the queue's worth got in: {}",
        answered.len()
    );
    assert_eq!(answered.len() + busy, crowd);
    let stored: BTreeSet<String> = store
        .list_registrations(lib, Target::Session(s))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.email)
        .collect();
    assert_eq!(stored, answered, "stored if and only if answered");
    dispose(store).await;
}

almanach_store::on_each_backend!(
    a_full_registration_queue_is_busy_and_writes_nothing,
    super::queue_full
);
