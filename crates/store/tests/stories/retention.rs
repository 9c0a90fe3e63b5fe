//! Personal data on both backends: registrations anonymised a set time after
//! their session or course ended (with an injected "now"), idempotently and
//! audited without anyone's data; one person's data found and erased.

use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::registration::{EmailAddress, Party, RegistrationStatus};
use almanach_domain::staff::Role;
use almanach_store::testing::{
    max_seats, published_event, registered, registration, saved_session, workshop_write,
};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

fn party(name: &str, email: &str, seats: u32) -> Party {
    Party {
        name: name.into(),
        email: Some(EmailAddress::parse("email", email).unwrap()),
        phone: "06 12 34 56 78".into(),
        seats,
        ages: vec![9],
    }
}

async fn register(store: &Store, lib: LibraryId, target: Target, p: Party) -> Registration {
    let key = format!("{:?}-{}", target, p.email.as_ref().unwrap().as_str());
    registered(
        store,
        &Actor::system(lib, "public"),
        &registration(target, p, &key),
    )
    .await
}

async fn event(store: &Store, lib: LibraryId, title: &str) -> EventId {
    published_event(store, lib, title).await
}

/// A session on registration starting at `starts_at`, two hours long.
async fn session(
    store: &Store,
    lib: LibraryId,
    event_id: EventId,
    starts_at: i64,
    capacity: u32,
) -> SessionId {
    let w = SessionWrite {
        local_date: "2030-01-01".into(),
        age_min: Some(6),
        age_max: Some(12),
        accompanied: true,
        ..workshop_write(event_id, Some(capacity), starts_at)
    };
    let id = saved_session(store, lib, &w).await;
    max_seats(store, lib, id, 4).await;
    id
}

fn wiped(r: &Registration) -> bool {
    r.anonymised
        && r.name.is_empty()
        && r.email.is_empty()
        && r.phone.is_empty()
        && r.ages.is_empty()
}

on_both_backends!(
    async fn registrations_are_anonymised_after_the_retention_period(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let start = now() + 7 * DAY;
        // One session a week from now, one a month later, and a course whose
        // first session is next week but whose last is two months later.
        let soon = session(
            &store,
            lib,
            event(&store, lib, "Atelier de la semaine prochaine").await,
            start,
            3,
        )
        .await;
        let later = session(
            &store,
            lib,
            event(&store, lib, "Atelier du mois suivant").await,
            start + 30 * DAY,
            5,
        )
        .await;
        let course = event(&store, lib, "Robotique en trois séances").await;
        session(&store, lib, course, start, 5).await;
        session(&store, lib, course, start + 60 * DAY, 5).await;
        store.set_course(&actor(lib), course, true).await.unwrap();

        let anne = register(
            &store,
            lib,
            Target::Session(soon),
            party("Anne Dupont", "anne@example.org", 1),
        )
        .await;
        let bruno = register(
            &store,
            lib,
            Target::Session(soon),
            party("Bruno Petit", "bruno@example.org", 2),
        )
        .await;
        store
            .cancel_registration(&actor(lib), bruno.id)
            .await
            .unwrap();
        let chloe = register(
            &store,
            lib,
            Target::Session(later),
            party("Chloé Martin", "chloe@example.org", 3),
        )
        .await;
        let david = register(
            &store,
            lib,
            Target::Course(course),
            party("David Roux", "david@example.org", 2),
        )
        .await;

        // 95 days after the first session ended: past keeping (90 days) for
        // it only; the other session and the course's last one are more recent.
        let t = start + 2 * 3600 + 95 * DAY;
        let dry = store.anonymise_expired(t, 90, true).await.unwrap();
        assert_eq!(
            dry.anonymised.get(&lib),
            Some(&vec![anne.id, bruno.id]),
            "both parties, cancelled or not"
        );
        assert!(
            !store.registration(lib, anne.id).await.unwrap().anonymised,
            "a dry run writes nothing"
        );
        let audit_before = store
            .audit_log(lib, Some(("retention", 0)), 10)
            .await
            .unwrap()
            .len();
        assert_eq!(audit_before, 0);

        let run = store.anonymise_expired(t, 90, false).await.unwrap();
        assert_eq!(run.count(), 2);
        assert_eq!(run.ended_before, t - 90 * DAY);
        for id in [anne.id, bruno.id] {
            let r = store.registration(lib, id).await.unwrap();
            assert!(wiped(&r), "{r:?}: {:?} {:?}", r.name, r.email);
        }
        let anne_after = store.registration(lib, anne.id).await.unwrap();
        assert_eq!(
            (anne_after.seats, anne_after.status),
            (1, RegistrationStatus::Confirmed),
            "counts stay for statistics"
        );
        let bruno_after = store.registration(lib, bruno.id).await.unwrap();
        assert_eq!(
            (bruno_after.seats, bruno_after.status),
            (2, RegistrationStatus::Cancelled)
        );
        for id in [chloe.id, david.id] {
            assert!(
                !store.registration(lib, id).await.unwrap().anonymised,
                "still within the period"
            );
        }
        let st = store.seat_state(lib, Target::Session(soon)).await.unwrap();
        assert_eq!(st.offer.taken, 1, "the seat count is unchanged");

        // Idempotent: nothing more to do, nothing more recorded.
        assert_eq!(
            store.anonymise_expired(t, 90, false).await.unwrap().count(),
            0
        );
        let audit = store
            .audit_log(lib, Some(("retention", 0)), 10)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "one entry per run that did something");
        let after = audit[0].after.as_ref().unwrap();
        assert_eq!(after["registrations"], 2);
        assert_eq!(after["retention_days"], 90);
        let whole = serde_json::to_string(&store.audit_log(lib, None, 500).await.unwrap()).unwrap();
        for personal in ["anne@example.org", "Anne Dupont", "06 12 34 56 78"] {
            assert!(
                !whole.contains(personal),
                "the audit trail holds {personal:?}"
            );
        }

        // A course counts from its last session: 95 days after it ended.
        let t2 = start + 60 * DAY + 2 * 3600 + 95 * DAY;
        let run = store.anonymise_expired(t2, 90, false).await.unwrap();
        assert_eq!(run.anonymised.get(&lib), Some(&vec![chloe.id, david.id]));
        assert!(wiped(&store.registration(lib, david.id).await.unwrap()));
        // A shorter period catches more at once.
        let e = event(&store, lib, "Dernier atelier").await;
        let last = session(&store, lib, e, start + 100 * DAY, 5).await;
        let eve = register(
            &store,
            lib,
            Target::Session(last),
            party("Ève", "eve@example.org", 1),
        )
        .await;
        assert_eq!(
            store
                .anonymise_expired(start + 100 * DAY + 2 * 3600 + 2 * DAY, 30, false)
                .await
                .unwrap()
                .count(),
            0
        );
        assert_eq!(
            store
                .anonymise_expired(start + 100 * DAY + 2 * 3600 + 31 * DAY, 30, false)
                .await
                .unwrap()
                .anonymised[&lib],
            vec![eve.id]
        );
    }
);

