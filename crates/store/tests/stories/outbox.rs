//! The e-mail outbox on both backends: a message is enqueued with the change
//! it announces (and only then), claims are exclusive also between two
//! servers, lapsed claims are taken over, staff changes tell every
//! registrant, reminders are enqueued once, and the calendar feeds' sessions.

use almanach_domain::Lang;
use almanach_domain::ids::{EventId, LibraryId, RegistrationId, SessionId};
use almanach_domain::programme::EventStatus;
use almanach_store::testing::{
    max_seats, party, published, registered, registration, saved_session, workshop_write,
};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

/// A registration by `email` (empty: taken by staff by phone; "en."
/// first: in English).
fn new(target: Target, email: &str, seats: u32) -> NewRegistration {
    NewRegistration {
        by_staff: email.is_empty(),
        lang: if email.starts_with("en.") {
            Lang::En
        } else {
            Lang::Fr
        },
        ..registration(target, party(email, seats), &format!("{email}-{seats}"))
    }
}

fn write(event_id: EventId, capacity: u32, starts_at: i64) -> SessionWrite {
    workshop_write(event_id, Some(capacity), starts_at)
}

/// A published workshop starting at `starts_at` with `capacity` seats, up to 2 per registration.
async fn workshop(
    store: &Store,
    lib: LibraryId,
    capacity: u32,
    starts_at: i64,
) -> (EventId, SessionId) {
    let e = store
        .save_event(&actor(lib), &published("Atelier robotique"))
        .await
        .unwrap();
    let s = saved_session(store, lib, &write(e, capacity, starts_at)).await;
    max_seats(store, lib, s, 2).await;
    (e, s)
}

async fn register(
    store: &Store,
    lib: LibraryId,
    s: SessionId,
    email: &str,
    seats: u32,
) -> Registration {
    registered(store, &actor(lib), &new(Target::Session(s), email, seats)).await
}

async fn kinds(store: &Store, lib: LibraryId, registration_id: RegistrationId) -> Vec<MailKind> {
    let f = OutboxFilter {
        registration_id: Some(registration_id),
        ..Default::default()
    };
    let mut v: Vec<MailKind> = store
        .outbox(lib, &f)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect();
    v.reverse();
    v
}

on_both_backends!(
    async fn each_registration_change_enqueues_its_message(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 2, now() + 7 * DAY).await;
        let anne = register(&store, lib, s, "anne@example.org", 2).await;
        let ben = register(&store, lib, s, "en.ben@example.org", 1).await;
        let phone = register(&store, lib, s, "", 1).await;
        assert_eq!(kinds(&store, lib, anne.id).await, [MailKind::Confirmed]);
        assert_eq!(kinds(&store, lib, ben.id).await, [MailKind::Waiting]);
        assert!(
            kinds(&store, lib, phone.id).await.is_empty(),
            "no e-mail, no message"
        );
        let m = &store
            .outbox(
                lib,
                &OutboxFilter {
                    registration_id: Some(ben.id),
                    ..Default::default()
                },
            )
            .await
            .unwrap()[0];
        assert_eq!(
            (m.recipient.as_str(), m.lang, m.status, m.attempts),
            ("en.ben@example.org", Lang::En, MailStatus::Pending, 0)
        );
        assert_eq!(m.payload["position"], 1, "the position when it was written");
        assert!(!m.composed());

        // The same e-mail again: the link is sent again.
        let again = store
            .register(&actor(lib), &new(Target::Session(s), "anne@example.org", 1))
            .await
            .unwrap();
        assert!(matches!(again, Registered::AlreadyRegistered(_)));
        assert_eq!(
            kinds(&store, lib, anne.id).await,
            [MailKind::Confirmed, MailKind::AlreadyRegistered]
        );

        // Anne cancels: she is told, and Ben, promoted, too.
        store
            .cancel_registration(&actor(lib), anne.id)
            .await
            .unwrap();
        assert_eq!(
            kinds(&store, lib, anne.id).await.last(),
            Some(&MailKind::Cancelled)
        );
        assert_eq!(
            kinds(&store, lib, ben.id).await,
            [MailKind::Waiting, MailKind::Promoted]
        );

        // Erasing Ben's data erases the messages to him.
        store
            .forget_registration(&actor(lib), ben.id)
            .await
            .unwrap();
        assert!(kinds(&store, lib, ben.id).await.is_empty());
    }
);

