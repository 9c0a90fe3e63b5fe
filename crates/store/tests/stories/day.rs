//! On the day, on both backends: taps of the head counter applied in SQL
//! (concurrent taps all count), ticks of registered parties feeding
//! participants, under-14s and registered/present, "not counted" again.

use almanach_domain::attendance::Headcount;
use almanach_domain::ids::{LibraryId, RegistrationId, SessionId};
use almanach_domain::registration::{EmailAddress, Party};
use almanach_store::testing::{
    max_seats, published_event, registered, registration, saved_session, workshop_write,
};
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

const ADD: Tap = Tap {
    delta: 1,
    under_14: false,
};
const ADD_CHILD: Tap = Tap {
    delta: 1,
    under_14: true,
};
const REMOVE: Tap = Tap {
    delta: -1,
    under_14: false,
};
const REMOVE_CHILD: Tap = Tap {
    delta: -1,
    under_14: true,
};

/// A published session that began ten minutes ago; on registration with
/// `capacity` seats when given.
async fn session(store: &Store, lib: LibraryId, capacity: Option<u32>) -> SessionId {
    session_at(store, lib, capacity, now() - 600).await
}

async fn session_at(
    store: &Store,
    lib: LibraryId,
    capacity: Option<u32>,
    starts_at: i64,
) -> SessionId {
    let e = published_event(store, lib, "Atelier").await;
    let w = SessionWrite {
        ends_at: starts_at + 3600,
        ..workshop_write(e, capacity, starts_at)
    };
    let id = saved_session(store, lib, &w).await;
    if capacity.is_some() {
        max_seats(store, lib, id, 4).await;
    }
    id
}

async fn register(
    store: &Store,
    lib: LibraryId,
    session_id: SessionId,
    key: &str,
    seats: u32,
    ages: Vec<u8>,
) -> Registration {
    let party = Party {
        name: format!("Famille {key}"),
        email: Some(EmailAddress::parse("email", &format!("{key}@example.org")).unwrap()),
        phone: String::new(),
        seats,
        ages,
    };
    let new = NewRegistration {
        by_staff: true,
        ..registration(Target::Session(session_id), party, key)
    };
    registered(store, &actor(lib), &new).await
}

fn counts(a: &Attendance) -> (Option<u32>, Option<u32>, Option<u32>, Option<u32>) {
    let h = a.headcount;
    (h.participants, h.under_14, h.registered, h.present)
}

on_both_backends!(
    async fn taps_count_people_and_under_14s_and_never_go_below_zero(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = session(&store, lib, None).await;
        assert_eq!(
            counts(&store.attendance(lib, s).await.unwrap()),
            (None, None, None, None),
            "not counted yet"
        );

        assert!(
            store
                .count_tap(&actor(lib), s, REMOVE)
                .await
                .unwrap()
                .is_none(),
            "nothing to take away"
        );
        assert_eq!(
            store
                .attendance(lib, s)
                .await
                .unwrap()
                .headcount
                .participants,
            None,
            "a refused tap does not count"
        );

        store.count_tap(&actor(lib), s, ADD).await.unwrap().unwrap();
        store
            .count_tap(&actor(lib), s, ADD_CHILD)
            .await
            .unwrap()
            .unwrap();
        let a = store
            .count_tap(&actor(lib), s, ADD_CHILD)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            counts(&a),
            (Some(3), Some(2), None, None),
            "an under-14 is also a participant"
        );
        assert_eq!(a.counted_by.as_deref(), Some("test"));

        // Taking away someone 14 or over leaves the two children.
        let a = store
            .count_tap(&actor(lib), s, REMOVE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counts(&a), (Some(2), Some(2), None, None));
        assert!(
            store
                .count_tap(&actor(lib), s, REMOVE)
                .await
                .unwrap()
                .is_none(),
            "the rest are under 14"
        );
        let a = store
            .count_tap(&actor(lib), s, REMOVE_CHILD)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counts(&a), (Some(1), Some(1), None, None));
        let a = store
            .count_tap(&actor(lib), s, REMOVE_CHILD)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            counts(&a),
            (Some(0), Some(0), None, None),
            "zero, counted: not the same as not counted"
        );
        assert!(
            store
                .count_tap(&actor(lib), s, REMOVE_CHILD)
                .await
                .unwrap()
                .is_none()
        );

        let a = store.reset_count(&actor(lib), s).await.unwrap();
        assert_eq!(counts(&a), (None, None, None, None), "not counted again");
        let trail = store
            .audit_log(lib, Some(("attendance", s.get())), 100)
            .await
            .unwrap();
        assert_eq!(
            trail.iter().filter(|e| e.action == "tap").count(),
            6,
            "each applied tap is audited, refused ones are not"
        );
        assert_eq!(trail.iter().filter(|e| e.action == "reset").count(), 1);
        let last_tap = trail
            .iter()
            .find(|e| e.action == "tap")
            .unwrap()
            .after
            .clone()
            .unwrap();
        assert_eq!(
            (
                &last_tap["delta"],
                &last_tap["under_14"],
                &last_tap["headcount"]["participants"]
            ),
            (&(-1).into(), &true.into(), &0.into()),
            "{last_tap}"
        );
    }
);

