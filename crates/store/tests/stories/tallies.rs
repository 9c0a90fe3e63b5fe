//! The seat tallies (migration 0015) against the registrations they count:
//! hundreds of random registrations, cancellations, moves, erasures and
//! capacity changes on two sessions of one event, each followed by a check
//! that what the tallies say (seats taken, parties waiting, each waiting
//! party's rank) is what counting the rows says, that the waiting list is
//! ranked 1, 2, 3… without a gap, that nobody is confirmed beyond a
//! capacity that never went down, and that nobody waits who would fit. Then
//! the same operations from eight clients at once (two thousand
//! interleaved), checked when they are done.

use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::registration::RegistrationStatus;
use almanach_store::testing::{
    Dice, party, published_event, registration as new, saved_session, workshop_write,
};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

/// The two sessions' capacities as they are now, and whether each ever went down.
struct Sessions {
    ids: [SessionId; 2],
    capacity: [u32; 2],
    lowered: [bool; 2],
}

async fn check(store: &Store, lib: LibraryId, s: &Sessions, step: usize, what: &str) {
    for (k, id) in s.ids.iter().enumerate() {
        let list = store
            .list_registrations(lib, Target::Session(*id))
            .await
            .unwrap();
        let confirmed: u32 = list
            .iter()
            .filter(|r| r.status == RegistrationStatus::Confirmed)
            .map(|r| r.seats)
            .sum();
        let waiting: Vec<&Registration> = list
            .iter()
            .filter(|r| r.status == RegistrationStatus::Waiting)
            .collect();
        let seats = store.seat_state(lib, Target::Session(*id)).await.unwrap();
        assert_eq!(
            (seats.offer.taken, seats.waiting as usize),
            (confirmed, waiting.len()),
            "step {step} ({what}), session {k}: tallies against the rows"
        );
        for (rank, r) in waiting.iter().enumerate() {
            let one = store.registration(lib, r.id).await.unwrap();
            assert_eq!(
                one.position,
                Some(rank as u32 + 1),
                "step {step} ({what}), session {k}: rank of {:?}",
                r.id
            );
        }
        if !s.lowered[k] {
            assert!(
                confirmed <= s.capacity[k],
                "step {step} ({what}), session {k}: {confirmed} confirmed for {}",
                s.capacity[k]
            );
        }
        let free = s.capacity[k].saturating_sub(confirmed);
        assert!(
            waiting.iter().all(|r| r.seats > free),
            "step {step} ({what}), session {k}: a party of {:?} waits with {free} seats free",
            waiting.iter().map(|r| r.seats).min()
        );
    }
}

/// The library, an actor of it, a published event and when its first session starts.
async fn setting(store: &Store) -> (LibraryId, Actor, EventId, i64) {
    let lib = store.default_library().await.unwrap().id;
    let e = published_event(store, lib, "Atelier très demandé").await;
    (lib, Actor::system(lib, "test"), e, now() + 7 * DAY)
}