on_both_backends!(
    async fn a_refused_registration_enqueues_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 2, now() + 7 * DAY).await;
        let r = store
            .register(&actor(lib), &new(Target::Session(s), "big@example.org", 3))
            .await
            .unwrap();
        assert!(matches!(r, Registered::Refused(_)), "{r:?}");
        assert!(
            store
                .outbox(lib, &OutboxFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    async fn claims_are_exclusive_and_lapse(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, now() + 7 * DAY).await;
        register(&store, lib, s, "anne@example.org", 1).await;
        let t = now() + 5;
        let first = store.claim_due(t, 300, 10).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].status, first[0].attempts, first[0].lease_until),
            (MailStatus::Sending, 1, Some(t + 300))
        );
        assert!(
            store.claim_due(t + 299, 300, 10).await.unwrap().is_empty(),
            "held while the lease runs"
        );
        // The first worker died: after its lease, another takes the message over.
        let second = store.claim_due(t + 300, 300, 10).await.unwrap();
        assert_eq!((second.len(), second[0].attempts), (1, 2));
        assert!(
            !store.mark_sent(&first[0], t + 301).await.unwrap(),
            "a lapsed claim records nothing"
        );
        assert!(store.mark_sent(&second[0], t + 301).await.unwrap());
        let m = &store.outbox(lib, &OutboxFilter::default()).await.unwrap()[0];
        assert_eq!((m.status, m.sent_at), (MailStatus::Sent, Some(t + 301)));
        assert!(
            store
                .claim_due(t + 10_000, 300, 10)
                .await
                .unwrap()
                .is_empty(),
            "sent is final"
        );
    }
);

