//! Actions that tell the public, through the pages: each asks first on a
//! page that says how many people will be told and takes a message for
//! them; its e-mails wait, and « Annuler cette action » within that time
//! reverts it with nothing sent; once some went, undoing says so and
//! corrects only on confirmation.

use almanach_domain::Lang;
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::registration::{EmailAddress, Party, RegistrationStatus};
use almanach_domain::staff::Role;
use almanach_store::testing::{published_event, session_write};
use almanach_store::{
    Actor, HOLD_SECONDS, MailKind, NewRegistration, OutboxFilter, OutboxMessage, Registered,
    Registration, Store, Target, now,
};
use axum::http::StatusCode;

use crate::app::{TestApp, extract_undo};
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// Text as askama escapes it in a page.
fn html(s: &str) -> String {
    s.replace('\'', "&#39;")
}

/// A published workshop in three weeks, 14 h to 16 h, for `capacity`; (event, session).
async fn workshop(app: &TestApp, capacity: u32) -> (EventId, SessionId) {
    let e = published_event(&app.store, app.library_id, "Atelier robotique").await;
    let d = jiff::Zoned::now().date() + jiff::Span::new().days(21);
    let w = almanach_store::SessionWrite {
        capacity: Some(capacity),
        registration_required: true,
        ..session_write(e, d, 14, 16)
    };
    let s = almanach_store::testing::saved_session(&app.store, app.library_id, &w).await;
    (e, s)
}

async fn register(app: &TestApp, s: SessionId, name: &str) -> Registration {
    let email = format!("{}@example.org", name.to_lowercase());
    let new = NewRegistration {
        target: Target::Session(s),
        party: Party {
            name: name.into(),
            email: Some(EmailAddress::parse("email", &email).unwrap()),
            phone: String::new(),
            seats: 1,
            ages: vec![],
        },
        token_hash: format!("t-{email}"),
        idempotency_hash: format!("k-{email}"),
        by_staff: false,
        lang: Lang::Fr,
        link_sealed: None,
    };
    match app.store.register(&actor(app), &new).await.unwrap() {
        Registered::New(r) => r,
        other => panic!("{other:?}"),
    }
}

/// Twelve people registered, their confirmations already sent.
async fn twelve(app: &TestApp, s: SessionId) -> Vec<Registration> {
    let mut v = Vec::new();
    for i in 0..12 {
        v.push(register(app, s, &format!("Personne{i}")).await);
    }
    send(&app.store, now()).await;
    v
}

/// The worker's round at `at`: every due message claimed and sent.
async fn send(store: &Store, at: i64) -> usize {
    let claimed = store.claim_due(at, 300, 500).await.unwrap();
    for m in &claimed {
        store.mark_sent(m, at).await.unwrap();
    }
    claimed.len()
}

async fn of_kind(app: &TestApp, kind: MailKind) -> Vec<OutboxMessage> {
    let f = OutboxFilter {
        kind: Some(kind),
        ..Default::default()
    };
    app.store.outbox(app.library_id, &f).await.unwrap()
}