on_both_backends!(
    async fn concurrent_taps_all_count(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = session(&store, lib, None).await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let store = store.clone();
            let tap = if i % 3 == 0 { ADD_CHILD } else { ADD };
            tasks.push(tokio::spawn(async move {
                store
                    .count_tap(&Actor::system(lib, &format!("phone {}", i % 2)), s, tap)
                    .await
            }));
        }
        for t in tasks {
            t.await
                .unwrap()
                .unwrap()
                .expect("an increment is never refused");
        }
        let a = store.attendance(lib, s).await.unwrap();
        assert_eq!(
            counts(&a),
            (Some(60), Some(20), None, None),
            "no tap lost between two phones"
        );

        // Taking away at once more than there is stops at zero.
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .count_tap(&Actor::system(lib, "phone"), s, REMOVE)
                    .await
            }));
        }
        let mut applied = 0;
        for t in tasks {
            applied += usize::from(t.await.unwrap().unwrap().is_some());
        }
        assert_eq!(applied, 40, "only those 14 or over can be taken away");
        assert_eq!(
            counts(&store.attendance(lib, s).await.unwrap()),
            (Some(20), Some(20), None, None)
        );
    }
);

on_both_backends!(
    async fn ticks_feed_participants_under_14s_and_registered_present(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = session(&store, lib, Some(12)).await;
        let family = register(&store, lib, s, "a", 3, vec![8, 15]).await;
        let alone = register(&store, lib, s, "b", 1, vec![]).await;
        let absent = register(&store, lib, s, "c", 2, vec![]).await;
        let list = store.arrivals(lib, s).await.unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|a| !a.present));

        let a = store
            .check_in(&actor(lib), s, family.id, true)
            .await
            .unwrap();
        assert_eq!(
            counts(&a),
            (Some(3), Some(1), Some(6), Some(3)),
            "three seats, one child under 14, of six registered"
        );
        let a = store
            .check_in(&actor(lib), s, family.id, true)
            .await
            .unwrap();
        assert_eq!(
            counts(&a),
            (Some(3), Some(1), Some(6), Some(3)),
            "ticking twice counts once"
        );
        store
            .check_in(&actor(lib), s, alone.id, true)
            .await
            .unwrap();
        // A walk-in: counted, not registered.
        let a = store.count_tap(&actor(lib), s, ADD).await.unwrap().unwrap();
        assert_eq!(counts(&a), (Some(5), Some(1), Some(6), Some(4)));
        assert_eq!(
            a.headcount.no_shows(),
            Some(2),
            "the party of two did not come"
        );

        // The counter cannot take away the registered present: untick them instead.
        store
            .count_tap(&actor(lib), s, REMOVE)
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .count_tap(&actor(lib), s, REMOVE)
                .await
                .unwrap()
                .is_none()
        );
        let a = store
            .check_in(&actor(lib), s, alone.id, false)
            .await
            .unwrap();
        assert_eq!(counts(&a), (Some(3), Some(1), Some(6), Some(3)));

        let ticked: Vec<(RegistrationId, bool)> = store
            .arrivals(lib, s)
            .await
            .unwrap()
            .iter()
            .map(|a| (a.registration.id, a.present))
            .collect();
        assert_eq!(
            ticked,
            [(family.id, true), (alone.id, false), (absent.id, false)]
        );

        // Only a confirmed party of this very session can be ticked.
        let other = session(&store, lib, Some(5)).await;
        let elsewhere = register(&store, lib, other, "d", 1, vec![]).await;
        assert!(matches!(
            store.check_in(&actor(lib), s, elsewhere.id, true).await,
            Err(StoreError::NotFound)
        ));
        store
            .cancel_registration(&actor(lib), absent.id)
            .await
            .unwrap();
        assert!(matches!(
            store.check_in(&actor(lib), s, absent.id, true).await,
            Err(StoreError::Conflict(_))
        ));

        let a = store.reset_count(&actor(lib), s).await.unwrap();
        assert_eq!(counts(&a), (None, None, None, None));
        assert!(
            store
                .arrivals(lib, s)
                .await
                .unwrap()
                .iter()
                .all(|a| !a.present),
            "the ticks go with the count"
        );
    }
);

