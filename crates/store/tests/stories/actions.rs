//! Staff actions that tell the public, on both backends: their e-mails wait
//! out the hold; undoing one while they wait reverts the change and sends
//! nothing; once some went, undoing asks first and corrects only the people
//! told; restoring a session whose cancellation was not sent sends nothing.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::programme::EventStatus;
use almanach_domain::registration::RegistrationStatus;
use almanach_store::testing::{party, published_event, registered, registration, workshop_write};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "claire@mediatheque.test")
}

/// A registration taken by staff (`email` empty: by phone).
fn new(target: Target, email: &str, seats: u32) -> NewRegistration {
    NewRegistration {
        by_staff: true,
        ..registration(target, party(email, seats), &format!("{email}-{seats}"))
    }
}

fn write(event_id: EventId, capacity: u32, starts_at: i64) -> SessionWrite {
    workshop_write(event_id, Some(capacity), starts_at)
}

/// A published workshop in a week with `capacity` seats; (event, session).
async fn workshop(store: &Store, lib: LibraryId, capacity: u32) -> (EventId, SessionId) {
    let e = published_event(store, lib, "Atelier robotique").await;
    let s = store
        .save_session(&actor(lib), None, &write(e, capacity, now() + 7 * DAY))
        .await
        .unwrap()
        .unwrap();
    (e, s)
}

async fn register(store: &Store, lib: LibraryId, s: SessionId, email: &str) -> Registration {
    registered(store, &actor(lib), &new(Target::Session(s), email, 1)).await
}

/// Sends every message due at `at` (as the worker would), oldest first.
async fn send_due(store: &Store, at: i64, limit: i64) -> Vec<OutboxMessage> {
    let claimed = store.claim_due(at, 300, limit).await.unwrap();
    for m in &claimed {
        assert!(store.mark_sent(m, at).await.unwrap());
    }
    claimed
}

async fn outbox_of(store: &Store, lib: LibraryId, kind: MailKind) -> Vec<OutboxMessage> {
    let f = OutboxFilter {
        kind: Some(kind),
        ..Default::default()
    };
    store.outbox(lib, &f).await.unwrap()
}

/// No action is left open once its transaction committed: the next
/// transaction's e-mails would be held and tagged with it.
async fn none_open(store: &Store) {
    let open: i64 = sqlx::query_scalar("select count(*) from staff_actions where in_progress <> 0")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(open, 0);
}

on_both_backends!(
    async fn a_cancellation_undone_while_held_sends_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10).await;
        for who in ["anne@example.org", "ben@example.org", "chloe@example.org"] {
            register(&store, lib, s, who).await;
        }
        register(&store, lib, s, "").await; // a phone caller: nobody to write to
        send_due(&store, now(), 100).await; // the confirmations
        assert_eq!(
            store
                .audience(lib, Planned::SessionCancel(s))
                .await
                .unwrap(),
            3
        );

        let a = store
            .cancel_session_held(&actor(lib), s, true, "La salle est inondée.")
            .await
            .unwrap()
            .expect("an action");
        none_open(&store).await;
        assert!(store.session(lib, s).await.unwrap().cancelled);
        let held = outbox_of(&store, lib, MailKind::SessionCancelled).await;
        assert_eq!(held.len(), 3);
        assert!(
            held.iter()
                .all(|m| m.action_id == Some(a) && m.next_attempt_at >= now() + HOLD_SECONDS - 5),
            "held for the grace period"
        );
        assert!(
            store.claim_due(now(), 300, 100).await.unwrap().is_empty(),
            "nothing goes during the hold"
        );
        let action = store.staff_action(lib, a).await.unwrap();
        assert_eq!((action.waiting, action.told), (3, 0));
        assert_eq!(action.note, "La salle est inondée.");

        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Done { corrections: 0 }
        );
        none_open(&store).await;
        assert!(!store.session(lib, s).await.unwrap().cancelled);
        assert!(
            outbox_of(&store, lib, MailKind::SessionCancelled)
                .await
                .is_empty()
        );
        assert!(outbox_of(&store, lib, MailKind::Changed).await.is_empty());
        assert!(
            store
                .claim_due(now() + DAY, 300, 100)
                .await
                .unwrap()
                .is_empty(),
            "nothing left to send, ever"
        );
        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Refused(UndoRefusal::AlreadyUndone)
        );
        let undone = store.staff_action(lib, a).await.unwrap();
        assert!(undone.undone_at.is_some() && !undone.undoable(now()));
    }
);