on_both_backends!(
    async fn one_persons_data_is_found_exported_and_erased(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let start = now() + 7 * DAY;
        let full = session(
            &store,
            lib,
            event(&store, lib, "Atelier complet").await,
            start,
            1,
        )
        .await;
        let other = session(
            &store,
            lib,
            event(&store, lib, "Autre atelier").await,
            start + DAY,
            5,
        )
        .await;
        let anne = register(
            &store,
            lib,
            Target::Session(full),
            party("Anne Dupont", "anne@example.org", 1),
        )
        .await;
        let bruno = register(
            &store,
            lib,
            Target::Session(full),
            party("Bruno Petit", "bruno@example.org", 1),
        )
        .await;
        assert_eq!(bruno.status, RegistrationStatus::Waiting);
        let anne2 = register(
            &store,
            lib,
            Target::Session(other),
            party("Anne D.", "anne@example.org", 2),
        )
        .await;
        let staff = store
            .create_staff(&actor(lib), "anne@example.org", "Anne", Role::Mediator, "x")
            .await
            .unwrap();
        let speaker = store
            .save_speaker(
                &actor(lib),
                &Speaker {
                    name: "Anne Dupont".into(),
                    email: "Anne@Example.org".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store
            .save_speaker(
                &actor(lib),
                &Speaker {
                    name: "Quelqu'un d'autre".into(),
                    email: "autre@example.org".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();

        let data = store
            .personal_data(lib, " ANNE@example.org ")
            .await
            .unwrap();
        assert_eq!(data.email, "anne@example.org");
        let ids: Vec<RegistrationId> = data
            .registrations
            .iter()
            .map(|r| r.registration.id)
            .collect();
        assert_eq!(ids, [anne.id, anne2.id]);
        assert_eq!(data.registrations[0].event_title, "Atelier complet");
        assert_eq!(data.registrations[0].starts_at, Some(start));
        assert_eq!(data.registrations[1].registration.seats, 2);
        assert_eq!(data.staff_account.as_ref().map(|s| s.id), Some(staff));
        assert_eq!(
            data.speakers.iter().map(|s| s.id).collect::<Vec<_>>(),
            [speaker]
        );
        let json = serde_json::to_value(&data).unwrap();
        assert_eq!(json["registrations"][0]["name"], "Anne Dupont");
        assert!(
            json["staff_account"].get("password_hash").is_none(),
            "never the password hash"
        );
        assert!(
            store
                .personal_data(lib, "personne@example.org")
                .await
                .unwrap()
                .is_empty()
        );

        let by = Actor {
            library_id: lib,
            staff_id: None,
            label: "coordinatrice@mediatheque.test".into(),
        };
        store.record_personal_data_export(&by, &data).await.unwrap();
        assert_eq!(
            store
                .erase_personal_data(&by, "anne@example.org")
                .await
                .unwrap(),
            2
        );
        for id in [anne.id, anne2.id] {
            let r = store.registration(lib, id).await.unwrap();
            assert!(wiped(&r), "{r:?}");
            assert_eq!(
                r.status,
                RegistrationStatus::Cancelled,
                "a coming registration is cancelled"
            );
        }
        assert_eq!(
            store.registration(lib, bruno.id).await.unwrap().status,
            RegistrationStatus::Confirmed,
            "her seat went to the waiting list"
        );
        assert!(
            store
                .personal_data(lib, "anne@example.org")
                .await
                .unwrap()
                .registrations
                .is_empty()
        );
        assert!(
            store
                .staff_by_email("anne@example.org")
                .await
                .unwrap()
                .is_some(),
            "staff accounts are left to their own page"
        );
        let actions: Vec<String> = store
            .audit_log(lib, Some(("personal_data", 0)), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["erase", "export"]);
        let registration_entries = store.audit_log(lib, None, 500).await.unwrap();
        let whole = serde_json::to_string(
            &registration_entries
                .iter()
                .filter(|e| e.entity != "staff" && e.entity != "speaker")
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(
            !whole.contains("anne@example.org") && !whole.contains("Anne Dupont"),
            "{whole}"
        );
        // Erasing again finds nothing and harms nothing.
        assert_eq!(
            store
                .erase_personal_data(&by, "anne@example.org")
                .await
                .unwrap(),
            0
        );
    }
);
