//! The group commit's batches against the rule written one registration at
//! a time (`register_in`): the same random script of registrations (people
//! coming back with the same e-mail, double clicks replaying a key, parties
//! too large, staff bookings, a course and two sessions) is written once
//! one by one and once in batches of random sizes, on twin sessions. Every
//! answer, every list (status, rank, seats, in order) and every message
//! and audit entry must be the same.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_store::testing::{
    Dice, party, published_event, registration as new, saved_session, workshop_write,
};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

/// Two sessions of one event and a course of two sessions: where a
/// script's registrations go.
async fn places(store: &Store, lib: LibraryId, capacities: [u32; 3], title: &str) -> [Target; 3] {
    let start = now() + 7 * DAY;
    let e = published_event(store, lib, title).await;
    let a = saved_session(store, lib, &workshop_write(e, Some(capacities[0]), start)).await;
    let b = saved_session(
        store,
        lib,
        &workshop_write(e, Some(capacities[1]), start + DAY),
    )
    .await;
    let course = published_event(store, lib, &format!("{title} (cycle)")).await;
    let c1 = saved_session(
        store,
        lib,
        &workshop_write(course, Some(capacities[2]), start),
    )
    .await;
    let c2 = saved_session(
        store,
        lib,
        &workshop_write(course, Some(capacities[2] + 2), start + DAY),
    )
    .await;
    for id in [a, b, c1, c2] {
        almanach_store::testing::max_seats(store, lib, id, 3).await;
    }
    store
        .set_course(&Actor::system(lib, "test"), course, true)
        .await
        .unwrap();
    // The course is registered for through its event, or through a session.
    let _: (SessionId, EventId) = (c2, course);
    [Target::Session(a), Target::Session(b), Target::Session(c1)]
}

/// One step of a script: where, who, how many, which key.
struct Step {
    place: usize,
    email: String,
    seats: u32,
    key: String,
    staff: bool,
}

fn script(dice: &mut Dice, steps: usize) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for n in 0..steps {
        let roll = dice.below(100);
        if roll < 8 && !out.is_empty() {
            // A double click: the same request again.
            let earlier = &out[dice.below(out.len() as u64) as usize];
            out.push(Step {
                place: earlier.place,
                email: earlier.email.clone(),
                seats: earlier.seats,
                key: earlier.key.clone(),
                staff: earlier.staff,
            });
            continue;
        }
        out.push(Step {
            place: dice.below(3) as usize,
            // Twenty people: many come back for the same place.
            email: if roll < 12 {
                String::new()
            } else {
                format!("p{}@example.org", dice.below(20))
            },
            // Four seats is more than one registration may take.
            seats: 1 + dice.below(4) as u32,
            key: format!("k{n}"),
            staff: roll < 20,
        });
    }
    out
}

fn asked(places: &[Target; 3], prefix: &str, s: &Step) -> NewRegistration {
    NewRegistration {
        by_staff: s.staff,
        ..new(
            places[s.place],
            party(&s.email, s.seats),
            &format!("{prefix}-{}", s.key),
        )
    }
}

/// An answer as comparable across the twins (ids and targets aside).
fn shape(answer: &Result<Registered>) -> String {
    let r = |r: &Registration| {
        format!(
            "{} {} seats {:?} {:?}",
            r.email,
            r.source,
            r.seats,
            (r.status, r.position)
        )
    };
    match answer {
        Ok(Registered::New(x)) => format!("new {}", r(x)),
        Ok(Registered::Replayed(x)) => format!("replayed {}", r(x)),
        Ok(Registered::AlreadyRegistered(x)) => format!("already {}", r(x)),
        Ok(Registered::Refused(why)) => format!("refused {why:?}"),
        Err(e) => format!("error {e}"),
    }
}

/// Each place's list, in order: who, seats, status, rank.
async fn lists(store: &Store, lib: LibraryId, places: &[Target; 3]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for t in places {
        let target = match *t {
            Target::Session(id) => match store.session(lib, id).await.unwrap().event_id {
                e if store.is_course(lib, e).await.unwrap() => Target::Course(e),
                _ => *t,
            },
            other => other,
        };
        let list = store.list_registrations(lib, target).await.unwrap();
        out.push(
            list.iter()
                .map(|r| format!("{} {} {:?} {:?}", r.email, r.seats, r.status, r.position))
                .collect(),
        );
    }
    out
}

on_both_backends!(
    async fn batches_answer_and_write_as_one_at_a_time(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let actor = Actor::system(lib, "api:public");
        let staff = Actor {
            staff_id: None,
            ..Actor::system(lib, "staff:test")
        };
        for seed in 1..=6u64 {
            let mut dice = Dice(seed);
            let capacities = [
                2 + dice.below(8) as u32,
                2 + dice.below(8) as u32,
                2 + dice.below(6) as u32,
            ];
            let one = places(&store, lib, capacities, &format!("Un par un {seed}")).await;
            let together = places(&store, lib, capacities, &format!("Ensemble {seed}")).await;
            let steps = script(&mut dice, 60);
            let who = |s: &Step| {
                if s.staff {
                    staff.clone()
                } else {
                    actor.clone()
                }
            };

            let mut expected = Vec::new();
            for s in &steps {
                let answer = store
                    .register_one_at_a_time(&who(s), &asked(&one, &format!("one{seed}"), s))
                    .await;
                expected.push(shape(&answer));
            }
            let mut got = Vec::new();
            let mut rest = &steps[..];
            while !rest.is_empty() {
                let size = (1 + dice.below(25) as usize).min(rest.len());
                let (now_, later) = rest.split_at(size);
                let list: Vec<(Actor, NewRegistration)> = now_
                    .iter()
                    .map(|s| (who(s), asked(&together, &format!("together{seed}"), s)))
                    .collect();
                for answer in store.register_together(&list).await.unwrap() {
                    got.push(shape(&answer));
                }
                rest = later;
            }
            for (n, (e, g)) in expected.iter().zip(&got).enumerate() {
                assert_eq!(e, g, "seed {seed}, step {n}: the batch answered otherwise");
            }
            assert_eq!(expected.len(), got.len());
            assert!(
                expected
                    .iter()
                    .any(|a| a.starts_with("new") && a.contains("Waiting")),
                "seed {seed}: the script filled a list ({expected:#?})"
            );
            assert_eq!(
                lists(&store, lib, &one).await,
                lists(&store, lib, &together).await,
                "seed {seed}: the lists differ"
            );
            for sql in [
                "select o.kind as what, count(*) as n from outbox o join registrations r on r.id = o.registration_id \
                 join events e on e.id = r.event_id where e.title like $1 group by o.kind order by o.kind",
                "select a.action as what, count(*) as n from audit_log a join registrations r on r.id = a.entity_id \
                 join events e on e.id = r.event_id where a.entity = 'registration' and e.title like $1 \
                 group by a.action order by a.action",
            ] {
                let count = |title: String| {
                    let store = &store;
                    async move {
                        let rows: Vec<(String, i64)> = sqlx::query_as(sql)
                            .bind(title)
                            .fetch_all(store.pool())
                            .await
                            .unwrap();
                        rows
                    }
                };
                let a = count(format!("Un par un {seed}%")).await;
                let b = count(format!("Ensemble {seed}%")).await;
                assert!(!a.is_empty());
                assert_eq!(a, b, "seed {seed}: {sql}");
            }
        }
    }
);