on_both_backends!(
    async fn restoring_a_session_whose_cancellation_was_not_sent_sends_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10).await;
        let anne = register(&store, lib, s, "anne@example.org").await;
        let ben = register(&store, lib, s, "ben@example.org").await;
        send_due(&store, now(), 100).await;
        store
            .cancel_session_held(&actor(lib), s, true, "")
            .await
            .unwrap()
            .unwrap();
        // Anne's went (the worker ran early), Ben's still waits.
        let first = send_due(&store, now() + HOLD_SECONDS + 1, 1).await;
        assert_eq!(first[0].registration_id, Some(anne.id));

        assert_eq!(
            store
                .audience(lib, Planned::SessionRestore(s))
                .await
                .unwrap(),
            1,
            "only Anne was told"
        );
        store
            .cancel_session_held(&actor(lib), s, false, "")
            .await
            .unwrap()
            .unwrap();
        let cancelled = outbox_of(&store, lib, MailKind::SessionCancelled).await;
        assert_eq!(
            cancelled
                .iter()
                .map(|m| (m.registration_id, m.status))
                .collect::<Vec<_>>(),
            [(Some(anne.id), MailStatus::Sent)],
            "Ben's cancellation was withdrawn"
        );
        let restored = outbox_of(&store, lib, MailKind::Changed).await;
        assert_eq!(
            restored
                .iter()
                .map(|m| m.registration_id)
                .collect::<Vec<_>>(),
            [Some(anne.id)],
            "only Anne hears the session is maintained"
        );
        assert!(!restored.iter().any(|m| m.registration_id == Some(ben.id)));

        // The same with the plain restoring of the API.
        store
            .set_session_cancelled(&actor(lib), s, true)
            .await
            .unwrap();
        store
            .set_session_cancelled(&actor(lib), s, false)
            .await
            .unwrap();
        assert_eq!(
            outbox_of(&store, lib, MailKind::SessionCancelled)
                .await
                .len(),
            1,
            "a cancellation restored before it went is gone"
        );
        none_open(&store).await;
    }
);

on_both_backends!(
    async fn undoing_after_some_went_asks_then_corrects_only_the_people_told(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10).await;
        let anne = register(&store, lib, s, "anne@example.org").await;
        let ben = register(&store, lib, s, "ben@example.org").await;
        let chloe = register(&store, lib, s, "chloe@example.org").await;
        send_due(&store, now(), 100).await;
        let a = store
            .cancel_session_held(&actor(lib), s, true, "")
            .await
            .unwrap()
            .unwrap();
        let went = send_due(&store, now() + HOLD_SECONDS + 1, 2).await;
        let told: Vec<_> = went.iter().filter_map(|m| m.registration_id).collect();
        assert_eq!(told, [anne.id, ben.id]);

        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Confirm { told: 2 }
        );
        assert!(
            store.session(lib, s).await.unwrap().cancelled,
            "nothing changed without confirmation"
        );
        assert_eq!(store.staff_action(lib, a).await.unwrap().waiting, 1);

        assert_eq!(
            store.undo_action(&actor(lib), a, true).await.unwrap(),
            Undone::Done { corrections: 2 }
        );
        assert!(!store.session(lib, s).await.unwrap().cancelled);
        let restored = outbox_of(&store, lib, MailKind::Changed).await;
        let mut to: Vec<_> = restored.iter().filter_map(|m| m.registration_id).collect();
        to.sort();
        assert_eq!(to, [anne.id, ben.id], "Chloé never heard of it");
        assert!(
            restored.iter().all(|m| m.next_attempt_at <= now()),
            "a confirmed correction is not held"
        );
        assert!(
            !outbox_of(&store, lib, MailKind::SessionCancelled)
                .await
                .iter()
                .any(|m| m.registration_id == Some(chloe.id)),
            "Chloé's cancellation was deleted"
        );
        assert_eq!(store.staff_action(lib, a).await.unwrap().corrections, 2);
        none_open(&store).await;
    }
);

on_both_backends!(
    async fn undoing_a_removal_gives_the_seat_back_and_the_waiting_party_waits_again(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 1).await;
        let anne = register(&store, lib, s, "anne@example.org").await;
        let ben = register(&store, lib, s, "ben@example.org").await;
        let phone = register(&store, lib, s, "").await;
        send_due(&store, now(), 100).await;
        assert_eq!(ben.status, RegistrationStatus::Waiting);
        assert_eq!(
            store
                .audience(lib, Planned::RegistrationCancel(anne.id))
                .await
                .unwrap(),
            2,
            "Anne, and Ben who gets her seat"
        );

        let a = store
            .cancel_registration_held(&actor(lib), anne.id, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.registration(lib, ben.id).await.unwrap().status,
            RegistrationStatus::Confirmed
        );
        assert_eq!(store.staff_action(lib, a).await.unwrap().waiting, 2);
        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Done { corrections: 0 }
        );
        let back = |id| store.registration(lib, id);
        assert_eq!(
            back(anne.id).await.unwrap().status,
            RegistrationStatus::Confirmed
        );
        let ben_now = back(ben.id).await.unwrap();
        assert_eq!(
            (ben_now.status, ben_now.position, ben_now.promoted_at),
            (RegistrationStatus::Waiting, Some(1), None)
        );
        assert_eq!(back(phone.id).await.unwrap().position, Some(2));
        assert!(
            store
                .claim_due(now() + DAY, 300, 100)
                .await
                .unwrap()
                .is_empty()
        );

        // Once Ben was told he has a seat, it is his.
        let a = store
            .cancel_registration_held(&actor(lib), anne.id, "")
            .await
            .unwrap()
            .unwrap();
        send_due(&store, now() + HOLD_SECONDS + 1, 100).await;
        assert_eq!(
            store.undo_action(&actor(lib), a, true).await.unwrap(),
            Undone::Refused(UndoRefusal::PromotionTold)
        );
        assert_eq!(
            back(ben.id).await.unwrap().status,
            RegistrationStatus::Confirmed
        );
        assert_eq!(
            back(anne.id).await.unwrap().status,
            RegistrationStatus::Cancelled
        );
        none_open(&store).await;
    }
);