http_test!(
    async fn cancelling_a_session_asks_first_then_undo_sends_nothing(app: TestApp) {
        let (e, s) = workshop(&app, 20).await;
        twelve(&app, s).await;
        let mut c = app.signed_in(Role::Coordinator).await;

        // The event page offers a link to a page that asks; it does not cancel.
        let page = app.get(&mut c, &format!("/staff/events/{e}")).await;
        assert!(
            page.body
                .contains(&format!("href=\"/staff/sessions/{s}/cancel\"")),
            "{}",
            page.body
        );
        assert!(
            !page
                .body
                .contains(&format!("action=\"/staff/sessions/{s}/cancel\""))
        );
        let ask = app
            .get(&mut c, &format!("/staff/sessions/{s}/cancel"))
            .await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(
            ask.body
                .contains("12 personnes seront prévenues par e-mail."),
            "{}",
            ask.body
        );
        assert!(ask.body.contains("name=\"note\""), "a message may be added");
        assert!(
            ask.body
                .contains(&format!("action=\"/staff/sessions/{s}/cancel\""))
        );
        assert!(
            !app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );

        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/cancel"),
                &[("note", "La salle est inondée.")],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                format!("/staff/events/{e}?done=cancelled").as_str()
            )
        );
        assert!(
            app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );
        let held = of_kind(&app, MailKind::SessionCancelled).await;
        assert_eq!(held.len(), 12);
        assert!(held.iter().all(|m| m.next_attempt_at > now() + 60));
        assert_eq!(send(&app.store, now()).await, 0, "nothing goes at once");

        let page = app
            .get(&mut c, &format!("/staff/events/{e}?done=cancelled"))
            .await;
        assert!(
            page.body.contains("12 e-mails partiront à"),
            "{}",
            page.body
        );
        let undo = extract_undo(&page.body).expect("an undo button");
        let r = app.post(&mut c, &undo, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let shown = app.get(&mut c, r.location()).await;
        assert!(
            shown.body.contains("Action annulée le")
                && shown.body.contains("Aucun e-mail n&#39;est parti."),
            "{}",
            shown.body
        );
        assert!(
            !app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );
        assert!(of_kind(&app, MailKind::SessionCancelled).await.is_empty());
        assert!(of_kind(&app, MailKind::Changed).await.is_empty());
        assert_eq!(
            send(&app.store, now() + 24 * 3600).await,
            0,
            "nothing was sent, nothing will be"
        );
        assert!(
            !app.get(&mut c, &format!("/staff/events/{e}"))
                .await
                .body
                .contains("/undo\""),
            "an undone action is not offered again"
        );
    }
);

http_test!(
    async fn restoring_a_session_whose_cancellation_did_not_go_sends_nothing(app: TestApp) {
        let (_, s) = workshop(&app, 20).await;
        twelve(&app, s).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, &format!("/staff/sessions/{s}/cancel"))
            .await;
        app.post(&mut c, &format!("/staff/sessions/{s}/cancel"), &[])
            .await;

        let ask = app
            .get(&mut c, &format!("/staff/sessions/{s}/restore"))
            .await;
        assert!(
            ask.body.contains(&html(
                "Personne n'est à prévenir : aucun e-mail ne partira."
            )),
            "{}",
            ask.body
        );
        let r = app
            .post(&mut c, &format!("/staff/sessions/{s}/restore"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            !app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );
        assert!(of_kind(&app, MailKind::SessionCancelled).await.is_empty());
        assert!(of_kind(&app, MailKind::Changed).await.is_empty());
        assert_eq!(send(&app.store, now() + 24 * 3600).await, 0);
    }
);