on_both_backends!(
    async fn the_tallies_follow_every_change_to_registrations(store: Store) {
        let (lib, actor, e, start) = setting(&store).await;
        let mut s = Sessions {
            ids: [
                saved_session(&store, lib, &workshop_write(e, Some(4), start)).await,
                saved_session(&store, lib, &workshop_write(e, Some(6), start + DAY)).await,
            ],
            capacity: [4, 6],
            lowered: [false, false],
        };
        for id in s.ids {
            almanach_store::testing::max_seats(&store, lib, id, 3).await;
        }
        let mut dice = Dice(7);
        let mut live: Vec<RegistrationId> = Vec::new();
        for step in 0..300 {
            let roll = dice.below(100);
            let k = dice.below(2) as usize;
            let what = if roll < 50 || live.is_empty() {
                let seats = 1 + dice.below(3) as u32;
                let email = format!("p{step}@example.org");
                let asked = new(
                    Target::Session(s.ids[k]),
                    party(&email, seats),
                    &format!("k{step}"),
                );
                match store.register(&actor, &asked).await.unwrap() {
                    Registered::New(r) => {
                        live.push(r.id);
                        "register"
                    }
                    // More seats than the session holds.
                    Registered::Refused(_) => "refused",
                    other => panic!("step {step}: {other:?}"),
                }
            } else if roll < 70 {
                let id = live.swap_remove(dice.below(live.len() as u64) as usize);
                store.cancel_registration(&actor, id).await.unwrap();
                "cancel"
            } else if roll < 82 {
                let id = live[dice.below(live.len() as u64) as usize];
                let r = store.registration(lib, id).await.unwrap();
                let other = if r.session_id == Some(s.ids[0]) {
                    s.ids[1]
                } else {
                    s.ids[0]
                };
                store
                    .move_registration(&actor, id, Target::Session(other))
                    .await
                    .unwrap();
                "move"
            } else if roll < 88 {
                let id = live.swap_remove(dice.below(live.len() as u64) as usize);
                store.forget_registration(&actor, id).await.unwrap();
                "forget"
            } else {
                let capacity = 2 + dice.below(7) as u32;
                let current = store.session(lib, s.ids[k]).await.unwrap();
                let w = SessionWrite {
                    capacity: Some(capacity),
                    ..SessionWrite::from(&current)
                };
                store
                    .save_session(&actor, Some(s.ids[k]), &w)
                    .await
                    .unwrap()
                    .unwrap();
                s.lowered[k] |= capacity < s.capacity[k];
                s.capacity[k] = capacity;
                "capacity"
            };
            check(&store, lib, &s, step, what).await;
        }
    }
);

on_both_backends!(
    async fn eight_clients_at_once_keep_every_rule(store: Store) {
        use std::sync::Arc;
        let (lib, actor, e, start) = setting(&store).await;
        let ids = [
            saved_session(&store, lib, &workshop_write(e, Some(5), start)).await,
            saved_session(&store, lib, &workshop_write(e, Some(8), start + DAY)).await,
        ];
        for id in ids {
            almanach_store::testing::max_seats(&store, lib, id, 3).await;
        }
        // Capacities only grow here, one change at a time per session, so
        // "never beyond the capacity" holds at every moment.
        let capacity = Arc::new([tokio::sync::Mutex::new(5u32), tokio::sync::Mutex::new(8u32)]);
        let mut clients = Vec::new();
        for client in 0..8u64 {
            let (store, actor, capacity) = (store.clone(), actor.clone(), capacity.clone());
            clients.push(tokio::spawn(async move {
                let mut dice = Dice(client + 1);
                let mut live: Vec<RegistrationId> = Vec::new();
                for step in 0..250 {
                    let roll = dice.below(100);
                    let k = dice.below(2) as usize;
                    if roll < 55 || live.is_empty() {
                        let asked = new(
                            Target::Session(ids[k]),
                            party(
                                &format!("c{client}s{step}@example.org"),
                                1 + dice.below(3) as u32,
                            ),
                            &format!("c{client}s{step}"),
                        );
                        if let Registered::New(r) = store.register(&actor, &asked).await.unwrap() {
                            live.push(r.id);
                        }
                    } else if roll < 80 {
                        let id = live.swap_remove(dice.below(live.len() as u64) as usize);
                        store.cancel_registration(&actor, id).await.unwrap();
                    } else if roll < 92 {
                        let id = live[dice.below(live.len() as u64) as usize];
                        let to = Target::Session(ids[dice.below(2) as usize]);
                        store.move_registration(&actor, id, to).await.unwrap();
                    } else {
                        let mut held = capacity[k].lock().await;
                        *held += 1;
                        let current = store.session(lib, ids[k]).await.unwrap();
                        let w = SessionWrite {
                            capacity: Some(*held),
                            ..SessionWrite::from(&current)
                        };
                        store
                            .save_session(&actor, Some(ids[k]), &w)
                            .await
                            .unwrap()
                            .unwrap();
                    }
                }
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
        let s = Sessions {
            ids,
            capacity: [*capacity[0].lock().await, *capacity[1].lock().await],
            lowered: [false, false],
        };
        check(&store, lib, &s, 2000, "eight clients").await;
    }
);