on_both_backends!(
    async fn undoing_a_removal_after_it_went_restores_it_with_a_correction(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 5).await;
        let anne = register(&store, lib, s, "anne@example.org").await;
        send_due(&store, now(), 100).await;
        let a = store
            .cancel_registration_held(&actor(lib), anne.id, "")
            .await
            .unwrap()
            .unwrap();
        send_due(&store, now() + HOLD_SECONDS + 1, 100).await;
        assert_eq!(
            store.undo_action(&actor(lib), a, true).await.unwrap(),
            Undone::Done { corrections: 1 }
        );
        let c = outbox_of(&store, lib, MailKind::Correction).await;
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].payload["undone"], "registration_cancel");
        assert_eq!(
            store.registration(lib, anne.id).await.unwrap().status,
            RegistrationStatus::Confirmed
        );
    }
);

on_both_backends!(
    async fn a_time_change_undone_puts_the_time_back_unless_changed_since(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 10).await;
        register(&store, lib, s, "anne@example.org").await;
        send_due(&store, now(), 100).await;
        let before = store.session(lib, s).await.unwrap();
        let mut w = SessionWrite::from(&before);
        w.starts_at += 3600;
        w.ends_at += 3600;
        assert_eq!(
            store
                .audience(lib, Planned::SessionChange(s))
                .await
                .unwrap(),
            1
        );
        let a = store
            .save_session_held(&actor(lib), s, &w, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.staff_action(lib, a).await.unwrap().waiting, 1);
        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Done { corrections: 0 }
        );
        let back = store.session(lib, s).await.unwrap();
        assert_eq!(
            (back.starts_at, back.ends_at),
            (before.starts_at, before.ends_at)
        );
        assert!(
            store
                .claim_due(now() + DAY, 300, 100)
                .await
                .unwrap()
                .is_empty()
        );

        // Moved again, then edited by someone else: undoing would lose that.
        let a = store
            .save_session_held(&actor(lib), s, &w, "")
            .await
            .unwrap()
            .unwrap();
        let mut again = SessionWrite::from(&store.session(lib, s).await.unwrap());
        again.capacity = Some(12);
        store
            .save_session(&actor(lib), Some(s), &again)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.undo_action(&actor(lib), a, false).await.unwrap(),
            Undone::Refused(UndoRefusal::ChangedSince)
        );
        assert_eq!(store.session(lib, s).await.unwrap().capacity, Some(12));
        let _ = e;
    }
);

on_both_backends!(
    async fn a_message_undone_in_time_goes_nowhere_and_later_is_retracted(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 10).await;
        register(&store, lib, s, "anne@example.org").await;
        register(&store, lib, s, "ben@example.org").await;
        send_due(&store, now(), 100).await;
        let (a, n) = store
            .email_registrants_held(&actor(lib), Target::Session(s), "Parking", "Fermé samedi.")
            .await
            .unwrap();
        assert_eq!(n, 2);
        let action = store.staff_action(lib, a).await.unwrap();
        assert_eq!(
            (action.event_id, action.subject.as_str()),
            (Some(e), "Parking")
        );
        store.undo_action(&actor(lib), a, false).await.unwrap();
        assert!(outbox_of(&store, lib, MailKind::Staff).await.is_empty());

        let (a, _) = store
            .email_registrants_held(&actor(lib), Target::Session(s), "Parking", "Fermé samedi.")
            .await
            .unwrap();
        send_due(&store, now() + HOLD_SECONDS + 1, 100).await;
        assert_eq!(
            store.undo_action(&actor(lib), a, true).await.unwrap(),
            Undone::Done { corrections: 2 }
        );
        let c = outbox_of(&store, lib, MailKind::Correction).await;
        assert!(c.iter().all(|m| m.payload["subject"] == "Parking"));
    }
);

on_both_backends!(
    async fn an_event_cancellation_undone_in_time_sends_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 10).await;
        register(&store, lib, s, "anne@example.org").await;
        send_due(&store, now(), 100).await;
        assert_eq!(
            store.audience(lib, Planned::EventCancel(e)).await.unwrap(),
            1
        );
        let a = store
            .cancel_event_held(&actor(lib), e, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.event(lib, e).await.unwrap().status,
            EventStatus::Cancelled
        );
        assert_eq!(
            store.undoable_actions(lib, e).await.unwrap()[0].id,
            a,
            "offered on the event page"
        );
        store.undo_action(&actor(lib), a, false).await.unwrap();
        assert_eq!(
            store.event(lib, e).await.unwrap().status,
            EventStatus::Published
        );
        assert!(
            store
                .claim_due(now() + DAY, 300, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.undoable_actions(lib, e).await.unwrap().is_empty());
        none_open(&store).await;
    }
);
