//! Typed ids at the store boundary (docs/decisions/0023): the compiler keeps
//! a session's id from being passed as a library's; these stories check the
//! other half, that a well-typed id of another library finds nothing.

use almanach_store::testing::{published_event, session_write};
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

on_both_backends!(
    async fn another_librarys_session_is_as_absent_as_a_missing_one(store: Store) {
        let mine = store.default_library().await.unwrap().id;
        let theirs: LibraryId = sqlx::query_scalar(
            "insert into libraries (name, created_at) values ('B', 0) returning id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let event = published_event(&store, mine, "Atelier").await;
        let day = jiff::civil::date(2026, 3, 14);
        let w = session_write(event, day, 10, 12);
        let session = store
            .save_session(&actor(mine), None, &w)
            .await
            .unwrap()
            .unwrap();

        assert!(matches!(
            store.session(theirs, session).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.event(theirs, event).await,
            Err(StoreError::NotFound)
        ));
        // Nor can the other library change it.
        assert!(matches!(
            store
                .set_session_cancelled(&actor(theirs), session, true)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.save_session(&actor(theirs), Some(session), &w).await,
            Err(StoreError::NotFound)
        ));
        // The owner still reads it, untouched.
        let s = store.session(mine, session).await.unwrap();
        assert!(!s.cancelled);
        assert_eq!(s.event_id, event);
    }
);