on_both_backends!(
    async fn failures_are_retried_then_given_up_and_kept(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, now() + 7 * DAY).await;
        register(&store, lib, s, "anne@example.org", 1).await;
        let t = now() + 5;
        let m = store.claim_due(t, 300, 10).await.unwrap().remove(0);
        let mut composed = m.clone();
        composed.subject = "Inscription confirmée".into();
        composed.text_body = "texte".into();
        store.save_composed(&composed).await.unwrap();
        assert!(
            store
                .mark_failed(&m, "451 try later", Some(t + 60))
                .await
                .unwrap()
        );
        assert!(
            store.claim_due(t + 59, 300, 10).await.unwrap().is_empty(),
            "not before its time"
        );
        let again = store.claim_due(t + 60, 300, 10).await.unwrap().remove(0);
        assert_eq!(
            (
                again.attempts,
                again.last_error.as_str(),
                again.subject.as_str()
            ),
            (2, "451 try later", "Inscription confirmée")
        );
        assert!(
            store
                .mark_failed(&again, "550 no such user", None)
                .await
                .unwrap()
        );
        let failed = store
            .outbox(
                lib,
                &OutboxFilter {
                    status: Some(MailStatus::Failed),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(failed.len(), 1, "kept for staff to see");
        assert_eq!(failed[0].last_error, "550 no such user");
        assert!(
            store
                .claim_due(t + 100_000, 300, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

async fn claim_with_two_servers(backend: Backend) {
    let url = testing::fresh_url(backend).await.expect("a fresh database");
    let (one, two) = (
        Store::open(&url).await.unwrap(),
        Store::open(&url).await.unwrap(),
    );
    let lib = one.default_library().await.unwrap().id;
    let (_, s) = workshop(&one, lib, 100, now() + 7 * DAY).await;
    for i in 0..40 {
        register(&one, lib, s, &format!("p{i}@example.org"), 1).await;
    }
    let t = now() + 5;
    let mut tasks = Vec::new();
    for store in [one.clone(), two.clone(), one.clone(), two.clone()] {
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store.claim_due(t, 300, 3).await.unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got.into_iter().map(|m| m.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let n = all.len();
    all.dedup();
    assert_eq!(
        (n, all.len()),
        (40, 40),
        "each message claimed exactly once"
    );
}

almanach_store::on_each_backend!(
    two_servers_claim_each_message_once,
    super::claim_with_two_servers,
    4
);

on_both_backends!(
    async fn staff_changes_tell_every_live_registrant(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let start = now() + 7 * DAY;
        let (e, s) = workshop(&store, lib, 1, start).await;
        let anne = register(&store, lib, s, "anne@example.org", 1).await;
        let ben = register(&store, lib, s, "ben@example.org", 1).await;
        let cleo = register(&store, lib, s, "cleo@example.org", 1).await;
        store
            .cancel_registration(&actor(lib), cleo.id)
            .await
            .unwrap();
        let seq = |store: Store| async move {
            store
                .calendar_sessions(lib, FeedScope::Session(s.get()))
                .await
                .unwrap()[0]
                .sequence
        };
        let seq0 = seq(store.clone()).await;

        // The time changes: confirmed and waiting parties are told, with the former time.
        let mut w = write(e, 1, start + 3600);
        store
            .save_session(&actor(lib), Some(s), &w)
            .await
            .unwrap()
            .unwrap();
        for r in [&anne, &ben] {
            assert_eq!(
                kinds(&store, lib, r.id).await.last(),
                Some(&MailKind::Changed)
            );
        }
        assert_eq!(
            kinds(&store, lib, cleo.id).await.last(),
            Some(&MailKind::Cancelled),
            "a cancelled party is not told"
        );
        let changed = store
            .outbox(
                lib,
                &OutboxFilter {
                    kind: Some(MailKind::Changed),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(changed[0].payload["before"]["starts_at"], start);
        assert_eq!(changed[0].session_id, Some(s));
        let seq1 = seq(store.clone()).await;
        assert!(seq1 > seq0, "SEQUENCE increases: {seq0} then {seq1}");

        // A change of capacity alone tells nobody.
        w.capacity = Some(5);
        store
            .save_session(&actor(lib), Some(s), &w)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .outbox(
                    lib,
                    &OutboxFilter {
                        kind: Some(MailKind::Changed),
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .len(),
            2
        );

        // Cancelling the session tells them; twice tells them once.
        store
            .set_session_cancelled(&actor(lib), s, true)
            .await
            .unwrap();
        store
            .set_session_cancelled(&actor(lib), s, true)
            .await
            .unwrap();
        let cancelled = store
            .outbox(
                lib,
                &OutboxFilter {
                    kind: Some(MailKind::SessionCancelled),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut to: Vec<&str> = cancelled.iter().map(|m| m.recipient.as_str()).collect();
        to.sort_unstable();
        assert_eq!(to, ["anne@example.org", "ben@example.org"]);
        let seq2 = seq(store.clone()).await;
        assert!(seq2 > seq1);
        let feed = store
            .calendar_sessions(lib, FeedScope::Event(e))
            .await
            .unwrap();
        assert!(
            feed[0].session.cancelled,
            "a cancelled session stays in the feed, marked"
        );
    }
);

on_both_backends!(
    async fn cancelling_an_event_tells_the_registrants_of_each_session(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s1) = workshop(&store, lib, 5, now() + 7 * DAY).await;
        let s2 = store
            .save_session(&actor(lib), None, &write(e, 5, now() + 8 * DAY))
            .await
            .unwrap()
            .unwrap();
        let a = register(&store, lib, s1, "a@example.org", 1).await;
        let b = register(&store, lib, s2, "b@example.org", 1).await;
        let event = store.event(lib, e).await.unwrap();
        store
            .save_event(
                &actor(lib),
                &Event {
                    status: EventStatus::Cancelled,
                    ..event
                },
            )
            .await
            .unwrap();
        for (r, s) in [(a, s1), (b, s2)] {
            let m = store
                .outbox(
                    lib,
                    &OutboxFilter {
                        registration_id: Some(r.id),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                (m[0].kind, m[0].session_id),
                (MailKind::SessionCancelled, Some(s))
            );
        }
    }
);

on_both_backends!(
    async fn reminders_are_enqueued_once_for_confirmed_parties(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let start = now() + DAY;
        let (_, s) = workshop(&store, lib, 1, start).await;
        let anne = register(&store, lib, s, "anne@example.org", 1).await;
        register(&store, lib, s, "ben@example.org", 1).await; // waiting
        let c = store
            .reminder_candidates(now(), now() + 2 * DAY)
            .await
            .unwrap();
        assert_eq!(c.len(), 1, "only the confirmed party");
        assert_eq!(
            (
                c[0].registration_id,
                c[0].session_id,
                c[0].starts_at,
                c[0].timezone.as_str()
            ),
            (anne.id, s, start, "Europe/Paris")
        );
        assert!(store.enqueue_reminder(&c[0]).await.unwrap());
        assert!(
            !store.enqueue_reminder(&c[0]).await.unwrap(),
            "once, whoever asks again"
        );
        assert!(
            store
                .reminder_candidates(now(), now() + 2 * DAY)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .reminder_candidates(start, start + DAY)
                .await
                .unwrap()
                .is_empty(),
            "a session starting before the window is not a candidate"
        );
        assert_eq!(
            kinds(&store, lib, anne.id).await,
            [MailKind::Confirmed, MailKind::Reminder]
        );
    }
);

on_both_backends!(
    async fn staff_write_to_confirmed_parties(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 1, now() + 7 * DAY).await;
        let anne = register(&store, lib, s, "anne@example.org", 1).await;
        let ben = register(&store, lib, s, "ben@example.org", 1).await;
        let n = store
            .email_registrants(
                &actor(lib),
                Target::Session(s),
                "Apportez un ordinateur",
                "Si vous en avez un.",
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        let m = store
            .outbox(
                lib,
                &OutboxFilter {
                    kind: Some(MailKind::Staff),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((m.len(), m[0].registration_id), (1, Some(anne.id)));
        assert_eq!(m[0].payload["subject"], "Apportez un ordinateur");
        assert_eq!(
            kinds(&store, lib, ben.id).await,
            [MailKind::Waiting],
            "the waiting party is not written to"
        );
        let log = store
            .audit_log(lib, Some(("session", s.get())), 5)
            .await
            .unwrap();
        assert_eq!(log[0].action, "email_registrants");
    }
);

on_both_backends!(
    async fn mail_facts_name_the_registration_and_its_sessions(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 5, now() + 7 * DAY).await;
        let r = register(&store, lib, s, "en.anne@example.org", 2).await;
        let m = store
            .outbox(lib, &OutboxFilter::default())
            .await
            .unwrap()
            .remove(0);
        let f = store.mail_facts(&m).await.unwrap();
        assert_eq!(
            (f.registration.id, f.registration.lang, f.event.id),
            (r.id, Lang::En, e)
        );
        assert_eq!(
            f.sessions.iter().map(|c| c.session.id).collect::<Vec<_>>(),
            [s]
        );
        assert_eq!(
            (f.link_seed.as_str(), f.token_hash.as_str()),
            ("key-en.anne@example.org-2", "token-en.anne@example.org-2")
        );
    }
);

on_both_backends!(
    async fn feeds_hold_public_sessions_only(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 5, now() + 7 * DAY).await;
        let draft = store
            .save_event(
                &actor(lib),
                &Event {
                    status: EventStatus::Draft,
                    ..published("Brouillon")
                },
            )
            .await
            .unwrap();
        store
            .save_session(&actor(lib), None, &write(draft, 5, now() + 9 * DAY))
            .await
            .unwrap()
            .unwrap();
        let all = store
            .calendar_sessions(lib, FeedScope::All { since: now() })
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|c| c.session.id).collect::<Vec<_>>(),
            [s],
            "drafts stay out"
        );
        assert!(
            store
                .calendar_sessions(
                    lib,
                    FeedScope::All {
                        since: now() + 30 * DAY
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .calendar_sessions(lib, FeedScope::Series { id: 999, since: 0 })
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .calendar_sessions(lib, FeedScope::Event(e))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn old_sent_and_failed_messages_are_purged(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, now() + 7 * DAY).await;
        for email in ["a@example.org", "b@example.org", "c@example.org"] {
            register(&store, lib, s, email, 1).await;
        }
        let t = now() + 5;
        let claimed = store.claim_due(t, 300, 2).await.unwrap();
        store.mark_sent(&claimed[0], t).await.unwrap();
        store.mark_failed(&claimed[1], "550", None).await.unwrap();
        assert_eq!(
            store.purge_outbox(t - DAY).await.unwrap(),
            0,
            "younger than the limit"
        );
        assert_eq!(store.purge_outbox(t + 10).await.unwrap(), 2);
        let left = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
        assert_eq!(
            left.iter().map(|m| m.status).collect::<Vec<_>>(),
            [MailStatus::Pending],
            "a message still to send stays"
        );
    }
);

on_both_backends!(
    async fn servers_with_another_link_key_are_refused(store: Store) {
        store.check_link_key("aaaa").await.unwrap();
        store.check_link_key("aaaa").await.unwrap();
        assert!(matches!(
            store.check_link_key("bbbb").await,
            Err(StoreError::Conflict(_))
        ));
    }
);
