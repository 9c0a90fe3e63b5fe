//! Registrations on both backends: no overbooking and no double registration
//! under hundreds of concurrent requests, waiting lists in arrival order,
//! promotion on cancellation, courses, moves, two servers on one database.

use almanach_domain::ids::{LibraryId, SessionId};
use almanach_domain::registration::{Party, RegistrationSettings, RegistrationStatus};
use almanach_store::testing::{
    party, published_event as event, registration as new, saved_session, workshop_write as write,
};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

/// A published workshop a week from now with `capacity` seats and up to `max_seats` per registration.
async fn workshop(store: &Store, lib: LibraryId, capacity: u32, max_seats: u32) -> SessionId {
    let e = event(store, lib, "Atelier robotique").await;
    let id = saved_session(store, lib, &write(e, Some(capacity), now() + 7 * DAY)).await;
    almanach_store::testing::max_seats(store, lib, id, max_seats).await;
    id
}

fn confirmed_seats(list: &[Registration]) -> u32 {
    list.iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| r.seats)
        .sum()
}

fn new_registration(r: Registered) -> Registration {
    match r {
        Registered::New(r) => r,
        other => panic!("expected a new registration, got {other:?}"),
    }
}

/// The invariants after any rush: seats within capacity, and filled when
/// someone fitting waits; a waiting list numbered 1..n in arrival order.
fn check_invariants(list: &[Registration], capacity: u32) {
    let taken = confirmed_seats(list);
    assert!(taken <= capacity, "{taken} seats confirmed for {capacity}");
    let waiting: Vec<&Registration> = list
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waiting)
        .collect();
    assert!(
        waiting.iter().all(|w| w.seats > capacity - taken),
        "a waiting party fits in the {} free seats",
        capacity - taken
    );
    let positions: Vec<u32> = waiting.iter().map(|w| w.position.unwrap()).collect();
    assert_eq!(
        positions,
        (1..=waiting.len() as u32).collect::<Vec<_>>(),
        "positions without gaps"
    );
    assert!(
        waiting.windows(2).all(|w| w[0].id < w[1].id),
        "the waiting list keeps arrival order"
    );
}

on_both_backends!(
    async fn hundreds_of_concurrent_registrations_never_overbook(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 40, 3).await;
        let mut tasks = Vec::new();
        for i in 0..300u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let p = party(&format!("p{i}@example.org"), i % 3 + 1);
                store
                    .register(
                        &Actor::system(lib, "public"),
                        &new(Target::Session(s), p, &i.to_string()),
                    )
                    .await
                    .unwrap()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(new_registration(t.await.unwrap()).status);
        }
        let list = store
            .list_registrations(lib, Target::Session(s))
            .await
            .unwrap();
        assert_eq!(list.len(), 300, "every request answered and saved once");
        assert_eq!(
            confirmed_seats(&list),
            40,
            "demand exceeds capacity: exactly filled"
        );
        check_invariants(&list, 40);
        let confirmed = statuses
            .iter()
            .filter(|s| **s == RegistrationStatus::Confirmed)
            .count();
        assert_eq!(
            confirmed,
            list.iter()
                .filter(|r| r.status == RegistrationStatus::Confirmed)
                .count(),
            "each answer tells the truth"
        );
        let st = store.seat_state(lib, Target::Session(s)).await.unwrap();
        assert_eq!(
            (st.offer.taken, st.offer.free(), st.waiting as usize),
            (40, Some(0), 300 - confirmed)
        );
    }
);