on_both_backends!(
    async fn two_phones_ticking_the_same_party_count_it_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = session(&store, lib, Some(40)).await;
        let mut parties = Vec::new();
        for i in 0..10 {
            parties.push(
                register(&store, lib, s, &format!("p{i}"), 2, vec![10])
                    .await
                    .id,
            );
        }
        let mut tasks = Vec::new();
        for phone in 0..2 {
            for &id in &parties {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    store
                        .check_in(&Actor::system(lib, &format!("phone {phone}")), s, id, true)
                        .await
                        .map(Some)
                }));
            }
            for _ in 0..5 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    store.count_tap(&Actor::system(lib, "door"), s, ADD).await
                }));
            }
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let a = store.attendance(lib, s).await.unwrap();
        assert_eq!(
            counts(&a),
            (Some(30), Some(10), Some(20), Some(20)),
            "20 registered present and 10 walk-ins"
        );
    }
);

on_both_backends!(
    async fn nothing_is_counted_before_a_session_begins_ticks_open_with_the_doors(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let h = |n| Headcount::new(Some(n), Some(0), None, None).unwrap();
        let not_yet = |r: Result<_>, key: &str| match r {
            Err(StoreError::Conflict(k)) => assert_eq!(k, key),
            other => panic!("expected a refusal {key}, got {other:?}"),
        };

        // Six weeks ahead: no count, no tap, no tick; nothing changes.
        let later = session_at(&store, lib, Some(10), now() + 42 * 86_400).await;
        let party = register(&store, lib, later, "early", 2, vec![]).await;
        not_yet(
            store
                .set_headcount(&actor(lib), later, &h(25))
                .await
                .map(|_| ()),
            "error.count_before_start",
        );
        not_yet(
            store.count_tap(&actor(lib), later, ADD).await.map(|_| ()),
            "error.count_before_start",
        );
        not_yet(
            store
                .check_in(&actor(lib), later, party.id, true)
                .await
                .map(|_| ()),
            "error.check_in_before_doors",
        );
        assert_eq!(
            counts(&store.attendance(lib, later).await.unwrap()),
            (None, None, None, None),
            "nothing half-saved"
        );
        // Unticking and "not counted" again are corrections: always accepted.
        store
            .check_in(&actor(lib), later, party.id, false)
            .await
            .unwrap();
        store
            .set_headcount(&actor(lib), later, &Headcount::default())
            .await
            .unwrap();

        // Half an hour before: the doors are open for ticks, not for counting.
        let soon = session_at(&store, lib, Some(10), now() + 1_800).await;
        let party = register(&store, lib, soon, "door", 2, vec![]).await;
        let a = store
            .check_in(&actor(lib), soon, party.id, true)
            .await
            .unwrap();
        assert_eq!(counts(&a).0, Some(2), "the party's seats are in");
        not_yet(
            store.count_tap(&actor(lib), soon, ADD).await.map(|_| ()),
            "error.count_before_start",
        );

        // Under way, and long past: counted, and corrected after.
        let under_way = session(&store, lib, None).await;
        assert!(
            store
                .count_tap(&actor(lib), under_way, ADD)
                .await
                .unwrap()
                .is_some()
        );
        let past = session_at(&store, lib, None, now() - 30 * 86_400).await;
        store
            .set_headcount(&actor(lib), past, &h(12))
            .await
            .unwrap();
        let a = store
            .set_headcount(&actor(lib), past, &h(14))
            .await
            .unwrap();
        assert_eq!(counts(&a).0, Some(14), "a correction after the session");
    }
);