http_test!(
    async fn once_the_messages_went_undo_says_so_and_corrects_only_when_confirmed(app: TestApp) {
        let (e, s) = workshop(&app, 20).await;
        twelve(&app, s).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, &format!("/staff/sessions/{s}/cancel"))
            .await;
        app.post(&mut c, &format!("/staff/sessions/{s}/cancel"), &[])
            .await;
        assert_eq!(send(&app.store, now() + HOLD_SECONDS + 1).await, 12);

        let page = app.get(&mut c, &format!("/staff/events/{e}")).await;
        assert!(
            page.body.contains("12 personnes prévenues."),
            "{}",
            page.body
        );
        let undo = extract_undo(&page.body).unwrap();
        let r = app.post(&mut c, &undo, &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.body.contains(&html(
                "12 personnes ont déjà reçu l'e-mail : annuler cette action leur enverra un rectificatif."
            )),
            "{}",
            r.body
        );
        assert!(r.body.contains("name=\"confirmed\""));
        assert!(
            app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled,
            "nothing changed yet"
        );
        assert!(of_kind(&app, MailKind::Changed).await.is_empty());

        let r = app.post(&mut c, &undo, &[("confirmed", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            !app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );
        let corrections = of_kind(&app, MailKind::Changed).await;
        assert_eq!(corrections.len(), 12);
        assert!(corrections.iter().all(|m| m.payload["restored"] == true));
        let shown = app.get(&mut c, r.location()).await;
        assert!(
            shown
                .body
                .contains("12 rectificatifs envoyés aux personnes déjà prévenues."),
            "{}",
            shown.body
        );
    }
);

http_test!(
    async fn a_change_of_time_that_mails_registrants_is_confirmed_first(app: TestApp) {
        let (e, s) = workshop(&app, 20).await;
        register(&app, s, "Anne").await;
        send(&app.store, now()).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let form = app.get(&mut c, &format!("/staff/sessions/{s}")).await;
        let date = value_of(&form.body, "date");
        let fields = [
            ("kind", "workshop"),
            ("date", date.as_str()),
            ("start", "15:00"),
            ("end", "17:00"),
            ("registration", "required"),
            ("capacity", "20"),
            ("attendance", "in_person"),
            ("confirm_warnings", "on"),
        ];
        let r = app
            .post(&mut c, &format!("/staff/sessions/{s}"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("1 personne sera prévenue par e-mail."),
            "{}",
            r.body
        );
        assert!(r.body.contains("name=\"confirm_notify\""));
        let before = app.store.session(app.library_id, s).await.unwrap();
        assert_eq!(
            jiff::Timestamp::from_second(before.starts_at)
                .unwrap()
                .to_zoned(almanach_domain::calendar::paris())
                .hour(),
            14,
            "not saved before confirmation"
        );

        let mut confirmed = fields.to_vec();
        confirmed.extend([
            ("confirm_notify", "1"),
            ("note", "Le car arrive plus tard."),
        ]);
        let r = app
            .post(&mut c, &format!("/staff/sessions/{s}"), &confirmed)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("/staff/events/{e}?done=saved"));
        let after = app.store.session(app.library_id, s).await.unwrap();
        assert_eq!(after.starts_at, before.starts_at + 3600);
        let changed = of_kind(&app, MailKind::Changed).await;
        assert_eq!(changed.len(), 1);
        let action = app
            .store
            .staff_action(app.library_id, changed[0].action_id.unwrap())
            .await
            .unwrap();
        assert_eq!(action.note, "Le car arrive plus tard.");
        assert_eq!(send(&app.store, now()).await, 0, "held");

        // Undone from the event page: the time is back, nothing goes.
        let page = app.get(&mut c, &format!("/staff/events/{e}")).await;
        let undo = extract_undo(&page.body).unwrap();
        assert_eq!(
            app.post(&mut c, &undo, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .starts_at,
            before.starts_at
        );
        assert_eq!(send(&app.store, now() + 24 * 3600).await, 0);
    }
);

http_test!(
    async fn cancelling_an_event_says_how_many_and_its_form_cannot_cancel_silently(app: TestApp) {
        let (e, s) = workshop(&app, 20).await;
        twelve(&app, s).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let ask = app.get(&mut c, &format!("/staff/events/{e}/cancel")).await;
        assert!(
            ask.body
                .contains("12 personnes seront prévenues par e-mail.")
        );
        assert!(ask.body.contains("(1 séance)"), "{}", ask.body);

        // The edit form offers no "cancelled", and refuses it if sent anyway.
        let edit = app.get(&mut c, &format!("/staff/events/{e}/edit")).await;
        assert!(!edit.body.contains("value=\"cancelled\""));
        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{e}/edit"),
                &[("title", "Atelier robotique"), ("status", "cancelled")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains(&html("utilisez le bouton « Annuler l'événement »"))
        );
        assert!(of_kind(&app, MailKind::SessionCancelled).await.is_empty());

        let long = "x".repeat(2001);
        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{e}/cancel"),
                &[("note", &long)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"e-note\""),
            "the error is next to the field"
        );
        assert!(of_kind(&app, MailKind::SessionCancelled).await.is_empty());

        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{e}/cancel"),
                &[("note", "Désolés.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(of_kind(&app, MailKind::SessionCancelled).await.len(), 12);
        assert_eq!(send(&app.store, now()).await, 0, "held");
    }
);

http_test!(
    async fn removing_a_registrant_says_who_will_be_told_and_can_be_undone(app: TestApp) {
        let (_, s) = workshop(&app, 1).await;
        let anne = register(&app, s, "Anne").await;
        let ben = register(&app, s, "Ben").await;
        send(&app.store, now()).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let list = app
            .get(&mut c, &format!("/staff/sessions/{s}/registrations"))
            .await;
        assert!(
            list.body.contains(&format!(
                "href=\"/staff/registrations/{}/cancel?back={s}\"",
                anne.id
            )),
            "{}",
            list.body
        );
        let ask = app
            .get(
                &mut c,
                &format!("/staff/registrations/{}/cancel?back={s}", anne.id),
            )
            .await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains("Anne"));
        assert!(
            ask.body
                .contains("2 personnes seront prévenues par e-mail."),
            "Anne, and Ben who gets her seat: {}",
            ask.body
        );
        let r = app
            .post(
                &mut c,
                &format!("/staff/registrations/{}/cancel", anne.id),
                &[("back", &s.to_string()), ("note", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.store
                .registration(app.library_id, ben.id)
                .await
                .unwrap()
                .status,
            RegistrationStatus::Confirmed
        );
        let list = app
            .get(&mut c, &format!("/staff/sessions/{s}/registrations"))
            .await;
        let undo = extract_undo(&list.body).expect("undo on the registrations page");
        assert_eq!(
            app.post(&mut c, &undo, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.store
                .registration(app.library_id, anne.id)
                .await
                .unwrap()
                .status,
            RegistrationStatus::Confirmed
        );
        assert_eq!(
            app.store
                .registration(app.library_id, ben.id)
                .await
                .unwrap()
                .status,
            RegistrationStatus::Waiting
        );
        assert_eq!(send(&app.store, now() + 24 * 3600).await, 0);
    }
);

http_test!(
    async fn a_message_to_registrants_says_how_many_and_waits(app: TestApp) {
        let (_, s) = workshop(&app, 20).await;
        register(&app, s, "Anne").await;
        register(&app, s, "Ben").await;
        send(&app.store, now()).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = app
            .get(&mut c, &format!("/staff/sessions/{s}/emails"))
            .await;
        assert!(
            page.body
                .contains("2 personnes seront prévenues par e-mail."),
            "{}",
            page.body
        );
        assert!(page.body.contains("Envoyer à 2 personnes"));
        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/emails"),
                &[
                    ("subject", "Parking"),
                    ("message", "Le parking est fermé samedi."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(send(&app.store, now()).await, 0, "held");
        let page = app.get(&mut c, r.location()).await;
        assert!(
            page.body
                .contains(&html("Message « Parking » aux personnes inscrites"))
        );
        let undo = extract_undo(&page.body).unwrap();
        app.post(&mut c, &undo, &[]).await;
        assert!(of_kind(&app, MailKind::Staff).await.is_empty());
        assert_eq!(send(&app.store, now() + 24 * 3600).await, 0);
    }
);

http_test!(
    async fn only_those_who_run_the_programme_confirm_or_undo(app: TestApp) {
        let (e, s) = workshop(&app, 20).await;
        twelve(&app, s).await;
        let mut editor = app.signed_in(Role::Coordinator).await;
        app.get(&mut editor, &format!("/staff/sessions/{s}/cancel"))
            .await;
        app.post(&mut editor, &format!("/staff/sessions/{s}/cancel"), &[])
            .await;
        let page = app.get(&mut editor, &format!("/staff/events/{e}")).await;
        let undo = extract_undo(&page.body).unwrap();

        let mut viewer = app.signed_in(Role::Viewer).await;
        let page = app.get(&mut viewer, &format!("/staff/events/{e}")).await;
        assert!(!page.body.contains("/undo\""), "no undo for a viewer");
        for path in [
            format!("/staff/sessions/{s}/restore"),
            undo.trim_end_matches("/undo").to_string(),
        ] {
            assert_eq!(
                app.get(&mut viewer, &path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        assert_eq!(
            app.post(&mut viewer, &undo, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            app.store
                .session(app.library_id, s)
                .await
                .unwrap()
                .cancelled
        );
    }
);

/// The value of an input in a page.
fn value_of(body: &str, name: &str) -> String {
    let i = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name}"));
    let rest = &body[i..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}