on_both_backends!(
    async fn the_same_form_sent_fifty_times_at_once_registers_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 10, 2).await;
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .register(
                        &Actor::system(lib, "public"),
                        &new(
                            Target::Session(s),
                            party("anne@example.org", 2),
                            "double-click",
                        ),
                    )
                    .await
                    .unwrap()
            }));
        }
        let (mut fresh, mut replayed, mut ids) = (0, 0, Vec::new());
        for t in tasks {
            match t.await.unwrap() {
                Registered::New(r) => {
                    fresh += 1;
                    ids.push(r.id)
                }
                Registered::Replayed(r) => {
                    replayed += 1;
                    ids.push(r.id)
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((fresh, replayed), (1, 49));
        ids.dedup();
        assert_eq!(ids.len(), 1, "every answer names the same registration");
        assert_eq!(
            store
                .list_registrations(lib, Target::Session(s))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn the_same_email_is_already_registered(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 10, 1).await;
        let first = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(s), party("Anne@Example.org", 1), "a"),
                )
                .await
                .unwrap(),
        );
        let again = store
            .register(
                &actor(lib),
                &new(Target::Session(s), party("anne@example.org", 1), "b"),
            )
            .await
            .unwrap();
        assert!(
            matches!(&again, Registered::AlreadyRegistered(r) if r.id == first.id),
            "{again:?}"
        );
        let log = store
            .audit_log(lib, Some(("registration", first.id.get())), 10)
            .await
            .unwrap();
        assert_eq!(
            log[0].action, "already_registered",
            "the e-mail phase re-sends the link from here"
        );
        // Once cancelled, the same person may register again.
        store
            .cancel_registration(&actor(lib), first.id)
            .await
            .unwrap();
        let r = store
            .register(
                &actor(lib),
                &new(Target::Session(s), party("anne@example.org", 1), "c"),
            )
            .await
            .unwrap();
        assert_eq!(new_registration(r).status, RegistrationStatus::Confirmed);
        // The private link finds it; the hashes are what is stored.
        assert_eq!(
            store
                .registration_by_token("token-c")
                .await
                .unwrap()
                .unwrap()
                .email,
            "anne@example.org"
        );
        assert!(store.registration_by_token("c").await.unwrap().is_none());
    }
);

on_both_backends!(
    async fn cancellation_promotes_the_first_party_that_fits(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 4, 4).await;
        let mut ids = Vec::new();
        for (name, seats) in [("a", 2), ("b", 2), ("c", 3), ("d", 1), ("e", 2)] {
            let r = new_registration(
                store
                    .register(
                        &actor(lib),
                        &new(
                            Target::Session(s),
                            party(&format!("{name}@x.org"), seats),
                            name,
                        ),
                    )
                    .await
                    .unwrap(),
            );
            ids.push(r.id);
        }
        let [a, b, c, d, e] = ids[..] else {
            unreachable!()
        };
        let by_id = |list: &[Registration], id| list.iter().find(|r| r.id == id).unwrap().clone();
        let list = store
            .list_registrations(lib, Target::Session(s))
            .await
            .unwrap();
        assert_eq!(by_id(&list, c).position, Some(1));
        assert_eq!(by_id(&list, e).position, Some(3));

        // Two seats free: C (3) does not fit and keeps its rank, D (1) does, E (2) no longer does.
        let promoted = store.cancel_registration(&actor(lib), b).await.unwrap();
        assert_eq!(promoted.iter().map(|r| r.id).collect::<Vec<_>>(), [d]);
        assert!(promoted[0].promoted_at.is_some());
        let list = store
            .list_registrations(lib, Target::Session(s))
            .await
            .unwrap();
        assert_eq!(
            (by_id(&list, c).position, by_id(&list, e).position),
            (Some(1), Some(2))
        );
        check_invariants(&list, 4);
        let log = store
            .audit_log(lib, Some(("registration", d.get())), 10)
            .await
            .unwrap();
        assert_eq!(log[0].action, "promote", "who was promoted is recorded");

        // Three seats free: now C fits first.
        let promoted = store.cancel_registration(&actor(lib), a).await.unwrap();
        assert_eq!(promoted.iter().map(|r| r.id).collect::<Vec<_>>(), [c]);
        let list = store
            .list_registrations(lib, Target::Session(s))
            .await
            .unwrap();
        assert_eq!(by_id(&list, e).position, Some(1));
        check_invariants(&list, 4);
        // Cancelling twice changes nothing.
        assert!(
            store
                .cancel_registration(&actor(lib), a)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    async fn a_larger_capacity_promotes_waiting_parties(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 2, 2).await;
        for (name, seats) in [("a", 2), ("b", 1), ("c", 2)] {
            store
                .register(
                    &actor(lib),
                    &new(
                        Target::Session(s),
                        party(&format!("{name}@x.org"), seats),
                        name,
                    ),
                )
                .await
                .unwrap();
        }
        let session = store.session(lib, s).await.unwrap();
        let mut w = write(session.event_id, Some(4), session.starts_at);
        w.local_date = session.local_date.clone();
        store
            .save_session(&actor(lib), Some(s), &w)
            .await
            .unwrap()
            .unwrap();
        let list = store
            .list_registrations(lib, Target::Session(s))
            .await
            .unwrap();
        assert_eq!(
            confirmed_seats(&list),
            3,
            "b promoted, c (2) waits for the last seat"
        );
        check_invariants(&list, 4);
        // The registration settings survive an edit of the session.
        assert_eq!(
            store
                .seat_state(lib, Target::Session(s))
                .await
                .unwrap()
                .settings
                .max_seats,
            2
        );
    }
);

on_both_backends!(
    async fn a_course_registration_books_every_session(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, "Robotique et IA (trois samedis)").await;
        let t = now() + 7 * DAY;
        let mut sessions = Vec::new();
        for (i, cap) in [10, 3, 12].into_iter().enumerate() {
            sessions.push(
                store
                    .save_session(
                        &actor(lib),
                        None,
                        &write(e, Some(cap), t + i as i64 * 7 * DAY),
                    )
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        store
            .set_registration_settings(
                &actor(lib),
                sessions[0],
                &RegistrationSettings {
                    max_seats: 2,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store.set_course(&actor(lib), e, true).await.unwrap();
        // Registering from any session's page registers for the course.
        let a = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(sessions[2]), party("a@x.org", 2), "a"),
                )
                .await
                .unwrap(),
        );
        assert_eq!((a.session_id, a.target()), (None, Target::Course(e)));
        let b = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Course(e), party("b@x.org", 2), "b"),
                )
                .await
                .unwrap(),
        );
        assert_eq!(
            b.status,
            RegistrationStatus::Waiting,
            "the smallest session (3) holds the course's capacity"
        );
        let c = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Course(e), party("c@x.org", 1), "c"),
                )
                .await
                .unwrap(),
        );
        assert_eq!(
            c.status,
            RegistrationStatus::Confirmed,
            "the first party that fits"
        );
        for s in &sessions {
            let st = store.seat_state(lib, Target::Session(*s)).await.unwrap();
            assert_eq!(
                (st.target, st.offer.taken, st.offer.capacity, st.waiting),
                (Target::Course(e), 3, Some(3), 1)
            );
            assert_eq!(
                store
                    .list_registrations(lib, Target::Session(*s))
                    .await
                    .unwrap()
                    .len(),
                3
            );
        }
        // The sessions' own count, as the agenda shows it, includes the course's seats.
        let agenda = store
            .agenda(
                lib,
                &AgendaFilter {
                    now: now(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            agenda
                .iter()
                .all(|i| i.seats.offer.taken == 3 && i.seats.target == Target::Course(e))
        );
        // The course flag cannot change under registrations.
        assert!(matches!(
            store.set_course(&actor(lib), e, false).await,
            Err(StoreError::Conflict(_))
        ));
    }
);

on_both_backends!(
    async fn moving_a_party_frees_its_seats_for_the_waiting_list(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let full = workshop(&store, lib, 2, 2).await;
        let other = workshop(&store, lib, 5, 2).await;
        let a = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(full), party("a@x.org", 2), "a"),
                )
                .await
                .unwrap(),
        );
        let b = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(full), party("b@x.org", 2), "b"),
                )
                .await
                .unwrap(),
        );
        assert_eq!(b.position, Some(1));
        let moved = store
            .move_registration(&actor(lib), a.id, Target::Session(other))
            .await
            .unwrap();
        let Moved::Done {
            confirmed,
            promoted,
        } = moved
        else {
            panic!("{moved:?}")
        };
        assert!(confirmed);
        assert_eq!(promoted.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id]);
        assert_eq!(
            store.registration(lib, a.id).await.unwrap().session_id,
            Some(other)
        );
        check_invariants(
            &store
                .list_registrations(lib, Target::Session(full))
                .await
                .unwrap(),
            2,
        );
        // The same e-mail cannot be moved onto a session it already holds.
        let c = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(full), party("a@x.org", 1), "c"),
                )
                .await
                .unwrap(),
        );
        assert!(matches!(
            store
                .move_registration(&actor(lib), c.id, Target::Session(other))
                .await
                .unwrap(),
            Moved::AlreadyRegistered
        ));
    }
);

on_both_backends!(
    async fn the_window_and_the_seats_are_enforced(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 3, 4).await;
        let reg = |p: Party, key: &str, by_staff: bool| {
            let mut n = new(Target::Session(s), p, key);
            n.by_staff = by_staff;
            let store = store.clone();
            async move { store.register(&actor(lib), &n).await.unwrap() }
        };
        assert!(matches!(
            reg(party("a@x.org", 4), "1", false).await,
            Registered::Refused(Refusal::MoreThanCapacity { capacity: 3 })
        ));
        let later = now() + DAY;
        store
            .set_registration_settings(
                &actor(lib),
                s,
                &RegistrationSettings {
                    opens_at: Some(later),
                    closes_at: None,
                    max_seats: 2,
                },
            )
            .await
            .unwrap();
        assert!(
            matches!(
                reg(party("a@x.org", 3), "2", true).await,
                Registered::Refused(Refusal::TooManySeats { max: 2 })
            ),
            "staff too"
        );
        assert!(
            matches!(reg(party("a@x.org", 1), "3", false).await, Registered::Refused(Refusal::NotYetOpen { opens_at }) if opens_at == later)
        );
        // Staff registering a phone caller are not bound by the window.
        assert!(matches!(
            reg(party("a@x.org", 1), "4", true).await,
            Registered::New(_)
        ));
        store
            .set_registration_settings(
                &actor(lib),
                s,
                &RegistrationSettings {
                    opens_at: None,
                    closes_at: Some(now() - 60),
                    max_seats: 2,
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            reg(party("b@x.org", 1), "5", false).await,
            Registered::Refused(Refusal::Closed)
        ));
        // Free entry takes no registration at all.
        let e = event(&store, lib, "Point de l'IA").await;
        let free = store
            .save_session(&actor(lib), None, &write(e, None, now() + DAY))
            .await
            .unwrap()
            .unwrap();
        let r = store
            .register(
                &actor(lib),
                &new(Target::Session(free), party("a@x.org", 1), "6"),
            )
            .await
            .unwrap();
        assert!(matches!(r, Registered::Refused(Refusal::NoRegistration)));
        assert_eq!(
            store
                .list_registrations(lib, Target::Session(s))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn forgetting_erases_the_person_and_frees_the_seats(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = workshop(&store, lib, 1, 1).await;
        let a = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(s), party("secret.person@x.org", 1), "a"),
                )
                .await
                .unwrap(),
        );
        let b = new_registration(
            store
                .register(
                    &actor(lib),
                    &new(Target::Session(s), party("b@x.org", 1), "b"),
                )
                .await
                .unwrap(),
        );
        let promoted = store.forget_registration(&actor(lib), a.id).await.unwrap();
        assert_eq!(promoted.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id]);
        let gone = store.registration(lib, a.id).await.unwrap();
        assert_eq!(
            (gone.name.as_str(), gone.email.as_str(), gone.phone.as_str()),
            ("", "", "")
        );
        assert!(gone.anonymised && gone.status == RegistrationStatus::Cancelled && gone.seats == 1);
        let log = store.audit_log(lib, None, 100).await.unwrap();
        let all = serde_json::to_string(&log).unwrap();
        assert!(
            !all.contains("secret.person"),
            "the audit trail holds no personal data"
        );
    }
);

/// Two `almanach serve` processes on one database: two stores, one rush.
async fn two_servers(backend: Backend) {
    let url = testing::fresh_url(backend).await.expect("a fresh database");
    let (one, two) = (
        Store::open(&url).await.unwrap(),
        Store::open(&url).await.unwrap(),
    );
    let lib = one.default_library().await.unwrap().id;
    let s = workshop(&one, lib, 25, 2).await;
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let store = if i % 2 == 0 { one.clone() } else { two.clone() };
        tasks.push(tokio::spawn(async move {
            // Every fifth request is a double click landing on the other server.
            let key = if i % 5 == 1 { i - 1 } else { i };
            let p = party(&format!("p{key}@example.org"), key % 2 + 1);
            let key = key.to_string();
            store
                .register(
                    &Actor::system(lib, "public"),
                    &new(Target::Session(s), p, &key),
                )
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let list = two
        .list_registrations(lib, Target::Session(s))
        .await
        .unwrap();
    assert_eq!(list.len(), 160, "double clicks registered once");
    assert_eq!(confirmed_seats(&list), 25);
    check_invariants(&list, 25);
}

almanach_store::on_each_backend!(two_servers_on_one_database, super::two_servers);
